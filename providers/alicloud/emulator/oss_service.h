// OSS custom domains (PutCname, ListCname) and ListBuckets, on BUCKET.oss-REGION.aliyuncs.com
// and oss-REGION.aliyuncs.com, signed with OSS signature V1, XML in and out. Its own state (the
// domains' certificates) and mutex; certificates live in CAS (cas_directory.h).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "providers/alicloud/emulator/cas_directory.h"
#include "providers/alicloud/emulator/service_handler.h"

namespace certform::emulator {

// An OSS custom domain attached to a bucket, and its certificate (in CAS).
struct CnameState;
// What the edge serves for a custom domain: its certificate while one is bound and enabled.
ServedCertificate ServedBy(const CnameState& c);

struct CnameState {
  std::string bucket;
  bool https = false;  // has a certificate (served only while cert_status is "Enabled")
  // ListCname's Certificate/Status: "Enabled" when bound; "Disabled" when disabled by hand
  // (admin: SetCnameCertificateStatus), which certform must read as HTTPS off.
  std::string cert_status;
  int64_t cert_id = 0;
  std::string cert_region;
  std::string cert_pem;
  std::string updated_at;     // LastModified: ISO 8601, as documented
  std::string cert_bound_at;  // Certificate/CreationDate: an HTTP date, as documented
};

class OssService final : public ServiceHandler {
 public:
  OssService(ServiceContext context, CasDirectory& cas);

  // Signed "OSS ID:SIG", or a cname sub-resource in the query.
  bool Accepts(const ServiceRequest& request) const override;
  ApiResponse Handle(const ServiceRequest& request) override;
  void Reset() override;
  void AddState(nlohmann::json* state) const override;

  // Admin: detaches a custom domain from its bucket (as DeleteCname would): ListCname no longer
  // lists it, and a certificate can no longer be put on it.
  void DetachCname(const std::string& domain);
  // What the edge serves for `domain` by the API's account of it (tls_edge.h); nullopt for a
  // domain attached to no bucket.
  std::optional<ServedCertificate> Served(const std::string& domain) const;
  // Admin: the Status ListCname reports for a domain's certificate ("Enabled" or "Disabled");
  // false with `error` when the domain has no certificate or the status is neither.
  bool SetCnameCertificateStatus(const std::string& domain, const std::string& status,
                                 std::string* error);

 private:
  ApiResponse PutCname(const BucketSeed& bucket, const std::string& user, const std::string& body,
                       const std::string& request_id, const std::string& host);
  ApiResponse ListCname(const BucketSeed& bucket, const std::string& request_id);
  ApiResponse ListBuckets(const std::string& user, const std::string& target,
                          const std::string& request_id, const std::string& host);

  ServiceContext context_;
  CasDirectory& cas_;
  mutable std::mutex mu_;
  std::map<std::string, CnameState> cnames_;  // custom domain → its bucket and certificate
  std::set<std::string> detached_;            // verified domains detached since (admin)
};

}  // namespace certform::emulator
