// Temporary credentials from STS (API 2015-04-01: AssumeRole, AssumeRoleWithOIDC) and from the ECS
// instance metadata service, and the CredentialSource that renews them for an account.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/base/clock.h"
#include "engine/base/file_system.h"
#include "engine/base/random.h"
#include "providers/alicloud/credential_source.h"
#include "providers/alicloud/credentials.h"
#include "providers/http_transport.h"

namespace certform::alicloud {

inline constexpr char kStsApiVersion[] = "2015-04-01";
inline constexpr char kDefaultStsEndpoint[] = "https://sts.aliyuncs.com";
// The ECS metadata service's documented address (link-local, plain HTTP by design).
inline constexpr char kEcsMetadataEndpoint[] = "http://100.100.100.200";

struct StsSetup {
  providers::HttpTransport* transport = nullptr;
  engine::Clock* clock = nullptr;
  engine::RandomSource* random = nullptr;
  engine::FileSystem* fs = nullptr;  // reads OIDC token files
  std::string sts_endpoint = kDefaultStsEndpoint;
  std::string metadata_endpoint = kEcsMetadataEndpoint;
};

// The source of `spec`'s credentials: the AccessKey itself, or one that fetches STS credentials
// on first use and renews them before they expire. The pointers in `setup` must outlive it.
std::shared_ptr<CredentialSource> MakeCredentialSource(const CredentialSpec& spec,
                                                       const StsSetup& setup);

// Reads the Credentials object of an STS answer or of the metadata service's answer
// ({AccessKeyId, AccessKeySecret, SecurityToken, Expiration}); false when a field is missing.
bool ReadSessionCredentials(const nlohmann::json& credentials, const std::string& source,
                            SessionCredentials* out);

}  // namespace certform::alicloud
