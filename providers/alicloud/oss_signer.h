// OSS request signing, signature V1 ("Authorization: OSS AccessKeyId:Signature"), as documented in
// "Include a V1 signature in the Authorization header" (OSS developer reference, doc 31951):
//   Signature = Base64(HMAC-SHA1(AccessKeySecret, VERB \n Content-MD5 \n Content-Type \n Date \n
//               CanonicalizedOSSHeaders CanonicalizedResource))
// CanonicalizedOSSHeaders: every x-oss-* header, name in lower case, sorted by name, "name:value\n"
// with the spaces around the value trimmed (x-oss-security-token included with STS credentials).
// CanonicalizedResource: "/BUCKET/OBJECT", then the signed sub-resources (cname, comp, acl, …)
// sorted by name, "?a&b=v". Used by the client to sign and by the emulator to verify; checked
// against the official example (signer tests).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace certform::alicloud {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The canonical x-oss-* headers of `headers` (any case), "" when there are none.
std::string OssCanonicalHeaders(const Headers& headers);

// "/BUCKET/OBJECT" plus the sub-resources of `query` (e.g. "cname&comp=add") that OSS signs,
// sorted: "/examplebucket/?cname&comp=add"; "/" for a request to no bucket (ListBuckets).
std::string OssCanonicalResource(std::string_view bucket, std::string_view object,
                                 std::string_view query);

std::string OssStringToSign(std::string_view verb, std::string_view content_md5,
                            std::string_view content_type, std::string_view date,
                            const Headers& headers, std::string_view canonical_resource);

// "OSS " + access_key_id + ":" + Base64(HMAC-SHA1(secret, string_to_sign)).
std::string OssAuthorization(std::string_view access_key_id, std::string_view secret,
                             std::string_view string_to_sign);

}  // namespace certform::alicloud
