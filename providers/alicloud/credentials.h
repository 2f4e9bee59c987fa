// Finding an account's credentials with the conventions of Alibaba's SDKs and CLI
// (alibaba-cdn-api.md §6; credentials-go providers/{env,oidc,profile,cli_profile,ecs_ram_role}.go):
// a long-lived AccessKey, or how to get temporary STS credentials (a RAM role to assume, an OIDC
// token to exchange, an ECS instance's role). The secret is never put in any message.
#pragma once

#include <string>

#include "engine/base/file_system.h"
#include "engine/base/status.h"
#include "engine/config/certificate_resolver.h"
#include "engine/config/config.h"

namespace certform::alicloud {

struct Credentials {
  std::string access_key_id;
  std::string access_key_secret;  // secret: never printed, logged or written
  std::string security_token;     // STS token, empty for a plain AccessKey
  std::string source;             // where it came from, for messages ("environment", a path)
};

enum class CredentialKind {
  kAccessKey,   // an AccessKey (with an STS token when given one), used as is
  kRamRoleArn,  // STS AssumeRole with an AccessKey
  kOidc,        // STS AssumeRoleWithOIDC with a token file (GitHub Actions, ACK RRSA)
  kEcsRamRole,  // the ECS instance's RAM role, from the instance metadata service
};

struct CredentialSpec {
  CredentialKind kind = CredentialKind::kAccessKey;
  Credentials access_key;  // kAccessKey: the key; kRamRoleArn: the key that assumes the role
  std::string role_arn;    // kRamRoleArn, kOidc
  std::string session_name = "certform";
  int duration_seconds = 3600;    // STS DurationSeconds: 900 to the role's MaxSessionDuration
  std::string oidc_provider_arn;  // kOidc
  std::string oidc_token_file;    // kOidc: read again at each exchange (the platform rotates it)
  std::string ecs_role_name;      // kEcsRamRole; empty: asked from the metadata service
  std::string source;             // where the setting came from, for messages
};

// Resolves an account's `credentials` setting:
// - "env": ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / ALIBABA_CLOUD_SECURITY_TOKEN, else Terraform's
//   ALICLOUD_ACCESS_KEY / ALICLOUD_SECRET_KEY / ALICLOUD_SECURITY_TOKEN, else (the SDKs' default
//   chain order) the OIDC variables below when all three are set;
// - "oidc": ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE
//   (and ALIBABA_CLOUD_ROLE_SESSION_NAME);
// - "ecs-ram-role" or "ecs-ram-role:ROLE": the instance's role (ALIBABA_CLOUD_ECS_METADATA names
//   it when ROLE is not given);
// - "profile": the profile named by `profile` (--profile), else ALIBABA_CLOUD_PROFILE, else
//   ALICLOUD_PROFILE, else the aliyun CLI's "current" profile, else "default";
// - "profile:NAME": profile NAME.
// A profile is section [NAME] of the INI file $ALIBABA_CLOUD_CREDENTIALS_FILE or
// ~/.alibabacloud/credentials (types access_key, ram_role_arn, ecs_ram_role), else profile NAME
// of the aliyun CLI's $ALIBABA_CLOUD_CONFIG_FILE or ~/.aliyun/config.json (modes AK, StsToken,
// RamRoleArn, EcsRamRole, OIDC), unless ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true.
// NotFound with one message listing every place looked at when none has the credentials;
// InvalidArgument for a profile that is there but unusable.
// Empty when `name` may be a RAM role's name, else why not: 1 to 64 letters, digits, '.', '-'
// (RAM CreateRole,
// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-createrole) or
// '_' (which ROS's ALIYUN::RAM::Role allows,
// https://www.alibabacloud.com/help/doc-detail/48369.htm). The name goes into the metadata
// service's URL, so nothing else may reach it.
std::string RamRoleNameProblem(const std::string& name);

// Empty when `id` may be an AccessKeyId (printed and sent as the AccessKeyId parameter): 1 to
// 128 letters, digits, '.' and '-' (LTAI..., STS....); else why not, never quoting `id`.
std::string AccessKeyIdProblem(const std::string& id);

engine::Status ResolveCredentialSpec(const std::string& setting, const std::string& profile,
                                     const engine::EnvLookup& env, engine::FileSystem& fs,
                                     CredentialSpec* out);

// Every spec resolved is checked before it is returned (AccessKeyIdProblem, the ARNs' and session
// name's shapes of engine/config/credential_names.h, RamRoleNameProblem), wherever it was read.
//
// An account's credentials: where its own table names them (engine::CredentialNames: its
// variables, read and nothing else, each one that is unset or empty named in a NotFound; or its
// OIDC role, whose token file is read at each exchange), else its `credentials` setting
// (ResolveCredentialSpec). The spec's `source` says where they came from, for messages.
engine::Status ResolveAccountCredentials(const engine::AccountConfig& account,
                                         const std::string& profile, const engine::EnvLookup& env,
                                         engine::FileSystem& fs, CredentialSpec* out);

}  // namespace certform::alicloud
