// The Security Token Service (STS, API version 2015-04-01): AssumeRole (signed),
// AssumeRoleWithOIDC (anonymous) and GetCallerIdentity (signed: who the key is). Its keys live in
// the shared RequestAuth, which accepts them with their token until they expire; STS itself keeps
// no state.
#pragma once

#include "providers/alicloud/emulator/rpc_service.h"

namespace certform::emulator {

inline constexpr char kStsVersion[] = "2015-04-01";

// New temporary credentials of `role` for `duration` seconds, as STS answers them, made known to
// the authentication (STS and the ECS metadata service both hand them out).
// `session` is the RoleSessionName (GetCallerIdentity names it).
nlohmann::json IssueTemporaryKey(ServiceContext& context, const RoleSeed& role, int duration,
                                 const std::string& session = "ecs");

class StsService final : public RpcService {
 public:
  explicit StsService(ServiceContext context) : RpcService(context) {}
  void Reset() override {}

 protected:
  bool Serves(const std::string& action) const override;
  std::string Version() const override { return kStsVersion; }
  // STS's quota page gives each of its calls 100/s per account
  // (https://help.aliyun.com/zh/ram/developer-reference/api-sts-2015-04-01-quota); the emulator
  // counts them together, per user, at that rate.
  std::pair<std::string, int> Window(const std::string&) const override { return {"sts", 100}; }
  bool Anonymous(const ServiceRequest& request) const override;
  ApiResponse Dispatch(const std::string& action, const Params& params, const std::string& user,
                       const std::string& request_id, bool json) override;
  // GetCallerIdentity answers by the signing key; the rest as Dispatch.
  ApiResponse DispatchFor(const ServiceRequest& request, const AccountKey& caller,
                          const std::string& user) override;
};

}  // namespace certform::emulator
