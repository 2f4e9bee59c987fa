#include "providers/alicloud/emulator/signature_check.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>

namespace certform::emulator::signature {

namespace {

// The sub-resources OSS signs (doc 31951, "CanonicalizedResource"); any other query parameter
// is left out of the signature.
// Each name between spaces.
constexpr std::string_view kOssSubResources =
    " acl uploads location cors logging website referer lifecycle delete append tagging "
    "objectMeta uploadId partNumber security-token position img style styleName replication "
    "replicationProgress replicationLocation cname bucketInfo comp qos live ";

bool IsOssSubResource(const std::string& name) {
  return !name.empty() && name.find(' ') == std::string::npos &&
         kOssSubResources.find(" " + name + " ") != std::string_view::npos;
}

std::string Hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return std::string(reinterpret_cast<const char*>(mac), len);
}

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Sorted by name (byte order), "Encode(name)=Encode(value)" joined with '&', without Signature.
std::string CanonicalQuery(const Params& params, bool skip_signature) {
  Params sorted;
  for (const auto& p : params) {
    if (!(skip_signature && p.first == "Signature")) sorted.push_back(p);
  }
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& [name, value] : sorted) {
    if (!out.empty()) out += '&';
    out += Encode(name) + "=" + Encode(value);
  }
  return out;
}

}  // namespace

std::string Encode(std::string_view s) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 0xf];
    }
  }
  return out;
}

std::string Decode(std::string_view s, bool plus_is_space) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = HexDigit(s[i + 1]), lo = HexDigit(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += plus_is_space && s[i] == '+' ? ' ' : s[i];
  }
  return out;
}

Params ParseForm(std::string_view text) {
  Params out;
  while (!text.empty()) {
    const size_t amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      out.emplace_back(Decode(pair.substr(0, eq), true),
                       eq == std::string_view::npos ? "" : Decode(pair.substr(eq + 1), true));
    }
    if (amp == std::string_view::npos) break;
    text.remove_prefix(amp + 1);
  }
  return out;
}

std::string RpcStringToSign(std::string_view method, const Params& params) {
  return std::string(method) + "&" + Encode("/") + "&" +
         Encode(CanonicalQuery(params, /*skip_signature=*/true));
}

std::string RpcSignature(std::string_view secret, std::string_view string_to_sign) {
  return Base64(Hmac(EVP_sha1(), std::string(secret) + "&", string_to_sign));
}

std::string V3CanonicalRequest(std::string_view method, std::string_view path, const Params& query,
                               std::vector<std::pair<std::string, std::string>> signed_headers,
                               std::string_view hashed_payload) {
  std::sort(signed_headers.begin(), signed_headers.end());
  std::string headers, names;
  for (const auto& [name, value] : signed_headers) {
    headers += name + ":" + Trim(value) + "\n";
    names += (names.empty() ? "" : ";") + name;
  }
  return std::string(method) + "\n" + std::string(path) + "\n" +
         CanonicalQuery(query, /*skip_signature=*/false) + "\n" + headers + "\n" + names + "\n" +
         std::string(hashed_payload);
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return Hex(std::string_view(reinterpret_cast<const char*>(md), len));
}

std::string V3Signature(std::string_view secret, std::string_view canonical_request) {
  const std::string string_to_sign =
      std::string(kV3Algorithm) + "\n" + Sha256Hex(canonical_request);
  return Hex(Hmac(EVP_sha256(), secret, string_to_sign));
}

std::string OssStringToSign(std::string_view verb, std::string_view content_md5,
                            std::string_view content_type, std::string_view date,
                            const std::map<std::string, std::string>& headers,
                            std::string_view canonical_resource) {
  std::vector<std::pair<std::string, std::string>> oss;
  for (const auto& [name, value] : headers) {
    std::string lower = Lower(name);
    if (lower.starts_with("x-oss-")) oss.emplace_back(lower, Trim(value));
  }
  std::sort(oss.begin(), oss.end());
  std::string out;
  for (std::string_view part : {verb, content_md5, content_type, date}) {
    out.append(part).append("\n");
  }
  for (const auto& [name, value] : oss) out.append(name).append(":").append(value).append("\n");
  return out.append(canonical_resource);
}

std::string OssCanonicalResource(std::string_view bucket, std::string_view object,
                                 std::string_view query) {
  std::string out = bucket.empty() ? "/" : "/" + std::string(bucket) + "/" + std::string(object);
  Params sub;
  for (const auto& [name, value] : ParseForm(query)) {
    if (IsOssSubResource(name)) sub.emplace_back(name, value);
  }
  std::sort(sub.begin(), sub.end());
  for (size_t i = 0; i < sub.size(); ++i) {
    out += (i == 0 ? "?" : "&") + sub[i].first;
    if (!sub[i].second.empty()) out += "=" + sub[i].second;
  }
  return out;
}

std::string OssSignature(std::string_view secret, std::string_view string_to_sign) {
  return Base64(Hmac(EVP_sha1(), secret, string_to_sign));
}

bool SafeEquals(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  }
  return diff == 0;
}

}  // namespace certform::emulator::signature
