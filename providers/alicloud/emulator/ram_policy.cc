#include "providers/alicloud/emulator/ram_policy.h"

#include <algorithm>

namespace certform::emulator {

bool RamDenies(const EmulatorConfig& config, const AccountKey& caller, const std::string& action) {
  for (const std::string* principal : {&caller.access_key_id, &caller.role_arn}) {
    if (principal->empty()) continue;
    auto it = config.ram_denied.find(*principal);
    if (it == config.ram_denied.end()) continue;
    if (std::find(it->second.begin(), it->second.end(), action) != it->second.end()) return true;
  }
  return false;
}

ApiError RamDenialError() {
  return {403, "Forbidden.RAM",
          "User not authorized to operate on the specified resource, or this API doesn't support "
          "RAM."};
}

}  // namespace certform::emulator
