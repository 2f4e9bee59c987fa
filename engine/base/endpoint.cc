#include "engine/base/endpoint.h"

#include <cctype>

namespace certform::engine {

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "[::1]") return true;
  // 127.0.0.0/8, written as a dotted quad.
  if (!host.starts_with("127.")) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return dots == 3;
}

// A DNS name (RFC 1123 §2.1 labels) or a dotted IPv4 address, which has the same characters.
bool IsDnsName(const std::string& host) {
  if (host.empty() || host.size() > 253) return false;
  size_t label = 0;
  for (size_t i = 0; i <= host.size(); ++i) {
    if (i == host.size() || host[i] == '.') {
      if (label == 0 || label > 63 || host[i - 1] == '-' || host[i - label] == '-') return false;
      label = 0;
    } else if (std::isalnum(static_cast<unsigned char>(host[i])) || host[i] == '-') {
      ++label;
    } else {
      return false;
    }
  }
  return true;
}

// "[" IPv6 "]" with hex digits, ':' and '.' (an embedded IPv4) only; no zone id.
bool IsBracketedIpv6(const std::string& host) {
  if (host.size() < 4 || host.front() != '[' || host.back() != ']') return false;
  for (size_t i = 1; i + 1 < host.size(); ++i) {
    const char c = host[i];
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
  }
  return host.find(':') != std::string::npos;
}

}  // namespace

std::string ParseEndpoint(const std::string& url, EndpointParts* out,
                          const std::string& plain_http_host) {
  EndpointParts parts;
  std::string rest;
  if (Lower(url.substr(0, 8)) == "https://") {
    parts.scheme = "https";
    rest = url.substr(8);
  } else if (Lower(url.substr(0, 7)) == "http://") {
    parts.scheme = "http";
    rest = url.substr(7);
  } else {
    return "the endpoint must start with https:// (or http:// for the local emulator)";
  }
  if (rest.ends_with('/')) rest.pop_back();
  if (rest.find('@') != std::string::npos) return "the endpoint must not hold a user name";
  if (rest.find_first_of("/?#\\") != std::string::npos) {
    return "the endpoint must be scheme://host[:port], without a path, query or fragment";
  }
  std::string host = rest;
  const size_t colon = host.starts_with('[') ? host.find("]:") : host.rfind(':');
  if (colon != std::string::npos) {
    const size_t at = host.starts_with('[') ? colon + 1 : colon;
    const std::string port = host.substr(at + 1);
    host = host.substr(0, at);
    long value = 0;
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c)) || value > 65535) {
        value = 0;
        break;
      }
      value = value * 10 + (c - '0');
    }
    if (port.empty() || port.size() > 5 || value < 1 || value > 65535) {
      return "the endpoint's port must be a number from 1 to 65535";
    }
    parts.port = static_cast<int>(value);
  }
  host = Lower(host);
  if (host.empty()) return "the endpoint has no host";
  if (!IsDnsName(host) && !IsBracketedIpv6(host)) {
    return "the endpoint's host must be a DNS name, an IPv4 address or a bracketed IPv6 address";
  }
  parts.host = host;
  if (parts.scheme == "http" && !IsLoopbackHost(host) &&
      (plain_http_host.empty() || host != Lower(plain_http_host))) {
    return "plain http:// is allowed only to this machine (127.0.0.1, localhost, [::1]): calls "
           "carry private keys; use https://";
  }
  if (out != nullptr) *out = std::move(parts);
  return "";
}

bool IsThisMachine(const std::string& host) { return IsLoopbackHost(Lower(host)); }

bool IsAlibabaCloudHost(const std::string& host) {
  const std::string h = Lower(host);
  static const std::string kSuffix = ".aliyuncs.com";
  return h.size() > kSuffix.size() && h.ends_with(kSuffix);
}

std::string EndpointProblem(const std::string& url) {
  EndpointParts parts;
  if (std::string problem = ParseEndpoint(url, &parts); !problem.empty()) return problem;
  if (IsThisMachine(parts.host) || IsAlibabaCloudHost(parts.host)) return "";
  return "the endpoint's host must be under .aliyuncs.com (Alibaba Cloud) or this machine "
         "(127.0.0.1, localhost, [::1]): signed requests and private keys go there";
}

}  // namespace certform::engine
