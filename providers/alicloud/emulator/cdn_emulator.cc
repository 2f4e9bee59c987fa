#include "providers/alicloud/emulator/cdn_emulator.h"

#include <cctype>

#include <fmt/format.h>

#include "providers/alicloud/emulator/certificate_action.h"
#include "providers/alicloud/signer_v3.h"

namespace certform::emulator {

namespace {

bool IsWriteAction(const std::string& action) {
  return action == "SetDomainServerCertificate" || action == "SetCdnDomainSSLCertificate" ||
         action == "SetDcdnDomainSSLCertificate";
}

bool IsDcdnAction(const std::string& action) { return action.find("Dcdn") != std::string::npos; }

bool IsCasAction(const std::string& action) {
  return action == "UploadUserCertificate" || action == "ListUserCertificateOrder" ||
         action == "GetUserCertificateDetail" || action == "DeleteUserCertificate";
}

bool WantsJson(const alicloud::Params& params, const std::map<std::string, std::string>& headers) {
  std::string format = Param(params, "Format");
  for (char& c : format) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!format.empty()) return format == "json";
  auto accept = headers.find("accept");
  return accept != headers.end() && accept->second.find("application/json") != std::string::npos;
}

alicloud::Params DecodeParams(const ApiRequest& r) {
  alicloud::Params params;
  size_t q = r.target.find('?');
  if (q != std::string::npos) params = alicloud::ParseFormEncoded(r.target.substr(q + 1));
  auto ct = r.headers.find("content-type");
  if (r.method == "POST" && ct != r.headers.end() &&
      ct->second.find("application/x-www-form-urlencoded") != std::string::npos) {
    alicloud::Params body = alicloud::ParseFormEncoded(r.body);
    params.insert(params.end(), body.begin(), body.end());
  }
  return params;
}

bool IsStsAction(const std::string& action) {
  return action == "AssumeRole" || action == "AssumeRoleWithOIDC";
}

}  // namespace

CdnEmulator::CdnEmulator(EmulatorConfig config, engine::Clock& clock)
    : config_(std::move(config)), clock_(clock), auth_(config_.accounts) {
  Reset();
}

void CdnEmulator::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto [table, seeds] :
       {std::pair{&domains_, &config_.domains}, std::pair{&dcdn_domains_, &config_.dcdn_domains}}) {
    table->clear();
    for (const DomainSeed& d : *seeds) {
      DomainState s;
      s.user = d.user;
      s.status = d.status;
      (*table)[d.name] = s;
    }
  }
  uploads_.clear();
  cas_ = config_.cas_certificates;
  auth_.ForgetNonces();
  auth_.ForgetTemporaryKeys();
  metadata_tokens_.clear();
  cnames_.clear();
  detached_.clear();
  window_.Reset();
  rng_.seed(config_.faults.seed);
  transit_rng_.seed(config_.faults.seed + 1);
  calls_.clear();
  throttled_ = injected_errors_ = dropped_ = rejected_ = keys_received_ = sts_issued_ = 0;
}

std::string CdnEmulator::NewRequestId() {
  std::uniform_int_distribution<uint64_t> d;
  uint64_t a = d(rng_), b = d(rng_);
  return fmt::format("{:08X}-{:04X}-{:04X}-{:04X}-{:012X}", a >> 32, (a >> 16) & 0xffff, a & 0xffff,
                     b >> 48, b & 0xffffffffffffULL);
}

