#include "engine/state/state.h"

namespace certform::engine {

const StateEntry* State::Find(const std::string& address) const {
  auto it = entries.find(address);
  return it == entries.end() ? nullptr : &it->second;
}

const StateEntry* State::Find(const Address& address) const { return Find(address.Key()); }

std::string UploadKey(const std::string& account, const std::string& fingerprint) {
  return account + "/" + fingerprint;
}

}  // namespace certform::engine
