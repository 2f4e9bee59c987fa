// The emulator's RAM policies: which API actions a key may not call (EmulatorConfig::ram_denied),
// so that tests can show what certform says when a permission is missing. Every other action is
// allowed, as for a user with the products' full-access policies.
//
// Documented answers to a call the caller's RAM policy does not allow: the gateway's 403
// Forbidden.RAM, "User not authorized to operate on the specified resource, or this API doesn't
// support RAM." (alibaba-cdn-api.md §4.2, Forbidden.RAM / NoPermission, 403; the body as ECS
// quotes it,
// https://www.alibabacloud.com/help/en/ecs/announcement-of-changes-to-the-authentication-mechanism-for-alibaba-cloud-ecs-query-type-apis);
// OSS's 403 AccessDenied with EC 0003-00000202, "not granted the required permissions in RAM
// policies" (https://help.aliyun.com/en/oss/user-guide/0003-00000202).
#pragma once

#include <string>

#include "providers/alicloud/emulator/api_response.h"
#include "providers/alicloud/emulator/emulator_config.h"

namespace certform::emulator {

// True when `caller` (by its AccessKeyId, or for a temporary key by the role it was issued for)
// may not call `action`.
bool RamDenies(const EmulatorConfig& config, const AccountKey& caller, const std::string& action);

// The RPC gateway's answer to such a call.
ApiError RamDenialError();

}  // namespace certform::emulator
