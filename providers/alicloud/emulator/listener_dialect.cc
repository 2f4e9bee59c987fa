// The two dialects. Sources (D: documented, S: seen in peers' code, U: unconfirmed, "harsher": a
// reading taken where the documentation is silent):
//   ALB: shared/docs/load-balancers.md §1.1 and the API reference pages it names
//     (https://api.aliyun.com/document/Alb/2020-06-16/<Action>; help doc-detail 214350 Associate,
//     214352 Dissociate, 214354 ListListenerCertificates, 214356 UpdateListenerAttribute).
//   NLB: the API reference pages https://api.alibabacloud.com/document/Nlb/2022-04-30/<Action>
//     (UpdateListenerAttribute, AssociateAdditionalCertificatesWithListener,
//     DisassociateAdditionalCertificatesWithListener, ListListenerCertificates, ListAsynJobs,
//     GetListenerAttribute), the Chinese reference of ListListenerCertificates
//     (help.aliyun.com/zh/slb/network-load-balancer/developer-reference/
//     api-nlb-2022-04-30-listlistenercertificates) and NLB's API quota page.
#include "providers/alicloud/emulator/listener_dialect.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace certform::emulator {

namespace {

ListenerDialect MakeAlb() {
  ListenerDialect d;
  d.name = "alb";
  d.title = "ALB";
  d.version = "2020-06-16";
  // Associate takes 1 to 15 certificates a call (D: doc 214350, load-balancers.md §1.1),
  // Dissociate at most 20 (D: doc 214352), UpdateListenerAttribute one default (D: doc 214356
  // "the default certificate"; NLB's IllegalParamSize.certificateIds "you can only have one"),
  // or none (the call changes other attributes too).
  d.writes = {
      {"UpdateListenerAttribute", {ListenerWrite::kUpdate, "Certificates", ".CertificateId", 0, 1}},
      {"AssociateAdditionalCertificatesWithListener",
       {ListenerWrite::kAssociate, "Certificates", ".CertificateId", 1, 15}},
      {"DissociateAdditionalCertificatesFromListener",
       {ListenerWrite::kDissociate, "Certificates", ".CertificateId", 1, 20}}};
  // CertificateType Server | Ca, MaxResults 1..100 (D: doc 214354).
  d.type_param = "CertificateType";
  d.list_most = 100;
  d.load_balancer_prefix = "alb-";
  // Only HTTPS and QUIC listeners take certificates (D: ListenerId of docs 214350, 214354).
  d.certificate_protocols = {"HTTPS", "QUIC"};
  d.other_protocols = {"HTTP"};
  // Additional certificates per ALB instance, summed over its listeners: Basic 10, Standard and
  // WAF-enabled 25 (D: help doc-detail/198636, quota alb_quota_loadbalancer_certificates_num_*;
  // load-balancers.md §1.1).
  d.quotas = {{"Basic", 10}, {"Standard", 25}, {"StandardWithWaf", 25}};
  d.default_edition = "Standard";
  // Not in the ALB pages' tables (U): NLB's code with ALB's capital, as ALB writes its
  // IncorrectStatus.Listener (S: Terraform's ALB resources match ResourceNotFound.Listener).
  d.listener_not_found = "ResourceNotFound.Listener";
  return d;
}

ListenerDialect MakeNlb() {
  ListenerDialect d;
  d.name = "nlb";
  d.title = "NLB";
  d.version = "2022-04-30";
  // UpdateListenerAttribute: CertificateIds.N, "You can specify only one server certificate"
  // (D), more than one IllegalParamSize.CertificateIds. None is refused (harsher: the emulator
  // keeps nothing else of a listener, so an update naming no certificate would change nothing it
  // knows). AssociateAdditionalCertificatesWithListener: AdditionalCertificateIds.N, 1 to 15 a
  // call (D). DisassociateAdditionalCertificatesWithListener (so named: not ALB's
  // Dissociate...From...): AdditionalCertificateIds.N, the page names no most (harsher: 15, as
  // Associate).
  d.writes = {{"UpdateListenerAttribute", {ListenerWrite::kUpdate, "CertificateIds", "", 1, 1}},
              {"AssociateAdditionalCertificatesWithListener",
               {ListenerWrite::kAssociate, "AdditionalCertificateIds", "", 1, 15}},
              {"DisassociateAdditionalCertificatesWithListener",
               {ListenerWrite::kDissociate, "AdditionalCertificateIds", "", 1, 15}}};
  // ListListenerCertificates: CertType Server | Ca; MaxResults 1~50, default 20 (D: the Chinese
  // reference; out of range refused, harsher than clamping); the answer holds Certificates (each
  // with CertType) and the older CertificateIds (D: both in the response's table).
  d.type_param = "CertType";
  d.list_most = 50;
  d.id_lists = true;
  d.load_balancer_prefix = "nlb-";
  // "Listener ID ... lsn-j49ht1jxxqyg45****@80" (D: every NLB page's example).
  d.listener_port = true;
  // The certificates "take effect only for listeners that use SSL over TCP" (D:
  // UpdateListenerAttribute's CertificateIds); TCP and UDP listeners take none.
  d.certificate_protocols = {"TCPSSL"};
  d.other_protocols = {"TCP", "UDP"};
  // NLB has no editions, and the pages name no quota of additional certificates (U): 25 per
  // instance, as ALB's Standard; fixed (the admin API takes no edition for NLB).
  d.quotas = {{"", 25}};
  d.default_edition = "";
  // 404 ResourceNotFound.listener, "listener" in lower case (D: the error tables of
  // UpdateListenerAttribute and StopListener; S: Terraform's NLB resources match that spelling).
  // Their busy code is IncorrectStatus.listener too (D, the same tables); the emulator still
  // answers ALB's IncorrectStatus.Listener for NLB, which certform's errors.cc retries (kinder
  // than the tables: certform does not retry the lower-case spelling yet).
  d.listener_not_found = "ResourceNotFound.listener";
  return d;
}

bool LowerAlnum(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::islower(c) || std::isdigit(c);
  });
}

