#include "engine/base/endpoint.h"

#include <cctype>

namespace certform::engine {

namespace {

bool IsLoopbackHost(std::string host) {
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
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

}  // namespace

std::string EndpointProblem(const std::string& url) {
  if (url.starts_with("https://")) return url.size() > 8 ? "" : "the endpoint has no host";
  if (!url.starts_with("http://"))
    return "the endpoint must start with https:// (or http:// for "
           "the local emulator)";
  std::string rest = url.substr(7);
  const size_t end = rest.find_first_of("/?#");
  std::string authority = rest.substr(0, end);
  if (authority.find('@') != std::string::npos) return "the endpoint must not hold a user name";
  std::string host = authority;
  if (host.starts_with('[')) {
    host = host.substr(0, host.find(']') + 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string::npos) {
    host = host.substr(0, colon);
  }
  if (IsLoopbackHost(host)) return "";
  return "plain http:// is allowed only to this machine (127.0.0.1, localhost, [::1]): calls "
         "carry private keys; use https://";
}

}  // namespace certform::engine
