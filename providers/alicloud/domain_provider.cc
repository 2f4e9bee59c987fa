#include "providers/alicloud/domain_provider.h"

#include "engine/config/certificate.h"

namespace certform::alicloud {

namespace {

std::string StringField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return "";
}

}  // namespace

engine::Status DomainProvider::ListDomains(const char* action, int page, int page_size,
                                           const std::string& product,
                                           std::vector<engine::Address>* domains, int64_t* total,
                                           engine::CallResult* result) {
  nlohmann::json body;
  engine::Status s = client_.Call(
      action, {{"PageNumber", std::to_string(page)}, {"PageSize", std::to_string(page_size)}},
      &body, result);
  if (!s.ok()) return s;
  auto list = body.find("Domains");
  if (list == body.end() || !list->is_object() || !list->contains("PageData") ||
      !(*list)["PageData"].is_array()) {
    return engine::Status::Corruption(std::string(action) + " answered without Domains.PageData");
  }
  const std::string count = StringField(body, "TotalCount");
  *total = std::strtoll(count.c_str(), nullptr, 10);
  for (const nlohmann::json& item : (*list)["PageData"]) {
    if (!item.is_object()) continue;
    const std::string name = StringField(item, "DomainName");
    if (!name.empty()) domains->push_back({product, {}, name});
  }
  return engine::Status::OK();
}

engine::Status DomainProvider::ReadCertInfo(const CertInfoFields& fields, const std::string& domain,
                                            engine::LiveBinding* live, engine::CallResult* result) {
  nlohmann::json body;
  engine::Status s = client_.Call(fields.action, {{"DomainName", domain}}, &body, result);
  if (s.IsNotFound() && result->error_code == "InvalidDomain.NotFound") {
    *live = engine::LiveBinding{};
    return engine::Status::OK();
  }
  if (!s.ok()) return s;
  return ParseCertInfo(fields, body, domain, live);
}

engine::Status DomainProvider::SendBinding(const std::string& action, Params params,
                                           engine::CallResult* result) {
  nlohmann::json body;
  engine::Status s = client_.Call(action, params, &body, result);
  for (auto& [name, value] : params) {
    if (IsSecretParameter(name)) engine::WipeSecret(&value);
  }
  return s;
}

Params SslBindingParams(const engine::BindingRequest& r) {
  Params p = {{"DomainName", r.address.domain}, {"SSLProtocol", r.https ? "on" : "off"}};
  if (!r.https) return p;
  p.emplace_back("CertType", r.cert_type);
  if (!r.cert_name.empty()) p.emplace_back("CertName", r.cert_name);
  if (r.cert_type == "upload") {
    p.emplace_back("SSLPub", r.cert_pem);
    p.emplace_back("SSLPri", r.key_pem);
  } else {
    // The SSL-style calls pick a CAS certificate by id.
    if (r.cert_id != 0) p.emplace_back("CertId", std::to_string(r.cert_id));
    if (!r.cert_region.empty()) p.emplace_back("CertRegion", r.cert_region);
  }
  return p;
}

engine::Status ParseCertInfo(const CertInfoFields& fields, const nlohmann::json& body,
                             const std::string& domain, engine::LiveBinding* live) {
  const std::string what = std::string(fields.action) + " answer for " + domain;
  auto infos = body.find("CertInfos");
  if (infos == body.end() || !infos->is_object() || !infos->contains("CertInfo") ||
      !(*infos)["CertInfo"].is_array()) {
    return engine::Status::Corruption(what + " has no CertInfos.CertInfo list");
  }
  *live = engine::LiveBinding{};
  live->exists = true;
  const nlohmann::json& list = (*infos)["CertInfo"];
  const nlohmann::json* info = nullptr;
  for (const nlohmann::json& item : list) {
    if (item.is_object() && (StringField(item, "DomainName") == domain || info == nullptr)) {
      info = &item;
    }
  }
  if (info == nullptr) return engine::Status::OK();  // known domain, nothing configured
  live->https = StringField(*info, fields.https) == "on";
  live->cert_name = StringField(*info, "CertName");
  live->cert_type = StringField(*info, "CertType");
  std::string id = StringField(*info, "CertId");
  live->cert_id = id.empty() ? 0 : std::strtoll(id.c_str(), nullptr, 10);
  const std::string pem = StringField(*info, fields.pem);
  if (!pem.empty()) {
    engine::CertificateChain chain;
    engine::Status s = engine::CertificateChain::Parse(pem, &chain);
    if (!s.ok()) return engine::Status::Corruption(what + ": served " + s.message());
    engine::CertificateInfo ci = chain.Inspect();
    live->fingerprint = ci.fingerprint;
    live->chain_digest = ci.chain_digest;
    live->not_after = ci.not_after;
  }
  return engine::Status::OK();
}

}  // namespace certform::alicloud
