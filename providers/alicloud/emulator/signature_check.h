// The gateway's signature arithmetic, written from the documentation and not from certform's
// client signers (providers/alicloud/signer*.h, oss_signer.h): were the emulator to verify with
// the client's own code, a signing bug in the client would sign and verify alike and no test
// would see it. Sources: alibaba-cdn-api.md §3.2 (RPC signature V1, HMAC-SHA1), §3.4 (signature
// V3, ACS3-HMAC-SHA256) and the OSS developer reference "Include a V1 signature in the
// Authorization header" (doc 31951), each checked against its official test vector
// (tests/providers/alicloud/emulator_signature_test.cc).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace certform::emulator {

// Decoded request parameters, in the order received (the same shape as the client's
// alicloud::Params, so that tests can hand either to the other).
using Params = std::vector<std::pair<std::string, std::string>>;

namespace signature {

inline constexpr char kV3Algorithm[] = "ACS3-HMAC-SHA256";

// RFC 3986 with the API's rules (§3.2 step 2): A-Z a-z 0-9 - _ . ~ literal, every other byte
// %XY in upper-case hex, a space %20.
std::string Encode(std::string_view s);

// Decodes %XY escapes (malformed ones stay literal); with `plus_is_space` (form bodies) '+' is a
// space.
std::string Decode(std::string_view s, bool plus_is_space);

// "a=1&b=2" → decoded pairs, in order. The gateway decodes what it received and re-encodes it
// before signing, never trusting the wire bytes (§3.3, "How the emulator should verify").
Params ParseForm(std::string_view text);

// RPC V1: METHOD + "&%2F&" + Encode(canonicalized query), the query being every parameter but
// Signature, sorted by name, "Encode(name)=Encode(value)" joined with '&'.
std::string RpcStringToSign(std::string_view method, const Params& params);
// Base64(HMAC-SHA1(key = secret + "&", string_to_sign)).
std::string RpcSignature(std::string_view secret, std::string_view string_to_sign);

// V3: METHOD \n PATH \n canonical query \n "name:trimmed value\n" per signed header (lower-case
// names, sorted) \n signed names joined ';' \n hex SHA-256 of the payload.
std::string V3CanonicalRequest(std::string_view method, std::string_view path, const Params& query,
                               std::vector<std::pair<std::string, std::string>> signed_headers,
                               std::string_view hashed_payload);
// hex(HMAC-SHA256(key = secret, "ACS3-HMAC-SHA256\n" + hex(SHA-256(canonical_request)))).
std::string V3Signature(std::string_view secret, std::string_view canonical_request);
std::string Sha256Hex(std::string_view data);

// OSS V1: VERB \n Content-MD5 \n Content-Type \n Date \n CanonicalizedOSSHeaders
// CanonicalizedResource. `headers`: every header of the request (any case); the x-oss-* ones are
// canonicalized (lower-case, sorted, value trimmed, "name:value\n").
std::string OssStringToSign(std::string_view verb, std::string_view content_md5,
                            std::string_view content_type, std::string_view date,
                            const std::map<std::string, std::string>& headers,
                            std::string_view canonical_resource);
// "/BUCKET/OBJECT" ("/" with no bucket) and the signed sub-resources of the raw `query`, sorted,
// "?a&b=v".
std::string OssCanonicalResource(std::string_view bucket, std::string_view object,
                                 std::string_view query);
// Base64(HMAC-SHA1(key = secret, string_to_sign)): what follows "OSS ID:".
std::string OssSignature(std::string_view secret, std::string_view string_to_sign);

// Constant-time comparison, for signatures.
bool SafeEquals(std::string_view a, std::string_view b);

}  // namespace signature
}  // namespace certform::emulator
