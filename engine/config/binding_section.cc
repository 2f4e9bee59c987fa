// [[binding]]: domains and the certificate they serve; linked across files once all are read.
#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "engine/base/domain_name.h"
#include "engine/config/toml_file_reader.h"

namespace certform::engine::config_reading {

namespace {

constexpr std::array<const char*, 5> kOwnKeys = {"certificate", "domains", "account", "https",
                                                 "product"};

// A slot product's binding names its slot's role instead of domains (SlotRules); an additional
// slot named by a domain (SlotRules::SniKey::kDomain) names it with `domain`.
constexpr char kRoleKey[] = "role";
constexpr char kSlotDomainKey[] = "domain";

bool SniByDomain(const ProductRules& rules) {
  return rules.slots.enabled && rules.slots.additional &&
         rules.slots.sni_key == SlotRules::SniKey::kDomain;
}

// The keys of [[binding]]: its own, every product's location fields, and "role" when a product
// has slots.
std::vector<std::string> BindingKeys() {
  std::vector<std::string> keys(kOwnKeys.begin(), kOwnKeys.end());
  for (const ProductRules& p : Products()) {
    for (const LocationField& f : p.location) {
      if (std::find(keys.begin(), keys.end(), f.key) == keys.end()) keys.push_back(f.key);
    }
    if (p.slots.enabled && std::find(keys.begin(), keys.end(), kRoleKey) == keys.end()) {
      keys.push_back(kRoleKey);
    }
    if (SniByDomain(p) && std::find(keys.begin(), keys.end(), kSlotDomainKey) == keys.end()) {
      keys.push_back(kSlotDomainKey);
    }
  }
  return keys;
}

// Whether `rules`' bindings take `key` beyond the keys every binding takes.
bool Takes(const ProductRules& rules, const std::string& key) {
  if (key == kRoleKey) return rules.slots.enabled;
  if (key == kSlotDomainKey) return SniByDomain(rules);
  return std::any_of(rules.location.begin(), rules.location.end(),
                     [&](const LocationField& f) { return f.key == key; });
}

// "bucket = \"my-bucket\" and region = \"cn-hangzhou\"": how a product's location is written.
std::string LocationExample(const ProductRules& rules) {
  std::string out;
  for (size_t i = 0; i < rules.location.size(); ++i) {
    const LocationField& f = rules.location[rules.location.size() - 1 - i];
    out += (i == 0 ? "" : " and ") + fmt::format("{} = \"{}\"", f.key, f.example);
  }
  return out;
}

// "product = \"oss\"": the products that take location field `key`.
std::string ProductsWith(const std::string& key) {
  std::vector<std::string> with;
  for (const ProductRules& p : Products()) {
    if (Takes(p, key)) with.push_back(fmt::format("product = \"{}\"", p.name));
  }
  std::string out;
  for (size_t i = 0; i < with.size(); ++i) out += (i == 0 ? "" : " or ") + with[i];
  return out;
}

std::string ProductChoices() {
  const std::vector<std::string> names = KnownProducts();
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + fmt::format("\"{}\"", names[i]);
    if (i == 0) out += " (the default)";
  }
  return out;
}

}  // namespace

void FileReader::ReadBindings(const toml::node& n) {
  const toml::array* arr = n.as_array();
  if (arr == nullptr || !arr->is_array_of_tables()) {
    diags_->Error(Pos(n), "\"binding\" must be an array of tables, written [[binding]]");
    return;
  }
  for (const toml::node& item : *arr) ReadBinding(*item.as_table());
}

