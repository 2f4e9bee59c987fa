// [account.NAME]: an Alibaba Cloud user, its credentials (credentials_section.cc for the keys
// that name where they are), its CAS uploads, and each product's
// endpoint, write call and rate ([account.NAME.PRODUCT], as the product's rules allow).
#include <cmath>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "engine/base/endpoint.h"
#include "engine/base/region_id.h"
#include "engine/base/text_escape.h"
#include "engine/config/credential_names.h"
#include "engine/config/toml_file_reader.h"

namespace certform::engine::config_reading {

namespace {

// The keys of [account.NAME]: its own, the default product's settings (written there since before
// products had tables of their own), each product's older endpoint key, and a table per product.
std::vector<std::string> AccountKeys() {
  std::vector<std::string> keys = {"credentials", "upload_via", "cas_endpoint", "cas_region",
                                   "sts_endpoint"};
  for (const std::string& k : CredentialKeys()) keys.push_back(k);
  for (const char* k : {"endpoint", "api", "rate_limit"}) keys.push_back(k);
  for (const ProductRules& p : Products()) {
    if (!p.legacy_endpoint_key.empty()) keys.push_back(p.legacy_endpoint_key);
    keys.push_back(p.name);
  }
  return keys;
}

// The keys of [account.NAME.PRODUCT]: those its rules let the user set.
std::vector<std::string> ProductKeys(const ProductRules& rules) {
  std::vector<std::string> keys;
  if (!rules.default_endpoint.empty()) keys.push_back("endpoint");
  if (rules.write_calls.size() > 1) keys.push_back("api");
  if (rules.rate_limit_setting) keys.push_back("rate_limit");
  return keys;
}

bool IsCredentialSetting(const std::string& v) {
  auto named = [&](const std::string& prefix) {
    return v.starts_with(prefix) && v.size() > prefix.size();
  };
  return v == "env" || v == "oidc" || v == "profile" || v == "ecs-ram-role" || named("profile:") ||
         named("ecs-ram-role:");
}

}  // namespace

void FileReader::ReadAccount(const std::string& name, const toml::table& t) {
  CheckKeys(t, AccountKeys(), fmt::format("[account.{}]", name), SecretKeys());
  AccountConfig a;
  a.name = name;
  a.where = Pos(t);
  if (auto v = String(t, "credentials")) {
    if (IsCredentialSetting(*v)) {
      a.credentials = *v;
    } else {
      diags_->Error(
          Pos(*t.get("credentials")),
          fmt::format("\"credentials\" must be \"env\", \"oidc\", \"ecs-ram-role\", "
                      "\"ecs-ram-role:ROLE\", \"profile\" or \"profile:NAME\", not \"{}\"",
                      *v));
    }
  }
  ReadCredentialNames(t, &a);
  ReadEndpoint(t, "sts_endpoint", &a.sts_endpoint);
  if (const toml::node* n = t.get("sts_endpoint"); n != nullptr && n->is_string()) {
    if (std::string problem = StsEndpointProblem(a.sts_endpoint);
        !problem.empty() && EndpointProblem(*n->value<std::string>()).empty()) {
      diags_->Error(
          Pos(*n), fmt::format("\"sts_endpoint\" \"{}\" {}", ForTerminal(a.sts_endpoint), problem));
    }
  }
  for (const ProductRules& rules : Products()) {
    ProductSettings settings;
    settings.where = a.where;
    if (&rules == &DefaultProduct()) ReadProductSettings(t, rules, "", &settings);
    if (!rules.legacy_endpoint_key.empty()) {
      ReadEndpoint(t, rules.legacy_endpoint_key.c_str(), &settings.endpoint);
    }
    if (const toml::node* n = t.get(rules.name)) {
      if (const toml::table* own = n->as_table()) {
        const std::string where = fmt::format("[account.{}.{}]", name, rules.name);
        CheckKeys(*own, ProductKeys(rules), where);
        // One setting, one place: the table does not silently win over [account.NAME].
        for (const std::string key : {"endpoint", "api", "rate_limit"}) {
          const toml::node* mine = own->get(key);
          const toml::node* outer = &rules == &DefaultProduct() ? t.get(key)
                                    : key == "endpoint" && !rules.legacy_endpoint_key.empty()
                                        ? t.get(rules.legacy_endpoint_key)
                                        : nullptr;
          if (mine != nullptr && outer != nullptr) {
            diags_->Error(Pos(*mine),
                          fmt::format("\"{}\" of {} is set twice: in [account.{}] and in {}", key,
                                      rules.title, name, where),
                          fmt::format("keep one; the other is at {}", Pos(*outer).ToString()));
          }
        }
        settings.where = Pos(*own);
        ReadProductSettings(*own, rules, where, &settings);
      } else {
        WrongType(*n, rules.name, "a table of the product's settings");
      }
    }
    a.products[rules.name] = std::move(settings);
  }
  ReadCasSettings(t, &a);
  config_->accounts[name] = std::move(a);
}

// A product's endpoint, write call and rate limit, from `t` ([account.NAME] for the default
// product, `where` empty; else [account.NAME.PRODUCT]).
void FileReader::ReadProductSettings(const toml::table& t, const ProductRules& rules,
                                     const std::string& where, ProductSettings* out) {
  ReadEndpoint(t, "endpoint", &out->endpoint);
  if (auto v = String(t, "api")) {
    std::vector<std::string> apis;
    for (const WriteCall& w : rules.write_calls) apis.push_back(w.limit.api);
    if (rules.FindWrite(*v) != nullptr) {
      out->api = *v;
    } else {
      std::string hint = Suggest(*v, apis);
      std::string choices;
      for (size_t i = 0; i < apis.size(); ++i) {
        choices += (i == 0 ? "" : i + 1 == apis.size() ? " or " : ", ") + ("\"" + apis[i] + "\"");
      }
      diags_->Error(
          Pos(*t.get("api")),
          fmt::format("\"api\" \"{}\" is not supported{}", *v, where.empty() ? "" : " in " + where),
          hint.empty() ? "use " + choices : fmt::format("did you mean \"{}\"?", hint));
    }
  }
  if (const toml::node* n = t.get("rate_limit")) {
    std::optional<double> rate;
    if (n->is_integer()) rate = static_cast<double>(*n->value<int64_t>());
    if (n->is_floating_point()) rate = *n->value<double>();
    if (!rate) {
      WrongType(*n, "rate_limit", "a number (calls per second)");
    } else if (!std::isfinite(*rate) || *rate <= 0 || *rate > 1000) {
      diags_->Error(Pos(*n), "\"rate_limit\" must be greater than 0 and at most 1000 calls/s",
                    fmt::format("found {}", *rate));
    } else {
      out->rate_limit = *rate;
    }
  }
}

// upload_via, cas_endpoint, cas_region. Uploading through CAS binds by CertId: on each product,
// such an account uses a write call that takes one (said, or implied).
void FileReader::ReadCasSettings(const toml::table& t, AccountConfig* a) {
  if (auto v = String(t, "upload_via")) {
    if (*v == "direct" || *v == "cas") {
      a->upload_via = *v;
    } else {
      diags_->Error(Pos(*t.get("upload_via")),
                    fmt::format("\"upload_via\" must be \"direct\" or \"cas\", not \"{}\"", *v));
    }
  }
  if (a->UploadsViaCas()) {
    for (const ProductRules& rules : Products()) {
      ProductSettings& settings = a->products[rules.name];
      const WriteCall& chosen = a->WriteOn(rules);
      if (chosen.cas_by_id) continue;
      const WriteCall* by_id = nullptr;
      for (const WriteCall& w : rules.write_calls) {
        if (w.cas_by_id && by_id == nullptr) by_id = &w;
      }
      if (by_id == nullptr) continue;  // no call of it binds by id: its bindings say so
      if (!settings.api.empty()) {
        const toml::node* own = t.get(rules.name);
        const toml::node* api = &rules == &DefaultProduct() ? t.get("api") : nullptr;
        if (api == nullptr && own != nullptr && own->is_table()) api = own->as_table()->get("api");
        diags_->Error(api != nullptr ? Pos(*api) : a->where,
                      fmt::format("upload_via = \"cas\" binds domains by CertId, which only {} "
                                  "takes",
                                  by_id->limit.api),
                      fmt::format("remove \"api\" or set it to \"{}\"", by_id->limit.api));
      }
      settings.api = by_id->limit.api;
    }
  }
  ReadEndpoint(t, "cas_endpoint", &a->cas_endpoint);
  if (auto v = String(t, "cas_region")) {
    if (std::string p = RegionIdProblem(*v); !p.empty()) {
      diags_->Error(Pos(*t.get("cas_region")), "\"cas_region\" is " + p);
    } else {
      a->cas_region = *v;
    }
  }
}

// An endpoint setting: a host under .aliyuncs.com (https) or this machine (http allowed), as
// engine/base/endpoint.h's EndpointProblem says; sts_endpoint is narrowed further above.
void FileReader::ReadEndpoint(const toml::table& t, const char* key, std::string* out) {
  if (auto v = String(t, key)) {
    if (std::string problem = EndpointProblem(*v); problem.empty()) {
      while (v->ends_with('/')) v->pop_back();
      *out = *v;
    } else {
      diags_->Error(Pos(*t.get(key)),
                    fmt::format("\"{}\" \"{}\": {}", key, ForTerminal(*v), problem));
    }
  }
}

}  // namespace certform::engine::config_reading
