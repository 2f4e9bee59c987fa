// Sources: the SLB API reference pages of UploadServerCertificate, DescribeServerCertificates and
// DeleteServerCertificate (D:
// alibabacloud.com/help/en/slb/classic-load-balancer/developer-reference/
// api-slb-2014-05-15-<action>; their Chinese originals in AlibabaCloudDocs/slb, cn.zh-CN/API参考/
// 服务器证书/), SLB's common error codes (D: "Common error codes", CLB Developer Guide,
// https://error-center.alibabacloud.com/status/product/Slb) and the CLB quotas (D: "Manage CLB
// quotas", slb_quota_certs_num; cn.zh-CN/产品限制/使用限制.md). "U" marks a reading of ours.
#include "providers/alicloud/emulator/clb_store.h"

#include <algorithm>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "engine/base/clock.h"
#include "engine/base/digest.h"
#include "engine/config/certificate.h"

namespace certform::emulator {

namespace {

// The leaf's SHA-1, lower-case hex pairs joined by ':' (D: the samples of UploadServerCertificate
// and DescribeServerCertificates, "68:08:1a:f8:...:0d", 20 bytes; U: the algorithm, which the
// pages do not name: the sample's length is SHA-1's).
std::string Sha1Fingerprint(const engine::CertificateChain& chain) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (X509_digest(chain.leaf(), EVP_sha1(), md, &n) != 1) return "";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) out += fmt::format("{}{:02x}", i ? ":" : "", md[i]);
  return out;
}

// The CN of an RFC 2253 subject ("CN=www.example.com,O=Example"), "" when it has none.
std::string CommonNameOf(const std::string& subject) {
  size_t at = subject.rfind("CN=", 0) == 0 ? 0 : subject.find(",CN=");
  if (at == std::string::npos) return "";
  at += at == 0 ? 3 : 4;
  std::string cn;
  for (size_t i = at; i < subject.size() && subject[i] != ','; ++i) {
    if (subject[i] == '\\' && i + 1 < subject.size()) ++i;
    cn += subject[i];
  }
  return cn;
}

// AliCloudCertificateId of a CAS copy. The pages show more than one shape (D): the upload's
// current sample "1501739" (doc 34181), "775****" (its request example), and the older examples'
// "7309xxxxxxxx_15d97e7709a_71445759hr_789289731" (doc 34183's response table; doc 34181's
// request and response tables); a string field, no shape stated. kDecimal, the default, is the
// current sample's. kIdRegion is the shape other products write CAS ids in (OSS's CertId,
// "ID-REGION"; U: no SLB page shows it); kLegacy is the older examples' shape (U: how its parts
// derive from the CAS id is not documented; ours ends in the id, the rest is of the user and
// the copy's time).
std::string CasIdText(const ClbServerCertificate& c, ClbCasIdShape shape) {
  if (c.cas_id == 0) return "0";
  switch (shape) {
    case ClbCasIdShape::kIdRegion:
      return fmt::format("{}-{}", c.cas_id, c.cas_region);
    case ClbCasIdShape::kLegacy: {
      const std::string digest = engine::Sha256Hex(c.user);
      std::string account;
      for (size_t i = 0; account.size() < 12; ++i) {
        account += static_cast<char>('1' + static_cast<unsigned char>(digest[i]) % 9);
      }
      return fmt::format("{}_{:x}_{:08}hr_{}", account, c.create_unix * 1000, c.cas_id % 100000000,
                         c.cas_id);
    }
    case ClbCasIdShape::kDecimal:
      break;
  }
  return std::to_string(c.cas_id);
}

}  // namespace

const char* ClbCasIdShapeName(ClbCasIdShape shape) {
  switch (shape) {
    case ClbCasIdShape::kIdRegion:
      return "id-region";
    case ClbCasIdShape::kLegacy:
      return "legacy";
    case ClbCasIdShape::kDecimal:
      break;
  }
  return "decimal";
}

bool ParseClbCasIdShape(const std::string& name, ClbCasIdShape* shape) {
  for (ClbCasIdShape s :
       {ClbCasIdShape::kDecimal, ClbCasIdShape::kIdRegion, ClbCasIdShape::kLegacy}) {
    if (name == ClbCasIdShapeName(s)) {
      *shape = s;
      return true;
    }
  }
  return false;
}

nlohmann::json ClbServerCertificate::Json(ClbCasIdShape shape) const {
  // The fields of DescribeServerCertificates' entries (D: its page's response table and JSON
  // sample). A certificate given by content has AliCloudCertificateId "0" and an empty name, as
  // the sample's second entry; SubjectAlternativeNames nests its list under
  // SubjectAlternativeName, SLB's rendering of a list (D: doc-detail 34181 names the entry
  // SubjectAlternativeName; U: the JSON nesting, which no sample shows).
  return {{"ServerCertificateId", id},
          {"ServerCertificateName", name},
          {"RegionId", region},
          {"RegionIdAlias", region},
          {"Fingerprint", fingerprint},
          {"CommonName", common_name},
          {"SubjectAlternativeNames", {{"SubjectAlternativeName", sans}}},
          {"ExpireTime", engine::FormatUtc(expire_unix)},
          {"ExpireTimeStamp", expire_unix * 1000},
          {"CreateTime", engine::FormatUtc(create_unix)},
          {"CreateTimeStamp", create_unix * 1000},
          {"IsAliCloudCertificate", cas_id != 0 ? 1 : 0},
          {"AliCloudCertificateId", CasIdText(*this, shape)},
          {"AliCloudCertificateName", cas_name}};
}