ApiResponse CdnEmulator::Handle(const ApiRequest& request, engine::Clock::Duration* latency) {
  alicloud::Params params = DecodeParams(request);
  const bool json = WantsJson(params, request.headers);
  std::lock_guard<std::mutex> lock(mu_);
  const std::string request_id = NewRequestId();
  const Faults& f = config_.faults;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  *latency = std::chrono::milliseconds(
      f.latency_ms + (f.jitter_ms > 0 ? static_cast<int>(unit(rng_) * f.jitter_ms) : 0));
  const double roll = unit(rng_);
  if (roll < f.drop_rate) {
    ++dropped_;
    ApiResponse r;
    r.drop = true;
    return r;
  }
  if (roll < f.drop_rate + f.error_rate) {
    ++injected_errors_;
    return unit(rng_) < 0.5
               ? RenderError({503, "ServiceUnavailable",
                              "The request has failed due to a temporary failure of the server."},
                             request_id, json)
               : RenderError({500, "InternalError",
                              "The request processing has failed due to some unknown error."},
                             request_id, json);
  }
  if (IsOssRequest(request)) return HandleOss(request, request_id);
  auto authorization = request.headers.find("authorization");
  const bool v3 = authorization != request.headers.end() &&
                  authorization->second.starts_with(std::string(alicloud::kV3Algorithm) + " ");
  if (v3) {
    // V3 names the action and version in headers, not parameters.
    for (const auto& [header, name] :
         {std::pair<const char*, const char*>{"x-acs-action", "Action"},
          {"x-acs-version", "Version"}}) {
      auto h = request.headers.find(header);
      if (h != request.headers.end() && Param(params, name).empty()) {
        params.emplace_back(name, h->second);
      }
    }
  }
  const std::string action = Param(params, "Action");
  if (action.empty()) {
    ++rejected_;
    return RenderError({400, "MissingAction", "Action is mandatory for this action."}, request_id,
                       json);
  }
  std::string user = "anonymous";
  const int64_t now = engine::ToUnixSeconds(clock_.Now());
  // AssumeRoleWithOIDC is the one anonymous call: the OIDC token is its proof (sts_action.cc).
  const bool anonymous =
      action == "AssumeRoleWithOIDC" && !v3 && Param(params, "AccessKeyId").empty();
  if (anonymous) {
    // Nothing to check but that the request is fresh.
  } else if (auto error = v3 ? auth_.CheckV3(request.method, request.target, request.headers,
                                             request.body, now, &user)
                             : auth_.Check(request.method, params, now, &user)) {
    ++rejected_;
    const size_t echo = error->message.find("server string to sign");
    if (error->code == "SignatureDoesNotMatch" && f.signature_error == "IncompleteSignature" &&
        echo != std::string::npos) {
      // The gateway answers a wrong secret with either code; the echo stays.
      error->code = "IncompleteSignature";
      error->message = "The request signature does not conform to Aliyun standards. " +
                       error->message.substr(echo);
    }
    return RenderError(*error, request_id, json);
  }
  // CAS (2020-04-07), STS (2015-04-01) and DCDN (2018-01-15) answer on their own endpoints; the
  // emulator serves every product on one and tells them apart by action and version.
  const char* version = IsCasAction(action)    ? kCasVersion
                        : IsStsAction(action)  ? kStsVersion
                        : IsDcdnAction(action) ? kDcdnVersion
                                               : kCdnVersion;
  if (Param(params, "Version") != version) {
    ++rejected_;
    return RenderError({400, "InvalidVersion", "Specified parameter Version is not valid."},
                       request_id, json);
  }
  const auto [window, limit] = FlowControl(action);
  engine::Clock::Duration wait{};
  if (!window_.Admit(user + "/" + window, clock_.Monotonic(), limit, &wait)) {
    ++throttled_;
    ApiResponse r = RenderError(
        {400, "Throttling.User", "Request was denied due to user flow control."}, request_id, json);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wait).count();
    r.headers["x-acs-retry-after"] = std::to_string(std::max<int64_t>(1, ms));
    return r;
  }
  const int answered = ++calls_[action][user];
  if (!Param(params, "PrivateKey").empty() || !Param(params, "SSLPri").empty() ||
      !Param(params, "Key").empty()) {
    ++keys_received_;
  }
  ApiResponse response = Dispatch(action, params, user, request_id, json);
  if (auto lose = f.lose_answers.find(action);
      lose != f.lose_answers.end() && answered <= lose->second) {
    ++dropped_;  // carried out; the answer never reaches the client
    response = ApiResponse();
    response.drop = true;
  }
  return response;
}

ApiResponse CdnEmulator::Dispatch(const std::string& action, const alicloud::Params& params,
                                  const std::string& user, const std::string& request_id,
                                  bool json) {
  if (IsWriteAction(action)) return SetCertificate(action, params, user, request_id, json);
  if (action == "DescribeDomainCertificateInfo" || action == "DescribeDcdnDomainCertificateInfo") {
    return DescribeCertificate(action, params, user, request_id, json);
  }
  if (action == "DescribeUserDomains" || action == "DescribeDcdnUserDomains") {
    return DescribeUserDomains(action, params, user, request_id, json);
  }
  if (IsCasAction(action)) return CasAction(action, params, user, request_id, json);
  if (IsStsAction(action)) return StsAction(action, params, request_id, json);
  return RenderError(
      {404, "InvalidApi.NotFound", "Specified api is not found, please check your url and method."},
      request_id, json);
}

std::pair<std::string, int> CdnEmulator::FlowControl(const std::string& action) const {
  if (action == "SetDomainServerCertificate") return {"write", config_.write_limit};
  if (action == "SetCdnDomainSSLCertificate") return {"ssl-write", config_.ssl_write_limit};
  if (action == "UploadUserCertificate") return {"cas-upload", config_.cas_upload_limit};
  if (IsCasAction(action)) return {"cas-read", config_.cas_read_limit};
  if (action == "DescribeUserDomains") return {"list-domains", config_.list_domains_limit};
  if (action == "SetDcdnDomainSSLCertificate") return {"dcdn-write", config_.dcdn_write_limit};
  if (action == "DescribeDcdnDomainCertificateInfo") {
    return {"dcdn-read", config_.dcdn_read_limit};
  }
  if (action == "DescribeDcdnUserDomains") return {"dcdn-list", config_.dcdn_list_limit};
  // STS's own limits are not documented; generous, so that they never decide a test.
  if (IsStsAction(action)) return {"sts", 100};
  return {"read", config_.read_limit};
}

