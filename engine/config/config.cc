#include "engine/config/config.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "engine/base/digest.h"

namespace certform::engine {

const char* CertTypeName(CertType t) { return t == CertType::kCas ? "cas" : "upload"; }

ProductSettings AccountConfig::Settings(const std::string& product) const {
  auto it = products.find(product);
  return it == products.end() ? ProductSettings{} : it->second;
}

const WriteCall& AccountConfig::WriteOn(const ProductRules& rules) const {
  auto it = products.find(rules.name);
  if (it != products.end() && !it->second.api.empty()) {
    if (const WriteCall* w = rules.FindWrite(it->second.api)) return *w;
  }
  return rules.DefaultWrite();
}

std::string AccountConfig::EndpointOf(const ProductRules& rules) const {
  auto it = products.find(rules.name);
  return it != products.end() && !it->second.endpoint.empty() ? it->second.endpoint
                                                              : rules.default_endpoint;
}

const DesiredBinding* Config::FindBinding(const std::string& address) const {
  return FindBinding(SplitAddress(address));
}

const DesiredBinding* Config::FindBinding(const Address& address) const {
  auto it = std::find_if(bindings.begin(), bindings.end(),
                         [&](const DesiredBinding& b) { return b.address == address; });
  return it == bindings.end() ? nullptr : &*it;
}

std::string ConfigDigest(const Config& config) {
  // A canonical JSON document (nlohmann orders object keys) hashed with SHA-256.
  nlohmann::json doc;
  for (const auto& [name, a] : config.accounts) {
    // The default product's endpoint and call at the top, as before products had settings of
    // their own, so that older configurations keep their digests.
    const ProductRules& first = DefaultProduct();
    doc["accounts"][name] = {{"endpoint", a.EndpointOf(first)},
                             {"api", a.WriteOn(first).limit.api},
                             {"credentials", a.credentials}};
    if (a.UploadsViaCas()) doc["accounts"][name]["upload_via"] = "cas";
    // Whose credentials, when the account names them itself (only then: older digests stay).
    const CredentialNames& n = a.named;
    if (n.NamesAccessKey() || n.NamesOidcRole()) {
      doc["accounts"][name]["credential_names"] = {{"access_key_id_env", n.access_key_id_env},
                                                   {"security_token_env", n.security_token_env},
                                                   {"role_arn", n.role_arn},
                                                   {"oidc_provider_arn", n.oidc_provider_arn}};
    }
    // Another product's endpoint or call, only where it is not the product's default: a
    // configuration that sets nothing keeps its digest, whichever products are installed.
    for (const ProductRules& rules : Products()) {
      if (rules.name == first.name || rules.write_calls.empty()) continue;
      const std::string endpoint = a.EndpointOf(rules);
      const std::string api = a.WriteOn(rules).limit.api;
      if (endpoint == rules.default_endpoint && api == rules.DefaultWrite().limit.api) continue;
      doc["accounts"][name]["products"][rules.name] = {{"endpoint", endpoint}, {"api", api}};
    }
  }
  for (const auto& [key, c] : config.certificates) {
    doc["certificates"][key] = {{"type", CertTypeName(c.type)},
                                {"name", c.cert_name},
                                {"fingerprint", c.info.fingerprint},
                                {"cert_id", c.cert_id},
                                {"cert_region", c.cert_region}};
  }
  doc["bindings"] = nlohmann::json::array();
  for (const DesiredBinding& b : config.bindings) {
    doc["bindings"].push_back({{"domain", b.address.Key()},
                               {"account", b.account},
                               {"https", b.https},
                               {"certificate", b.certificate}});
  }
  // Only when not the default, so that the digests of configurations without it stay as they were.
  if (config.on_removal == OnRemoval::kDisable) doc["on_removal"] = "disable";
  return Sha256Hex(doc.dump());
}

}  // namespace certform::engine
