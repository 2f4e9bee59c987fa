// ProductRules: what a product that serves certificates is, as data.
//
// Each provider states its product's rules in one value (providers/alicloud/*_rules.cc); the
// product table (cmd/certform/product_table.cc) pairs them with the factory of the product's
// provider and installs them (product_catalog.h). The configuration, the address door, the
// planner, prune, the views, completion and wiring read these rules and never a product's name:
// a new product is its own files and one row of that table (docs/ARCHITECTURE.md, "How to add a
// product").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace certform::engine {

// The calls a product or a certificate store makes. Each has its own per-user limit (CallLimit),
// and certform paces each (user, call) on its own (PacingRegistry).
enum class CallKind {
  kSetBinding,
  kReadBinding,
  kUpload,
  kListUploaded,
  kGetCertificate,
  kDeleteCertificate,
  kListDomains,
  kPollJob,  // an asynchronous write's job (ProductRules::async_jobs)
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
// For a call a product documents nothing of: the kind's name, 10/s, 100/s for reads and listings.
CallLimit DefaultCallLimit(CallKind kind);

// A field a binding needs, besides its domains, to say where the domain lives (OSS: the bucket
// and its region). It is a [[binding]] key, a part of the address and a field of `plan --json`.
struct LocationField {
  std::string key;  // "bucket"
  // Empty when `value` is valid, else why not (with a "did you mean" where one helps).
  std::string (*problem)(const std::string& value) = nullptr;
  std::string example;  // for hints: "cn-hangzhou"
};

// When a write call must be checked against the domain's live binding read just before it (OSS
// PutCname names the certificate it replaces by the CertId as listed, and a delete needs to know
// that the domain is still there). The engine evaluates it on each request, knowing nothing of
// the product: when it holds, the applier reads the binding first (ReadBinding, a call paced and
// retried in the read call's own lane) and hands the read to the write (BindingRequest::live_now).
struct ReadFirst {
  bool when_https_off = false;  // a request that switches HTTPS off
  // A request naming the CAS id certform last saw bound there (previous_cert_id != 0).
  bool when_previous_cert = false;

