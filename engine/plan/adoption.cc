#include "engine/plan/adoption.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "engine/base/text_escape.h"
#include "engine/config/binding_address.h"
#include "engine/product/product_catalog.h"

namespace certform::engine {

namespace {

// A bare TOML key made of `text`: ASCII letters and digits, '-' and '_' kept (lower-cased), every
// other run of characters one '-', at most 40 characters; "" when nothing is left.
std::string KeyFrom(const std::string& text) {
  std::string out;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 && u < 0x80) {
      out += static_cast<char>(std::tolower(u));
    } else if (c == '_' || c == '-') {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
    if (out.size() >= 40) break;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

// What a served certificate is known by, in one account.
struct CertKey {
  std::string account;
  int64_t cert_id = 0;      // a CAS id the product reported (cert_type "cas")
  std::string fingerprint;  // else the served leaf's fingerprint
  auto operator<=>(const CertKey&) const = default;
};

// Where a binding goes: its account, certificate (or "" with HTTPS off), product and location.
using BindingKey = std::tuple<std::string, size_t, std::vector<std::string>, std::string, bool>;

class Grouper {
 public:
  explicit Grouper(const Config& config) : config_(config) {
    for (const auto& [key, c] : config.certificates) taken_.insert(key);
  }

  void Add(const LiveRead& r) {
    if (!r.ok) return Skip(r, "could not be read: " + r.error, true);
    if (!r.live.exists) return Skip(r, "no longer exists (gone since it was listed)");
    // A slot product's binding names a role, not domains: one is not written from a listing
    // (a listener product may be listed for prune), it is written by hand.
    if (const ProductRules* rules = FindProduct(r.address.product);
        rules != nullptr && rules->slots.enabled) {
      return Skip(r, fmt::format("is a certificate slot of a {}: certform does not adopt it; "
                                 "write its binding by hand (role = \"default\" or "
                                 "\"additional\")",
                                 rules->slots.of));
    }
    if (!r.live.https) return Bind(r, "", false);
    if (!r.live.cert_name.empty()) {
      if (std::string problem = CertNameProblem(r.live.cert_name); !problem.empty()) {
        return Skip(r, "serves a certificate whose name cannot be written (" + problem + ")");
      }
    }
    if (r.live.cert_type == "cas" && r.live.cert_id > 0) return AddCas(r);
    if (r.live.fingerprint.size() == 64) return AddPlaceholder(r);
    Skip(r, "serves a certificate the API names by no CAS id and no fingerprint");
  }

  Adoption Finish() {
    for (auto& [key, b] : bindings_) {
      std::sort(b.domains.begin(), b.domains.end());
      out_.bindings.push_back(std::move(b));
    }
    for (auto& [key, c] : certificates_) out_.certificates.push_back(std::move(c));
    for (auto& [key, p] : placeholders_) out_.placeholders.push_back(std::move(p));
    return std::move(out_);
  }

 private:
  void Skip(const LiveRead& r, const std::string& why, bool failed = false) {
    out_.skipped.push_back({r.address, r.account, why, failed});
  }

  std::string NewKey(std::string base, int64_t id, const std::string& fallback) {
    if (base.empty()) base = fallback;
    std::string key = base;
    if (taken_.count(key)) key = fmt::format("{}-{}", base, id != 0 ? std::to_string(id) : "");
    for (int n = 2; taken_.count(key); ++n) key = fmt::format("{}-{}", base, n);
    taken_.insert(key);
    return key;
  }

  void AddCas(const LiveRead& r) {
    const CertKey k{r.account, r.live.cert_id, ""};
    auto it = certificates_.find(k);
    if (it == certificates_.end()) {
      AdoptedCertificate c;
      c.account = r.account;
      c.cert_id = r.live.cert_id;
      for (const auto& [key, known] : config_.certificates) {
        if (known.type == CertType::kCas && known.cert_id == c.cert_id) {
          c.key = key;
          c.name = known.cert_name;
          c.existing = true;
        }
      }
      if (!c.existing) {
        c.name = r.live.cert_name;
        c.name_known = !c.name.empty();
        if (!c.name_known) c.name = fmt::format("cas-{}", c.cert_id);
        c.key = NewKey(KeyFrom(r.live.cert_name), c.cert_id, fmt::format("cas-{}", c.cert_id));
      }
      it = certificates_.emplace(k, std::move(c)).first;
    }
    AdoptedCertificate& c = it->second;
    if (!c.existing && !c.name_known && !r.live.cert_name.empty()) {
      c.name = r.live.cert_name;  // a product that reports names (the CDN) beside one that does not
      c.name_known = true;
    }
    if (r.live.not_after != 0) c.not_after = r.live.not_after;
    ++c.domains;
    Bind(r, c.key, false);
  }

  void AddPlaceholder(const LiveRead& r) {
    const CertKey k{r.account, 0, r.live.fingerprint};
    auto it = placeholders_.find(k);
    if (it == placeholders_.end()) {
      PlaceholderCertificate p;
      p.account = r.account;
      p.cert_name = r.live.cert_name;
      p.fingerprint = r.live.fingerprint;
      p.not_after = r.live.not_after;
      const std::string base = KeyFrom(r.live.cert_name);
      p.key = NewKey(base.empty() ? "file-" + p.fingerprint.substr(0, 12) : base, 0, "file");
      it = placeholders_.emplace(k, std::move(p)).first;
    }
    ++it->second.domains;
    Bind(r, it->second.key, true);
  }

  void Bind(const LiveRead& r, const std::string& certificate, bool placeholder) {
    const ProductRules* rules = FindProduct(r.address.product);
    const size_t order = std::get<1>(BindingOrder(r.account, r.address));
    const BindingKey key{r.account, order, r.address.location, certificate, placeholder};
    auto [it, made] = bindings_.try_emplace(key);
    if (made) {
      it->second.account = r.account;
      it->second.where = {rules != nullptr ? rules->name : r.address.product, r.address.location,
                          ""};
      it->second.https = !certificate.empty();
      it->second.certificate = certificate;
      it->second.placeholder = placeholder;
    }
    it->second.domains.push_back(r.address.domain);
    if (!placeholder) out_.adopted.push_back(r);
  }

  const Config& config_;
  std::set<std::string> taken_;  // certificate keys in use
  std::map<CertKey, AdoptedCertificate> certificates_;
  std::map<CertKey, PlaceholderCertificate> placeholders_;
  std::map<BindingKey, AdoptedBinding> bindings_;
  Adoption out_;
};

}  // namespace

std::vector<std::string> Adoption::Accounts() const {
  std::set<std::string> accounts;
  for (const AdoptedBinding& b : bindings) accounts.insert(b.account);
  return {accounts.begin(), accounts.end()};
}

std::string CertNameProblem(const std::string& name) {
  if (name.empty() || name.size() > 128) return "a name must be 1 to 128 characters long";
  for (size_t i = 0; i < name.size();) {
    const unsigned char u = static_cast<unsigned char>(name[i]);
    if (u < 0x20 || u == 0x7f) return "it holds a control character";
    // UTF-8: the length its lead byte says, each continuation byte 10xxxxxx, no overlong
    // two-byte form; a TOML file must be valid UTF-8.
    const size_t n = u < 0x80                        ? 1
                     : (u >> 5) == 0x6 && u >= 0xc2  ? 2
                     : (u >> 4) == 0xe               ? 3
                     : (u >> 3) == 0x1e && u <= 0xf4 ? 4
                                                     : 0;
    if (n == 0 || i + n > name.size()) return "it is not valid UTF-8";
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(name[i + k]) >> 6) != 0x2) return "it is not valid UTF-8";
    }
    i += n;
  }
  return "";
}

Adoption GroupByCertificate(const std::vector<LiveRead>& reads, const Config& config) {
  Grouper g(config);
  for (const LiveRead& r : reads) g.Add(r);
  return g.Finish();
}

}  // namespace certform::engine
