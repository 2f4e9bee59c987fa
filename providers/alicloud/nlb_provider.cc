#include "providers/alicloud/nlb_provider.h"

#include <algorithm>

#include "providers/alicloud/listener_provider.h"

namespace certform::alicloud {

namespace {

std::string ListenerIdProblem(const std::string& id) {
  return IsNlbListenerId(id) ? ""
                             : "an NLB listener id is \"lsn-\", lower-case letters and digits, and "
                               "\"@PORT\" (as the NLB console shows it, e.g. "
                               "\"lsn-bp1bpn0kn908w4nbw@443\")";
}

}  // namespace

// One spelling only, with the port: the reference writes a listener both "lsn-…" (an older
// UpdateListenerAttribute page) and "lsn-…@443" (every current page). Two spellings of one
// listener would be two listeners to certform, so one slot's renewal could dissociate what the
// other spelling's slot serves, and their writes would not queue behind each other (harsher:
// the port is required).
bool IsNlbListenerId(const std::string& id) {
  const size_t at = id.find('@');
  if (at == std::string::npos) return false;
  const std::string port = id.substr(at + 1);
  if (port.empty() || port.size() > 5 || port.front() == '0' ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoi(port) > 65535) {
    return false;
  }
  const std::string bare = id.substr(0, at);
  return IsLsnId(bare) && bare.starts_with("lsn-");
}

// NLB's names (D: the NLB API reference 2022-04-30, help.aliyun.com/.../api-nlb-2022-04-30-
// <action>; shared/docs/load-balancers.md §1.3): UpdateListenerAttribute's CertificateIds.N
// ("you can specify only one server certificate", TCPSSL listeners only);
// AssociateAdditionalCertificatesWithListener's AdditionalCertificateIds.N (up to 15 a call);
// the dissociate call is DisassociateAdditionalCertificatesWithListener (its maximum is not
// documented, U: 15, as the associate's); ListListenerCertificates takes CertType (not ALB's
// CertificateType) and MaxResults 1 to 50 (the Chinese reference; the English says 100: the
// harsher 50). The reference's id examples are of the SLB store's shape
// ("12315790343_166f8204689_…"); certform sends CAS ids with their region, as certimate does
// for NLB (S) and as ListListenerCertificates' own example answers ("931…-cn-hangzhou").
const ListenerApi& NlbProvider::Api() {
  static const ListenerApi api{
      .title = "NLB",
      .version = "2022-04-30",
      .host = "nlb",
      .dissociate = "DisassociateAdditionalCertificatesWithListener",
      .default_param = "CertificateIds.{}",
      .additional_param = "AdditionalCertificateIds.{}",
      .max_associate = 15,
      .max_dissociate = 15,
      .cert_type_param = "CertType",
      .page_size = 50,
      // The quota of additional certificates per NLB listener is not documented (U): ALB's
      // largest (300) and the default bound the listing.
      .max_certificates = 301,
      .listener_id = IsNlbListenerId,
      .listener_id_shape = "\"lsn-\" and lower-case letters and digits, and \"@PORT\"",
      // D: UpdateListenerAttribute's error table (api.alibabacloud.com/document/Nlb/2022-04-30/
      // UpdateListenerAttribute): 400 ResourceAlreadyAssociated.Certificate, and 404
      // ResourceNotFound.listener, with a lower-case "listener" (StopListener's table too; S:
      // Terraform's NLB resources match "ResourceNotFound.listener"). A dissociate of a
      // certificate the listener does not have is in no table (U: ALB's spelling, the
      // emulator's reading); a code spelled otherwise is an error, the harsher reading.
      .already_associated = "ResourceAlreadyAssociated.Certificate",
      .not_associated = "ResourceNotAssociated.Certificate",
      .listener_not_found = "ResourceNotFound.listener",
      // D: the Associate page (Associating, Associated), the Disassociate page (Dissociating,
      // then Dissociated, which the listing no longer shows) and ListListenerCertificates'.
      .associating = "Associating",
      .associated = "Associated",
      .dissociating = "Dissociating",
      // D: ListListeners' ListenerProtocol (TCP, UDP, TCPSSL); TCPSSL listeners take
      // certificates.
      .certificate_protocols = {"TCPSSL"},
      .other_protocols = {"TCP", "UDP"},
      .port_in_id = true,
  };
  return api;
}

// Limits per region and user (D: NLB's API quota page, load-balancers.md §1.3): writes 200 per
// 60 s, ListListenerCertificates 20 per second. ListAsynJobs' is not documented (U): 10 per
// second, the harsher reading.
const engine::ProductRules& NlbProvider::Rules() {
  static const engine::ProductRules rules =
      ListenerRules({.name = "nlb",
                     .listener_problem = ListenerIdProblem,
                     .example_listener = "lsn-bp1bpn0kn908w4nbw@443",
                     .write_limit = 200.0 / 60.0,
                     .read_limit = 20,
                     .poll_limit = 10},
                    Api());
  return rules;
}

std::unique_ptr<engine::Provider> NlbProvider::Make(const ProductWiring& wiring) {
  return ListenerProvider::Make(Rules(), Api(), wiring);
}

}  // namespace certform::alicloud
