#include "engine/state/state.h"

namespace certform::engine {

const StateEntry* State::Find(const std::string& domain) const {
  auto it = entries.find(domain);
  return it == entries.end() ? nullptr : &it->second;
}

std::string UploadKey(const std::string& account, const std::string& fingerprint) {
  return account + "/" + fingerprint;
}

}  // namespace certform::engine