void FileReader::ReadBinding(const toml::table& t) {
  const std::vector<std::string> suggested = CheckKeys(t, BindingKeys(), "[[binding]]");
  auto suggested_key = [&](const char* key) {
    return std::find(suggested.begin(), suggested.end(), key) != suggested.end();
  };
  RawBinding raw;
  raw.binding.where = Pos(t);
  if (const toml::node* h = t.get("https")) {
    if (h->is_boolean()) {
      raw.binding.https = *h->value<bool>();
    } else {
      WrongType(*h, "https", "a boolean");
    }
  }
  if (auto v = String(t, "certificate")) {
    raw.binding.certificate = *v;
    raw.certificate_where = Pos(*t.get("certificate"));
    if (v->empty()) {
      diags_->Error(raw.certificate_where, "\"certificate\" is empty",
                    "name a certificate defined as [certificate.NAME]");
    } else if (!raw.binding.https) {
      diags_->Error(raw.certificate_where, "a binding with https = false takes no \"certificate\"",
                    "HTTPS off means no certificate is served; remove one of the two");
    }
  } else if (raw.binding.https && !t.get("certificate") && !suggested_key("certificate")) {
    diags_->Error(raw.binding.where, "binding needs \"certificate\" (or https = false)");
  }
  const ProductRules* rules = &DefaultProduct();
  if (auto v = String(t, "product")) {
    if (const ProductRules* named = FindProduct(*v)) {
      rules = named;
    } else {
      std::string hint = Suggest(*v, KnownProducts());
      diags_->Error(
          Pos(*t.get("product")), fmt::format("\"product\" \"{}\" is not supported", *v),
          hint.empty() ? "use " + ProductChoices() : fmt::format("did you mean \"{}\"?", hint));
    }
  }
  raw.binding.address.product = rules->name;
  // Where the domains live (OSS: their bucket and region), as the product's rules name it.
  std::vector<std::string> location;
  bool location_complete = true;
  // "domain" on a product of domains is "domains" misspelt, as it was before a product took
  // "domain" (one error, with its did-you-mean).
  const toml::node* misspelt = rules->slots.enabled ? nullptr : t.get(kSlotDomainKey);
  if (misspelt != nullptr) {
    diags_->Error(Pos(*misspelt), fmt::format("unknown key \"{}\" in [[binding]]", kSlotDomainKey),
                  "did you mean \"domains\"?");
  }
  for (const std::string& key : BindingKeys()) {
    const toml::node* n = t.get(key);
    if (n != nullptr && key == kSlotDomainKey && misspelt != nullptr) continue;
    if (n != nullptr && !Takes(*rules, key) &&
        std::none_of(kOwnKeys.begin(), kOwnKeys.end(), [&](const char* k) { return key == k; })) {
      diags_->Error(Pos(*n), fmt::format("\"{}\" is only for {}", key, ProductsWith(key)),
                    rules->location.empty()
                        ? fmt::format("{} domains are named by their domain alone", rules->title)
                        : fmt::format("{} is named by {}", rules->what, LocationExample(*rules)));
    }
  }
  for (const LocationField& field : rules->location) {
    const toml::node* n = t.get(field.key);
    auto v = String(t, field.key);
    if (n == nullptr) {
      diags_->Error(
          raw.binding.where,
          fmt::format("a binding with product = \"{}\" needs \"{}\"", rules->name, field.key),
          fmt::format("{} is bound where it lives: give {}", rules->what, LocationExample(*rules)));
      location_complete = false;
      continue;
    }
    if (!v) {
      location_complete = false;
      continue;
    }
    if (std::string problem = field.problem ? field.problem(*v) : ""; !problem.empty()) {
      diags_->Error(Pos(*n), fmt::format("invalid {} \"{}\": {}", field.key, *v, problem));
      location_complete = false;
      continue;
    }
    location.push_back(*v);
  }
  if (auto v = String(t, "account")) {
    raw.binding.account = *v;
    raw.account_given = true;
    raw.account_where = Pos(*t.get("account"));
  }
  if (rules->slots.enabled)
    return ReadSlot(t, *rules, location_complete ? &location : nullptr, std::move(raw));
  const toml::node* domains = t.get("domains");
  if (domains == nullptr) {
    if (!suggested_key("domains") && misspelt == nullptr) {
      diags_->Error(raw.binding.where, "binding needs \"domains\", a list of domain names");
    }
    return;
  }
  const toml::array* list = domains->as_array();
  if (list == nullptr) return WrongType(*domains, "domains", "an array of strings");
  if (list->empty()) {
    diags_->Error(Pos(*domains), "\"domains\" is empty");
    return;
  }
  for (const toml::node& d : *list) {
    if (!d.is_string()) {
      WrongType(d, "domains[]", "a string");
      continue;
    }
    std::string domain = NormalizeDomain(*d.value<std::string>());
    if (!rules->wildcards && (domain.starts_with("*.") || domain.starts_with("."))) {
      diags_->Error(
          Pos(d), fmt::format("{} does not support wildcard domains: \"{}\"", rules->title, domain),
          "bind each name on its own, e.g. \"www" + domain.substr(domain.find('.')) + "\"");
      continue;
    }
    std::string problem = DomainNameProblem(domain);
    if (!problem.empty()) {
      diags_->Error(Pos(d), fmt::format("invalid domain \"{}\": {}", domain, problem));
      continue;
    }
    if (!location_complete) continue;  // reported above
    RawBinding one = raw;
    one.binding.address = Address{rules->name, location, domain};
    one.binding.where = Pos(d);
    bindings_.push_back(std::move(one));
  }
}

