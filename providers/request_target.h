// RequestTarget: the last check before a request that is signed or carries a token leaves.
//
// A request may go only to the endpoint its client was built with (the account's `endpoint`,
// `dcdn_endpoint`, `cas_endpoint` or `sts_endpoint`, the documented default, the --endpoint
// override, or the ECS metadata address), and that endpoint must itself be a plain
// scheme://host[:port] (engine/base/endpoint.h). A URL whose host differs, or that a parser
// could read another way (a user name, a backslash, a fragment), is refused before anything is
// signed or sent.
#pragma once

#include <string>

#include "engine/base/status.h"

namespace certform::providers {

// OK when `url` is `endpoint` followed by nothing or a path starting with "/" (same scheme, host
// and port, the default port counted as given); InvalidArgument naming the endpoint and the
// problem otherwise. `plain_http_host` as in engine::ParseEndpoint.
engine::Status CheckRequestTarget(const std::string& url, const std::string& endpoint,
                                  const std::string& plain_http_host = "");

}  // namespace certform::providers
