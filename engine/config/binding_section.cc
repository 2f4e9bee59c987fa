// [[binding]]: domains and the certificate they serve; linked across files once all are read.
#include <algorithm>
#include <cctype>
#include <tuple>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "engine/base/domain_name.h"
#include "engine/config/toml_file_reader.h"

namespace certform::engine::config_reading {

namespace {

const std::vector<std::string> kBindingKeys = {"certificate", "domains", "account", "https",
                                               "product",     "bucket",  "region"};

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
  CheckKeys(t, kBindingKeys, "[[binding]]");
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
    if (!raw.binding.https) {
      diags_->Error(raw.certificate_where, "a binding with https = false takes no \"certificate\"",
                    "HTTPS off means no certificate is served; remove one of the two");
    }
  } else if (raw.binding.https && !t.get("certificate")) {
    diags_->Error(raw.binding.where, "binding needs \"certificate\" (or https = false)");
  }
  if (auto v = String(t, "product")) {
    const auto& known = KnownProducts();
    if (std::find(known.begin(), known.end(), *v) != known.end()) {
      raw.binding.product = *v;
    } else {
      std::string hint = Suggest(*v, known);
      diags_->Error(Pos(*t.get("product")), fmt::format("\"product\" \"{}\" is not supported", *v),
                    hint.empty() ? "use \"cdn\" (the default), \"dcdn\" or \"oss\""
                                 : fmt::format("did you mean \"{}\"?", hint));
    }
  }
  // OSS custom domains live on a bucket: `bucket` and `region` say which (and only there).
  std::string location;
  const bool oss = raw.binding.product == kProductOss;
  std::string bucket, region;
  struct OssPlace {
    const char* key;
    std::string (*problem_of)(const std::string&);
    std::string* value;
  };
  for (const OssPlace& place : {OssPlace{"bucket", BucketNameProblem, &bucket},
                                OssPlace{"region", RegionProblem, &region}}) {
    const char* key = place.key;
    const toml::node* n = t.get(key);
    auto v = String(t, key);
    if (n == nullptr) {
      if (oss) {
        diags_->Error(raw.binding.where,
                      fmt::format("a binding with product = \"oss\" needs \"{}\"", key),
                      "an OSS custom domain is bound on its bucket: give bucket = \"NAME\" and "
                      "region = \"REGION\" (e.g. \"cn-hangzhou\")");
      }
      continue;
    }
    if (!v) continue;
    if (!oss) {
      diags_->Error(Pos(*n), fmt::format("\"{}\" is only for product = \"oss\"", key),
                    "CDN and DCDN domains are named by their domain alone");
      continue;
    }
    if (const std::string problem = place.problem_of(*v); !problem.empty()) {
      diags_->Error(Pos(*n), fmt::format("invalid {} \"{}\": {}", key, *v, problem));
      continue;
    }
    *place.value = *v;
  }
  if (oss && !bucket.empty() && !region.empty()) location = OssLocation(region, bucket);
  if (auto v = String(t, "account")) {
    raw.binding.account = *v;
    raw.account_given = true;
    raw.account_where = Pos(*t.get("account"));
  }
  const toml::node* domains = t.get("domains");
  if (domains == nullptr) {
    diags_->Error(raw.binding.where, "binding needs \"domains\", a list of CDN domain names");
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
    if (oss && (domain.starts_with("*.") || domain.starts_with("."))) {
      diags_->Error(
          Pos(d), fmt::format("OSS does not support wildcard domains: \"{}\"", domain),
          "bind each name on its bucket, e.g. \"www" + domain.substr(domain.find('.')) + "\"");
      continue;
    }
    std::string problem = DomainNameProblem(domain);
    if (!problem.empty()) {
      diags_->Error(Pos(d), fmt::format("invalid domain \"{}\": {}", domain, problem));
      continue;
    }
    if (oss && location.empty()) continue;  // reported above
    RawBinding one = raw;
    AddressParts parts;
    parts.location = location;
    parts.domain = domain;
    one.binding.domain = BindingAddress(raw.binding.product, parts.Target());
    one.binding.where = Pos(d);
    bindings_.push_back(std::move(one));
  }
}

