// Alibaba Cloud RPC request signing, signature V1 ("SignatureVersion=1.0", HMAC-SHA1), as
// documented in alibaba-cdn-api.md §3.2. Used by the client to sign and by the emulator to verify.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace certform::alicloud {

using Params = std::vector<std::pair<std::string, std::string>>;

// RFC 3986 percent-encoding with the API's rules: A-Z a-z 0-9 - _ . ~ stay literal, every other
// byte becomes %XY (upper-case hex); a space is %20, never '+'.
std::string PercentEncode(std::string_view s);

// Decodes %XY escapes; with `plus_is_space` ('+' in form bodies) '+' becomes a space. Malformed
// escapes are kept literally.
std::string PercentDecode(std::string_view s, bool plus_is_space);

// Splits "a=1&b=2" into decoded pairs, in order.
Params ParseFormEncoded(std::string_view text);

// Every parameter except Signature, sorted by name (byte order), each name and value
// percent-encoded, joined "name=value" with '&'.
std::string CanonicalQuery(const Params& params);

// METHOD + "&" + PercentEncode("/") + "&" + PercentEncode(CanonicalQuery(params)).
std::string StringToSign(std::string_view method, const Params& params);

// Base64(HMAC-SHA1(key = secret + "&", data = string_to_sign)).
std::string SignString(std::string_view secret, std::string_view string_to_sign);

// Base64(HMAC-SHA1(key, data)).
std::string HmacSha1Base64(std::string_view key, std::string_view data);

// SignString(secret, StringToSign(method, params)).
std::string Sign(std::string_view method, const Params& params, std::string_view secret);

// "a=1&b=2" with every name and value percent-encoded, in the given order (the request body).
std::string EncodeForm(const Params& params);

// Constant-time comparison, for signatures.
bool SafeEquals(std::string_view a, std::string_view b);

}  // namespace certform::alicloud