std::map<std::string, DomainState>& CdnEmulator::DomainsOf(const std::string& action) {
  return IsDcdnAction(action) ? dcdn_domains_ : domains_;
}

namespace {

nlohmann::json DomainsJson(const std::map<std::string, DomainState>& domains) {
  nlohmann::json doc = nlohmann::json::object();
  for (const auto& [name, d] : domains) {
    doc[name] = {{"user", d.user},
                 {"status", d.status},
                 {"https", d.https},
                 {"cert_name", d.cert_name},
                 {"cert_type", d.cert_type},
                 {"cert_id", d.cert_id},
                 {"fingerprint", FingerprintOf(d.cert_pem)},
                 {"cert_pem", d.cert_pem},  // public: what DescribeDomainCertificateInfo serves
                 {"updated_at", d.updated_at},
                 {"request_id", d.last_request_id}};
  }
  return doc;
}

}  // namespace

nlohmann::json CdnEmulator::StateJson() const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json cas = nlohmann::json::array();
  for (const CasCertificate& c : cas_) {
    cas.push_back({{"id", c.id},
                   {"name", c.name},
                   {"user", c.user},
                   {"uploaded", c.uploaded},
                   {"fingerprint", FingerprintOf(c.pem)}});
  }
  nlohmann::json cnames = nlohmann::json::object();
  for (const auto& [domain, c] : cnames_) {
    cnames[domain] = {{"bucket", c.bucket},
                      {"https", c.https},
                      {"certificate_status", c.cert_status},
                      {"cert_id", c.cert_id},
                      {"cert_region", c.cert_region},
                      {"fingerprint", FingerprintOf(c.cert_pem)}};
  }
  return {{"domains", DomainsJson(domains_)},
          {"dcdn_domains", DomainsJson(dcdn_domains_)},
          {"oss_cnames", cnames},
          {"cas_certificates", cas}};
}

nlohmann::json CdnEmulator::CountersJson() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {{"calls", calls_},
          {"throttled", throttled_},
          {"injected_errors", injected_errors_},
          {"dropped", dropped_},
          {"rejected", rejected_},
          {"keys_received", keys_received_},
          {"sts_issued", sts_issued_},
          {"peak_per_second", window_.peaks()}};
}

void CdnEmulator::DetachCname(const std::string& domain) {
  std::lock_guard<std::mutex> lock(mu_);
  cnames_.erase(domain);
  detached_.insert(domain);
}

bool CdnEmulator::PutDomain(const std::string& name, const nlohmann::json& c, std::string* error,
                            const std::string& product) {
  std::lock_guard<std::mutex> lock(mu_);
  try {
    DomainState& d = (product == "dcdn" ? dcdn_domains_ : domains_)[name];
    if (d.user.empty()) d.user = config_.accounts.empty() ? "" : config_.accounts.front().user;
    d.user = c.value("user", d.user);
    d.status = c.value("status", d.status);
    d.https = c.value("https", d.https);
    d.cert_name = c.value("cert_name", d.cert_name);
    d.cert_type = c.value("cert_type", d.cert_type);
    d.cert_id = c.value("cert_id", d.cert_id);
    if (c.contains("cert_pem")) d.cert_pem = c["cert_pem"].get<std::string>();
    if (!d.https) d.cert_pem.clear();
    d.updated_at = engine::FormatUtc(engine::ToUnixSeconds(clock_.Now()));
    return true;
  } catch (const nlohmann::json::exception& e) {
    *error = e.what();
    return false;
  }
}

bool CdnEmulator::RemoveDomain(const std::string& name, const std::string& product) {
  std::lock_guard<std::mutex> lock(mu_);
  return (product == "dcdn" ? dcdn_domains_ : domains_).erase(name) > 0;
}

void CdnEmulator::SetFaults(const Faults& faults) {
  std::lock_guard<std::mutex> lock(mu_);
  config_.faults = faults;
  rng_.seed(faults.seed);
  transit_rng_.seed(faults.seed + 1);
}

engine::Clock::Duration CdnEmulator::TransitDelay() {
  std::lock_guard<std::mutex> lock(mu_);
  if (config_.faults.transit_ms <= 0) return {};
  std::uniform_int_distribution<int> d(0, config_.faults.transit_ms * 1000);
  return std::chrono::microseconds(d(transit_rng_));
}

}  // namespace certform::emulator
