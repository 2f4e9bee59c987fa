// What the emulator starts with: AccessKeys, domains, CAS certificates, limits and faults.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/status.h"
#include "providers/alicloud/emulator/tls_edge.h"

namespace certform::emulator {

struct AccountKey {
  std::string access_key_id;
  std::string access_key_secret;
  std::string user;  // the owning user: rate limits and domains are per user
  // The RAM user the key belongs to, for GetCallerIdentity's Arn; empty: the AccessKeyId.
  std::string ram_user = {};
  // Temporary keys (STS, the metadata service): the role assumed and the session's name.
  std::string role_arn = {};
  std::string session_name = {};
};

// A RAM role that STS (2015-04-01) lets callers assume, and the ECS metadata service serves.
struct RoleSeed {
  std::string arn;   // acs:ram::UID:role/NAME
  std::string user;  // whose domains, certificates and rate limits the role's calls use
  // AccessKeyIds the role's trust policy lets call AssumeRole; none: nobody (RAM's default).
  std::vector<std::string> trusted_keys;
  std::string oidc_provider_arn;  // AssumeRoleWithOIDC: the trusted identity provider
  std::string oidc_token;         // ... and the one token it accepts (the emulated IdP's)
  int max_session_duration = 3600;
  std::string ecs_role_name;  // served by the ECS metadata service when not empty
};

// An OSS bucket, its region and owner, and the custom domains whose ownership was verified for it
// (a TXT record with the bucket's CNAME token): only those can be given a certificate (PutCname).
// A verified domain is attached: ListCname lists it, without a certificate until one is put.
struct BucketSeed {
  std::string name;
  std::string region;  // e.g. "cn-hangzhou"
  std::string user;
  std::vector<std::string> verified_domains;
};

struct DomainSeed {
  std::string name;
  std::string user;
  std::string status = "online";  // online | offline | configuring
};

struct CasCertificate {
  std::string name;
  int64_t id = 0;
  std::string user;
  std::string pem;        // certificate chain (the emulator never keeps a key)
  bool uploaded = false;  // came through UploadUserCertificate (ListUserCertificateOrder UPLOAD)
};

struct Faults {
  double error_rate = 0;  // share of calls answered 500 InternalError or 503 ServiceUnavailable
  double drop_rate = 0;   // share of calls whose connection is dropped without an answer
  int latency_ms = 0;     // added to every answer
  int jitter_ms = 0;      // plus a uniform random 0..jitter_ms
  // Network transit before a request *arrives*: a uniform random 0..transit_ms, spent before the
  // request is counted by the rate window (as the real API counts arrivals, not sends).
  int transit_ms = 0;
  // The code a bad signature is answered with: "SignatureDoesNotMatch" or "IncompleteSignature"
  // (the gateway uses both); either way the message echoes the string to sign, secrets and all.
  std::string signature_error = "SignatureDoesNotMatch";
  uint64_t seed = 1;  // for repeatable runs
  // Answers lost after the action was carried out, per action: the first N calls of that action
  // succeed on the server, then the connection drops before the answer (a crash or a broken
  // connection between server and client; the client cannot tell whether it took effect).
  std::map<std::string, int> lose_answers;
};

// Reads the fault fields (error_rate, drop_rate, latency_ms, jitter_ms, transit_ms,
// signature_error, seed, lose_answers) of a JSON object; absent fields keep their defaults. Throws
// nlohmann::json::exception on wrong types.
Faults ParseFaults(const nlohmann::json& doc);
// {"delay_ms": 0, "stale_handshakes": 0}; throws nlohmann::json::exception when out of range.
Propagation ParsePropagation(const nlohmann::json& doc);

struct EmulatorConfig {
  std::vector<AccountKey> accounts;
  std::vector<DomainSeed> domains;
  std::vector<DomainSeed> dcdn_domains;  // DCDN (2018-01-15): a table of its own
  std::vector<CasCertificate> cas_certificates;
  std::vector<RoleSeed> roles;
  std::vector<BucketSeed> buckets;
  int write_limit = 10;          // SetDomainServerCertificate calls per user per sliding second
  int ssl_write_limit = 30;      // SetCdnDomainSSLCertificate calls per user per sliding second
  int read_limit = 100;          // DescribeDomainCertificateInfo calls per user per sliding second
  int list_domains_limit = 100;  // DescribeUserDomains calls per user per sliding second
  // DCDN: SetDcdnDomainSSLCertificate's limit is not stated (the batch call's 10/s, the harsher
  // reading); DescribeDcdnDomainCertificateInfo 100/s; DescribeDcdnUserDomains not stated (10/s).
  int dcdn_write_limit = 10;
  int dcdn_read_limit = 100;
  int dcdn_list_limit = 10;
  // OSS PutCname and ListCname: no limit is stated; 10/s each, the harsher reading.
  int oss_write_limit = 10;
  int oss_read_limit = 10;
  // Users whose RAM policy does not grant oss:ListBuckets: their ListBuckets is refused with 403
  // AccessDenied (EC 0003-00000202, "not granted the required permissions in RAM policies",
  // https://help.aliyun.com/en/oss/user-guide/0003-00000202; ListBuckets needs oss:ListBuckets,
  // https://www.alibabacloud.com/help/doc-detail/146029.htm).
  std::vector<std::string> oss_list_denied;
  // RAM policies that do not grant an action: by AccessKeyId, or by a role's ARN (for the keys
  // STS and the metadata service issue for it), the API actions (e.g.
  // "DescribeDomainCertificateInfo", "ListCname", "ListUserCertificateOrder") refused to it, as the
  // gateway refuses them: RPC calls 403 Forbidden.RAM ("User not authorized to operate on the
  // specified resource, or this API doesn't support RAM.", alibaba-cdn-api.md §4.2; e.g.
  // https://www.alibabacloud.com/help/en/ecs/announcement-of-changes-to-the-authentication-mechanism-for-alibaba-cloud-ecs-query-type-apis),
  // OSS calls 403 AccessDenied with EC 0003-00000202 (ram_policy.h).
  std::map<std::string, std::vector<std::string>> ram_denied;
  int cas_upload_limit = 100;  // UploadUserCertificate (CAS 2020-04-07) per user per second
  int cas_read_limit = 10;     // ListUserCertificateOrder, GetUserCertificateDetail,
                               // DeleteUserCertificate (10/s documented for the list; the
                               // others' limits are unconfirmed)
  // A harsher server for a test: calls of these actions admitted at most N per user per sliding
  // `call_limit_period_ms`, in a window of the action's own that replaces the service's (e.g.
  // ALB's 200 writes a minute), so a test can meet throttling on any product within seconds.
  std::map<std::string, int> call_limits;
  int call_limit_period_ms = 1000;
  Faults faults;
  // The edge (tls_edge.h): how long a certificate change takes to reach it, and private keys
  // (PEM) it may serve certificates with beside those the API receives (for CAS certificates
  // configured above, whose keys the API never saw).
  Propagation propagation;
  std::vector<std::string> tls_keys;
};

// Parses the emulator's JSON configuration (see cmd/certform-emulator --help). InvalidArgument
// naming the field on a bad document.
engine::Status ParseEmulatorConfig(const std::string& json, EmulatorConfig* out);

}  // namespace certform::emulator
