#include "providers/alicloud/cas_certificates.h"

#include <fmt/format.h>

#include "engine/config/certificate.h"

namespace certform::alicloud {

namespace {

constexpr int kPageSize = 50;

int64_t IntField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return 0;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_string()) return std::strtoll(it->get<std::string>().c_str(), nullptr, 10);
  return 0;
}

std::string StringField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// Overwrites the private keys a detail answer carries (the plain one and the SM ones) before
// the document is released.
void WipeKey(nlohmann::json* body) {
  for (const char* key : {"Key", "EncryptPrivateKey", "SignPrivateKey"}) {
    auto it = body->find(key);
    if (it != body->end() && it->is_string()) engine::WipeSecret(&it->get_ref<std::string&>());
  }
}

}  // namespace

// RAM actions: CAS's RAM code is yundun-cert, each action named after its API ("RAM
// authorization" of each call's reference, e.g. yundun-cert:UploadUserCertificate,
// https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-uploadusercertificate;
// the list: https://help.aliyun.com/zh/ssl-certificate/developer-reference/api-cas-2020-04-07-ram).
engine::CallLimit CasCertificates::Limit(engine::CallKind kind) const {
  using engine::CallKind;
  switch (kind) {
    case CallKind::kUpload:
      return {"UploadUserCertificate", 100, {"yundun-cert:UploadUserCertificate"}};
    case CallKind::kListUploaded:
      return {"ListUserCertificateOrder", 10, {"yundun-cert:ListUserCertificateOrder"}};
    case CallKind::kGetCertificate:
      return {"GetUserCertificateDetail", 10, {"yundun-cert:GetUserCertificateDetail"}};
    case CallKind::kDeleteCertificate:
      return {"DeleteUserCertificate", 10, {"yundun-cert:DeleteUserCertificate"}};
    default:
      return engine::DefaultCallLimit(kind);
  }
}

engine::Status CasCertificates::Upload(const engine::UploadRequest& request, int64_t* cert_id,
                                       engine::CallResult* result) {
  Params params = {{"Name", request.name}, {"Cert", request.cert_pem}, {"Key", request.key_pem}};
  nlohmann::json body;
  engine::Status s = client_.Call("UploadUserCertificate", params, &body, result);
  for (auto& [name, value] : params) engine::WipeSecret(&value);
  if (!s.ok()) return s;
  *cert_id = IntField(body, "CertId");
  if (*cert_id <= 0) {
    return engine::Status::Corruption("UploadUserCertificate answered without a CertId");
  }
  return engine::Status::OK();
}

engine::Status CasCertificates::ListPage(int page, std::vector<engine::StoredCertificate>* list,
                                         int64_t* total, engine::CallResult* result) {
  const Params params = {{"OrderType", "UPLOAD"},
                         {"CurrentPage", std::to_string(page)},
                         {"ShowSize", std::to_string(kPageSize)}};
  nlohmann::json body;
  engine::Status s = client_.Call("ListUserCertificateOrder", params, &body, result);
  if (!s.ok()) return s;
  auto items = body.find("CertificateOrderList");
  if (items == body.end() || !items->is_array()) {
    return engine::Status::Corruption("ListUserCertificateOrder answered without a list");
  }
  *total = IntField(body, "TotalCount");
  for (const nlohmann::json& item : *items) {
    if (!item.is_object()) continue;
    list->push_back({IntField(item, "CertificateId"), StringField(item, "Name"), "", 0, ""});
  }
  return engine::Status::OK();
}

engine::Status CasCertificates::Get(int64_t cert_id, engine::StoredCertificate* found,
                                    engine::CallResult* result) {
  nlohmann::json body;
  engine::Status s = client_.Call("GetUserCertificateDetail", {{"CertId", std::to_string(cert_id)}},
                                  &body, result);
  WipeKey(&body);
  if (!s.ok()) return s;
  const std::string name = StringField(body, "Name");
  engine::CertificateChain chain;
  s = engine::CertificateChain::Parse(StringField(body, "Cert"), &chain);
  if (!s.ok()) return s.WithContext(fmt::format("the certificate CAS holds as CertId {}", cert_id));
  const engine::CertificateInfo info = chain.Inspect();
  *found = {cert_id, name, info.fingerprint, info.not_after, info.chain_digest};
  return engine::Status::OK();
}

engine::Status CasCertificates::Peek(int64_t cert_id, std::string* name,
                                     engine::CallResult* result) {
  nlohmann::json body;
  engine::Status s =
      client_.Call("GetUserCertificateDetail",
                   {{"CertId", std::to_string(cert_id)}, {"CertFilter", "true"}}, &body, result);
  WipeKey(&body);
  if (!s.ok()) return s;
  *name = StringField(body, "Name");
  return engine::Status::OK();
}

engine::Status CasCertificates::Delete(int64_t cert_id, engine::CallResult* result) {
  nlohmann::json body;
  return client_.Call("DeleteUserCertificate", {{"CertId", std::to_string(cert_id)}}, &body,
                      result);
}

}  // namespace certform::alicloud
