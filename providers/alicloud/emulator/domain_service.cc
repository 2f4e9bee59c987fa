#include "providers/alicloud/emulator/domain_service.h"

#include "engine/config/certificate.h"
#include "providers/alicloud/emulator/certificate_check.h"

namespace certform::emulator {

namespace {

ApiError Missing(const std::string& name) {
  return {400, name + ".MissingParameter",
          "An input parameter " + name +
              " that is mandatory for processing the request is not supplied."};
}

// The domain a write or read is for, or the error the API gives for it.
std::optional<ApiError> CheckDomain(const std::map<std::string, DomainState>& domains,
                                    const std::string& name, const std::string& user, bool write) {
  if (name.empty()) return Missing("DomainName");
  auto it = domains.find(name);
  if (it == domains.end() || it->second.user != user) {
    return ApiError{404, "InvalidDomain.NotFound", "The domain provided does not belong to you."};
  }
  if (!write) return std::nullopt;
  if (it->second.status == "offline") {
    return ApiError{400, "InvalidDomain.Offline", "The domain provided is offline."};
  }
  if (it->second.status == "configuring") {
    return ApiError{403, "ServiceBusy", "The specified Domain is configuring, please retry later."};
  }
  return std::nullopt;
}

ServedCertificate ServedBy(const DomainState& d) {
  return d.https ? ServedCertificate{true, d.cert_pem} : ServedCertificate{};
}

}  // namespace

DomainService::DomainService(ServiceContext context, DomainProduct product, CasDirectory& cas)
    : RpcService(context), product_(std::move(product)), cas_(cas) {
  Reset();
}

void DomainService::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  domains_.clear();
  for (const DomainSeed& d : *product_.seeds) {
    DomainState s;
    s.user = d.user;
    s.status = d.status;
    domains_[d.name] = s;
  }
  uploads_.clear();
}

bool DomainService::Serves(const std::string& action) const {
  return product_.actions.count(action) > 0;
}

std::pair<std::string, int> DomainService::Window(const std::string& action) const {
  auto it = product_.actions.find(action);
  return it == product_.actions.end() ? product_.unknown_window : it->second;
}

ApiResponse DomainService::Dispatch(const std::string& action, const Params& params,
                                    const std::string& user, const std::string& request_id,
                                    bool json) {
  if (!Serves(action)) {
    return RenderError({404, "InvalidApi.NotFound",
                        "Specified api is not found, please check your url and method."},
                       request_id, json);
  }
  if (action.starts_with("Set")) return SetCertificate(action, params, user, request_id, json);
  if (action.ends_with("CertificateInfo")) {
    return DescribeCertificate(action, params, user, request_id, json);
  }
  return DescribeUserDomains(action, params, user, request_id, json);
}

