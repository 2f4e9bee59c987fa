// The ECS instance metadata service's credential paths (hardened mode): a session token, then
// the instance role's name or credentials. Its own state (the session tokens) and mutex.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "providers/alicloud/emulator/service_handler.h"

namespace certform::emulator {

class MetadataService final : public ServiceHandler {
 public:
  explicit MetadataService(ServiceContext context);

  // A session token valid `ttl_seconds` ("" when the ttl is out of range).
  std::string Token(int ttl_seconds);
  // The role's name (`role_name` empty) or credentials in `body`; returns the HTTP status: 200,
  // 401 without a valid token, 404 for an unknown role.
  int Credentials(const std::string& token, const std::string& role_name, std::string* body);

  // PUT /latest/api/token and GET /latest/meta-data/ram/security-credentials/[ROLE].
  bool Accepts(const ServiceRequest& request) const override;
  ApiResponse Handle(const ServiceRequest& request) override;
  void Reset() override;

 private:
  ServiceContext context_;
  std::mutex mu_;
  std::map<std::string, int64_t> tokens_;  // session token → expiry (Unix seconds)
};

}  // namespace certform::emulator
