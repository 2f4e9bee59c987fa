#include "engine/config/certificate_resolver.h"

#include <cstdio>
#include <map>

#include <fmt/format.h>

#include "engine/base/digest.h"
#include "engine/base/domain_name.h"
#include "engine/config/certificate.h"
#include "engine/config/trusted_roots.h"
#include "engine/product/product_catalog.h"

namespace certform::engine {

namespace {

constexpr int64_t kSecondsPerDay = 86400;
constexpr int64_t kMaxPemBytes = 1 << 20;  // a long chain is a few KiB

// A private key others can read is a leak waiting to happen; say so (the owner decides).
void WarnIfReadableByOthers(const CertificateConfig& c, FileSystem& fs, Diagnostics* diags) {
  FileInfo info;
  if (c.key_file.empty() || !fs.Stat(c.key_file, &info).ok() || (info.mode & 077) == 0) return;
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", info.mode);
  diags->Warning(
      c.key_where,
      fmt::format("private key {} is readable by other users (mode {})", c.key_file, mode),
      fmt::format("restrict it: chmod 600 {}", c.key_file));
}

// Checks validity at `now`; warns when fewer than `warning_days` remain.
void CheckValidity(const CertificateConfig& c, int64_t now, int warning_days, Diagnostics* diags) {
  const CertificateInfo& info = c.info;
  if (now < info.not_before) {
    diags->Error(c.cert_file_where,
                 fmt::format("certificate \"{}\" is not valid yet: valid from {}", c.key,
                             FormatUtc(info.not_before)));
  } else if (now > info.not_after) {
    diags->Error(c.cert_file_where,
                 fmt::format("certificate \"{}\" expired on {}", c.key, FormatUtc(info.not_after)));
  } else if (info.not_after - now < int64_t{warning_days} * kSecondsPerDay) {
    diags->Warning(c.cert_file_where,
                   fmt::format("certificate \"{}\" expires in {} days, on {}", c.key,
                               (info.not_after - now) / kSecondsPerDay, FormatUtc(info.not_after)),
                   fmt::format("expiry_warning_days is {}", warning_days));
  }
}

// Reads, parses and checks one upload certificate; false when it cannot be used.
// A chain in order must also lead to a root: one it holds, or one the machine trusts.
bool CheckChainEnd(const CertificateConfig& c, const CertificateChain& chain,
                   const TrustedRoots& roots, Diagnostics* diags) {
  switch (chain.CheckEnd(roots)) {
    case CertificateChain::End::kRoot:
    case CertificateChain::End::kTrustedIssuer:
      return true;
    case CertificateChain::End::kUnchecked:
      diags->Warning(c.cert_file_where,
                     fmt::format("{}: whether the chain is complete was not checked: this machine "
                                 "has no trusted root certificates",
                                 c.cert_file),
                     "install Debian's ca-certificates, or point SSL_CERT_FILE at a bundle");
      return true;
    case CertificateChain::End::kIncomplete:
      break;
  }
  const size_t last = chain.size() - 1;
  diags->Error(
      c.cert_file_where,
      fmt::format("{}: incomplete certificate chain: {} is issued by \"{}\", which is neither in "
                  "the file nor a trusted root",
                  c.cert_file, last == 0 ? "the leaf" : fmt::format("certificate {}", last + 1),
                  chain.IssuerOf(last)),
      "clients that lack that intermediate would fail: use the full chain, leaf first (certbot's "
      "fullchain.pem, not cert.pem); for a private CA, append its root certificate to the file "
      "(or trust it on this machine: SSL_CERT_FILE)");
  return false;
}

bool InspectUpload(CertificateConfig* c, FileSystem& fs, const EnvLookup& env,
                   const TrustedRoots& roots, KeyPolicy keys, Diagnostics* diags) {
  std::string pem;
  if (Status s = ReadBoundedFile(fs, c->cert_file, kMaxPemBytes, &pem); !s.ok()) {
    diags->Error(c->cert_file_where,
                 fmt::format("certificate \"{}\": cannot read cert_file", c->key), s.message());
    return false;
  }
  CertificateChain chain;
  if (Status s = CertificateChain::Parse(pem, &chain); !s.ok()) {
    diags->Error(c->cert_file_where, fmt::format("{}: {}", c->cert_file, s.message()));
    return false;
  }
  c->info = chain.Inspect();
  if (HasPrivateKeyBlock(pem)) {
    diags->Warning(c->cert_file_where,
                   fmt::format("{} also holds a private key block", c->cert_file),
                   "certform sends only the certificates it parsed, never that block; keep the "
                   "key in key_file (or key_env) and the certificates alone in cert_file");
  }
  WipeSecret(&pem);
  bool usable = true;
  // Reported once the key is known: a leaf that is not first is an order mistake, not a wrong key.
  const Status order = chain.CheckOrder();
  auto report_order = [&] {
    if (!order.ok()) {
      diags->Error(c->cert_file_where, fmt::format("{}: {}", c->cert_file, order.message()));
    }
  };
  if (!order.ok()) usable = false;
  // Checked only for a chain in order: an unordered one says so first.
  if (order.ok() && !CheckChainEnd(*c, chain, roots, diags)) usable = false;
  std::string key_pem;
  Status read = ReadPrivateKeyPem(*c, fs, env, &key_pem);
  if (read.IsNotFound() && keys == KeyPolicy::kWhenPresent) {
    diags->Warning(
        c->key_where,
        fmt::format("certificate \"{}\": private key not checked: {}", c->key, read.message()),
        "the plan needs only the certificate; apply needs the key (and checks that "
        "it matches)");
    report_order();
    return usable;
  }
  if (!read.ok()) {
    report_order();
    diags->Error(c->key_where, fmt::format("certificate \"{}\": {}", c->key, read.message()));
    return false;
  }
  WarnIfReadableByOthers(*c, fs, diags);
  PrivateKey key;
  Status parsed = PrivateKey::Parse(key_pem, &key);
  WipeSecret(&key_pem);
  const std::string key_source = c->key_file.empty() ? "$" + c->key_env : c->key_file;
  if (!parsed.ok()) {
    report_order();
    diags->Error(c->key_where, fmt::format("{}: {}", key_source, parsed.message()));
    return false;
  }
  if (const int owner = key.MatchingCertificate(chain); owner > 0) {
    diags->Error(c->cert_file_where,
                 fmt::format("{}: certificate chain is out of order: the leaf (the certificate of "
                             "key {}, {}) is certificate {}, not the first",
                             c->cert_file, key_source, chain.SubjectOf(owner), owner + 1),
                 "put the leaf first, then each issuer in turn (certbot's fullchain.pem is in "
                 "that order)");
    return false;
  }
  report_order();
  if (!key.Matches(chain)) {
    diags->Error(
        c->key_where,
        fmt::format("private key {} does not match certificate {}", key_source, c->cert_file),
        "the API would refuse it with Certificate.MissMatch");
    usable = false;
  }
  return usable;
}

// Two upload certificates that give the same explicit name to different content would collide
// on the CDN (Certificate.Duplicated), the loser depending on timing: refuse them here.
void CheckNameCollisions(const Config& config, Diagnostics* diags) {
  std::map<std::string, const CertificateConfig*> by_name;
  for (const auto& [key, c] : config.certificates) {
    if (c.type != CertType::kUpload || !c.explicit_name || c.info.fingerprint.empty()) continue;
    auto [it, first] = by_name.emplace(c.cert_name, &c);
    if (first || it->second->info.fingerprint == c.info.fingerprint) continue;
    diags->Error(c.where,
                 fmt::format("certificates \"{}\" and \"{}\" both have name = \"{}\" but "
                             "different content",
                             it->second->key, c.key, c.cert_name),
                 fmt::format("a CertName names one certificate; give one of them another name "
                             "(\"{}\" is at {})",
                             it->second->key, it->second->where.ToString()));
  }
}

// A listener holds a certificate once: two slots of one location with the same certificate (one
// CAS id, or one content under two keys) would be one certificate there, and removing either
// slot's would remove the other's.
void CheckSharedSlots(const Config& config, Diagnostics* diags) {
  std::map<std::string, const DesiredBinding*> held;
  for (const DesiredBinding& b : config.bindings) {
    if (!IsSlot(b.address) || !b.https) continue;
    // Each slot holds its own reference to it (CLB): one certificate in two slots is two.
    if (!FindProduct(b.address.product)->slots.holds_once) continue;
    auto c = config.certificates.find(b.certificate);
    if (c == config.certificates.end()) continue;
    const CertificateConfig& cert = c->second;
    std::string identity;
    if (cert.type == CertType::kCas && cert.cert_id != 0) {
      identity = fmt::format("CAS id {}", cert.cert_id);
    } else if (cert.type == CertType::kUpload && !cert.info.fingerprint.empty()) {
      identity = "the same content (fingerprint " + ShortFingerprint(cert.info.fingerprint) + ")";
    }
    if (identity.empty()) continue;
    const std::string key =
        fmt::format("{}\n{}\n{}\n{}", b.account, b.address.product, b.address.Location(), identity);
    auto [it, first] = held.emplace(key, &b);
    if (first) continue;
    diags->Error(
        b.where,
        fmt::format("the {} and the {} are one certificate ({})",
                    SlotDescription(it->second->address), SlotDescription(b.address), identity),
        fmt::format("a listener holds a certificate once, and removing one slot's would "
                    "remove the other's; bind it once (first bound at {})",
                    it->second->where.ToString()));
  }
}

}  // namespace

std::string DerivedCertName(const std::string& fingerprint) {
  return "certform-" + fingerprint.substr(0, 16);
}

Status ReadPrivateKeyPem(const CertificateConfig& cert, FileSystem& fs, const EnvLookup& env,
                         std::string* pem) {
  if (!cert.key_env.empty()) {
    std::optional<std::string> v = env(cert.key_env);
    if (!v || v->empty()) {
      return Status::NotFound("environment variable " + cert.key_env +
                              " (key_env) is not set or empty");
    }
    *pem = std::move(*v);
    return Status::OK();
  }
  Status s = ReadBoundedFile(fs, cert.key_file, kMaxPemBytes, pem);
  if (!s.ok()) return s.WithContext("cannot read key_file");
  return Status::OK();
}

void FingerprintCertificates(Config* config, FileSystem& fs) {
  for (auto& [name, c] : config->certificates) {
    if (c.type != CertType::kUpload || c.cert_file.empty()) continue;
    std::string pem;
    CertificateChain chain;
    if (!ReadBoundedFile(fs, c.cert_file, kMaxPemBytes, &pem).ok() ||
        !CertificateChain::Parse(pem, &chain).ok()) {
      continue;
    }
    c.info = chain.Inspect();
    if (c.cert_name.empty()) c.cert_name = DerivedCertName(c.info.fingerprint);
  }
}

void ResolveCertificates(Config* config, FileSystem& fs, const EnvLookup& env,
                         const TrustedRoots& roots, Clock::WallTime now, Diagnostics* diags,
                         KeyPolicy keys) {
  const int64_t now_s = ToUnixSeconds(now);
  for (auto& [name, c] : config->certificates) {
    if (c.type != CertType::kUpload || c.cert_file.empty()) continue;
    if (c.key_file.empty() && c.key_env.empty()) continue;  // already reported by the loader
    if (!InspectUpload(&c, fs, env, roots, keys, diags)) continue;
    if (c.cert_name.empty()) c.cert_name = DerivedCertName(c.info.fingerprint);
    CheckValidity(c, now_s, config->expiry_warning_days, diags);
    for (const DesiredBinding& b : config->bindings) {
      std::string domain = b.address.domain;
      if (IsSlot(b.address)) {
        // A listener's slot serves whichever names its clients ask for: nothing to cover; but a
        // slot named by its domain (a CLB domain extension) serves that domain alone.
        if (FindProduct(b.address.product)->slots.sni_key != SlotRules::SniKey::kDomain ||
            !domain.starts_with(kSniSlotPrefix)) {
          continue;
        }
        domain = domain.substr(sizeof(kSniSlotPrefix) - 1);
        if (domain.starts_with("*.")) domain = domain.substr(1);  // as NameCovers spells it
      }
      if (b.certificate != name || CertificateCovers(c.info.sans, domain)) continue;
      std::string needs =
          domain.starts_with('.') ? fmt::format(" (a wildcard domain needs \"*{}\")", domain) : "";
      diags->Error(b.where,
                   fmt::format("certificate \"{}\" does not cover domain \"{}\"{}", name,
                               b.address.Key(), needs),
                   c.info.sans.empty()
                       ? "the certificate has no DNS subjectAltName entries"
                       : fmt::format("its DNS names are: {}", fmt::join(c.info.sans, ", ")));
    }
  }
  CheckNameCollisions(*config, diags);
  CheckSharedSlots(*config, diags);
}

}  // namespace certform::engine
