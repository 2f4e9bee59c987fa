#include "engine/base/config_name.h"

#include <fmt/format.h>

namespace certform::engine {

std::string ConfigNameProblem(const std::string& name) {
  if (name.empty()) return "is empty";
  if (name.size() > kMaxConfigName) {
    return fmt::format("is {} characters long (at most {})", name.size(), kMaxConfigName);
  }
  for (char ch : name) {
    const bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                       (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.';
    if (!plain) return "holds a character other than a letter, digit, '_', '-' or '.'";
  }
  return "";
}

}  // namespace certform::engine
