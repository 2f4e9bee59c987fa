#include "providers/alicloud/alb_provider.h"

#include "providers/alicloud/listener_provider.h"

namespace certform::alicloud {

namespace {

std::string ListenerIdProblem(const std::string& id) {
  return IsLsnId(id) ? ""
                     : "an ALB listener id is \"lsn-\" (or \"lsr-\") and lower-case letters and "
                       "digits (as the ALB console shows it)";
}

}  // namespace

// ALB's names (D: the API reference, https://api.aliyun.com/document/Alb/2020-06-16/<Action>;
// help doc-detail 214350 Associate, 214352 Dissociate, 214354 ListListenerCertificates, 214356
// UpdateListenerAttribute; shared/docs/load-balancers.md §1.1).
const ListenerApi& AlbProvider::Api() {
  static const ListenerApi api{
      .title = "ALB",
      .version = "2020-06-16",
      .host = "alb",
      .dissociate = "DissociateAdditionalCertificatesFromListener",
      .default_param = "Certificates.{}.CertificateId",
      .additional_param = "Certificates.{}.CertificateId",
      .max_associate = 15,   // D: doc 214350
      .max_dissociate = 20,  // D: doc 214352
      .cert_type_param = "CertificateType",
      .page_size = 100,  // MaxResults 1 to 100 (D: doc 214354)
      // Additional certificates per instance at most 300 (D: doc-detail/198636), and the default.
      .max_certificates = 301,
      .listener_id = IsLsnId,
      .listener_id_shape = "\"lsn-\" or \"lsr-\" and lower-case letters and digits",
      // The error tables of ALB's certificate pages name none of these three (U): the spellings
      // NLB's tables give (its UpdateListenerAttribute page:
      // ResourceAlreadyAssociated.Certificate), with ALB's capitalised resource, as ALB's own codes
      // write it (IncorrectStatus.Listener in the Associate page's table, help
      // document_detail/2254830; S: Terraform's ALB resources, ResourceNotFound.Listener). No page
      // names a dissociate of a certificate that is not there (U). A code spelled otherwise is
      // an error, not "already true" nor "gone": the harsher reading.
      .already_associated = "ResourceAlreadyAssociated.Certificate",
      .not_associated = "ResourceNotAssociated.Certificate",
      .listener_not_found = "ResourceNotFound.Listener",
      // D: docs 214350 (Associating, Associated), 214352 (Dissociating), 214354 (Status).
      .associating = "Associating",
      .associated = "Associated",
      .dissociating = "Dissociating",
      // D: ListListeners' ListenerProtocol (HTTP, HTTPS, QUIC); HTTPS and QUIC listeners take
      // certificates (doc 214350).
      .certificate_protocols = {"HTTPS", "QUIC"},
      .other_protocols = {"HTTP"},
  };
  return api;
}

// Limits per region, API and user (D: ALB's quota page "api-alb-2020-06-16-quota"): each write
// 200 per 60 s, ListListenerCertificates and ListAsynJobs 20 per second. certform paces per user
// across regions.
const engine::ProductRules& AlbProvider::Rules() {
  static const engine::ProductRules rules =
      ListenerRules({.name = "alb",
                     .listener_problem = ListenerIdProblem,
                     .example_listener = "lsn-0bfucwbs9mn3rwabcd",
                     .write_limit = 200.0 / 60.0,
                     .read_limit = 20,
                     .poll_limit = 20},
                    Api());
  return rules;
}

std::unique_ptr<engine::Provider> AlbProvider::Make(const ProductWiring& wiring) {
  return ListenerProvider::Make(Rules(), Api(), wiring);
}

}  // namespace certform::alicloud
