#include "engine/state/state.h"

namespace certform::engine {

const StateEntry* State::Find(const std::string& address) const {
  auto it = entries.find(address);
  return it == entries.end() ? nullptr : &it->second;
}

const StateEntry* State::Find(const Address& address) const { return Find(address.Key()); }

std::string UploadKey(const std::string& account, const std::string& fingerprint,
                      const std::string& chain_digest) {
  return chain_digest.empty() ? account + "/" + fingerprint
                              : account + "/" + fingerprint + "/" + chain_digest;
}

std::string UploadKey(const UploadEntry& u) {
  return UploadKey(u.account, u.fingerprint, u.chain_digest);
}

}  // namespace certform::engine
