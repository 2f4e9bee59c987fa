// Where API calls may go: https:// anywhere, http:// only to this machine.
//
// Write calls carry private keys; a typo such as "http://cdn.aliyuncs.com" must not send one in
// clear text. Plain HTTP is for the local emulator: 127.0.0.0/8, localhost and [::1].
#pragma once

#include <string>

namespace certform::engine {

// Empty when `url` may be used as an endpoint, else why not (for an error message).
std::string EndpointProblem(const std::string& url);

}  // namespace certform::engine
