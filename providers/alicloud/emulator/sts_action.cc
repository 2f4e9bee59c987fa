// The emulator's Security Token Service (STS, API version 2015-04-01) and ECS instance metadata
// service: the ways certform gets temporary credentials instead of a long-lived AccessKey.
//
// Documented (STS API reference, AssumeRole and AssumeRoleWithOIDC, via the SDKs' generated
// models, e.g. alibabacloud-go sts-20150401 client.go): AssumeRole is a signed call with RoleArn,
// RoleSessionName and DurationSeconds (900 to the role's MaxSessionDuration, default 3600);
// AssumeRoleWithOIDC is anonymous and takes RoleArn, OIDCProviderArn, OIDCToken, RoleSessionName
// and DurationSeconds. Both answer Credentials {AccessKeyId, AccessKeySecret, SecurityToken,
// Expiration} and AssumedRoleUser. The temporary key works only with its SecurityToken and stops at
// Expiration (InvalidSecurityToken.* codes, alibaba-cdn-api.md §4).
// Unconfirmed, modelled with the harsher reading: a role trusts no AccessKey unless configured
// (RAM's trust policy), answered 403 NoPermission; an unknown role is 404 EntityNotExist.Role;
// an OIDC token or provider that does not match is 400 AuthenticationFail.OIDCToken.Invalid; a
// RoleSessionName outside [A-Za-z0-9.@_-]{2,64} is InvalidParameter.RoleSessionName.
// The metadata service (ECS "instance metadata" docs, hardened mode): PUT /latest/api/token with
// X-aliyun-ecs-metadata-token-ttl-seconds (1 to 21600) gives a token; GET
// /latest/meta-data/ram/security-credentials/[ROLE] with X-aliyun-ecs-metadata-token lists the
// role or answers its credentials. The emulator always runs in hardened mode (a request without a
// valid token is refused, 401), the stricter of the two modes.
#include <fmt/format.h>

#include "providers/alicloud/emulator/cdn_emulator.h"

namespace certform::emulator {

namespace {

constexpr int kMinDuration = 900;

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

std::string CdnEmulator::RandomToken(size_t length) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::uniform_int_distribution<size_t> d(0, sizeof kAlphabet - 2);
  std::string s;
  for (size_t i = 0; i < length; ++i) s += kAlphabet[d(rng_)];
  return s;
}

nlohmann::json CdnEmulator::IssueTemporaryKey(const RoleSeed& role, int duration) {
  const int64_t expiration = engine::ToUnixSeconds(clock_.Now()) + duration;
  AccountKey key{"STS." + RandomToken(24), RandomToken(40), role.user};
  const std::string token = "CAIS" + RandomToken(120);
  nlohmann::json credentials = {{"AccessKeyId", key.access_key_id},
                                {"AccessKeySecret", key.access_key_secret},
                                {"SecurityToken", token},
                                {"Expiration", engine::FormatUtc(expiration)}};
  auth_.AddTemporaryKey(std::move(key), token, expiration);
  ++sts_issued_;
  return credentials;
}

ApiResponse CdnEmulator::StsAction(const std::string& action, const alicloud::Params& p,
                                   const std::string& request_id, bool json) {
  const std::string caller_key = Param(p, "AccessKeyId");
  for (const char* name : {"RoleArn", "RoleSessionName"}) {
    if (Param(p, name).empty()) return RenderError(MissingParam(name), request_id, json);
  }
  const std::string arn = Param(p, "RoleArn");
  const RoleSeed* role = nullptr;
  for (const RoleSeed& r : config_.roles) {
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
       {{"Arn", arn + "/" + Param(p, "RoleSessionName")}, {"AssumedRoleId", RandomToken(18)}}},
      {"Credentials", IssueTemporaryKey(*role, duration)}};
  return RenderSuccess(action, doc, json);
}

std::string CdnEmulator::MetadataToken(int ttl_seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  if (ttl_seconds < 1 || ttl_seconds > 21600) return "";
  const std::string token = RandomToken(44);
  metadata_tokens_[token] = engine::ToUnixSeconds(clock_.Now()) + ttl_seconds;
  return token;
}

int CdnEmulator::MetadataCredentials(const std::string& token, const std::string& role_name,
                                     std::string* body) {
  std::lock_guard<std::mutex> lock(mu_);
  auto t = metadata_tokens_.find(token);
  if (t == metadata_tokens_.end() || t->second <= engine::ToUnixSeconds(clock_.Now())) return 401;
  const RoleSeed* role = nullptr;
  for (const RoleSeed& r : config_.roles) {
    if (!r.ecs_role_name.empty() && (role_name.empty() || r.ecs_role_name == role_name)) {
      role = &r;
      break;
    }
  }
  if (role == nullptr) return 404;
  if (role_name.empty()) {
    *body = role->ecs_role_name;
    return 200;
  }
  nlohmann::json doc = IssueTemporaryKey(*role, role->max_session_duration);
  doc["Code"] = "Success";
  doc["LastUpdated"] = engine::FormatUtc(engine::ToUnixSeconds(clock_.Now()));
  *body = doc.dump();
  return 200;
}

}  // namespace certform::emulator
