// [account.NAME]: an Alibaba Cloud user, its endpoint, write call and rate, and CAS uploads.
#include <cmath>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "engine/base/endpoint.h"
#include "engine/config/toml_file_reader.h"

namespace certform::engine::config_reading {

namespace {

const std::vector<std::string> kAccountKeys = {"credentials", "endpoint",     "api",
                                               "rate_limit",  "upload_via",   "cas_endpoint",
                                               "cas_region",  "sts_endpoint", "dcdn_endpoint"};

bool IsCredentialSetting(const std::string& v) {
  auto named = [&](const std::string& prefix) {
    return v.starts_with(prefix) && v.size() > prefix.size();
  };
  return v == "env" || v == "oidc" || v == "profile" || v == "ecs-ram-role" || named("profile:") ||
         named("ecs-ram-role:");
}

}  // namespace

void FileReader::ReadAccount(const std::string& name, const toml::table& t) {
  CheckKeys(t, kAccountKeys, fmt::format("[account.{}]", name));
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
  ReadEndpoint(t, "endpoint", &a.endpoint);
  ReadEndpoint(t, "sts_endpoint", &a.sts_endpoint);
  ReadEndpoint(t, "dcdn_endpoint", &a.dcdn_endpoint);
  if (auto v = String(t, "api")) {
    if (*v == kApiSetDomainServerCertificate || *v == kApiSetCdnDomainSslCertificate) {
      a.api = *v;
    } else {
      std::string hint =
          Suggest(*v, {kApiSetDomainServerCertificate, kApiSetCdnDomainSslCertificate});
      diags_->Error(Pos(*t.get("api")), fmt::format("\"api\" \"{}\" is not supported", *v),
                    hint.empty()
                        ? fmt::format("use \"{}\" or \"{}\"", kApiSetDomainServerCertificate,
                                      kApiSetCdnDomainSslCertificate)
                        : fmt::format("did you mean \"{}\"?", hint));
    }
  }
  if (a.api == kApiSetCdnDomainSslCertificate) a.rate_limit = kSetCdnDomainSslCertificateLimit;
  ReadCasSettings(t, &a);
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
      a.rate_limit = *rate;
    }
  }
  config_->accounts[name] = std::move(a);
}

// upload_via, cas_endpoint, cas_region. Uploading through CAS binds by CertId, which only
// SetCdnDomainSSLCertificate takes: it is the api such an account uses (said, or implied).
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
    if (t.get("api") && a->api != kApiSetCdnDomainSslCertificate) {
      diags_->Error(Pos(*t.get("api")),
                    "upload_via = \"cas\" binds domains by CertId, which only "
                    "SetCdnDomainSSLCertificate takes",
                    "remove \"api\" or set it to \"SetCdnDomainSSLCertificate\"");
    }
    a->api = kApiSetCdnDomainSslCertificate;
    a->rate_limit = kSetCdnDomainSslCertificateLimit;
  }
  ReadEndpoint(t, "cas_endpoint", &a->cas_endpoint);
  if (auto v = String(t, "cas_region")) a->cas_region = *v;
}

// An endpoint setting: https:// anywhere, http:// only to this machine (engine/base/endpoint.h).
void FileReader::ReadEndpoint(const toml::table& t, const char* key, std::string* out) {
  if (auto v = String(t, key)) {
    if (std::string problem = EndpointProblem(*v); problem.empty()) {
      while (v->ends_with('/')) v->pop_back();
      *out = *v;
    } else {
      diags_->Error(Pos(*t.get(key)), fmt::format("\"{}\" \"{}\": {}", key, *v, problem));
    }
  }
}

}  // namespace certform::engine::config_reading