// "@PORT": 1 to 5 digits, 1..65535.
bool PortSuffix(const std::string& s) {
  return !s.empty() && s.size() <= 5 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); }) &&
         s.front() != '0' && std::stoi(s) <= 65535;
}

}  // namespace

const CertificateList* ListenerDialect::Write(const std::string& action) const {
  auto it = writes.find(action);
  return it == writes.end() ? nullptr : &it->second;
}

bool ListenerDialect::TakesCertificates(const std::string& protocol) const {
  return std::count(certificate_protocols.begin(), certificate_protocols.end(), protocol) > 0;
}

bool ListenerDialect::KnowsProtocol(const std::string& protocol) const {
  return TakesCertificates(protocol) ||
         std::count(other_protocols.begin(), other_protocols.end(), protocol) > 0;
}

std::string ListenerDialect::CertificateProtocols() const {
  return fmt::format("{}", fmt::join(certificate_protocols, " and "));
}

bool ListenerDialect::ListenerIdOk(const std::string& id, std::string* shape) const {
  if (!listener_port) {
    *shape = "a listener's id is \"lsn-...\" (at most 64 characters)";
    return id.starts_with("lsn-") && id.size() <= 64;
  }
  // NLB: "lsn-" and lower-case letters and digits (D: the examples; harsher: nothing else), then
  // optionally "@PORT".
  *shape =
      "a listener's id is \"lsn-\" and lower-case letters or digits, optionally \"@PORT\" "
      "(1..65535), at most 64 characters";
  const size_t at = id.find('@');
  const std::string base = id.substr(0, at);
  return id.size() <= 64 && base.starts_with("lsn-") && LowerAlnum(base.substr(4)) &&
         (at == std::string::npos || PortSuffix(id.substr(at + 1)));
}

const ListenerDialect& AlbDialect() {
  static const ListenerDialect d = MakeAlb();
  return d;
}

const ListenerDialect& NlbDialect() {
  static const ListenerDialect d = MakeNlb();
  return d;
}

}  // namespace certform::emulator
