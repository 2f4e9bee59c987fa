// The shapes of what says where an account's credentials are: the names of environment
// variables, RAM ARNs, an STS session name and the STS endpoint. Each is outside input (a TOML
// file, the environment, a profile file) that decides what certform reads and where it sends a
// signed request or an OIDC token, so each is checked before it is used, wherever it comes from
// (credentials_section.cc for TOML, providers/alicloud/credentials.cc for the rest).
#pragma once

#include <string>

namespace certform::engine {

// The longest variable name accepted: longer than any name a CI system gives its secrets.
inline constexpr size_t kMaxVariableName = 128;

// Empty when `name` may name the environment variable that holds a credential, else why not
// (never quoting `name`: it may be a secret pasted in the wrong place). [A-Z_][A-Z0-9_]*, at
// most kMaxVariableName characters, and none of the variables the system and certform use for
// something else (PATH, HOME, LD_*, LC_*, CERTFORM_*, ...).
std::string VariableNameProblem(const std::string& name);

// Empty when `arn` is an ARN of RAM `kind` ("role", "oidc-provider"): acs:ram::ACCOUNT:KIND/NAME,
// ACCOUNT digits, NAME letters, digits, '.', '-', '_' (RAM CreateRole and CreateOIDCProvider's
// name rules), at most 256 characters; else why not.
std::string RamArnProblem(const std::string& arn, const std::string& kind);

// Empty when `name` may be an STS RoleSessionName: 2 to 64 of [A-Za-z0-9.@_-] (STS
// AssumeRoleWithOIDC); else why not.
std::string SessionNameProblem(const std::string& name);

// Empty when `endpoint` (already a valid endpoint, engine/base/endpoint.h) may be an account's
// `sts_endpoint`: Alibaba Cloud's STS, https://sts.aliyuncs.com or
// https://sts[-vpc].REGION.aliyuncs.com, or this machine (the local emulator). AssumeRoleWithOIDC
// is anonymous and carries the OIDC token, a bearer credential: it may not go anywhere else.
std::string StsEndpointProblem(const std::string& endpoint);

}  // namespace certform::engine