// A slot product's binding (SlotRules): the listener's default certificate (role = "default")
// or one additional (SNI) certificate (role = "additional"), whose slot is named by the
// binding's certificate key ("sni:KEY"). `location` is null when a field of it was reported.
void FileReader::ReadSlot(const toml::table& t, const ProductRules& rules,
                          const std::vector<std::string>* location, RawBinding raw) {
  const std::string product = fmt::format("product = \"{}\"", rules.name);
  if (const toml::node* d = t.get("domains")) {
    diags_->Error(
        Pos(*d), fmt::format("a binding with {} takes no \"domains\"", product),
        fmt::format("{} bindings name a {} slot: role = \"default\"{}", rules.title, rules.slots.of,
                    rules.slots.additional ? " or role = \"additional\"" : ""));
  }
  if (!raw.binding.https) {
    diags_->Error(raw.binding.where,
                  fmt::format("a binding with {} cannot have https = false", product),
                  fmt::format("a {} keeps serving HTTPS; to stop serving an additional "
                              "certificate, remove its binding (with on_removal = \"disable\")",
                              rules.slots.of));
    return;
  }
  const toml::node* role = t.get(kRoleKey);
  if (role == nullptr) {
    diags_->Error(
        raw.binding.where, fmt::format("a binding with {} needs \"role\"", product),
        fmt::format("role = \"default\" for the {}'s default certificate{}", rules.slots.of,
                    rules.slots.additional ? ", \"additional\" for an SNI one" : ""));
    return;
  }
  auto v = String(t, kRoleKey);
  if (!v) return;
  std::string slot;
  if (const toml::node* d = t.get(kSlotDomainKey); d != nullptr && *v != "additional") {
    diags_->Error(Pos(*d),
                  fmt::format("a {} binding with role = \"{}\" takes no \"{}\"", rules.title, *v,
                              kSlotDomainKey),
                  fmt::format("\"{}\" names the domain extension of an additional certificate",
                              kSlotDomainKey));
    return;
  }
  if (*v == kDefaultSlot) {
    slot = kDefaultSlot;
  } else if (*v == "additional" && SniByDomain(rules)) {
    // The domain extension's domain: one certificate each (CLB).
    const toml::node* d = t.get(kSlotDomainKey);
    if (d == nullptr) {
      diags_->Error(Pos(*role),
                    fmt::format("an additional {} certificate needs \"{}\": the domain its {} "
                                "serves it for",
                                rules.title, kSlotDomainKey, rules.slots.of),
                    fmt::format("{} = \"www.example.com\" (a domain extension of the {})",
                                kSlotDomainKey, rules.slots.of));
      return;
    }
    auto domain = String(t, kSlotDomainKey);
    if (!domain) return;
    const std::string name = NormalizeDomain(*domain);
    if (std::string problem = SniDomainProblem(name); !problem.empty()) {
      diags_->Error(Pos(*d), fmt::format("invalid domain \"{}\": {}", name, problem));
      return;
    }
    slot = kSniSlotPrefix + name;
  } else if (*v == "additional" && rules.slots.additional) {
    if (raw.binding.certificate.empty()) return;  // reported above
    slot = kSniSlotPrefix + raw.binding.certificate;
  } else if (*v == "additional") {
    diags_->Error(
        Pos(*role),
        fmt::format("{} {}s have no additional certificates", rules.title, rules.slots.of),
        "use role = \"default\"");
    return;
  } else {
    diags_->Error(Pos(*role), fmt::format("\"role\" must be \"default\"{}, not \"{}\"",
                                          rules.slots.additional ? " or \"additional\"" : "", *v));
    return;
  }
  if (location == nullptr) return;  // reported above
  raw.binding.address = Address{rules.name, *location, slot};
  raw.binding.where = Pos(*role);
  bindings_.push_back(std::move(raw));
}

