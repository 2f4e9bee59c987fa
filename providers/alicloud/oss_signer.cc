#include "providers/alicloud/oss_signer.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "providers/alicloud/signer.h"

namespace certform::alicloud {

namespace {

// The sub-resources OSS includes in the signature (doc 31951, "CanonicalizedResource").
constexpr std::array<std::string_view, 27> kSignedSubResources = {"acl",
                                                                  "uploads",
                                                                  "location",
                                                                  "cors",
                                                                  "logging",
                                                                  "website",
                                                                  "referer",
                                                                  "lifecycle",
                                                                  "delete",
                                                                  "append",
                                                                  "tagging",
                                                                  "objectMeta",
                                                                  "uploadId",
                                                                  "partNumber",
                                                                  "security-token",
                                                                  "position",
                                                                  "img",
                                                                  "style",
                                                                  "styleName",
                                                                  "replication",
                                                                  "replicationProgress",
                                                                  "replicationLocation",
                                                                  "cname",
                                                                  "bucketInfo",
                                                                  "comp",
                                                                  "qos",
                                                                  "live"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string OssCanonicalHeaders(const Headers& headers) {
  std::vector<std::pair<std::string, std::string>> oss;
  for (const auto& [name, value] : headers) {
    std::string lower = Lower(name);
    if (lower.starts_with("x-oss-")) oss.emplace_back(lower, std::string(Trim(value)));
  }
  std::sort(oss.begin(), oss.end());
  std::string out;
  for (const auto& [name, value] : oss) {
    out.append(name).append(":").append(value).append("\n");
  }
  return out;
}

std::string OssCanonicalResource(std::string_view bucket, std::string_view object,
                                 std::string_view query) {
  // A request to no bucket (ListBuckets) signs "/" alone.
  std::string out = bucket.empty() ? "/" : "/" + std::string(bucket) + "/" + std::string(object);
  std::vector<std::pair<std::string, std::string>> signed_params;
  for (const auto& [name, value] : ParseFormEncoded(query)) {
    if (std::find(kSignedSubResources.begin(), kSignedSubResources.end(), name) !=
        kSignedSubResources.end()) {
      signed_params.emplace_back(name, value);
    }
  }
  std::sort(signed_params.begin(), signed_params.end());
  for (size_t i = 0; i < signed_params.size(); ++i) {
    out += (i == 0 ? "?" : "&") + signed_params[i].first;
    if (!signed_params[i].second.empty()) out += "=" + signed_params[i].second;
  }
  return out;
}

std::string OssStringToSign(std::string_view verb, std::string_view content_md5,
                            std::string_view content_type, std::string_view date,
                            const Headers& headers, std::string_view canonical_resource) {
  std::string out;
  for (std::string_view part : {verb, content_md5, content_type, date}) {
    out += std::string(part) + "\n";
  }
  return out + OssCanonicalHeaders(headers) + std::string(canonical_resource);
}

std::string OssAuthorization(std::string_view access_key_id, std::string_view secret,
                             std::string_view string_to_sign) {
  return "OSS " + std::string(access_key_id) + ":" + HmacSha1Base64(secret, string_to_sign);
}

}  // namespace certform::alicloud
