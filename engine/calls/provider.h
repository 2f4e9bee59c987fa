// Provider: what the engine needs from one product that serves certificates, one instance per
// account (Terraform's providers interface: a few methods, each a request struct in and a response
// struct out, each one API call so that the engine paces and retries every call alike, each in
// its own lane). A write that must be checked against the live binding does not read it itself:
// its rules say so (WriteCall::read_first), and the engine reads it first (ReadBinding, in the
// read call's lane), asks the provider's pure Decide whether to send, and only then takes a slot
// in the write's lane and hands the read to SetBinding (BindingRequest::live_now).
//
// Implementations live in providers/, each with its product's rules (product_rules.h); the engine
// knows nothing of HTTP. The returned Status classifies the outcome (IsRetryable() decides
// retries); CallResult carries what the API said, for the user and the state. Certificates
// uploaded once per account live in a CertificateStore (certificate_store.h), beside the products.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/status.h"
#include "engine/config/binding_address.h"
#include "engine/product/product_rules.h"

namespace certform::engine {

struct LiveBinding;

// One domain's desired binding, as sent to its product.
struct BindingRequest {
  Address address;          // where: the product, its location fields and the domain
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
  // Its CAS region as the state records it (StateEntry::cert_region); empty when unknown.
  std::string previous_cert_region;
  // A slot product: the previous certificate stays where it is (another slot of the location has
  // it too, Change::keeps_previous); only the new one is bound.
  bool keep_previous = false;
  // The domain's live binding as the engine read it just before this attempt (ReadBinding), when
  // the write call's rules ask for it on this request (WriteCall::read_first); null otherwise.
  // Not owned: valid during the call.
  const LiveBinding* live_now = nullptr;
  // Asynchronous products (ProductRules::writes): check only, change nothing (ALB's DryRun); an
  // OK answer means every check passed. The step of the change this call makes (0 first; a
  // change has Provider::Steps steps, e.g. associate the new SNI certificate, then dissociate
  // the old one). The token that makes a retry of this step the same request (ClientToken):
  // drawn by the engine once per change and step, the same for every attempt.
  bool dry_run = false;
  int step = 0;
  std::string client_token;
};

// What the API answered to one call.
struct CallResult {
  int http_status = 0;     // 0 when no HTTP answer came (network failure)
  std::string request_id;  // the API's RequestId, when it sent one
  std::string error_code;  // e.g. "Certificate.MissMatch"; empty on success
  std::string error_message;
  Clock::Duration retry_after{0};  // the server's x-acs-retry-after hint; 0 when none
  // The API refused the call because the caller's RAM policy does not allow it (Forbidden.RAM,
  // NoPermission, OSS AccessDenied): the RAM action is what is missing, not the credentials.
  bool ram_denied = false;
  // An asynchronous write's job (ProductRules::writes), as the API names it; empty when the
  // call completed (or a dry run passed).
  std::string job_id;
};

// What an asynchronous write's job has come to (Provider::PollJob).
struct JobStatus {
  bool done = false;       // false: still running
  bool succeeded = false;  // when done
  std::string error;       // a failed job's error, in the API's words (escaped when printed)
};

// A domain's binding as its product reports it.
struct LiveBinding {
  bool exists = false;  // false: the product does not know the domain (InvalidDomain.NotFound)
  bool https = false;   // ServerCertificateStatus
  std::string cert_name;
  std::string cert_type;
  // The CAS id of the certificate bound there; also set with HTTPS off when a certificate is
  // attached but not served (OSS "Disabled"), so that prune keeps it.
  int64_t cert_id = 0;
  // The certificate as the product names it (OSS: the CertId "ID-REGION" as ListCname lists it),
  // for a write that must name it back (PreviousCertId); empty when none or unnamed.
  std::string cert_ref;
  // Its status in the product's words (OSS: "Enabled", "Disabled"), for messages; empty when
  // none.
  std::string cert_status;
  std::string fingerprint;  // SHA-256 of the served leaf's DER; empty when none is served
  // CertificateInfo::chain_digest of the served chain; empty when the product answers no PEM
  // (OSS lists only the CertId).
  std::string chain_digest;
  int64_t not_after = 0;  // served leaf's expiry, Unix seconds; 0 when unknown
  // A slot product (ProductRules::slots): the CAS ids of every additional (SNI) certificate the
  // location serves, whatever slot the address names. A read of an additional slot cannot tell
  // which of them is the slot's (the product knows no certform keys): the engine compares the
  // CAS id it recorded for the slot against this set, and prune keeps every one of them. For the
  // default slot, cert_id and https say what the default certificate is.
  std::vector<int64_t> additional_ids;
  // Those of additional_ids on their way out (ALB's and NLB's Dissociating): still served, so
  // prune keeps them, but a slot whose certificate is among them is bound no more (drift).
  std::vector<int64_t> additional_leaving;
  // The product's own ids of every certificate the location serves (the default's and every
  // additional one's), for a product that keeps certificates in a store of its own that prune
  // cleans (Provider::HasOwnCopies: CLB's store ids); empty for any other product. An empty
  // string among them: a certificate the answer gave no id for, so no copy is proven unserved.
  std::vector<std::string> served_refs;
};

// A certificate a product keeps in a store of its own (not CAS) that certform copied there from
// a CAS certificate, under the name it gives such a copy (Provider::ListOwnCopiesPage).
struct OwnCopy {
  std::string location;  // where the store is (its region)
  std::string id;        // the product's own id of it (LiveBinding::served_refs names it)
  std::string name;      // its name in the store, the one certform gives a copy of cas_id
  int64_t cas_id = 0;    // the CAS certificate it was copied from
  std::string cas_region;

