// Where API calls may go: https:// to a host under .aliyuncs.com, or this machine (http allowed).
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

// True for this machine: localhost, [::1] or an address in 127.0.0.0/8.
bool IsThisMachine(const std::string& host);

// True for a host under ".aliyuncs.com" (Alibaba Cloud's API domain).
bool IsAlibabaCloudHost(const std::string& host);

// Empty when `url` may be used as an API endpoint, else why not (for an error message): a valid
// endpoint (ParseEndpoint) whose host is under .aliyuncs.com or this machine. Signed requests and,
// for CAS, private keys go there, so no setting, option or environment value may point elsewhere.
std::string EndpointProblem(const std::string& url);

}  // namespace certform::engine
