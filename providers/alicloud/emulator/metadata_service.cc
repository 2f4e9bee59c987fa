// The ECS instance metadata service: the way certform running on an ECS instance gets its role's
// temporary credentials.
//
// The metadata service (ECS "instance metadata" docs, hardened mode): PUT /latest/api/token with
// X-aliyun-ecs-metadata-token-ttl-seconds (1 to 21600) gives a token; GET
// /latest/meta-data/ram/security-credentials/[ROLE] with X-aliyun-ecs-metadata-token lists the
// role or answers its credentials. The emulator always runs in hardened mode (a request without a
// valid token is refused, 401), the stricter of the two modes.
#include "providers/alicloud/emulator/metadata_service.h"

#include "providers/alicloud/emulator/sts_service.h"

namespace certform::emulator {

MetadataService::MetadataService(ServiceContext context) : context_(context) {}

bool MetadataService::Accepts(const ServiceRequest& request) const {
  return request.http.target.starts_with("/latest/");
}

ApiResponse MetadataService::Handle(const ServiceRequest& request) {
  const ApiRequest& http = request.http;
  ApiResponse r;
  r.content_type = "text/plain";
  if (http.method == "PUT" && http.target == "/latest/api/token") {
    const std::string ttl = HeaderValue(http.headers, "x-aliyun-ecs-metadata-token-ttl-seconds");
    r.body = Token(ttl.empty() ? 0 : std::atoi(ttl.c_str()));
    r.status = r.body.empty() ? 400 : 200;
    return r;
  }
  constexpr std::string_view kCredentials = "/latest/meta-data/ram/security-credentials/";
  if (http.method == "GET" && http.target.starts_with(kCredentials)) {
    r.status = Credentials(HeaderValue(http.headers, "x-aliyun-ecs-metadata-token"),
                           http.target.substr(kCredentials.size()), &r.body);
    return r;
  }
  r.status = 404;
  return r;
}

void MetadataService::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  tokens_.clear();
}

std::string MetadataService::Token(int ttl_seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  if (ttl_seconds < 1 || ttl_seconds > 21600) return "";
  const std::string token = context_.flow.RandomToken(44);
  tokens_[token] = engine::ToUnixSeconds(context_.clock.Now()) + ttl_seconds;
  return token;
}

int MetadataService::Credentials(const std::string& token, const std::string& role_name,
                                 std::string* body) {
  std::lock_guard<std::mutex> lock(mu_);
  auto t = tokens_.find(token);
  if (t == tokens_.end() || t->second <= engine::ToUnixSeconds(context_.clock.Now())) return 401;
  const RoleSeed* role = nullptr;
  for (const RoleSeed& r : context_.config.roles) {
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
  nlohmann::json doc = IssueTemporaryKey(context_, *role, role->max_session_duration);
  doc["Code"] = "Success";
  doc["LastUpdated"] = engine::FormatUtc(engine::ToUnixSeconds(context_.clock.Now()));
  *body = doc.dump();
  return 200;
}

}  // namespace certform::emulator
