#include "providers/request_target.h"

#include <fmt/format.h>

#include "engine/base/endpoint.h"
#include "engine/base/text_escape.h"

namespace certform::providers {

namespace {

int EffectivePort(const engine::EndpointParts& p) {
  if (p.port != 0) return p.port;
  return p.scheme == "https" ? 443 : 80;
}

engine::Status Refused(const std::string& endpoint, const std::string& problem) {
  return engine::Status::InvalidArgument(
      fmt::format("endpoint \"{}\": {}; nothing was sent", engine::ForTerminal(endpoint), problem));
}

}  // namespace

engine::Status CheckRequestTarget(const std::string& url, const std::string& endpoint,
                                  const std::string& plain_http_host) {
  engine::EndpointParts want, got;
  if (std::string problem = engine::ParseEndpoint(endpoint, &want, plain_http_host);
      !problem.empty()) {
    return Refused(endpoint, problem);
  }
  const size_t scheme_end = url.find("://");
  const size_t path_start =
      scheme_end == std::string::npos ? std::string::npos : url.find('/', scheme_end + 3);
  const std::string origin = url.substr(0, path_start);
  const std::string path = path_start == std::string::npos ? "" : url.substr(path_start);
  if (std::string problem = engine::ParseEndpoint(origin, &got, plain_http_host);
      !problem.empty()) {
    return Refused(endpoint, "the request's URL is not on it: " + problem);
  }
  if (got.scheme != want.scheme || got.host != want.host ||
      EffectivePort(got) != EffectivePort(want)) {
    return Refused(endpoint,
                   fmt::format("a request was about to go to {}://{}:{} instead", got.scheme,
                               engine::ForTerminal(got.host), EffectivePort(got)));
  }
  for (char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '\\' || c == '#') {
      return Refused(endpoint,
                     "the request's path holds a character a URL parser could read "
                     "as another host or request");
    }
  }
  return engine::Status::OK();
}

}  // namespace certform::providers
