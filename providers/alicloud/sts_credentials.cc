#include "providers/alicloud/sts_credentials.h"

#include <fmt/format.h>

#include "engine/base/text_escape.h"
#include "engine/config/certificate.h"
#include "providers/alicloud/rpc_client.h"
#include "providers/request_target.h"

namespace certform::alicloud {

namespace {

using engine::Status;

// An OIDC token is a JWT of a few KiB; a file near a MiB is not one (or is /dev/zero).
constexpr int64_t kMaxOidcTokenBytes = int64_t{1} << 20;
// The metadata service's session token goes into a header: printable ASCII of a bounded length
// (its tokens are a few dozen characters; the harsher reading of an undocumented limit).
constexpr size_t kMaxMetadataTokenBytes = 1024;
// The metadata address, the one host plain http may reach besides this machine.
constexpr char kEcsMetadataHost[] = "100.100.100.200";

// An STS client: its errors never quote an answer that is not the API's JSON (it can hold the
// credentials STS issued).
std::shared_ptr<RpcClient> StsClient(const StsSetup& setup,
                                     std::shared_ptr<CredentialSource> credentials) {
  auto sts =
      std::make_shared<RpcClient>(*setup.transport, *setup.clock, *setup.random,
                                  std::move(credentials), setup.sts_endpoint, kStsApiVersion);
  sts->set_quote_unexpected_answers(false);
  return sts;
}

// Any failure to get credentials stops the account's calls; the message says which step failed.
// Network errors and the API's transient answers stay retryable.
Status Explain(const Status& s, const std::string& what) {
  if (s.IsRetryable()) return s.WithContext(what);
  return Status::PermissionDenied(what + ": " + s.message());
}

Status FromStsAnswer(const nlohmann::json& body, const std::string& what, SessionCredentials* out) {
  if (!body.contains("Credentials") ||
      !ReadSessionCredentials(body["Credentials"], "STS " + what, out)) {
    return Status::PermissionDenied(
        what +
        ": the answer (not quoted) has no usable Credentials (expected AccessKeyId, "
        "AccessKeySecret, SecurityToken and Expiration)");
  }
  return Status::OK();
}

// STS AssumeRole, signed with the account's AccessKey.
SessionCredentialSource::Fetch AssumeRole(const CredentialSpec& spec, const StsSetup& setup) {
  auto sts = StsClient(setup, std::make_shared<StaticCredentialSource>(spec.access_key));
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
  auto sts = StsClient(setup, nullptr);
  const std::string what = fmt::format("assuming role {} with the OIDC token in {} at {}",
                                       spec.role_arn, spec.oidc_token_file, setup.sts_endpoint);
  engine::FileSystem* fs = setup.fs;
  return [sts, what, spec, fs](SessionCredentials* out, engine::CallResult* result) {
    std::string token;
    Status read = engine::ReadBoundedFile(*fs, spec.oidc_token_file, kMaxOidcTokenBytes, &token);
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
//
// Every request is checked to go to the metadata endpoint, and the token to be a header value.
Status MetadataGet(providers::HttpTransport& transport, const std::string& base,
                   const std::string& url, const std::string& token, std::string* body,
                   engine::CallResult* result) {
  if (Status target = providers::CheckRequestTarget(url, base, kEcsMetadataHost); !target.ok()) {
    result->error_code = "InvalidEndpoint";
    return target;
  }
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
    return Status::PermissionDenied(fmt::format("GET {} answered HTTP {} ({} bytes, not quoted)",
                                                engine::ForTerminal(url), response.status,
                                                response.body.size()));
  }
  *body = std::move(response.body);
  return Status::OK();
}

// Empty when `token` may go into the X-aliyun-ecs-metadata-token header, else why not.
std::string MetadataTokenProblem(const std::string& token) {
  if (token.empty()) return "the session token is empty";
  if (token.size() > kMaxMetadataTokenBytes) {
    return fmt::format("the session token has {} bytes, more than {}", token.size(),
                       kMaxMetadataTokenBytes);
  }
  for (char c : token) {
    if (c < 0x21 || c > 0x7e) return "the session token holds a character a header cannot";
  }
  return "";
}

SessionCredentialSource::Fetch EcsRamRole(const CredentialSpec& spec, const StsSetup& setup) {
  providers::HttpTransport* transport = setup.transport;
  const std::string base = setup.metadata_endpoint;
  const std::string role = spec.ecs_role_name;
  return [transport, base, role](SessionCredentials* out, engine::CallResult* result) {
    const std::string what = "getting the ECS instance's RAM role credentials from " + base;
    if (!role.empty() && !RamRoleNameProblem(role).empty()) {
      result->error_code = "InvalidRoleName";
      return Status::InvalidArgument(fmt::format("{}: the role name \"{}\" cannot be used: {}",
                                                 what, engine::ForTerminal(role),
                                                 RamRoleNameProblem(role)));
    }
    providers::HttpRequest request;
    request.method = "PUT";
    request.url = base + "/latest/api/token";
    request.headers = {{"X-aliyun-ecs-metadata-token-ttl-seconds", "21600"}};
    providers::HttpResponse response;
    Status s = providers::CheckRequestTarget(request.url, base, kEcsMetadataHost);
    if (!s.ok()) {
      result->error_code = "InvalidEndpoint";
      return s.WithContext(what);
    }
    s = transport->Send(request, &response);
    if (s.ok() && response.status != 200) {
      s = Status::PermissionDenied(
          fmt::format("PUT /latest/api/token answered HTTP {} ({} bytes, not quoted)",
                      response.status, response.body.size()));
    }
    if (s.ok()) {
      if (std::string problem = MetadataTokenProblem(response.body); !problem.empty()) {
        s = Status::PermissionDenied(fmt::format(
            "PUT /latest/api/token answered HTTP 200 with {} bytes that are not a session token "
            "(expected printable ASCII, at most {} bytes): {}",
            response.body.size(), kMaxMetadataTokenBytes, problem));
      }
    }
    if (!s.ok()) {
      result->error_code = s.IsRetryable() ? "NetworkError" : "MetadataError";
      return Explain(s, what);
    }
    std::string token = response.body;
    engine::WipeSecret(&response.body);
    const std::string prefix = base + "/latest/meta-data/ram/security-credentials/";
    std::string name = role, body;
    if (name.empty()) {
      s = MetadataGet(*transport, base, prefix, token, &name, result);
      if (!s.ok()) return Explain(s, what + " (the role's name)");
      name = name.substr(0, name.find_first_of("\r\n"));
      if (std::string problem = RamRoleNameProblem(name); !problem.empty()) {
        result->error_code = "MetadataError";
        return Status::PermissionDenied(fmt::format(
            "{}: the metadata service named a role that cannot be one ({} bytes, not quoted): "
            "{}",
            what, name.size(), problem));
      }
    }
    s = MetadataGet(*transport, base, prefix + name, token, &body, result);
    engine::WipeSecret(&token);
    if (!s.ok()) return Explain(s, fmt::format("{} (role {})", what, name));
    nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
    const size_t size = body.size();
    engine::WipeSecret(&body);
    if (!doc.is_object() || doc.value("Code", "") != "Success" ||
        !ReadSessionCredentials(doc, "ECS role " + name, out)) {
      return Status::PermissionDenied(fmt::format(
          "{} (role {}): the answer (HTTP 200, {} bytes, not quoted) is not the expected JSON "
          "object with Code \"Success\", AccessKeyId, AccessKeySecret, SecurityToken and "
          "Expiration",
          what, name, size));
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
