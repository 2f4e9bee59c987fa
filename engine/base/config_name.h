// The names a configuration gives its own tables ([certificate.NAME], [account.NAME]): bindings
// refer to them, addresses may hold them ("alb:REGION/LISTENER/sni:NAME") and plans print them,
// so they are short and plain.
#pragma once

#include <string>

namespace certform::engine {

inline constexpr size_t kMaxConfigName = 64;

// Why `name` cannot name a table ("is empty", ...); empty when it can: 1 to 64 letters, digits,
// '_', '-' or '.'.
std::string ConfigNameProblem(const std::string& name);

}  // namespace certform::engine