ApiResponse DomainService::SetCertificate(const std::string& action, const Params& p,
                                          const std::string& user, const std::string& request_id,
                                          bool json) {
  // SetCdnDomainSSLCertificate and DCDN's SetDcdnDomainSSLCertificate take the same parameters.
  const bool v2 = action != "SetDomainServerCertificate";
  const std::string domain = Param(p, "DomainName");
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, DomainState>& domains = domains_;
  if (auto e = CheckDomain(domains, domain, user, /*write=*/true)) {
    return RenderError(*e, request_id, json);
  }
  const std::string switch_name = v2 ? "SSLProtocol" : "ServerCertificateStatus";
  const std::string on = Param(p, switch_name);
  if (on.empty()) return RenderError(Missing(switch_name), request_id, json);
  if (on != "on" && on != "off") {
    return RenderError({400, "Invalid" + switch_name + ".ValueNotSupported",
                        "The specified value of parameter " + switch_name + " is not supported."},
                       request_id, json);
  }
  DomainState next = domains[domain];
  next.https = on == "on";
  next.updated_at = engine::FormatUtc(engine::ToUnixSeconds(context_.clock.Now()));
  next.last_request_id = request_id;
  const ServedCertificate before = ServedBy(domains[domain]);
  if (!next.https) {
    next.cert_pem.clear();
    context_.edge.Changed(domain, before);
    domains[domain] = next;
    return RenderSuccess(action, {{"RequestId", request_id}}, json);
  }
  const std::string type = Param(p, "CertType").empty() ? "upload" : Param(p, "CertType");
  const std::string name = Param(p, "CertName");
  if (name.size() > 128) {
    return RenderError({400, "InvalidCertName.TooLong",
                        "The Certificate name you provided is over the max length 128!"},
                       request_id, json);
  }
  if (type == "cas") {
    const std::string id = Param(p, "CertId");
    // CAS answers under its own lock (cas_directory.h: domain service, then CAS).
    const std::optional<CasCertificate> found =
        v2 ? cas_.FindById(user, id) : cas_.FindByName(user, name);
    if (v2 && id.empty()) return RenderError(Missing("CertId"), request_id, json);
    if (!found) {
      return RenderError({400, "Certificate.NotFind", "Not find the certificate info."}, request_id,
                         json);
    }
    next.cert_type = "cas";
    next.cert_name = found->name;
    next.cert_id = found->id;
    next.cert_pem = found->pem;
    next.cert_region = Param(p, "CertRegion");
  } else if (type == "upload") {
    const std::string pub_name = v2 ? "SSLPub" : "ServerCertificate";
    const std::string pri_name = v2 ? "SSLPri" : "PrivateKey";
    const std::string pub = Param(p, pub_name), pri = Param(p, pri_name);
    if (pub.empty()) return RenderError(Missing(pub_name), request_id, json);
    if (pri.empty()) return RenderError(Missing(pri_name), request_id, json);
    std::string fingerprint;
    if (auto e = CheckUpload(pub, pri, &fingerprint)) return RenderError(*e, request_id, json);
    const std::string cert_name = name.empty() ? domain + "-" + fingerprint.substr(0, 8) : name;
    auto& uploads = uploads_[user];
    auto prior = uploads.find(cert_name);
    // Only SetDomainServerCertificate knows ForceSet; SetCdnDomainSSLCertificate has none.
    const bool force = !v2 && Param(p, "ForceSet") == "1";
    if (prior != uploads.end() && prior->second != fingerprint && !force) {
      return RenderError({400, "Certificate.Duplicated", "The certificate name is duplicated."},
                         request_id, json);
    }
    uploads[cert_name] = fingerprint;
    next.cert_type = "upload";
    next.cert_name = cert_name;
    next.cert_id = cas_.NewCertId();
    next.cert_pem = pub;
    context_.edge.KeepKey(pri);  // for the edge's handshakes only, never shown
  } else {
    return RenderError({400, "InvalidCertType.ValueNotSupported",
                        "The specified value of parameter CertType is not supported."},
                       request_id, json);
  }
  if (ServedBy(next) != before) context_.edge.Changed(domain, before);
  domains[domain] = next;
  return RenderSuccess(action, {{"RequestId", request_id}}, json);
}

// The CDN's DescribeDomainCertificateInfo answers ServerCertificateStatus and ServerCertificate;
// DCDN's DescribeDcdnDomainCertificateInfo names them SSLProtocol and SSLPub (DCDN API reference).
ApiResponse DomainService::DescribeCertificate(const std::string& action, const Params& p,
                                               const std::string& user,
                                               const std::string& request_id, bool json) {
  const bool dcdn = action == "DescribeDcdnDomainCertificateInfo";
  const std::string domain = Param(p, "DomainName");
  std::lock_guard<std::mutex> lock(mu_);
  const std::map<std::string, DomainState>& domains = domains_;
  if (auto e = CheckDomain(domains, domain, user, /*write=*/false)) {
    return RenderError(*e, request_id, json);
  }
  const DomainState& d = domains.at(domain);
  nlohmann::json info = {{"DomainName", domain},
                         {dcdn ? "SSLProtocol" : "ServerCertificateStatus", d.https ? "on" : "off"},
                         {"Status", "success"}};
  if (!dcdn) info["DomainCnameStatus"] = "ok";
  if (d.https) {
    info["CertName"] = d.cert_name;
    info["CertType"] = d.cert_type;
    info["CertId"] = std::to_string(d.cert_id);  // a string here, as the real API
    info["CertRegion"] = d.cert_region.empty() ? "cn-hangzhou" : d.cert_region;
    info[dcdn ? "SSLPub" : "ServerCertificate"] = d.cert_pem;
    info["CertUpdateTime"] = d.updated_at;
    engine::CertificateChain chain;
    if (engine::CertificateChain::Parse(d.cert_pem, &chain).ok()) {
      engine::CertificateInfo ci = chain.Inspect();
      info["CertDomainName"] = ci.sans.empty() ? "" : ci.sans.front();
      info["CertStartTime"] = engine::FormatUtc(ci.not_before);
      info["CertExpireTime"] = engine::FormatUtc(ci.not_after);
      info["CertOrg"] = ci.issuer;
    }
  }
  nlohmann::json doc = {{"RequestId", request_id},
                        {"CertInfos", {{"CertInfo", nlohmann::json::array({info})}}}};
  return RenderSuccess(action, doc, json);
}

