#include "providers/alicloud/emulator/certificate_action.h"

#include "engine/config/certificate.h"
#include "providers/alicloud/emulator/cdn_emulator.h"

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

}  // namespace

std::string FingerprintOf(const std::string& pem) {
  if (pem.empty()) return "";
  engine::CertificateChain chain;
  if (!engine::CertificateChain::Parse(pem, &chain).ok()) return "";
  return chain.Inspect().fingerprint;
}

std::optional<ApiError> CheckUpload(const std::string& cert_pem, const std::string& key_pem,
                                    std::string* fingerprint) {
  engine::CertificateChain chain;
  if (!engine::CertificateChain::Parse(cert_pem, &chain).ok()) {
    return ApiError{400, "Certificate.FormatError", "The format of the certificate is invalid."};
  }
  engine::PrivateKey key;
  if (!engine::PrivateKey::Parse(key_pem, &key).ok()) {
    return ApiError{400, "Key.Malformed", "The private key format is error."};
  }
  if (!key.Matches(chain)) {
    return ApiError{400, "Certificate.MissMatch", "The certificate is not match the private key."};
  }
  *fingerprint = chain.Inspect().fingerprint;
  return std::nullopt;
}

ApiResponse CdnEmulator::SetCertificate(const std::string& action, const alicloud::Params& p,
                                        const std::string& user, const std::string& request_id,
                                        bool json) {
  // SetCdnDomainSSLCertificate and DCDN's SetDcdnDomainSSLCertificate take the same parameters.
  const bool v2 = action != "SetDomainServerCertificate";
  std::map<std::string, DomainState>& domains = DomainsOf(action);
  const std::string domain = Param(p, "DomainName");
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
  next.updated_at = engine::FormatUtc(engine::ToUnixSeconds(clock_.Now()));
  next.last_request_id = request_id;
  if (!next.https) {
    next.cert_pem.clear();
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
    const CasCertificate* found = nullptr;
    for (const CasCertificate& c : cas_) {
      bool match = v2 ? std::to_string(c.id) == id : c.name == name;
      if (match && c.user == user) found = &c;
    }
    if (v2 && id.empty()) return RenderError(Missing("CertId"), request_id, json);
    if (found == nullptr) {
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
    next.cert_id = ++next_cert_id_;
    next.cert_pem = pub;  // the key is checked and dropped: the emulator never keeps it
  } else {
    return RenderError({400, "InvalidCertType.ValueNotSupported",
                        "The specified value of parameter CertType is not supported."},
                       request_id, json);
  }
  domains[domain] = next;
  return RenderSuccess(action, {{"RequestId", request_id}}, json);
}

// The CDN's DescribeDomainCertificateInfo answers ServerCertificateStatus and ServerCertificate;
// DCDN's DescribeDcdnDomainCertificateInfo names them SSLProtocol and SSLPub (DCDN API reference).
ApiResponse CdnEmulator::DescribeCertificate(const std::string& action, const alicloud::Params& p,
                                             const std::string& user, const std::string& request_id,
                                             bool json) {
  const bool dcdn = action == "DescribeDcdnDomainCertificateInfo";
  const std::map<std::string, DomainState>& domains = DomainsOf(action);
  const std::string domain = Param(p, "DomainName");
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
ApiResponse CdnEmulator::DescribeUserDomains(const std::string& action, const alicloud::Params& p,
                                             const std::string& user, const std::string& request_id,
                                             bool json) {
  const std::string size_text = Param(p, "PageSize");
  const int64_t size = size_text.empty() ? 20 : std::atoll(size_text.c_str());
  const int64_t page =
      Param(p, "PageNumber").empty() ? 1 : std::atoll(Param(p, "PageNumber").c_str());
  if (size < 1 || size > 50 || page < 1 || page > 100000) {
    return RenderError({400, "InvalidParameter", "PageSize must be 1-50, PageNumber 1-100000."},
                       request_id, json);
  }
  std::vector<std::pair<std::string, const DomainState*>> mine;
  for (const auto& [name, d] : DomainsOf(action)) {
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

}  // namespace certform::emulator
