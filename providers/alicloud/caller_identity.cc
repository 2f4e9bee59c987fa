#include "providers/alicloud/caller_identity.h"

#include <fmt/format.h>

namespace certform::alicloud {

namespace {

// Ids and ARNs are short; anything longer, or holding a control character, is not one.
constexpr size_t kMaxField = 512;

bool ReadField(const nlohmann::json& body, const char* key, bool required, std::string* out,
               std::string* problem) {
  auto it = body.find(key);
  if (it == body.end()) {
    if (required) *problem = fmt::format("no {}", key);
    return !required;
  }
  if (!it->is_string()) {
    *problem = fmt::format("{} is not a string", key);
    return false;
  }
  const std::string& v = it->get_ref<const std::string&>();
  if (v.size() > kMaxField) {
    *problem = fmt::format("{} is longer than {} characters", key, kMaxField);
    return false;
  }
  for (char c : v) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      *problem = fmt::format("{} holds a control character", key);
      return false;
    }
  }
  if (required && v.empty()) {
    *problem = fmt::format("{} is empty", key);
    return false;
  }
  *out = v;
  return true;
}

}  // namespace

engine::CallLimit CallerIdentityLimit() {
  // GetCallerIdentity needs no RAM action (its reference says so). 10/s: the header says why.
  return {"GetCallerIdentity", 10};
}

engine::Status GetCallerIdentity(RpcClient& sts, CallerIdentity* out, engine::CallResult* result) {
  nlohmann::json body;
  engine::Status s = sts.Call("GetCallerIdentity", {}, &body, result);
  if (!s.ok()) return s;
  CallerIdentity id;
  std::string problem;
  const bool ok = ReadField(body, "Arn", true, &id.arn, &problem) &&
                  ReadField(body, "AccountId", true, &id.account_id, &problem) &&
                  ReadField(body, "IdentityType", false, &id.identity_type, &problem) &&
                  ReadField(body, "PrincipalId", false, &id.principal_id, &problem) &&
                  ReadField(body, "UserId", false, &id.user_id, &problem) &&
                  ReadField(body, "RoleId", false, &id.role_id, &problem);
  if (!ok) {
    return engine::Status::Corruption("GetCallerIdentity answered with an unusable identity (" +
                                      problem + ")");
  }
  *out = std::move(id);
  return engine::Status::OK();
}

}  // namespace certform::alicloud