// DescribeUserDomains (shared/docs/alibaba-cdn-api.md §2.3, DOCS-CDN DescribeUserDomains.md):
// PageSize 1-50, default 20; PageNumber from 1; TotalCount over all pages; Domains.PageData[]
// with DomainName, DomainStatus and SslProtocol. The error code for a PageSize out of range is
// not documented: the emulator refuses it (the harsher reading) as InvalidParameter.
// DescribeDcdnUserDomains answers the same shape for DCDN; its page size range is not confirmed
// and taken to be the CDN's (the harsher reading).
ApiResponse DomainService::DescribeUserDomains(const std::string& action, const Params& p,
                                               const std::string& user,
                                               const std::string& request_id, bool json) {
  const std::string size_text = Param(p, "PageSize");
  const int64_t size = size_text.empty() ? 20 : std::atoll(size_text.c_str());
  const int64_t page =
      Param(p, "PageNumber").empty() ? 1 : std::atoll(Param(p, "PageNumber").c_str());
  if (size < 1 || size > 50 || page < 1 || page > 100000) {
    return RenderError({400, "InvalidParameter", "PageSize must be 1-50, PageNumber 1-100000."},
                       request_id, json);
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::string, const DomainState*>> mine;
  for (const auto& [name, d] : domains_) {
    if (d.user == user) mine.emplace_back(name, &d);
  }
  nlohmann::json rows = nlohmann::json::array();
  for (int64_t i = (page - 1) * size; i < page * size && i < static_cast<int64_t>(mine.size());
       ++i) {
    const auto& [name, d] = mine[static_cast<size_t>(i)];
    rows.push_back({{"DomainName", name},
                    {"DomainStatus", d->status},
                    {"SslProtocol", d->https ? "on" : "off"},
                    {"CdnType", "web"}});
  }
  return RenderSuccess(action,
                       {{"RequestId", request_id},
                        {"PageNumber", page},
                        {"PageSize", size},
                        {"TotalCount", mine.size()},
                        {"Domains", {{"PageData", rows}}}},
                       json);
}

bool DomainService::Put(const std::string& name, const nlohmann::json& c, std::string* error) {
  std::lock_guard<std::mutex> lock(mu_);
  try {
    DomainState& d = domains_[name];
    const auto& accounts = context_.config.accounts;
    if (d.user.empty()) d.user = accounts.empty() ? "" : accounts.front().user;
    d.user = c.value("user", d.user);
    d.status = c.value("status", d.status);
    d.https = c.value("https", d.https);
    d.cert_name = c.value("cert_name", d.cert_name);
    d.cert_type = c.value("cert_type", d.cert_type);
    d.cert_id = c.value("cert_id", d.cert_id);
    if (c.contains("cert_pem")) d.cert_pem = c["cert_pem"].get<std::string>();
    if (c.contains("cert_key")) context_.edge.KeepKeyAlways(c["cert_key"].get<std::string>());
    if (!d.https) d.cert_pem.clear();
    d.updated_at = engine::FormatUtc(engine::ToUnixSeconds(context_.clock.Now()));
    return true;
  } catch (const nlohmann::json::exception& e) {
    *error = e.what();
    return false;
  }
}

std::optional<ServedCertificate> DomainService::Served(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = domains_.find(name);
  if (it == domains_.end() || it->second.status != "online") return std::nullopt;
  return ServedBy(it->second);
}

bool DomainService::Remove(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  return domains_.erase(name) > 0;
}

bool DomainService::BoundDomainMatches(const std::string& user, int64_t cert_id,
                                       const std::string& keyword) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, d] : domains_) {
    if (d.user == user && d.https && d.cert_id == cert_id &&
        name.find(keyword) != std::string::npos) {
      return true;
    }
  }
  return false;
}

void DomainService::AddState(nlohmann::json* state) const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json doc = nlohmann::json::object();
  for (const auto& [name, d] : domains_) {
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
  (*state)[product_.state_key] = doc;
}

}  // namespace certform::emulator