// Cross-file checks once every file is read: references, the implicit account, duplicates.
void LinkBindings(std::vector<FileReader::RawBinding> raw, Config* config, Diagnostics* diags,
                  bool every_file_read) {
  const bool implicit_account = config->accounts.empty();
  if (implicit_account) {
    AccountConfig a;
    a.name = kImplicitAccount;
    config->accounts[a.name] = a;
  }
  std::vector<std::string> account_names, certificate_names;
  for (const auto& [name, a] : config->accounts) account_names.push_back(name);
  for (const auto& [name, c] : config->certificates) certificate_names.push_back(name);

  std::map<std::string, SourcePos> bound;
  // A reference error once per place it is written (one [[binding]] lists many domains).
  std::set<std::string> reported;
  auto first_report = [&](const SourcePos& where) {
    return reported.insert(where.ToString()).second;
  };
  // (product, domain) → its address, for products whose domains live in one location at a time.
  std::map<std::pair<std::string, std::string>, std::pair<Address, SourcePos>> located;
  for (FileReader::RawBinding& r : raw) {
    DesiredBinding& b = r.binding;
    if (!r.account_given) {
      if (config->accounts.size() == 1) {
        b.account = config->accounts.begin()->first;
      } else {
        diags->Error(b.where, fmt::format("domain \"{}\" needs \"account\" in its binding: there "
                                          "are {} accounts",
                                          b.address.Key(), config->accounts.size()));
      }
    } else if (!config->accounts.count(b.account) && every_file_read &&
               first_report(r.account_where)) {
      std::string hint = Suggest(b.account, account_names);
      diags->Error(r.account_where, fmt::format("account \"{}\" is not defined", b.account),
                   hint.empty() ? "define it as [account." + b.account + "]"
                                : fmt::format("did you mean \"{}\"?", hint));
    }
    if (!b.certificate.empty() && !config->certificates.count(b.certificate) && every_file_read &&
        first_report(r.certificate_where)) {
      std::string hint = Suggest(b.certificate, certificate_names);
      diags->Error(r.certificate_where,
                   fmt::format("certificate \"{}\" is not defined", b.certificate),
                   hint.empty() ? "define it as [certificate." + b.certificate + "]"
                                : fmt::format("did you mean \"{}\"?", hint));
    }
    auto [it, inserted] = bound.emplace(b.address.Key(), b.where);
    const ProductRules* rules = FindProduct(b.address.product);
    if (!inserted && rules != nullptr && rules->slots.enabled) {
      const bool is_default = b.address.domain == kDefaultSlot;
      diags->Error(b.where,
                   is_default ? fmt::format("{} {} {} has two default certificates", rules->title,
                                            rules->slots.of, b.address.Location())
                   : rules->slots.sni_key == SlotRules::SniKey::kDomain
                       ? fmt::format("{} {} {} has two certificates for domain \"{}\"",
                                     rules->title, rules->slots.of, b.address.Location(),
                                     b.address.domain.substr(sizeof(kSniSlotPrefix) - 1))
                       : fmt::format("certificate \"{}\" is bound twice on {} {} {}", b.certificate,
                                     rules->title, rules->slots.of, b.address.Location()),
                   fmt::format("first bound at {}", it->second.ToString()));
      continue;
    }
    if (!inserted) {
      diags->Error(b.where,
                   fmt::format("domain \"{}\" is bound twice{}", it->first,
                               b.address.product == DefaultProductName()
                                   ? ""
                                   : " on " + ProductTitle(b.address.product)),
                   fmt::format("first bound at {}", it->second.ToString()));
      continue;
    }
    if (rules != nullptr && rules->one_location_per_domain) {
      // e.g. OSS attaches a domain to one bucket (CnameAlreadyExists otherwise).
      const Address& parts = b.address;
      const std::string where = rules->location.empty() ? "location" : rules->location.back().key;
      auto [other, first] = located.emplace(std::make_pair(parts.product, parts.domain),
                                            std::make_pair(parts, b.where));
      if (!first) {
        diags->Error(
            b.where,
            fmt::format("domain \"{}\" is bound on two {} {}s ({} and {})", parts.domain,
                        rules->title, where, other->second.first.Location(), parts.Location()),
            fmt::format("{} attaches a domain to one {}; first bound at {}", rules->title, where,
                        other->second.second.ToString()));
        continue;
      }
    }
    config->bindings.push_back(std::move(b));
  }
  // By account, then product (the CDN first), then domain: the plan's order.
  std::sort(config->bindings.begin(), config->bindings.end(),
            [](const DesiredBinding& a, const DesiredBinding& b) {
              return BindingOrder(a.account, a.address) < BindingOrder(b.account, b.address);
            });
  for (const auto& [name, c] : config->certificates) {
    if (c.type != CertType::kCas || c.cert_id != 0) continue;
    for (const DesiredBinding& b : config->bindings) {
      auto acc = config->accounts.find(b.account);
      const ProductRules* rules = FindProduct(b.address.product);
      if (b.certificate != name || acc == config->accounts.end() || rules == nullptr) continue;
      const WriteCall& write = acc->second.WriteOn(*rules);
      if (write.cas_by_name) continue;
      if (rules->write_calls.size() == 1) {
        diags->Error(c.where, fmt::format("certificate \"{}\" needs \"cert_id\": {} is bound on "
                                          "{}, which selects CAS certificates by id",
                                          name, b.address.domain, rules->title));
      } else {
        diags->Error(c.where, fmt::format("certificate \"{}\" needs \"cert_id\": account \"{}\" "
                                          "uses {}, which selects CAS certificates by id",
                                          name, b.account, write.limit.api));
      }
      break;
    }
  }
  // A product that binds only by CAS id: a certificate sent by content would be created in CAS
  // anew at every apply, under a name and id certform does not choose, and could not be checked
  // for drift.
  for (const DesiredBinding& b : config->bindings) {
    const ProductRules* rules = FindProduct(b.address.product);
    if (rules == nullptr || b.certificate.empty()) continue;
    auto c = config->certificates.find(b.certificate);
    auto acc = config->accounts.find(b.account);
    if (c == config->certificates.end() || acc == config->accounts.end()) continue;
    if (c->second.type == CertType::kUpload && acc->second.UploadsViaCas() &&
        !acc->second.WriteOn(*rules).cas_by_id) {
      diags->Error(b.where,
                   fmt::format("{} is bound on {}, which cannot bind a certificate by CertId, but "
                               "account \"{}\" uploads certificates to Certificate Management "
                               "Service (upload_via = \"cas\") and binds them by id",
                               b.address.domain, rules->title, b.account),
                   "bind it from an account with upload_via = \"direct\"");
      continue;
    }
    if (c->second.type == CertType::kUpload && !acc->second.UploadsViaCas() &&
        !acc->second.WriteOn(*rules).by_content) {
      diags->Error(b.where,
                   fmt::format("{} is bound on {}, which takes certificates from Certificate "
                               "Management Service by id, but account \"{}\" sends them by "
                               "content",
                               b.address.domain, rules->title, b.account),
                   fmt::format("set upload_via = \"cas\" in [account.{}] (certificate \"{}\" is "
                               "then uploaded once and bound by id everywhere)",
                               b.account, b.certificate));
    }
  }
}

}  // namespace certform::engine::config_reading
