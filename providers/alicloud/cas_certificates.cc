#include "providers/alicloud/cas_certificates.h"

#include <fmt/format.h>

#include "engine/certificate.h"

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

// Overwrites the private key a detail answer carries before the document is released.
void WipeKey(nlohmann::json* body) {
  auto it = body->find("Key");
  if (it != body->end() && it->is_string()) engine::WipeSecret(&it->get_ref<std::string&>());
}

}  // namespace

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

engine::Status CasCertificates::ListPage(const std::string& keyword, int page,
                                         std::vector<engine::StoredCertificate>* list,
                                         int64_t* total, engine::CallResult* result) {
  Params params = {{"OrderType", "UPLOAD"},
                   {"CurrentPage", std::to_string(page)},
                   {"ShowSize", std::to_string(kPageSize)}};
  if (!keyword.empty()) params.emplace_back("Keyword", keyword);
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
    list->push_back({IntField(item, "CertificateId"), StringField(item, "Name"), "", 0});
  }
  return engine::Status::OK();
}

engine::Status CasCertificates::ListUploaded(std::vector<engine::StoredCertificate>* list,
                                             engine::CallResult* result) {
  list->clear();
  int64_t total = 0;
  for (int page = 1;; ++page) {
    const size_t before = list->size();
    engine::Status s = ListPage("", page, list, &total, result);
    if (!s.ok()) return s;
    if (list->size() == before || static_cast<int64_t>(list->size()) >= total) break;
  }
  return engine::Status::OK();
}

engine::Status CasCertificates::Find(const std::string& name, engine::StoredCertificate* found,
                                     engine::CallResult* result) {
  std::vector<engine::StoredCertificate> list;
  int64_t total = 0;
  for (int page = 1;; ++page) {
    const size_t before = list.size();
    engine::Status s = ListPage(name, page, &list, &total, result);  // Keyword: a fuzzy match
    if (!s.ok()) return s;
    if (list.size() == before || static_cast<int64_t>(list.size()) >= total) break;
  }
  for (const engine::StoredCertificate& c : list) {
    if (c.name != name) continue;
    nlohmann::json body;
    engine::Status s = client_.Call("GetUserCertificateDetail",
                                    {{"CertId", std::to_string(c.cert_id)}}, &body, result);
    WipeKey(&body);
    if (!s.ok()) return s;
    engine::CertificateChain chain;
    s = engine::CertificateChain::Parse(StringField(body, "Cert"), &chain);
    if (!s.ok()) return s.WithContext("the certificate CAS holds as " + name);
    const engine::CertificateInfo info = chain.Inspect();
    *found = {c.cert_id, c.name, info.fingerprint, info.not_after};
    return engine::Status::OK();
  }
  return engine::Status::NotFound(fmt::format("no uploaded certificate is named {}", name));
}

engine::Status CasCertificates::Delete(int64_t cert_id, engine::CallResult* result) {
  nlohmann::json body;
  return client_.Call("DeleteUserCertificate", {{"CertId", std::to_string(cert_id)}}, &body,
                      result);
}

}  // namespace certform::alicloud
