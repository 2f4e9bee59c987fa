// CdnEmulator: the logic of the local CDN API emulator, without any HTTP server, so that tests
// can drive it in-process. Thread-safe: one mutex guards everything (the emulator is a test
// double, not a performance target).
#pragma once

#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/base/clock.h"
#include "providers/alicloud/emulator/api_response.h"
#include "providers/alicloud/emulator/emulator_config.h"
#include "providers/alicloud/emulator/rate_window.h"
#include "providers/alicloud/emulator/request_auth.h"

namespace certform::emulator {

inline constexpr char kCdnVersion[] = "2018-05-10";
inline constexpr char kCasVersion[] = "2020-04-07";
inline constexpr char kStsVersion[] = "2015-04-01";
inline constexpr char kDcdnVersion[] = "2018-01-15";

struct ApiRequest {
  std::string method;                          // GET or POST
  std::string target;                          // path and raw query, e.g. "/?Action=..."
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// An OSS custom domain attached to a bucket, and its certificate (in CAS).
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

// A domain's live state in the emulator. The private key is never kept.
struct DomainState {
  std::string user;
  std::string status = "online";
  bool https = false;
  std::string cert_name, cert_type, cert_region;
  int64_t cert_id = 0;
  std::string cert_pem;
  std::string updated_at;
  std::string last_request_id;
};

class CdnEmulator {
 public:
  CdnEmulator(EmulatorConfig config, engine::Clock& clock);

  // Answers one API request. Counts it, applies faults, flow control and authentication, then
  // the action. The returned latency is how long the server should wait before answering.
  ApiResponse Handle(const ApiRequest& request, engine::Clock::Duration* latency);

  // Admin: every domain's state (no key), the counters, and changes behind certform's back.
  nlohmann::json StateJson() const;
  nlohmann::json CountersJson() const;
  // Admin: adds (or, with an id already used, replaces) a CAS certificate; returns its id.
  int64_t PutCasCertificate(CasCertificate certificate);
  bool RemoveCasCertificate(int64_t id);
  // Creates or modifies a domain of `product` ("cdn" or "dcdn") from {"user","status","https",
  // "cert_pem","cert_name","cert_type","cert_id"}; InvalidArgument-style message in `error` on
  // bad input.
  bool PutDomain(const std::string& name, const nlohmann::json& changes, std::string* error,
                 const std::string& product = "cdn");
  bool RemoveDomain(const std::string& name, const std::string& product = "cdn");
  // OSS: detaches a custom domain from its bucket (as DeleteCname would): ListCname no longer
  // lists it, and a certificate can no longer be put on it.
  void DetachCname(const std::string& domain);
  // OSS: sets the Status ListCname reports for a custom domain's certificate ("Enabled" or
  // "Disabled"), as when its certificate is disabled in the console behind certform's back; false
  // with `error` when the domain has no certificate or the status is neither.
  bool SetCnameCertificateStatus(const std::string& domain, const std::string& status,
                                 std::string* error);
  void SetFaults(const Faults& faults);
  // A random transit time (Faults::transit_ms) for the next request, to spend before Handle().
  engine::Clock::Duration TransitDelay();
  void Reset();  // back to the initial configuration, counters zeroed

  // The ECS metadata service (sts_action.cc): a session token valid `ttl_seconds` ("" when the
  // ttl is out of range), and with it the role's name (`role_name` empty) or credentials. Returns
  // the HTTP status: 200, 401 without a valid token, 404 for an unknown role.
  std::string MetadataToken(int ttl_seconds);
  int MetadataCredentials(const std::string& token, const std::string& role_name,
                          std::string* body);

 private:
  ApiResponse Dispatch(const std::string& action, const alicloud::Params& params,
                       const std::string& user, const std::string& request_id, bool json);
  ApiResponse SetCertificate(const std::string& action, const alicloud::Params& params,
                             const std::string& user, const std::string& request_id, bool json);
  // DescribeDomainCertificateInfo (CDN) and DescribeDcdnDomainCertificateInfo (DCDN).
  ApiResponse DescribeCertificate(const std::string& action, const alicloud::Params& params,
                                  const std::string& user, const std::string& request_id,
                                  bool json);
  // DescribeUserDomains (CDN 2018-05-10) and DescribeDcdnUserDomains: every domain of the user
  // on that product, paged.
  ApiResponse DescribeUserDomains(const std::string& action, const alicloud::Params& params,
                                  const std::string& user, const std::string& request_id,
                                  bool json);
  // oss_action.cc: OSS custom domains (PutCname, ListCname) and ListBuckets, signed with OSS
  // signature V1.
  static bool IsOssRequest(const ApiRequest& request);
  ApiResponse HandleOss(const ApiRequest& request, const std::string& request_id);
  ApiResponse PutCname(const BucketSeed& bucket, const std::string& user, const std::string& body,
                       const std::string& request_id, const std::string& host);
  ApiResponse ListCname(const BucketSeed& bucket, const std::string& request_id);
  ApiResponse ListBuckets(const std::string& user, const std::string& target,
                          const std::string& request_id, const std::string& host);
  // The domain table an action works on: the CDN's or DCDN's.
  std::map<std::string, DomainState>& DomainsOf(const std::string& action);
  // cas_action.cc: UploadUserCertificate, ListUserCertificateOrder, GetUserCertificateDetail,
  // DeleteUserCertificate.
  ApiResponse CasAction(const std::string& action, const alicloud::Params& params,
                        const std::string& user, const std::string& request_id, bool json);
  // sts_action.cc: AssumeRole (signed) and AssumeRoleWithOIDC (anonymous).
  ApiResponse StsAction(const std::string& action, const alicloud::Params& params,
                        const std::string& request_id, bool json);
  // New temporary credentials of `role` for `duration` seconds, as STS answers them.
  nlohmann::json IssueTemporaryKey(const RoleSeed& role, int duration);
  std::string RandomToken(size_t length);
  // The flow-control window ("write", "ssl-write", "read", "list-domains", "cas-upload",
  // "cas-read") of an
  // action, and its limit per user per second.
  std::pair<std::string, int> FlowControl(const std::string& action) const;
  std::string NewRequestId();

  EmulatorConfig config_;
  engine::Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, DomainState> domains_;
  std::map<std::string, DomainState> dcdn_domains_;
  std::map<std::string, CnameState> cnames_;  // OSS: custom domain → its bucket and certificate
  std::set<std::string> detached_;            // OSS: verified domains detached since (admin)
  // Uploaded certificates per user: CertName → leaf fingerprint (for Certificate.Duplicated).
  std::map<std::string, std::map<std::string, std::string>> uploads_;
  // Certificate Management Service: the configured certificates plus those uploaded.
  std::vector<CasCertificate> cas_;
  RequestAuth auth_;
  RateWindow window_;
  std::mt19937_64 rng_;
  std::mt19937_64 transit_rng_;  // its own stream: transit draws must not shift the others
  int64_t next_cert_id_ = 20000000;
  // Counters.
  std::map<std::string, std::map<std::string, int>> calls_;  // action → user → answered calls
  int throttled_ = 0, injected_errors_ = 0, dropped_ = 0, rejected_ = 0;
  int keys_received_ = 0;  // calls that carried a private key (PrivateKey or SSLPri)
  int sts_issued_ = 0;     // temporary credentials handed out (STS and metadata service)
  std::map<std::string, int64_t> metadata_tokens_;  // ECS metadata session token → expiry
};

}  // namespace certform::emulator