  bool Needed(bool https, int64_t previous_cert_id) const {
    return (when_https_off && !https) || (when_previous_cert && previous_cert_id != 0);
  }
};

// One of a product's write calls (an account chooses among several with `api`).
struct WriteCall {
  CallLimit limit;  // its API name and documented per-user limit
  // It takes ForceSet: a renewal may reuse a certificate's name (the other calls need a new name
  // per content, the configured name plus 12 digits of the fingerprint).
  bool force_set = false;
  bool cas_by_name = false;   // it selects a CAS certificate by name (else by CertId only)
  bool cas_by_id = true;      // it binds a CAS certificate by CertId (upload_via = "cas")
  bool by_content = true;     // it can send a certificate and key itself (else CAS only)
  ReadFirst read_first = {};  // which requests need the live binding read first (none)
};

// A product whose bindings are the certificate slots of a location, not domains (a load
// balancer's listener: one default certificate and a set of additional, SNI, ones). A binding
// names its `role` instead of `domains`, and its address ends in the slot: "default", or
// "sni:KEY" for an additional certificate, KEY being the configuration's certificate key (the
// slot stays when a renewal changes its CAS id). docs/design/load-balancers.md.
struct SlotRules {
  bool enabled = false;     // the address's last part is a slot (SlotProblem), not a domain
  bool additional = false;  // "sni:KEY" slots exist; else only "default"
  // What the slots belong to, for messages: "listener".
  std::string of = "listener";
  // What names an additional slot: the configuration's certificate key (ALB, NLB: a listener
  // holds a set of SNI certificates), or the domain it serves (CLB: each domain extension holds
  // one certificate, and a binding names the extension's `domain`, "sni:www.example.com").
  enum class SniKey { kCertificate, kDomain };
  SniKey sni_key = SniKey::kCertificate;
  // The location holds a certificate once, whatever the slots (ALB, NLB list a certificate once
  // per listener): two slots of it with one certificate are one there, and removing either
  // slot's removes the other's. False when each slot holds its own reference (CLB: the default
  // and each extension name a server certificate each).
  bool holds_once = true;
  // certform may remove an additional slot's certificate (ALB's dissociate, with on_removal =
  // "disable"). False when that would take more than the certificate (CLB: only deleting the
  // domain extension removes its certificate): every removal is a forget.
  bool removable = true;
};

// The slot an address names ("default", "sni:web"), or the problem; empty when valid.
std::string SlotProblem(const std::string& slot, const SlotRules& rules);
inline constexpr char kDefaultSlot[] = "default";
inline constexpr char kSniSlotPrefix[] = "sni:";

// How a product's writes complete. An asynchronous one (ALB, NLB) answers a job
// (CallResult::job_id): the engine journals it on the entry (StateEntry::pending_job) before it
// polls it (Provider::PollJob, paced as kPollJob, every `poll_every`, at most `job_timeout`),
// then confirms the step (Provider::ConfirmStep, paced as kReadBinding) before the next step or
// the record. A killed run resumes by polling the journaled job, never by sending it again.
struct AsyncWrites {
  bool enabled = false;
  // Every write of an apply is first sent with BindingRequest::dry_run, all before any real
  // write: a refused check (permissions, quota, ids) stops the apply before any change.
  bool dry_run_first = false;
  // The location field whose changes never overlap ("listener": one change at a time per
  // listener); changes with other values run in parallel within the write call's limit.
  std::string serialize_by;
  int poll_every_ms = 1000;
  int job_timeout_s = 300;
};

struct ProductRules {
  std::string name;   // "oss": a binding's `product`, its addresses' prefix
  std::string title;  // "OSS", in plans and messages
  std::string what;   // "an OSS custom domain", for help and messages
  // Where a domain lives, in the order its address writes them ("oss:REGION/BUCKET/DOMAIN").
  std::vector<LocationField> location;
  bool wildcards = true;  // "*.example.com" may be bound
  // A domain lives in one location at a time (OSS attaches a domain to one bucket).
  bool one_location_per_domain = false;
  // The write calls, the default first. A product with one names it; more let `api` choose.
  std::vector<WriteCall> write_calls;
  // The other calls and their documented limits (the set call's is its WriteCall's).
  std::vector<std::pair<CallKind, CallLimit>> calls;
  // What a read-back reports of the served certificate: its fingerprint (else only its CAS id)
  // and its expiry.
  bool reads_fingerprint = true;
  bool reads_expiry = true;
  // Account settings ([account.NAME.PRODUCT]): its API endpoint ("" when each location has its
  // own host, as OSS buckets do) and whether the user may lower its rate limit.
  std::string default_endpoint;
  bool rate_limit_setting = true;
  // Older spellings of this product's endpoint setting directly in [account.NAME], kept working.
  std::string legacy_endpoint_key;
  // Prune can list every binding the user has on the product, whoever made it
  // (Provider::ListDomainsPage). When not (a product with no listing call), prune cannot prove
  // a certificate unused there and stops, unless [prune] skip_products names the product.
  bool listable = true;
  // Its bindings serve copies certform makes of CAS certificates in a store of the product's own
  // (CLB's), which prune deletes once nothing serves them (Provider::HasOwnCopies,
  // engine/apply/prune_copies.h).
  bool store_copies = false;
  SlotRules slots;     // bindings are slots of a location (default: domains)
  AsyncWrites writes;  // writes are asynchronous jobs (default: synchronous)

  const WriteCall& DefaultWrite() const { return write_calls.front(); }
  const WriteCall* FindWrite(const std::string& api) const;
  // The write call named `api`, else the default one (a provider's Limit(kSetBinding) names the
  // call it makes).
  const WriteCall& WriteFor(const std::string& api) const;
  // The limit of `kind` (the default write call's for kSetBinding), else DefaultCallLimit.
  CallLimit Limit(CallKind kind) const;
};

}  // namespace certform::engine
