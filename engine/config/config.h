// Config: the desired bindings, as read from the configuration directory's *.toml files.
//
// Plain values (Terraform's configs package). LoadConfig (config_loader.h) builds one from TOML;
// ResolveCertificates (certificate_resolver.h) then reads and checks the certificates it names.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/diagnostics.h"
#include "engine/config/binding_address.h"
#include "engine/config/certificate.h"

namespace certform::engine {

inline constexpr char kDefaultCasEndpoint[] = "https://cas.aliyuncs.com";
inline constexpr char kDefaultStsEndpoint[] = "https://sts.aliyuncs.com";
// The name given to the account when the configuration declares none.
inline constexpr char kImplicitAccount[] = "default";

// One product's settings of an account: [account.NAME.PRODUCT], or, for the default product, the
// keys of [account.NAME] itself (and a product's older spelling of its endpoint there).
struct ProductSettings {
  std::string endpoint;   // scheme://host[:port]; empty: the product's default (its rules)
  std::string api;        // its write call, one of its rules' write_calls; empty: the default
  double rate_limit = 0;  // write calls per second; 0: the documented limit (the provider's)
  SourcePos where;
};

// Where one account's credentials are, when its table names them itself instead of relying on
// the shared conventions of `credentials` (credentials_section.cc). Never a secret: only the
// names of the environment variables that hold one, or an OIDC role (ARNs and a token file).
struct CredentialNames {
  // Environment variables holding the AccessKey (both, or neither) and its STS token (optional).
  std::string access_key_id_env;
  std::string access_key_secret_env;
  std::string security_token_env;
  // An OIDC role (STS AssumeRoleWithOIDC): all three, or none; the session name is optional.
  std::string role_arn;           // acs:ram::ACCOUNT:role/NAME
  std::string oidc_provider_arn;  // acs:ram::ACCOUNT:oidc-provider/NAME
  std::string oidc_token_file;    // resolved against the TOML file that names it
  std::string role_session_name;  // empty: certform's default
  SourcePos where;                // of the first of these keys

  bool NamesAccessKey() const { return !access_key_id_env.empty(); }
  bool NamesOidcRole() const { return !role_arn.empty(); }
};

// An Alibaba Cloud user; rate limits are per user.
struct AccountConfig {
  std::string name;
  // "env", "oidc", "ecs-ram-role[:ROLE]", "profile" or "profile:NAME" (providers/alicloud/
  // credentials.h says what each reads). "env" when `named` names variables, "oidc" when it
  // names a role.
  std::string credentials = "env";
  CredentialNames named;  // the account's own variables or OIDC role; empty: the conventions
  // Each product's settings, by product name; a product without an entry has the defaults.
  std::map<std::string, ProductSettings> products;
  // "direct": each binding sends the certificate and key (the default). "cas": each certificate
  // is uploaded once to Certificate Management Service and domains are bound by CertId
  // (SetCdnDomainSSLCertificate with CertType=cas; no key in the binding calls).
  std::string upload_via = "direct";
  std::string cas_endpoint = kDefaultCasEndpoint;  // scheme://host[:port] of CAS (2020-04-07)
  std::string cas_region;  // CertRegion of the uploaded certificates; empty: the API's default
  std::string sts_endpoint = kDefaultStsEndpoint;  // where roles are assumed (STS 2015-04-01)

