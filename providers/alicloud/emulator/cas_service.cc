// The emulator's Certificate Management Service (CAS, API version 2020-04-07): the calls certform
// uses to upload a certificate once and bind domains to it by id.
//
// Documented: UploadUserCertificate takes Name (at most 63 characters, unique per account), Cert
// and Key and returns CertId; a taken name answers NameRepeat; content is not de-duplicated.
// ListUserCertificateOrder (OrderType=UPLOAD, CurrentPage, ShowSize, Keyword) lists certificates;
// its Keyword matches the domain names a certificate is bound to or its resource id, not the
// certificate's name (CAS API 2020-04-07, English and Chinese docs; shared/docs/alibaba-cdn-api.md
// "CAS ListUserCertificateOrder Keyword"), so a lookup by name through Keyword finds nothing here
// either. Whether DeleteUserCertificate refuses a certificate that domains use is not documented:
// the emulator takes the harsher reading and deletes it (the domains keep serving their copy), so
// that only certform's own checks can keep a certificate in use.
// Unconfirmed, modelled here: the error codes other than NameRepeat, the list's Sha2 field (taken
// to be the SHA-256 of the leaf's DER in hex), and GetUserCertificateDetail returning Cert and Key
// unless CertFilter=true (the emulator keeps no key and answers a placeholder, so that clients
// are tested against a key in the answer).
#include "providers/alicloud/emulator/cas_service.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/config/certificate.h"
#include "providers/alicloud/emulator/certificate_check.h"

namespace certform::emulator {

namespace {

constexpr size_t kMaxCasName = 63;
constexpr char kKeyPlaceholder[] =
    // Split so that secret scanners do not take this placeholder for a committed key.
    "-----BEGIN PRIVATE "
    "KEY-----\nemulator-does-not-keep-keys\n-----END PRIVATE "
    "KEY-----\n";

ApiError NotFoundError() { return {400, "NotFound", "The certificate does not exist."}; }

nlohmann::json Summary(const CasCertificate& c) {
  nlohmann::json j = {{"CertificateId", c.id}, {"Name", c.name}, {"Sha2", FingerprintOf(c.pem)}};
  engine::CertificateChain chain;
  if (engine::CertificateChain::Parse(c.pem, &chain).ok()) {
    const engine::CertificateInfo info = chain.Inspect();
    j["CommonName"] = info.sans.empty() ? "" : info.sans.front();
    j["Sans"] = fmt::format("{}", fmt::join(info.sans, ","));
    j["EndDate"] = engine::FormatUtc(info.not_after).substr(0, 10);
  }
  return j;
}

}  // namespace

CasService::CasService(ServiceContext context) : RpcService(context) { Reset(); }

void CasService::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  cas_ = context_.config.cas_certificates;
}

bool CasService::Serves(const std::string& action) const {
  return action == "UploadUserCertificate" || action == "ListUserCertificateOrder" ||
         action == "GetUserCertificateDetail" || action == "DeleteUserCertificate";
}

std::pair<std::string, int> CasService::Window(const std::string& action) const {
  if (action == "UploadUserCertificate") return {"cas-upload", context_.config.cas_upload_limit};
  return {"cas-read", context_.config.cas_read_limit};
}

ApiResponse CasService::Dispatch(const std::string& action, const Params& p,
                                 const std::string& user, const std::string& request_id,
                                 bool json) {
  if (action == "UploadUserCertificate") return Upload(p, user, request_id, json);
  if (action == "ListUserCertificateOrder") return List(p, user, request_id, json);
  const std::string id = Param(p, "CertId");
  if (id.empty()) return RenderError(MissingParam("CertId"), request_id, json);
  std::lock_guard<std::mutex> lock(mu_);
  auto c = std::find_if(cas_.begin(), cas_.end(), [&](const CasCertificate& k) {
    return std::to_string(k.id) == id && k.user == user;
  });
  if (c == cas_.end()) return RenderError(NotFoundError(), request_id, json);
  if (action == "GetUserCertificateDetail") {
    nlohmann::json doc = Summary(*c);
    doc["RequestId"] = request_id;
    doc["Id"] = c->id;
    if (Param(p, "CertFilter") != "true") {
      doc["Cert"] = c->pem;
      doc["Key"] = kKeyPlaceholder;
      context_.flow.CountKeySent();
    }
    return RenderSuccess(action, doc, json);
  }
  // DeleteUserCertificate. Domains bound to it keep serving their copy.
  cas_.erase(c);
  return RenderSuccess(action, {{"RequestId", request_id}}, json);
}

