#include "engine/state/lock_holder.h"

#include <fmt/format.h>

namespace certform::engine {

std::string LockHolder::ToString() const {
  return fmt::format("pid {} on host {} running \"{}\" since {}", pid, host, command, started);
}

}  // namespace certform::engine
