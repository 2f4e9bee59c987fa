#include "providers/alicloud/signer_v3.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

#include "engine/base/digest.h"

namespace certform::alicloud {

namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

void SortHeaders(std::vector<std::pair<std::string, std::string>>* headers) {
  std::sort(headers->begin(), headers->end());
}

}  // namespace

std::string SignedHeaderNames(std::vector<std::pair<std::string, std::string>> headers) {
  SortHeaders(&headers);
  std::string out;
  for (const auto& [name, value] : headers) out += (out.empty() ? "" : ";") + name;
  return out;
}

std::string CanonicalRequestV3(const std::string& method, const std::string& path,
                               const Params& query,
                               std::vector<std::pair<std::string, std::string>> headers,
                               const std::string& hashed_payload) {
  SortHeaders(&headers);
  std::string canonical_headers;
  for (const auto& [name, value] : headers) canonical_headers += name + ":" + Trim(value) + "\n";
  return method + "\n" + path + "\n" + CanonicalQuery(query) + "\n" + canonical_headers + "\n" +
         SignedHeaderNames(headers) + "\n" + hashed_payload;
}

std::string SignV3(const std::string& secret, const std::string& canonical_request) {
  const std::string string_to_sign =
      std::string(kV3Algorithm) + "\n" + engine::Sha256Hex(canonical_request);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(string_to_sign.data()), string_to_sign.size(), mac,
       &len);
  return engine::HexEncode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

}  // namespace certform::alicloud
