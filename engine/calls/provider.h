// Provider: what the engine needs from a CDN, one instance per account (Terraform's providers
// interface: a few methods, each a request struct in and a response struct out).
//
// Implementations live in providers/; the engine knows nothing of HTTP or the Alibaba API. The
// returned Status classifies the outcome (IsRetryable() decides retries); CallResult carries what
// the API said, for the user and the state.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/status.h"

namespace certform::engine {

// One domain's desired binding, as sent to the CDN.
struct BindingRequest {
  std::string domain;
  bool https = true;        // false: switch HTTPS off; nothing else is sent
  std::string cert_type;    // "upload" or "cas"
  std::string cert_name;    // CertName
  int64_t cert_id = 0;      // cas: id in Certificate Management Service (0: by name)
  std::string cert_region;  // cas: CertRegion, empty for the default
  std::string cert_pem;     // upload: the certificate chain
  std::string key_pem;      // upload: the private key. Secret: the caller wipes it after the call
  bool force_set = false;   // overwrite a certificate of the same name (ForceSet=1)
  // The CAS id certform last saw bound there (the state's entry, when it had HTTPS on with an
  // id); 0 when none. A product that can refuse a change made behind certform's back (OSS
  // PutCname's PreviousCertId) sends it instead of forcing.
  int64_t previous_cert_id = 0;
};

// What the API answered to one call.
struct CallResult {
  int http_status = 0;     // 0 when no HTTP answer came (network failure)
  std::string request_id;  // the API's RequestId, when it sent one
  std::string error_code;  // e.g. "Certificate.MissMatch"; empty on success
  std::string error_message;
  Clock::Duration retry_after{0};  // the server's x-acs-retry-after hint; 0 when none
};

// A domain's binding as the CDN reports it.
struct LiveBinding {
  bool exists = false;  // false: the CDN does not know the domain (InvalidDomain.NotFound)
  bool https = false;   // ServerCertificateStatus
  std::string cert_name;
  std::string cert_type;
  // The CAS id of the certificate bound there; also set with HTTPS off when a certificate is
  // attached but not served (OSS "Disabled"), so that prune keeps it.
  int64_t cert_id = 0;
  std::string fingerprint;  // SHA-256 of the served leaf's DER; empty when none is served
  int64_t not_after = 0;    // served leaf's expiry, Unix seconds; 0 when unknown
};

// A certificate to upload to Certificate Management Service.
struct UploadRequest {
  std::string name;      // CAS Name: at most 63 characters, unique per account
  std::string cert_pem;  // the certificate chain
  std::string key_pem;   // the private key. Secret: the caller wipes it after the call
};

// A certificate stored in Certificate Management Service.
struct StoredCertificate {
  int64_t cert_id = 0;
  std::string name;
  std::string fingerprint;  // SHA-256 of the leaf's DER, when known
  int64_t not_after = 0;
};

// The calls a provider makes. Each has its own per-user limit (CallLimit), and certform paces each
// (user, call) on its own (PacingRegistry).
enum class CallKind {
  kSetBinding,
  kReadBinding,
  kUpload,
  kListUploaded,
  kGetCertificate,
  kDeleteCertificate,
  kListDomains,
};
const char* CallKindName(CallKind kind);  // "set binding", "read binding", ...

// One call's name at the API and the calls per second it admits per user.
struct CallLimit {
  std::string api;  // e.g. "SetDomainServerCertificate"; one pace per user and api
  double rate = 10;
  // The RAM actions a user needs for it (e.g. "cdn:DescribeUserDomains"), as the product's
  // documentation names them, for messages; empty when the provider names none.
  std::vector<std::string> ram_actions = {};
};
// For a provider that documents nothing: the kind's name, 10/s, 100/s for reads and listings.
CallLimit DefaultCallLimit(CallKind kind);

class Provider {
 public:
  virtual ~Provider() = default;

  // The API call behind `kind` and its documented limit (default: DefaultCallLimit).
  virtual CallLimit Limit(CallKind kind) const { return DefaultCallLimit(kind); }

  // Makes `request` the domain's binding. Thread-safe: the applier calls it from several threads.
  virtual Status SetBinding(const BindingRequest& request, CallResult* result) = 0;

  // Reads the domain's live binding. A domain the CDN does not know is OK with exists = false.
  virtual Status ReadBinding(const std::string& domain, LiveBinding* live, CallResult* result) = 0;

  // Certificate Management Service (accounts with upload_via = "cas"). The defaults refuse.
  // Each method is one API call, so that the engine paces and retries every call alike.
  // Uploads a certificate; AlreadyExists when the name is taken (whatever the content).
  virtual Status UploadCertificate(const UploadRequest& /*request*/, int64_t* /*cert_id*/,
                                   CallResult* /*result*/) {
    return Status::Failed("this provider cannot upload certificates");
  }
  // One page (1-based) of the certificates uploaded to the account, in `list` (name and id;
  // no fingerprint), with the count over all pages in `total`.
  virtual Status ListUploadedPage(int /*page*/, std::vector<StoredCertificate>* /*list*/,
                                  int64_t* /*total*/, CallResult* /*result*/) {
    return Status::Failed("this provider cannot list certificates");
  }
  // One uploaded certificate by id, its fingerprint computed from its PEM; NotFound when the
  // account has none with that id.
  virtual Status GetCertificate(int64_t /*cert_id*/, StoredCertificate* /*found*/,
                                CallResult* /*result*/) {
    return Status::Failed("this provider cannot read certificates");
  }
  // NotFound when the account has no certificate with that id.
  virtual Status DeleteCertificate(int64_t /*cert_id*/, CallResult* /*result*/) {
    return Status::Failed("this provider cannot delete certificates");
  }
  // One page (1-based) of every domain the user has on this product, whoever manages it, with
  // the count over all pages in `total`.
  virtual Status ListDomainsPage(int /*page*/, std::vector<std::string>* /*domains*/,
                                 int64_t* /*total*/, CallResult* /*result*/) {
    return Status::Failed("this provider cannot list domains");
  }
};

// One account's way out: its providers and the user whose limits it shares.
struct AccountRuntime {
  Provider* provider = nullptr;  // the CDN's
  // Who the API counts the calls of (AccessKeyId and endpoint): accounts with the same user share
  // one pace per call (PacingRegistry). Empty: the account's name stands for its user.
  std::string user;
  bool uploads_via_cas = false;  // upload_via = "cas": certificates go through CAS, once
  std::string cas_region;        // CertRegion for them; empty: the API's default
  // The other products' providers, by product ("dcdn", "oss"; binding_address.h).
  std::map<std::string, Provider*> products;

  // The provider of `product` ("cdn" or another), or null when the account has none.
  Provider* ProviderFor(const std::string& product) const;
};

}  // namespace certform::engine
