// Where API calls may go: https:// anywhere, http:// only to this machine.
//
// Write calls carry private keys; a typo such as "http://cdn.aliyuncs.com" must not send one in
// clear text. Plain HTTP is for the local emulator: 127.0.0.0/8, localhost and [::1].
//
// An endpoint is scheme://host[:port] and nothing more: a user name ("https://a@b"), a path, a
// query or a fragment could make the host a reader sees differ from the one a request goes to,
// so each is refused where the endpoint enters (configuration, --endpoint, the environment) and
// again before a signed request is sent (providers/request_target.h).
#pragma once

#include <string>

namespace certform::engine {

struct EndpointParts {
  std::string scheme;  // "https" or "http"
  std::string host;    // a DNS name or IPv4 address in lower case, or an IPv6 one in brackets
  int port = 0;        // 0: the scheme's default
};

// Parses `url` as an endpoint: "https://" or "http://", a host of DNS-name characters (letters,
// digits, '-' and '.' in labels of at most 63, at most 253 in all) or "[IPv6]", an optional
// ":PORT" (1 to 65535), an optional trailing "/", and nothing else. Plain http is allowed to this
// machine and, when `plain_http_host` is not empty, to that host (the ECS metadata service).
// Empty when `url` is one (and `*out`, when given, holds its parts), else why not.
std::string ParseEndpoint(const std::string& url, EndpointParts* out,
                          const std::string& plain_http_host = "");

// Empty when `url` may be used as an endpoint, else why not (for an error message).
std::string EndpointProblem(const std::string& url);

}  // namespace certform::engine
