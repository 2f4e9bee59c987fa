// The Classic Load Balancer's (CLB, SLB API 2014-05-15) server certificate store: certificates
// live per account and region, each a copy (by content, or of a CAS certificate) under an id of
// SLB's own shape, "ACCOUNT_HEXMILLIS_DIGITS_DIGITS" (the docs' examples,
// "1231579xxxxxxxx_166f8204689_1714763408_709981xxx"). At most kClbCertificateQuota per account
// and region. Never keeps a private key. Not thread-safe: its owner (ClbService) locks around it.
// clb_store.cc cites the source of each rule.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "providers/alicloud/emulator/api_response.h"

namespace certform::emulator {

// slb_quota_certs_num: server certificates per region (D: CLB quotas page; 使用限制,
// "每个地域可上传 的服务器证书数量 100").
inline constexpr size_t kClbCertificateQuota = 100;

// How a CAS copy's AliCloudCertificateId is written in answers (clb_store.cc says what the docs
// show): kDecimal, the CAS id ("1501739"); kIdRegion, the id and the CAS region
// ("1501739-cn-hangzhou"); kLegacy, the older examples' opaque shape
// ("7309xxxxxxxx_15d97e7709a_71445759hr_789289731").
enum class ClbCasIdShape { kDecimal, kIdRegion, kLegacy };
// "decimal", "id-region", "legacy" (the admin's names).
const char* ClbCasIdShapeName(ClbCasIdShape shape);
bool ParseClbCasIdShape(const std::string& name, ClbCasIdShape* shape);

struct ClbServerCertificate {
  std::string id;
  std::string name;
  std::string region, user;
  std::string pem;          // the chain (no key)
  std::string fingerprint;  // SHA-1 of the leaf, "68:08:1a:...", as the docs' samples
  std::string common_name;
  std::vector<std::string> sans;
  int64_t expire_unix = 0, create_unix = 0;
  int64_t cas_id = 0;  // 0: uploaded by content
  std::string cas_name;
  std::string cas_region;  // the CAS region a copy was taken from ("" for content)

  // The documented fields of one DescribeServerCertificates entry (and of an upload's answer),
  // AliCloudCertificateId in `shape`.
  nlohmann::json Json(ClbCasIdShape shape = ClbCasIdShape::kDecimal) const;
};

// What a certificate given by content or by CAS becomes: its fields read from `pem` (fingerprint,
// names, expiry); false when `pem` holds no certificate.
bool ReadCertificate(const std::string& pem, ClbServerCertificate* out);
// Checks a certificate and key given by content as UploadServerCertificate does; fills `out`'s
// fields from the certificate on success.
std::optional<ApiError> CheckContent(const std::string& cert_pem, const std::string& key_pem,
                                     ClbServerCertificate* out);

class ClbStore {
 public:
  // Adds `c` under a new id (its region and user say whose store); OverQuota when that store is
  // full. Returns the stored copy in `out`.
  std::optional<ApiError> Add(ClbServerCertificate c, ClbServerCertificate* out);
  // `user`'s certificate `id` in `region`, or null.
  const ClbServerCertificate* Find(const std::string& user, const std::string& region,
                                   const std::string& id) const;
  bool Remove(const std::string& user, const std::string& region, const std::string& id);
  // `user`'s certificates in `region` (every user's when `user` is empty), oldest first.
  std::vector<const ClbServerCertificate*> Of(const std::string& user,
                                              const std::string& region) const;
  const std::vector<ClbServerCertificate>& All() const { return certificates_; }
  void Reset();  // forgets every certificate; ids are never reused

 private:
  std::string NewId(const std::string& user, int64_t create_unix);

  std::vector<ClbServerCertificate> certificates_;  // in upload order
  uint64_t sequence_ = 0;
};

ApiError ClbQuotaExceeded();

}  // namespace certform::emulator
