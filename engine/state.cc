#include "engine/state.h"

namespace certform::engine {

const StateEntry* State::Find(const std::string& domain) const {
  auto it = entries.find(domain);
  return it == entries.end() ? nullptr : &it->second;
}

}  // namespace certform::engine