ApiResponse CasService::Upload(const Params& p, const std::string& user,
                               const std::string& request_id, bool json) {
  const std::string name = Param(p, "Name");
  if (name.empty()) return RenderError(MissingParam("Name"), request_id, json);
  if (name.size() > kMaxCasName) {
    return RenderError({400, "InvalidName.Length", "The name is longer than 63 characters."},
                       request_id, json);
  }
  if (Param(p, "Cert").empty()) return RenderError(MissingParam("Cert"), request_id, json);
  if (Param(p, "Key").empty()) return RenderError(MissingParam("Key"), request_id, json);
  std::lock_guard<std::mutex> lock(mu_);
  for (const CasCertificate& c : cas_) {
    if (c.user == user && c.name == name) {
      return RenderError({400, "NameRepeat", "The certificate name already exists."}, request_id,
                         json);
    }
  }
  std::string fingerprint;
  if (auto e = CheckUpload(Param(p, "Cert"), Param(p, "Key"), &fingerprint)) {
    return RenderError(*e, request_id, json);
  }
  CasCertificate c{name, ++next_cert_id_, user, Param(p, "Cert"), /*uploaded=*/true};
  cas_.push_back(c);  // the key was checked and is not kept
  return RenderSuccess("UploadUserCertificate", {{"RequestId", request_id}, {"CertId", c.id}},
                       json);
}

ApiResponse CasService::List(const Params& p, const std::string& user,
                             const std::string& request_id, bool json) {
  const std::string type = Param(p, "OrderType").empty() ? "CPACK" : Param(p, "OrderType");
  const std::string keyword = Param(p, "Keyword");
  const int64_t page = std::max<int64_t>(1, std::atoll(Param(p, "CurrentPage").c_str()));
  const int64_t size = Param(p, "ShowSize").empty()
                           ? 50
                           : std::clamp<int64_t>(std::atoll(Param(p, "ShowSize").c_str()), 1, 100);
  std::vector<CasCertificate> listed;
  {
    std::lock_guard<std::mutex> lock(mu_);  // released before asking the CDN (lock order)
    for (const CasCertificate& c : cas_) {
      if (c.user == user && (type == "CERT" || (type == "UPLOAD" && c.uploaded))) {
        listed.push_back(c);
      }
    }
  }
  // Keyword: a domain the certificate is bound to, or its resource id (never its name).
  std::vector<const CasCertificate*> matching;
  for (const CasCertificate& c : listed) {
    if (keyword.empty() || std::to_string(c.id) == keyword ||
        (bindings_ != nullptr && bindings_->BoundDomainMatches(user, c.id, keyword))) {
      matching.push_back(&c);
    }
  }
  nlohmann::json list = nlohmann::json::array();
  for (int64_t i = (page - 1) * size; i < page * size && i < static_cast<int64_t>(matching.size());
       ++i) {
    list.push_back(Summary(*matching[static_cast<size_t>(i)]));
  }
  return RenderSuccess("ListUserCertificateOrder",
                       {{"RequestId", request_id},
                        {"TotalCount", matching.size()},
                        {"CurrentPage", page},
                        {"ShowSize", size},
                        {"CertificateOrderList", list}},
                       json);
}

int64_t CasService::Put(CasCertificate certificate) {
  std::lock_guard<std::mutex> lock(mu_);
  if (certificate.id == 0) certificate.id = ++next_cert_id_;
  for (CasCertificate& c : cas_) {
    if (c.id == certificate.id) {
      c = certificate;
      return c.id;
    }
  }
  cas_.push_back(certificate);
  return certificate.id;
}

bool CasService::Remove(int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto before = cas_.size();
  std::erase_if(cas_, [&](const CasCertificate& c) { return c.id == id; });
  return cas_.size() != before;
}

std::optional<CasCertificate> CasService::FindById(const std::string& user,
                                                   const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<CasCertificate> found;
  for (const CasCertificate& c : cas_) {
    if (std::to_string(c.id) == id && c.user == user) found = c;
  }
  return found;
}

std::optional<CasCertificate> CasService::FindByName(const std::string& user,
                                                     const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<CasCertificate> found;
  for (const CasCertificate& c : cas_) {
    if (c.name == name && c.user == user) found = c;
  }
  return found;
}

CasCertificate CasService::Create(const std::string& name, const std::string& user,
                                  const std::string& pem) {
  std::lock_guard<std::mutex> lock(mu_);
  CasCertificate created{name, ++next_cert_id_, user, pem, /*uploaded=*/true};
  cas_.push_back(created);
  return created;
}

int64_t CasService::NewCertId() {
  std::lock_guard<std::mutex> lock(mu_);
  return ++next_cert_id_;
}

void CasService::AddState(nlohmann::json* state) const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json cas = nlohmann::json::array();
  for (const CasCertificate& c : cas_) {
    cas.push_back({{"id", c.id},
                   {"name", c.name},
                   {"user", c.user},
                   {"uploaded", c.uploaded},
                   {"fingerprint", FingerprintOf(c.pem)}});
  }
  (*state)["cas_certificates"] = cas;
}

}  // namespace certform::emulator
