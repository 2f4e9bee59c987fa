#include "engine/plan/verify_targets.h"

#include <algorithm>

#include <fmt/format.h>

namespace certform::engine {

namespace {

// "*.example.com" for the CDN's ".example.com"; the domain itself otherwise.
std::string WildcardForm(const std::string& domain) {
  return domain.starts_with(".") ? "*" + domain : domain;
}

// The desired leaf of `b`: fingerprint, chain length and expiry; false when none is known.
bool Desired(const DesiredBinding& b, const Config& config, const State& state, VerifyTarget* out) {
  auto cert = config.certificates.find(b.certificate);
  if (cert != config.certificates.end() && !cert->second.info.fingerprint.empty()) {
    out->want = cert->second.info.fingerprint;
    out->want_chain = cert->second.info.chain_length;
    out->want_chain_digest = cert->second.info.chain_digest;
    out->want_chain_digest_without_root = cert->second.info.chain_digest_without_root;
    out->want_not_after = cert->second.info.not_after;
    return true;
  }
  auto entry = state.entries.find(b.address.Key());
  if (entry != state.entries.end() && entry->second.certificate == b.certificate &&
      !entry->second.fingerprint.empty()) {
    out->want = entry->second.fingerprint;
    out->want_not_after = entry->second.not_after;
    return true;
  }
  return false;
}

}  // namespace

std::vector<VerifyTarget> VerifyTargets(const Config& config, const State& state,
                                        const std::vector<std::string>& only,
                                        const std::map<std::string, std::string>& old) {
  std::vector<VerifyTarget> out;
  for (const DesiredBinding& b : config.bindings) {
    const std::string key = b.address.Key();
    if (!only.empty() && std::find(only.begin(), only.end(), key) == only.end()) continue;
    VerifyTarget t;
    t.address = b.address;
    t.account = b.account;
    t.certificate = b.certificate;
    if (auto it = old.find(key); it != old.end()) t.old = it->second;
    const std::string domain = WildcardForm(b.address.domain);
    t.server_name = domain;
    if (const ProductRules* rules = FindProduct(b.address.product);
        rules != nullptr && rules->slots.enabled) {
      t.skipped =
          fmt::format("a {}'s certificate slot names no domain to connect to", rules->slots.of);
    } else if (domain.starts_with("*.")) {
      auto name = config.verify.names.find(domain);
      if (name == config.verify.names.end()) {
        t.skipped = fmt::format("a wildcard: [verify] names gives no name to check it on");
      } else {
        t.server_name = name->second;
      }
    }
    if (!b.https) {
      t.skipped = "HTTPS is off";
    } else if (t.skipped.empty() && !Desired(b, config, state, &t)) {
      t.skipped = fmt::format(
          "the fingerprint of certificate \"{}\" is not known yet (apply or refresh records it)",
          b.certificate);
    }
    t.host = t.server_name;
    if (const VerifyConnect* rule = config.verify.ConnectFor(b.address, t.server_name)) {
      t.host = rule->host;
      t.port = rule->port;
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace certform::engine