bool ReadCertificate(const std::string& pem, ClbServerCertificate* out) {
  engine::CertificateChain chain;
  if (!engine::CertificateChain::Parse(pem, &chain).ok()) return false;
  const engine::CertificateInfo info = chain.Inspect();
  out->pem = chain.ToPem();
  out->fingerprint = Sha1Fingerprint(chain);
  out->common_name = CommonNameOf(info.subject);
  out->sans = info.sans;
  out->expire_unix = info.not_after;
  return true;
}

// The codes of SLB's common table (D): KeyFormatError for a certificate that does not parse,
// PrivateKeyEncryption for an encrypted key, InvalidParameter "key format is error" for another
// key that does not parse, CertificateNotMatchPrivateKey when they do not match; all 400.
std::optional<ApiError> CheckContent(const std::string& cert_pem, const std::string& key_pem,
                                     ClbServerCertificate* out) {
  engine::CertificateChain chain;
  if (!engine::CertificateChain::Parse(cert_pem, &chain).ok() || !ReadCertificate(cert_pem, out)) {
    return ApiError{400, "KeyFormatError",
                    "The specified ServerCertificate is incorrectly formatted."};
  }
  engine::PrivateKey key;
  const engine::Status parsed = engine::PrivateKey::Parse(key_pem, &key);
  if (!parsed.ok()) {
    if (parsed.message().find("encrypted") != std::string::npos) {
      return ApiError{400, "PrivateKeyEncryption", "Key has Encrypted ."};
    }
    return ApiError{400, "InvalidParameter", "The specified parameter key format is error."};
  }
  if (!key.Matches(chain)) {
    return ApiError{400, "CertificateNotMatchPrivateKey", "Certificate and key does not match."};
  }
  return std::nullopt;
}

// The quota's code is not in the upload page (U): OverQuota, "The Total is over the quota.", the
// code SLB's common table gives for a total over its quota, 400.
ApiError ClbQuotaExceeded() {
  return {400, "OverQuota",
          fmt::format("The Total is over the quota. (server certificates per region: {})",
                      kClbCertificateQuota)};
}

std::optional<ApiError> ClbStore::Add(ClbServerCertificate c, ClbServerCertificate* out) {
  if (Of(c.user, c.region).size() >= kClbCertificateQuota) return ClbQuotaExceeded();
  c.id = NewId(c.user, c.create_unix);
  certificates_.push_back(std::move(c));
  *out = certificates_.back();
  return std::nullopt;
}

const ClbServerCertificate* ClbStore::Find(const std::string& user, const std::string& region,
                                           const std::string& id) const {
  for (const ClbServerCertificate& c : certificates_) {
    if (c.user == user && c.region == region && c.id == id) return &c;
  }
  return nullptr;
}

bool ClbStore::Remove(const std::string& user, const std::string& region, const std::string& id) {
  return std::erase_if(certificates_, [&](const ClbServerCertificate& c) {
           return c.user == user && c.region == region && c.id == id;
         }) > 0;
}

std::vector<const ClbServerCertificate*> ClbStore::Of(const std::string& user,
                                                      const std::string& region) const {
  std::vector<const ClbServerCertificate*> out;
  for (const ClbServerCertificate& c : certificates_) {
    if ((user.empty() || c.user == user) && c.region == region) out.push_back(&c);
  }
  return out;
}

void ClbStore::Reset() { certificates_.clear(); }

// The docs' shape: the account id, the upload's time in hexadecimal milliseconds, then two
// numbers ("1231579xxxxxxxx_166f8204689_1714763408_709981xxx"; D: UploadServerCertificate,
// SetDomainExtensionAttribute examples). The account id is derived from the user (U); the
// sequence makes every id unique, across regions too.
std::string ClbStore::NewId(const std::string& user, int64_t create_unix) {
  const std::string digest = engine::Sha256Hex(user);
  std::string account;
  for (size_t i = 0; account.size() < 16; ++i) {
    account += static_cast<char>('0' + static_cast<unsigned char>(digest[i % digest.size()]) % 10);
  }
  if (account[0] == '0') account[0] = '1';
  ++sequence_;
  const std::string salt = engine::Sha256Hex(fmt::format("{}/{}", user, sequence_));
  uint64_t tail = 0;
  for (char ch : salt.substr(0, 12))
    tail = tail * 16 + static_cast<uint64_t>(std::stoi(std::string(1, ch), nullptr, 16));
  return fmt::format("{}_{:x}_{}_{}", account,
                     create_unix * 1000 + static_cast<int64_t>(sequence_ % 1000),
                     1000000000 + sequence_, 100000000 + tail % 900000000);
}

}  // namespace certform::emulator
