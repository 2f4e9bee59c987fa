// The emulator's Security Token Service (STS, API version 2015-04-01) and ECS instance metadata
// service: the ways certform gets temporary credentials instead of a long-lived AccessKey.
//
// Documented (STS API reference, AssumeRole and AssumeRoleWithOIDC, via the SDKs' generated
// models, e.g. alibabacloud-go sts-20150401 client.go): AssumeRole is a signed call with RoleArn,
// RoleSessionName and DurationSeconds (900 to the role's MaxSessionDuration, default 3600);
// AssumeRoleWithOIDC is anonymous and takes RoleArn, OIDCProviderArn, OIDCToken, RoleSessionName
// and DurationSeconds. Both answer Credentials {AccessKeyId, AccessKeySecret, SecurityToken,
// Expiration} and AssumedRoleUser. The temporary key works only with its SecurityToken and stops at
// Expiration (InvalidSecurityToken.* codes, alibaba-cdn-api.md §4). GetCallerIdentity takes no
// parameters and needs no RAM action (https://www.alibabacloud.com/help/doc-detail/43767.htm).
// Unconfirmed, modelled with the harsher reading: a role trusts no AccessKey unless configured
// (RAM's trust policy), answered 403 NoPermission; an unknown role is 404 EntityNotExist.Role;
// an OIDC token or provider that does not match is 400 AuthenticationFail.OIDCToken.Invalid; a
// RoleSessionName outside [A-Za-z0-9.@_-]{2,64} is InvalidParameter.RoleSessionName.
#include "providers/alicloud/emulator/sts_service.h"

#include <algorithm>

#include <fmt/format.h>

