// [verify]: where `certform verify` connects for each binding (connect), the names wildcard
// bindings are checked on (names), and the handshake's timeout and parallelism.
//
//   [verify]
//   connect = { "*.example.com" = "127.0.0.1:8443", "oss" = "staging.example.net" }
//   names = { "*.example.com" = "www.example.com" }
//   timeout = "10s"
//   parallelism = 16
#include <algorithm>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "engine/base/domain_name.h"
#include "engine/base/duration.h"
#include "engine/base/endpoint.h"
#include "engine/base/text_escape.h"
#include "engine/config/toml_file_reader.h"

namespace certform::engine {

namespace {

const std::vector<std::string> kVerifyKeys = {"connect", "names", "timeout", "parallelism"};

// "*.example.com" for ".example.com" or "*.example.com"; the name itself otherwise.
std::string WildcardForm(const std::string& domain) {
  return domain.starts_with(".") ? "*" + domain : domain;
}

bool IsWildcard(const std::string& domain) {
  return domain.starts_with("*.") || domain.starts_with(".");
}

// Empty when `pattern` may be a connect rule's key, else why not.
std::string PatternProblem(const std::string& pattern) {
  if (pattern == "*") return "";
  const std::vector<std::string> products = KnownProducts();
  if (std::find(products.begin(), products.end(), pattern) != products.end()) return "";
  const std::string name = pattern.starts_with("*.") ? pattern.substr(2) : pattern;
  if (name.find('*') != std::string::npos) return "'*' may only stand alone or begin \"*.\"";
  return DomainNameProblem(name);
}

// Parses "HOST[:PORT]" (port 1 to 65535, else 443); empty when it is one, else why not.
std::string ParseConnectAddress(const std::string& text, VerifyConnect* out) {
  if (text.empty() || text.size() > 260) return "must be HOST or HOST:PORT";
  if (text.find_first_of("/@?#") != std::string::npos || text.find("://") != std::string::npos) {
    return "must be HOST or HOST:PORT, without a scheme or a path";
  }
  EndpointParts parts;
  // The endpoint parser's host and port rules; the scheme only lets it parse.
  if (std::string problem = ParseEndpoint("https://" + text, &parts); !problem.empty()) {
    return problem;
  }
  out->host = parts.host;
  out->port = parts.port == 0 ? 443 : parts.port;
  return "";
}

}  // namespace

const VerifyConnect* VerifySettings::ConnectFor(const Address& address,
                                                const std::string& name) const {
  const VerifyConnect* best = nullptr;
  int best_rank = -1;
  for (const VerifyConnect& c : connect) {
    // 1000+: the domain itself; 100+length: a "*." suffix (longer wins); 1: its product; 0: "*".
    int rank = -1;
    if (c.pattern == name || c.pattern == WildcardForm(address.domain)) {
      rank = 1000;
    } else if (c.pattern.starts_with("*.") && name.ends_with(c.pattern.substr(1))) {
      rank = 100 + static_cast<int>(c.pattern.size());
    } else if (c.pattern == address.product) {
      rank = 1;
    } else if (c.pattern == "*") {
      rank = 0;
    }
    if (rank > best_rank) {
      best = &c;
      best_rank = rank;
    }
  }
  return best;
}

namespace config_reading {

void FileReader::ReadVerify(const toml::node& n) {
  const toml::table* t = n.as_table();
  if (t == nullptr) return WrongType(n, "verify", "a table, like [verify]");
  if (!FirstDefinition("[verify]", Pos(n))) return;
  VerifySettings& v = config_->verify;
  v.where = Pos(n);
  CheckKeys(*t, kVerifyKeys, "[verify]");
  if (const toml::node* c = t->get("connect")) ReadVerifyConnect(*c);
  if (const toml::node* names = t->get("names")) ReadVerifyNames(*names);
  if (auto text = String(*t, "timeout")) {
    const auto d = ParseDuration(*text);
    if (!d || *d < std::chrono::seconds(1) || *d > std::chrono::minutes(5)) {
      diags_->Error(Pos(*t->get("timeout")),
                    "\"timeout\" must be a duration from 1s to 5m, e.g. \"10s\"",
                    "how long one domain's connection and handshake may take");
    } else {
      v.timeout = *d;
    }
  }
  if (const toml::node* p = t->get("parallelism")) {
    if (!p->is_integer() || *p->value<int64_t>() < 1 || *p->value<int64_t>() > 256) {
      diags_->Error(Pos(*p), "\"parallelism\" must be an integer from 1 to 256",
                    "how many handshakes are in flight at once");
    } else {
      v.parallelism = static_cast<int>(*p->value<int64_t>());
    }
  }
}

void FileReader::ReadVerifyConnect(const toml::node& n) {
  const toml::table* t = n.as_table();
  if (t == nullptr) {
    return WrongType(n, "connect",
                     "a table of addresses, like { \"*.example.com\" = \"127.0.0.1:8443\" }");
  }
  for (auto&& [key, value] : *t) {
    const std::string pattern = NormalizeDomain(std::string(key.str()));
    if (std::string problem = PatternProblem(pattern); !problem.empty()) {
      diags_->Error(Pos(key.source()),
                    fmt::format("invalid connect rule \"{}\": {}", ForTerminal(pattern), problem),
                    fmt::format("a rule is a domain, \"*.DOMAIN\", a product ({}) or \"*\"",
                                fmt::join(KnownProducts(), ", ")));
      continue;
    }
    if (!value.is_string()) {
      WrongType(value, fmt::format("connect.\"{}\"", pattern), "a string, \"HOST:PORT\"");
      continue;
    }
    VerifyConnect rule;
    rule.pattern = pattern;
    rule.where = Pos(value);
    const std::string text = *value.value<std::string>();
    if (std::string problem = ParseConnectAddress(text, &rule); !problem.empty()) {
      diags_->Error(Pos(value),
                    fmt::format("invalid address for connect rule \"{}\": {}", pattern, problem),
                    "e.g. \"127.0.0.1:8443\", \"edge.example.net\" (port 443) or \"[::1]:8443\"");
      continue;
    }
    config_->verify.connect.push_back(std::move(rule));
  }
}

void FileReader::ReadVerifyNames(const toml::node& n) {
  const toml::table* t = n.as_table();
  if (t == nullptr) {
    return WrongType(n, "names", "a table, like { \"*.example.com\" = \"www.example.com\" }");
  }
  for (auto&& [key, value] : *t) {
    const std::string wildcard = WildcardForm(NormalizeDomain(std::string(key.str())));
    if (!IsWildcard(wildcard) || !DomainNameProblem(wildcard.substr(2)).empty()) {
      diags_->Error(Pos(key.source()),
                    fmt::format("names: \"{}\" is not a wildcard domain", ForTerminal(wildcard)),
                    "names gives the name a wildcard binding is checked on, e.g. "
                    "{ \"*.example.com\" = \"www.example.com\" }");
      continue;
    }
    if (!value.is_string()) {
      WrongType(value, fmt::format("names.\"{}\"", wildcard), "a domain name");
      continue;
    }
    const std::string name = NormalizeDomain(*value.value<std::string>());
    if (IsWildcard(name) || !DomainNameProblem(name).empty() || !NameCovers(wildcard, name)) {
      diags_->Error(
          Pos(value),
          fmt::format("names: \"{}\" is not a name {} covers", ForTerminal(name), wildcard),
          "give one name directly under the wildcard, e.g. \"www" + wildcard.substr(1) + "\"");
      continue;
    }
    config_->verify.names[wildcard] = name;
  }
}

}  // namespace config_reading

}  // namespace certform::engine