// Cross-file checks once every file is read: references, the implicit account, duplicates.
void LinkBindings(std::vector<FileReader::RawBinding> raw, Config* config, Diagnostics* diags) {
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
  std::map<std::string, std::pair<std::string, SourcePos>> oss_domains;  // domain → its address
  for (FileReader::RawBinding& r : raw) {
    DesiredBinding& b = r.binding;
    if (!r.account_given) {
      if (config->accounts.size() == 1) {
        b.account = config->accounts.begin()->first;
      } else {
        diags->Error(b.where, fmt::format("domain \"{}\" needs \"account\" in its binding: there "
                                          "are {} accounts",
                                          b.domain, config->accounts.size()));
      }
    } else if (!config->accounts.count(b.account)) {
      std::string hint = Suggest(b.account, account_names);
      diags->Error(r.account_where, fmt::format("account \"{}\" is not defined", b.account),
                   hint.empty() ? "define it as [account." + b.account + "]"
                                : fmt::format("did you mean \"{}\"?", hint));
    }
    if (!b.certificate.empty() && !config->certificates.count(b.certificate)) {
      std::string hint = Suggest(b.certificate, certificate_names);
      diags->Error(r.certificate_where,
                   fmt::format("certificate \"{}\" is not defined", b.certificate),
                   hint.empty() ? "define it as [certificate." + b.certificate + "]"
                                : fmt::format("did you mean \"{}\"?", hint));
    }
    auto [it, inserted] = bound.emplace(b.domain, b.where);
    if (!inserted) {
      diags->Error(b.where,
                   fmt::format("domain \"{}\" is bound twice{}", b.domain,
                               b.product == kProductCdn ? "" : " on " + ProductTitle(b.product)),
                   fmt::format("first bound at {}", it->second.ToString()));
      continue;
    }
    if (b.product == kProductOss) {
      // OSS attaches a domain to one bucket (CnameAlreadyExists otherwise).
      const AddressParts parts = SplitAddress(b.domain);
      auto [other, first] = oss_domains.emplace(parts.domain, std::make_pair(b.domain, b.where));
      if (!first) {
        diags->Error(
            b.where,
            fmt::format("domain \"{}\" is bound on two OSS buckets ({} and {})", parts.domain,
                        SplitAddress(other->second.first).location, parts.location),
            fmt::format("OSS attaches a domain to one bucket; first bound at {}",
                        other->second.second.ToString()));
        continue;
      }
    }
    config->bindings.push_back(std::move(b));
  }
  // By account, then product (the CDN first), then domain: the plan's order.
  std::sort(config->bindings.begin(), config->bindings.end(),
            [](const DesiredBinding& a, const DesiredBinding& b) {
              return BindingOrder(a.account, a.domain) < BindingOrder(b.account, b.domain);
            });
  for (const auto& [name, c] : config->certificates) {
    if (c.type != CertType::kCas || c.cert_id != 0) continue;
    for (const DesiredBinding& b : config->bindings) {
      auto acc = config->accounts.find(b.account);
      if (b.certificate != name || acc == config->accounts.end()) continue;
      if (b.product == kProductDcdn || b.product == kProductOss) {
        diags->Error(c.where,
                     fmt::format("certificate \"{}\" needs \"cert_id\": {} is bound on "
                                 "{}, which selects CAS certificates by id",
                                 name, SplitAddress(b.domain).domain, ProductTitle(b.product)));
        break;
      }
      if (acc->second.api == kApiSetCdnDomainSslCertificate) {
        diags->Error(c.where, fmt::format("certificate \"{}\" needs \"cert_id\": account \"{}\" "
                                          "uses {}, which selects CAS certificates by id",
                                          name, b.account, kApiSetCdnDomainSslCertificate));
        break;
      }
    }
  }
  // OSS binds a certificate by its CAS id; one sent by content would be created in CAS anew at
  // every apply, under a name and id certform does not choose, and could not be checked for drift.
  for (const DesiredBinding& b : config->bindings) {
    if (b.product != kProductOss || b.certificate.empty()) continue;
    auto c = config->certificates.find(b.certificate);
    auto acc = config->accounts.find(b.account);
    if (c == config->certificates.end() || acc == config->accounts.end()) continue;
    if (c->second.type == CertType::kUpload && !acc->second.UploadsViaCas()) {
      diags->Error(b.where,
                   fmt::format("{} is bound on OSS, which takes certificates from Certificate "
                               "Management Service by id, but account \"{}\" sends them by "
                               "content",
                               SplitAddress(b.domain).domain, b.account),
                   fmt::format("set upload_via = \"cas\" in [account.{}] (certificate \"{}\" is "
                               "then uploaded once and bound by id everywhere)",
                               b.account, b.certificate));
    }
  }
}

}  // namespace certform::engine::config_reading