namespace certform::emulator {

namespace {

constexpr int kMinDuration = 900;

// A stable number of `digits` digits for `text` (FNV-1a): the emulator's account, user and role
// ids, which the real API gives as numbers.
std::string NumericId(const std::string& text, int digits) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  std::string out;
  for (int i = 0; i < digits; ++i) {
    out += static_cast<char>('0' + h % 10);
    h /= 10;
  }
  if (out[0] == '0') out[0] = '1';
  return out;
}

// GetCallerIdentity's answer (https://www.alibabacloud.com/help/doc-detail/43767.htm): a RAM
// user's key is "RAMUser" with UserId; a temporary key is "AssumedRoleUser" with RoleId and the
// Arn acs:ram::ACCOUNT:assumed-role/ROLE/SESSION, its account the role's. PrincipalId of a role
// session is RoleId:SESSION (the harsher reading of an example-only field).
nlohmann::json CallerIdentityDocument(const AccountKey& caller, const std::string& request_id) {
  nlohmann::json doc = {{"RequestId", request_id}};
  if (caller.role_arn.empty()) {
    const std::string account = NumericId("account:" + caller.user, 16);
    const std::string user_id = NumericId("user:" + caller.access_key_id, 16);
    const std::string name = caller.ram_user.empty() ? caller.access_key_id : caller.ram_user;
    doc.update({{"IdentityType", "RAMUser"},
                {"AccountId", account},
                {"UserId", user_id},
                {"PrincipalId", user_id},
                {"Arn", "acs:ram::" + account + ":user/" + name}});
    return doc;
  }
  // acs:ram::ACCOUNT:role/NAME
  const std::string& arn = caller.role_arn;
  const size_t account_end = arn.find(':', 9);
  const std::string account = arn.substr(9, account_end == std::string::npos ? 0 : account_end - 9);
  const size_t slash = arn.find('/');
  const std::string role = slash == std::string::npos ? arn : arn.substr(slash + 1);
  const std::string role_id = NumericId("role:" + arn, 17);
  doc.update(
      {{"IdentityType", "AssumedRoleUser"},
       {"AccountId", account},
       {"RoleId", role_id},
       {"PrincipalId", role_id + ":" + caller.session_name},
       {"Arn", "acs:ram::" + account + ":assumed-role/" + role + "/" + caller.session_name}});
  return doc;
}

bool ValidSessionName(const std::string& name) {
  if (name.size() < 2 || name.size() > 64) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '@' && c != '_' &&
        c != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace

nlohmann::json IssueTemporaryKey(ServiceContext& context, const RoleSeed& role, int duration,
                                 const std::string& session) {
  FlowControl& flow = context.flow;
  const int64_t expiration = engine::ToUnixSeconds(context.clock.Now()) + duration;
  AccountKey key{
      "STS." + flow.RandomToken(24), flow.RandomToken(40), role.user, "", role.arn, session};
  const std::string token = "CAIS" + flow.RandomToken(120);
  nlohmann::json credentials = {{"AccessKeyId", key.access_key_id},
                                {"AccessKeySecret", key.access_key_secret},
                                {"SecurityToken", token},
                                {"Expiration", engine::FormatUtc(expiration)}};
  context.auth.AddTemporaryKey(std::move(key), token, expiration);
  flow.CountStsIssued();
  return credentials;
}

bool StsService::Serves(const std::string& action) const {
  return action == "AssumeRole" || action == "AssumeRoleWithOIDC" || action == "GetCallerIdentity";
}

ApiResponse StsService::DispatchFor(const ServiceRequest& r, const AccountKey& caller,
                                    const std::string& user) {
  if (r.action != "GetCallerIdentity") {
    return Dispatch(r.action, r.params, user, r.request_id, r.json);
  }
  return RenderSuccess(r.action, CallerIdentityDocument(caller, r.request_id), r.json);
}

// AssumeRoleWithOIDC is the one anonymous call: the OIDC token is its proof.
bool StsService::Anonymous(const ServiceRequest& r) const {
  return r.action == "AssumeRoleWithOIDC" && !r.v3 && Param(r.params, "AccessKeyId").empty();
}

ApiResponse StsService::Dispatch(const std::string& action, const Params& p, const std::string&,
                                 const std::string& request_id, bool json) {
  const std::string caller_key = Param(p, "AccessKeyId");
  for (const char* name : {"RoleArn", "RoleSessionName"}) {
    if (Param(p, name).empty()) return RenderError(MissingParam(name), request_id, json);
  }
  const std::string arn = Param(p, "RoleArn");
  const RoleSeed* role = nullptr;
  for (const RoleSeed& r : context_.config.roles) {
    if (r.arn == arn) role = &r;
  }
  if (role == nullptr) {
    return RenderError({404, "EntityNotExist.Role", "The role not exists: " + arn + "."},
                       request_id, json);
  }
  if (!ValidSessionName(Param(p, "RoleSessionName"))) {
    return RenderError({400, "InvalidParameter.RoleSessionName",
                        "The parameter RoleSessionName is wrongly formed."},
                       request_id, json);
  }
  int duration = 3600;
  if (const std::string d = Param(p, "DurationSeconds"); !d.empty()) {
    char* end = nullptr;
    const long v = std::strtol(d.c_str(), &end, 10);
    if (end == d.c_str() || *end != '\0' || v < kMinDuration || v > role->max_session_duration) {
      return RenderError({400, "InvalidParameter.DurationSeconds",
                          fmt::format("The DurationSeconds must be between {} and {}.",
                                      kMinDuration, role->max_session_duration)},
                         request_id, json);
    }
    duration = static_cast<int>(v);
  }
  if (action == "AssumeRole") {
    const auto& trusted = role->trusted_keys;
    if (std::find(trusted.begin(), trusted.end(), caller_key) == trusted.end()) {
      return RenderError({403, "NoPermission",
                          "You are not authorized to do this action. You should be authorized "
                          "by RAM."},
                         request_id, json);
    }
  } else {  // AssumeRoleWithOIDC
    for (const char* name : {"OIDCProviderArn", "OIDCToken"}) {
      if (Param(p, name).empty()) return RenderError(MissingParam(name), request_id, json);
    }
    if (role->oidc_token.empty() || Param(p, "OIDCProviderArn") != role->oidc_provider_arn ||
        Param(p, "OIDCToken") != role->oidc_token) {
      return RenderError({400, "AuthenticationFail.OIDCToken.Invalid",
                          "The OIDC token or its identity provider is not trusted by the role."},
                         request_id, json);
    }
  }
  nlohmann::json doc = {
      {"RequestId", request_id},
      {"AssumedRoleUser",
       {{"Arn", arn + "/" + Param(p, "RoleSessionName")},
        {"AssumedRoleId", context_.flow.RandomToken(18)}}},
      {"Credentials", IssueTemporaryKey(context_, *role, duration, Param(p, "RoleSessionName"))}};
  return RenderSuccess(action, doc, json);
}

}  // namespace certform::emulator
