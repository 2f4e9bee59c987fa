// Finding an account's AccessKey: the environment or a named profile, with the conventions of
// Alibaba's SDKs and CLI (alibaba-cdn-api.md §6). The secret is never put in any message.
#pragma once

#include <string>

#include "engine/base/file_system.h"
#include "engine/base/status.h"
#include "engine/config/certificate_resolver.h"

namespace certform::alicloud {

struct Credentials {
  std::string access_key_id;
  std::string access_key_secret;  // secret: never printed, logged or written
  std::string security_token;     // STS token, empty for a plain AccessKey
  std::string source;             // where it came from, for messages ("environment", a path)
};

// Resolves `setting` ("env" or "profile:NAME"):
// - env: ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET /
// ALIBABA_CLOUD_SECURITY_TOKEN,
//   else Terraform's ALICLOUD_ACCESS_KEY / ALICLOUD_SECRET_KEY / ALICLOUD_SECURITY_TOKEN;
// - profile:NAME: section [NAME] of the INI file $ALIBABA_CLOUD_CREDENTIALS_FILE or
//   ~/.alibabacloud/credentials (type access_key), else profile NAME of the aliyun CLI's
//   $ALIBABA_CLOUD_CONFIG_FILE or ~/.aliyun/config.json (mode AK or StsToken), unless
//   ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true.
// NotFound with one message listing every place looked at when none has the credentials.
engine::Status ResolveCredentials(const std::string& setting, const engine::EnvLookup& env,
                                  engine::FileSystem& fs, Credentials* out);

}  // namespace certform::alicloud
