// STS GetCallerIdentity (API 2015-04-01): who the account's credentials are, for `certform check`.
//
// Documented (https://www.alibabacloud.com/help/doc-detail/43767.htm, "GetCallerIdentity"): no
// request parameters and no RAM authorization needed; the answer holds IdentityType ("Account",
// "RAMUser" or "AssumedRoleUser"), AccountId, PrincipalId, Arn (e.g.
// acs:ram::196813200012****:user/admin), UserId (for an Alibaba Cloud account or a RAM user only)
// and RoleId (for a RAM role only), and RequestId.
#pragma once

#include <string>

#include "engine/base/status.h"
#include "engine/calls/provider.h"
#include "providers/alicloud/rpc_client.h"

namespace certform::alicloud {

struct CallerIdentity {
  std::string identity_type;  // "Account", "RAMUser" or "AssumedRoleUser"
  std::string account_id;
  std::string arn;
  std::string principal_id;
  std::string user_id;  // empty for a role
  std::string role_id;  // empty unless a role
};

// The call's limit. STS's quota page
// (https://help.aliyun.com/zh/ram/developer-reference/api-sts-2015-04-01-quota) gives
// GetCallerIdentity, like AssumeRole and AssumeRoleWithOIDC, 100 calls a second counted per
// region, API and ParentUid: the whole Alibaba Cloud account, every RAM user and role of it (and
// every other tool it runs) sharing them. certform's lane is per user, so it takes a tenth: 10/s,
// the harsher reading.
engine::CallLimit CallerIdentityLimit();

// Calls GetCallerIdentity through `sts` (an RpcClient for the STS endpoint, version
// kStsApiVersion, signed with the account's credentials). Corruption when the answer lacks Arn or
// AccountId, or a field is not a string of at most 512 printable characters.
engine::Status GetCallerIdentity(RpcClient& sts, CallerIdentity* out, engine::CallResult* result);

}  // namespace certform::alicloud
