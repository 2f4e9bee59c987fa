#include "providers/alicloud/sts_credentials.h"

#include <fmt/format.h>

#include "engine/config/certificate.h"
#include "providers/alicloud/rpc_client.h"

namespace certform::alicloud {

namespace {

using engine::Status;

// Any failure to get credentials stops the account's calls; the message says which step failed.
// Network errors and the API's transient answers stay retryable.
Status Explain(const Status& s, const std::string& what) {
  if (s.IsRetryable()) return s.WithContext(what);
  return Status::PermissionDenied(what + ": " + s.message());
}

Status FromStsAnswer(const nlohmann::json& body, const std::string& what, SessionCredentials* out) {
  if (!body.contains("Credentials") ||
      !ReadSessionCredentials(body["Credentials"], "STS " + what, out)) {
    return Status::PermissionDenied(what + ": the answer has no usable Credentials");
  }
  return Status::OK();
}

// STS AssumeRole, signed with the account's AccessKey.
SessionCredentialSource::Fetch AssumeRole(const CredentialSpec& spec, const StsSetup& setup) {
  auto sts = std::make_shared<RpcClient>(*setup.transport, *setup.clock, *setup.random,
                                         spec.access_key, setup.sts_endpoint, kStsApiVersion);
  const std::string what = fmt::format("assuming role {} with AccessKeyId {} at {}", spec.role_arn,
                                       spec.access_key.access_key_id, setup.sts_endpoint);
  const Params params = {{"RoleArn", spec.role_arn},
                         {"RoleSessionName", spec.session_name},
                         {"DurationSeconds", std::to_string(spec.duration_seconds)}};
  return [sts, what, params](SessionCredentials* out, engine::CallResult* result) {
    nlohmann::json body;
    Status s = sts->Call("AssumeRole", params, &body, result);
    if (!s.ok()) return Explain(s, what);
    return FromStsAnswer(body, what, out);
  };
}

// STS AssumeRoleWithOIDC: anonymous (the OIDC token is the proof), the token file read afresh
// each time because the platform rotates it.
SessionCredentialSource::Fetch AssumeRoleWithOidc(const CredentialSpec& spec,
                                                  const StsSetup& setup) {
  auto sts = std::make_shared<RpcClient>(*setup.transport, *setup.clock, *setup.random, nullptr,
                                         setup.sts_endpoint, kStsApiVersion);
  const std::string what = fmt::format("assuming role {} with the OIDC token in {} at {}",
                                       spec.role_arn, spec.oidc_token_file, setup.sts_endpoint);
  engine::FileSystem* fs = setup.fs;
  return [sts, what, spec, fs](SessionCredentials* out, engine::CallResult* result) {
    std::string token;
    Status read = fs->ReadFile(spec.oidc_token_file, &token);
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    if (!read.ok() || token.empty()) {
      result->error_code = "OIDCTokenUnreadable";
      return Status::PermissionDenied(
          fmt::format("{}: cannot read the token: {}", what,
                      read.ok() ? std::string("the file is empty") : read.message()));
    }
    nlohmann::json body;
    Status s = sts->Call("AssumeRoleWithOIDC",
                         {{"RoleArn", spec.role_arn},
                          {"OIDCProviderArn", spec.oidc_provider_arn},
                          {"OIDCToken", token},
                          {"RoleSessionName", spec.session_name},
                          {"DurationSeconds", std::to_string(spec.duration_seconds)}},
                         &body, result);
    engine::WipeSecret(&token);
    if (!s.ok()) return Explain(s, what);
    return FromStsAnswer(body, what, out);
  };
}

// The ECS metadata service, IMDSv2 (a session token first, then the role's credentials):
// https://www.alibabacloud.com/help/en/ecs/user-guide/view-instance-metadata (hardened mode);
// credentials-go providers/ecs_ram_role.go.
Status MetadataGet(providers::HttpTransport& transport, const std::string& url,
                   const std::string& token, std::string* body, engine::CallResult* result) {
  providers::HttpRequest request;
  request.method = "GET";
  request.url = url;
  request.headers = {{"X-aliyun-ecs-metadata-token", token}};
  providers::HttpResponse response;
  Status s = transport.Send(request, &response);
  if (!s.ok()) {
    result->error_code = "NetworkError";
    return s;
  }
  result->http_status = response.status;
  if (response.status != 200) {
    result->error_code = fmt::format("HTTP{}", response.status);
    return Status::PermissionDenied(fmt::format("GET {} answered HTTP {}", url, response.status));
  }
  *body = std::move(response.body);
  return Status::OK();
}

SessionCredentialSource::Fetch EcsRamRole(const CredentialSpec& spec, const StsSetup& setup) {
  providers::HttpTransport* transport = setup.transport;
  const std::string base = setup.metadata_endpoint;
  const std::string role = spec.ecs_role_name;
  return [transport, base, role](SessionCredentials* out, engine::CallResult* result) {
    const std::string what = "getting the ECS instance's RAM role credentials from " + base;
    providers::HttpRequest request;
    request.method = "PUT";
    request.url = base + "/latest/api/token";
    request.headers = {{"X-aliyun-ecs-metadata-token-ttl-seconds", "21600"}};
    providers::HttpResponse response;
    Status s = transport->Send(request, &response);
    if (s.ok() && response.status != 200) {
      s = Status::PermissionDenied(
          fmt::format("PUT /latest/api/token answered HTTP {}", response.status));
    }
    if (!s.ok()) {
      result->error_code = s.IsRetryable() ? "NetworkError" : "MetadataError";
      return Explain(s, what);
    }
    const std::string token = response.body;
    const std::string prefix = base + "/latest/meta-data/ram/security-credentials/";
    std::string name = role, body;
    if (name.empty()) {
      s = MetadataGet(*transport, prefix, token, &name, result);
      if (!s.ok()) return Explain(s, what + " (the role's name)");
      name = name.substr(0, name.find('\n'));
    }
    s = MetadataGet(*transport, prefix + name, token, &body, result);
    if (!s.ok()) return Explain(s, fmt::format("{} (role {})", what, name));
    nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
    engine::WipeSecret(&body);
    if (!doc.is_object() || doc.value("Code", "") != "Success" ||
        !ReadSessionCredentials(doc, "ECS role " + name, out)) {
      return Status::PermissionDenied(
          fmt::format("{} (role {}): the answer has no usable credentials", what, name));
    }
    return Status::OK();
  };
}

}  // namespace

bool ReadSessionCredentials(const nlohmann::json& c, const std::string& source,
                            SessionCredentials* out) {
  if (!c.is_object()) return false;
  for (const char* key : {"AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration"}) {
    if (!c.contains(key) || !c[key].is_string() || c[key].get<std::string>().empty()) return false;
  }
  out->credentials = {c["AccessKeyId"].get<std::string>(), c["AccessKeySecret"].get<std::string>(),
                      c["SecurityToken"].get<std::string>(), source};
  return engine::ParseUtc(c["Expiration"].get<std::string>(), &out->expiration);
}

std::shared_ptr<CredentialSource> MakeCredentialSource(const CredentialSpec& spec,
                                                       const StsSetup& setup) {
  switch (spec.kind) {
    case CredentialKind::kAccessKey:
      return std::make_shared<StaticCredentialSource>(spec.access_key);
    case CredentialKind::kRamRoleArn:
      return std::make_shared<SessionCredentialSource>(spec.role_arn, AssumeRole(spec, setup),
                                                       *setup.clock);
    case CredentialKind::kOidc:
      return std::make_shared<SessionCredentialSource>(
          spec.role_arn, AssumeRoleWithOidc(spec, setup), *setup.clock);
    case CredentialKind::kEcsRamRole:
      return std::make_shared<SessionCredentialSource>(
          "ecs-ram-role:" + (spec.ecs_role_name.empty() ? "instance" : spec.ecs_role_name),
          EcsRamRole(spec, setup), *setup.clock);
  }
  return nullptr;
}

}  // namespace certform::alicloud
