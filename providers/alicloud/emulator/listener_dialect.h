// What tells the two load balancers whose listener certificates the emulator serves apart: ALB
// (Application Load Balancer, API 2020-06-16) and NLB (Network Load Balancer, API 2022-04-30).
// Both take a listener's default certificate with UpdateListenerAttribute, add and remove
// additional ones with asynchronous jobs, list them with ListListenerCertificates and report the
// jobs with ListAsynJobs, on the same gateway with the same conventions; they differ in names,
// parameter shapes, bounds and protocols, which this value holds. One AlbService (alb_service.h)
// runs per dialect. The emulator's own reading of Alibaba's documentation: nothing here comes
// from certform's clients. listener_dialect.cc cites the source of each value.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace certform::emulator {

// What a write does to a listener's certificates.
enum class ListenerWrite { kUpdate, kAssociate, kDissociate };

// How a write names its certificates and how many it takes: LIST.N + SUFFIX, N from 1 (the RPC
// flattening of an array; ALB's is of objects, "Certificates.N.CertificateId", NLB's of ids,
// "CertificateIds.N").
struct CertificateList {
  ListenerWrite kind = ListenerWrite::kUpdate;
  std::string list;    // "Certificates", "CertificateIds", "AdditionalCertificateIds"
  std::string suffix;  // ".CertificateId" or ""
  size_t least = 0, most = 0;
};

struct ListenerDialect {
  // "alb" or "nlb": the endpoint's first label (NAME.REGION.aliyuncs.com), the admin API's path
  // (/_emulator/NAME/), the state's key and the rate windows' prefix.
  std::string name;
  std::string title;  // "ALB", "NLB": in messages
  std::string version;
  std::map<std::string, CertificateList> writes;  // action → its certificates
  // ListListenerCertificates: the certificate type's parameter, also each entry's key of it
  // (CertificateType, CertType), the most MaxResults takes, and whether the answer also holds the
  // ids alone (NLB's CertificateIds, which GetListenerAttribute answers instead of Certificates).
  std::string type_param;
  size_t list_most = 100;
  bool id_lists = false;
  std::string load_balancer_prefix;  // "alb-", "nlb-"
  // NLB's listener ids may end in "@PORT" ("lsn-...@80").
  bool listener_port = false;
  std::vector<std::string> certificate_protocols;  // the protocols that take certificates
  std::vector<std::string> other_protocols;        // those that take none
  // Additional certificates per load balancer, by edition; "" the only edition of a load
  // balancer that has none.
  std::map<std::string, int> quotas;
  std::string default_edition;
  // The code of a listener the caller has none of (404): ALB's "ResourceNotFound.Listener", NLB's
  // "ResourceNotFound.listener".
  std::string listener_not_found;

  // The write `action` is, or nullptr when it is not one of this dialect's writes.
  const CertificateList* Write(const std::string& action) const;
  bool TakesCertificates(const std::string& protocol) const;
  bool KnowsProtocol(const std::string& protocol) const;
  // "HTTPS and QUIC", "TCPSSL": the protocols that take certificates, for messages.
  std::string CertificateProtocols() const;
  // Whether `id` is a listener id of this dialect's shape; the rule in `shape` when not.
  bool ListenerIdOk(const std::string& id, std::string* shape) const;
};

const ListenerDialect& AlbDialect();
const ListenerDialect& NlbDialect();

}  // namespace certform::emulator