  bool UploadsViaCas() const { return upload_via == "cas"; }
  // The settings of `product` (defaults when the account states none).
  ProductSettings Settings(const std::string& product) const;
  // The write call the account uses on `rules`' product: its `api`, else the default one.
  const WriteCall& WriteOn(const ProductRules& rules) const;
  // The endpoint of `rules`' product for this account: its setting, else the product's default.
  std::string EndpointOf(const ProductRules& rules) const;
  SourcePos where;
};

enum class CertType { kUpload, kCas };
const char* CertTypeName(CertType t);  // "upload" / "cas", the API's CertType values

struct CertificateConfig {
  std::string key;  // the NAME of [certificate.NAME]
  CertType type = CertType::kUpload;
  std::string cert_file;       // upload: PEM chain, leaf first; path resolved against its TOML file
  std::string key_file;        // upload: private key path, or empty when key_env is used
  std::string key_env;         // upload: environment variable holding the private key PEM
  std::string cert_name;       // CertName sent to the API; derived from the fingerprint if unset
  bool explicit_name = false;  // cert_name was written in the configuration (`name`)
  int64_t cert_id = 0;         // cas: the certificate's id in Certificate Management Service
  std::string cert_region;     // cas: CertRegion, empty for the API default
  CertificateInfo info;        // upload: filled by ResolveCertificates
  SourcePos where;
  SourcePos cert_file_where, key_where;
};

// One domain's desired binding.
struct DesiredBinding {
  // Where the domain is bound (binding_address.h): its product, the product's location fields
  // and the normalised domain (lower case; leading dot for wildcard CDN domains).
  Address address;
  std::string account;      // an AccountConfig name
  bool https = true;        // false: ServerCertificateStatus=off
  std::string certificate;  // a CertificateConfig key; empty when https is false
  SourcePos where;          // where the domain is written
};

// Where the state lives ([state] table): local files (the default) or a PostgreSQL workspace.
inline constexpr Clock::Duration kDefaultLockLease = std::chrono::seconds(60);
inline constexpr Clock::Duration kMinLockLease = std::chrono::seconds(10);
inline constexpr Clock::Duration kMaxLockLease = std::chrono::hours(1);

struct StateSettings {
  std::string backend = "local";  // "local" | "postgres"
  // libpq keyword/value string or URI; empty: libpq's own environment (PGHOST, PGPORT,
  // PGDATABASE, PGUSER, PGPASSWORD, PGSERVICE, ~/.pgpass). Must not hold a password: the
  // backend checks it with libpq's parser (where libpq is), never repeating it.
  std::string conn_str;
  SourcePos conn_str_where;
  std::string schema = "certform";    // [a-z_][a-z0-9_]*, at most 63 characters
  std::string workspace = "default";  // one state per workspace; no control characters
  bool workspace_set = false;         // written in [state], not the default
  int history = 20;                   // previous versions kept per workspace
  // How long the shared lock outlives its holder's last renewal: a holder that stops renewing
  // (frozen, killed, cut off) loses it after this long, and then sends nothing more.
  Clock::Duration lock_lease = kDefaultLockLease;
  SourcePos where;
  bool valid = true;  // false when the [state] table has errors (reported as diagnostics)
};

// "" when `name` may name a state workspace ([state] workspace, --workspace, CERTFORM_WORKSPACE):
// 1 to 128 characters, none of them a control character; otherwise what is wrong.
std::string WorkspaceNameProblem(const std::string& name);

// [prune]: what `certform prune` may leave unread (prune_section.cc).
struct PruneSettings {
  // Products (product_catalog.h) the users of this configuration have none of: prune does not
  // list their domains, and says that a certificate bound there would be deleted. Empty (the
  // default): every product is read, and one that cannot be listed stops the deletion.
  std::vector<std::string> skip_products;
  SourcePos where;  // of skip_products
  // A [prune] table is written: `certform check` also checks what prune needs.
  bool configured = false;
};

// [verify]: where `certform verify` connects for each binding and what it checks there
// (verify_section.cc). A handshake goes to DOMAIN:443 unless a `connect` rule names another
// address; a wildcard binding is checked on the name `names` gives it, else skipped.
struct VerifyConnect {
  // What the rule covers: a domain ("www.example.com"), every name under one ("*.example.com":
  // any depth), a product's name ("oss"), or "*" (everything). The most specific rule wins:
  // a domain, then the longest "*." suffix, then a product, then "*".
  std::string pattern;
  std::string host;  // a DNS name, an IPv4 address, or an IPv6 one in brackets
  int port = 443;
  SourcePos where;
};

inline constexpr Clock::Duration kDefaultVerifyTimeout = std::chrono::seconds(10);

struct VerifySettings {
  std::vector<VerifyConnect> connect;
  // A wildcard domain as bound ("*.example.com"; a CDN ".example.com" is written so too) → the
  // name its handshake is made for ("www.example.com", which the wildcard must cover).
  std::map<std::string, std::string> names;
  Clock::Duration timeout = kDefaultVerifyTimeout;  // connect and handshake, per domain: 1s to 5m
  int parallelism = 16;                             // handshakes in flight: 1 to 256
  SourcePos where;

  // The rule for `address` (nullptr: DOMAIN:443).
  const VerifyConnect* ConnectFor(const Address& address, const std::string& name) const;
};

// What apply does with a binding gone from the configuration (top-level on_removal).
enum class OnRemoval {
  kForget,   // "forget" (the default): forget it; its live certificate stays as it is
  kDisable,  // "disable": switch its HTTPS off, then forget it (Terraform's destroy)
};

struct Config {
  std::string dir;                 // the configuration directory
  std::vector<std::string> files;  // the TOML files read, sorted
  int expiry_warning_days = 30;    // warn when a certificate expires sooner than this
  // drift and verify fail (exit 2) when a live or desired certificate expires sooner than this
  // many days; 0 (the default): never.
  int expiry_fail_days = 0;
  SourcePos expiry_fail_where;
  OnRemoval on_removal = OnRemoval::kForget;
  StateSettings state;
  PruneSettings prune;
  VerifySettings verify;
  std::map<std::string, AccountConfig> accounts;
  std::map<std::string, CertificateConfig> certificates;
  std::vector<DesiredBinding> bindings;  // sorted by account, then domain

  // The binding at `address` (a canonical key, Address::Key), or null.
  const DesiredBinding* FindBinding(const std::string& address) const;
  const DesiredBinding* FindBinding(const Address& address) const;
};

// A digest of what the configuration asks for, after normalisation: bindings, the accounts' API
// settings and the certificates' identities (fingerprints, names, ids). Comments, formatting and
// file layout do not change it; any change of desired outcome does.
std::string ConfigDigest(const Config& config);

}  // namespace certform::engine