  bool operator==(const OwnCopy&) const = default;
};

// What a write checked against the live binding comes to (Provider::Decide).
struct WriteDecision {
  bool send = true;  // false: no call is made, and `answer` is the write's outcome
  Status answer;
};

class Provider {
 public:
  virtual ~Provider() = default;

  // The API call behind `kind` and its documented limit (default: DefaultCallLimit).
  virtual CallLimit Limit(CallKind kind) const { return DefaultCallLimit(kind); }

  // Makes `request` the domain's binding, in one API call (or none, refused, when the request
  // breaks the product's rules). Thread-safe: the applier calls
  // it from several threads. When the write call's rules ask for a read first
  // (WriteCall::read_first), the engine reads the binding (ReadBinding, in the read call's own
  // lane), asks Decide, and sends only when Decide says so, giving the read in `request.live_now`
  // for what the call must name (OSS's PreviousCertId, exactly as listed).
  virtual Status SetBinding(const BindingRequest& request, CallResult* result) = 0;

  // A write checked against the live binding (WriteCall::read_first), decided from `live` (the
  // engine's read, made just before) alone: pure, no API call. Says whether to send the write;
  // when not, `answer` is its outcome: OK when the domain already has what is asked (a retry after
  // an answer that was lost) or there is nothing left to switch off, NotFound when the product
  // no longer has the domain (recorded as forgotten when switching off), Failed when the
  // binding is not what certform last saw (previous_cert_id) or when the write would remove a
  // certificate certform never saw there, naming what is there now. After the product refuses a
  // guarded write, the engine reads again and asks Decide for those words. Default: send.
  virtual WriteDecision Decide(const BindingRequest& /*request*/,
                               const LiveBinding& /*live*/) const {
    return {};
  }

  // Asynchronous products (ProductRules::writes) only. How many steps `request` takes (each a
  // write that answers a job): pure, no call.
  virtual int Steps(const BindingRequest& /*request*/) const { return 1; }
  // One poll of a job `request`'s step answered (one API call).
  virtual Status PollJob(const BindingRequest& /*request*/, const std::string& /*job_id*/,
                         JobStatus* /*job*/, CallResult* /*result*/) {
    return Status::Failed("this provider has no asynchronous writes");
  }
  // Reads back what `request`'s step made true once its job succeeded (one API call): OK when
  // the location now has it, Failed (naming what is there) when not.
  virtual Status ConfirmStep(const BindingRequest& /*request*/, CallResult* /*result*/) {
    return Status::Failed("this provider has no asynchronous writes");
  }

  // Reads the domain's live binding. A domain the product does not know is OK with exists = false.
  virtual Status ReadBinding(const Address& address, LiveBinding* live, CallResult* result) = 0;

  // One page (1-based) of every domain the user has on this product, whoever manages it, with
  // the count over all pages in `total`.
  virtual Status ListDomainsPage(int /*page*/, std::vector<Address>* /*domains*/,
                                 int64_t* /*total*/, CallResult* /*result*/) {
    return Status::Failed("this provider cannot list domains");
  }

  // A product whose bindings serve copies certform makes of CAS certificates in a store of its
  // own: true when it has such copies for prune to clean (the methods below). Default: none.
  virtual bool HasOwnCopies() const { return false; }
  // Where `address`'s copies live (OwnCopy::location): pure, no call; empty when it has none.
  virtual std::string CopyLocation(const Address& /*address*/) const { return ""; }
  // One page (1-based) of certform's copies in every store of the user (only those named as
  // certform names a copy of their own CAS certificate), with `total` as ListDomainsPage's
  // (kMorePages while pages follow). One API call.
  virtual Status ListOwnCopiesPage(int /*page*/, std::vector<OwnCopy>* /*copies*/,
                                   int64_t* /*total*/, CallResult* /*result*/) {
    return Status::Failed("this provider has no store of its own");
  }
  // The locations (CopyLocation's) that the last listing through ListDomainsPage covered to its
  // end, every page answered; empty before one did. A copy elsewhere is never proven unserved.
  virtual std::vector<std::string> ListedLocations() const { return {}; }
  // Every certificate in the store at `location` (one API call), certform's copies and any other
  // (cas_id 0 when it is no copy of a CAS certificate), so that a copy renamed since the listing
  // is told from one deleted.
  virtual Status ReadOwnCopies(const std::string& /*location*/, std::vector<OwnCopy>* /*copies*/,
                               CallResult* /*result*/) {
    return Status::Failed("this provider has no store of its own");
  }
  // Deletes `copy` from its store (one API call). OK with `*in_use` set when the product refuses
  // because something still serves it; NotFound when it is gone already.
  virtual Status DeleteOwnCopy(const OwnCopy& /*copy*/, bool* /*in_use*/, CallResult* /*result*/) {
    return Status::Failed("this provider has no store of its own");
  }
};

class CertificateStore;

// One account's way out: its products' providers, its certificate store and the user whose
// limits it shares.
struct AccountRuntime {
  // Who the API counts the calls of (AccessKeyId and endpoint): accounts with the same user share
  // one pace per call (PacingRegistry). Empty: the account's name stands for its user.
  std::string user;
  bool uploads_via_cas = false;     // upload_via = "cas": certificates go through CAS, once
  std::string cas_region;           // CertRegion for them; empty: the API's default
  CertificateStore* cas = nullptr;  // where they are uploaded (null unless uploads_via_cas)
  std::map<std::string, Provider*> products;  // by product name (product_catalog.h)

  // The provider of `product`, or null when the account has none.
  Provider* ProviderFor(const std::string& product) const;
};

}  // namespace certform::engine
