#include "providers/alicloud/cdn_provider.h"

#include <fmt/format.h>

#include "engine/config/certificate.h"
#include "engine/config/config.h"

namespace certform::alicloud {

namespace {

std::string StringField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return "";
}

// DescribeUserDomains' largest page (documented range 1-50).
constexpr int kDomainPageSize = 50;

}  // namespace

CdnProvider::CdnProvider(RpcClient client, std::string api, std::unique_ptr<CasCertificates> cas,
                         double write_rate)
    : client_(std::move(client)),
      api_(std::move(api)),
      cas_(std::move(cas)),
      write_rate_(write_rate) {}

engine::CallLimit CdnProvider::Limit(engine::CallKind kind) const {
  using engine::CallKind;
  switch (kind) {
    case CallKind::kSetBinding: {
      // SetDomainServerCertificate 10/s per user, SetCdnDomainSSLCertificate 30/s per account.
      const double documented = api_ == engine::kApiSetCdnDomainSslCertificate
                                    ? engine::kSetCdnDomainSslCertificateLimit
                                    : engine::kSetDomainServerCertificateLimit;
      return {api_, write_rate_ > 0 ? write_rate_ : documented};
    }
    case CallKind::kReadBinding:
      return {"DescribeDomainCertificateInfo", 100};  // 100/s per user
    case CallKind::kListDomains:
      return {"DescribeUserDomains", 100};  // 100/s
    case CallKind::kUpload:
      return {"UploadUserCertificate", 100};  // CAS 2020-04-07: 100/s
    case CallKind::kListUploaded:
      return {"ListUserCertificateOrder", 10};  // CAS: 10/s
    // GetUserCertificateDetail and DeleteUserCertificate document no limit: the harsher reading,
    // the CAS listing's 10/s.
    case CallKind::kGetCertificate:
      return {"GetUserCertificateDetail", 10};
    case CallKind::kDeleteCertificate:
      return {"DeleteUserCertificate", 10};
  }
  return engine::DefaultCallLimit(kind);
}

engine::Status CdnProvider::NoCas() const {
  return engine::Status::Failed("the account does not upload through CAS (upload_via = \"cas\")");
}

engine::Status CdnProvider::UploadCertificate(const engine::UploadRequest& request,
                                              int64_t* cert_id, engine::CallResult* result) {
  return cas_ ? cas_->Upload(request, cert_id, result) : NoCas();
}

engine::Status CdnProvider::ListUploadedPage(int page, std::vector<engine::StoredCertificate>* list,
                                             int64_t* total, engine::CallResult* result) {
  return cas_ ? cas_->ListPage(page, list, total, result) : NoCas();
}

engine::Status CdnProvider::GetCertificate(int64_t cert_id, engine::StoredCertificate* found,
                                           engine::CallResult* result) {
  return cas_ ? cas_->Get(cert_id, found, result) : NoCas();
}

engine::Status CdnProvider::DeleteCertificate(int64_t cert_id, engine::CallResult* result) {
  return cas_ ? cas_->Delete(cert_id, result) : NoCas();
}

engine::Status CdnProvider::ListDomainsPage(int page, std::vector<std::string>* domains,
                                            int64_t* total, engine::CallResult* result) {
  nlohmann::json body;
  engine::Status s = client_.Call(
      "DescribeUserDomains",
      {{"PageNumber", std::to_string(page)}, {"PageSize", std::to_string(kDomainPageSize)}}, &body,
      result);
  if (!s.ok()) return s;
  auto list = body.find("Domains");
  if (list == body.end() || !list->is_object() || !list->contains("PageData") ||
      !(*list)["PageData"].is_array()) {
    return engine::Status::Corruption("DescribeUserDomains answered without Domains.PageData");
  }
  const std::string count = StringField(body, "TotalCount");
  *total = std::strtoll(count.c_str(), nullptr, 10);
  for (const nlohmann::json& item : (*list)["PageData"]) {
    if (!item.is_object()) continue;
    const std::string name = StringField(item, "DomainName");
    if (!name.empty()) domains->push_back(name);
  }
  return engine::Status::OK();
}

Params CdnProvider::SetBindingParams(const engine::BindingRequest& r) const {
  const bool v2 = api_ == engine::kApiSetCdnDomainSslCertificate;
  Params p = {{"DomainName", r.domain},
              {v2 ? "SSLProtocol" : "ServerCertificateStatus", r.https ? "on" : "off"}};
  if (!r.https) return p;
  p.emplace_back("CertType", r.cert_type);
  if (!r.cert_name.empty()) p.emplace_back("CertName", r.cert_name);
  if (r.cert_type == "upload") {
    p.emplace_back(v2 ? "SSLPub" : "ServerCertificate", r.cert_pem);
    p.emplace_back(v2 ? "SSLPri" : "PrivateKey", r.key_pem);
  } else if (v2) {
    // SetCdnDomainSSLCertificate picks a CAS certificate by id.
    if (r.cert_id != 0) p.emplace_back("CertId", std::to_string(r.cert_id));
    if (!r.cert_region.empty()) p.emplace_back("CertRegion", r.cert_region);
  }
  if (r.force_set && !v2) p.emplace_back("ForceSet", "1");  // no ForceSet in the newer call
  return p;
}

engine::Status CdnProvider::SetBinding(const engine::BindingRequest& request,
                                       engine::CallResult* result) {
  Params params = SetBindingParams(request);
  nlohmann::json body;
  engine::Status s = client_.Call(api_, params, &body, result);
  for (auto& [name, value] : params) {
    if (name == "PrivateKey" || name == "SSLPri") engine::WipeSecret(&value);
  }
  return s;
}

engine::Status CdnProvider::ReadBinding(const std::string& domain, engine::LiveBinding* live,
                                        engine::CallResult* result) {
  nlohmann::json body;
  engine::Status s =
      client_.Call("DescribeDomainCertificateInfo", {{"DomainName", domain}}, &body, result);
  if (s.IsNotFound() && result->error_code == "InvalidDomain.NotFound") {
    *live = engine::LiveBinding{};
    return engine::Status::OK();
  }
  if (!s.ok()) return s;
  return ParseCertificateInfo(body, domain, live);
}

engine::Status ParseCertificateInfo(const nlohmann::json& body, const std::string& domain,
                                    engine::LiveBinding* live) {
  const std::string what = "DescribeDomainCertificateInfo answer for " + domain;
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
  live->https = StringField(*info, "ServerCertificateStatus") == "on";
  live->cert_name = StringField(*info, "CertName");
  live->cert_type = StringField(*info, "CertType");
  std::string id = StringField(*info, "CertId");
  live->cert_id = id.empty() ? 0 : std::strtoll(id.c_str(), nullptr, 10);
  const std::string pem = StringField(*info, "ServerCertificate");
  if (!pem.empty()) {
    engine::CertificateChain chain;
    engine::Status s = engine::CertificateChain::Parse(pem, &chain);
    if (!s.ok()) return engine::Status::Corruption(what + ": served " + s.message());
    engine::CertificateInfo ci = chain.Inspect();
    live->fingerprint = ci.fingerprint;
    live->not_after = ci.not_after;
  }
  return engine::Status::OK();
}

}  // namespace certform::alicloud
