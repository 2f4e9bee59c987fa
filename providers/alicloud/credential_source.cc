#include "providers/alicloud/credential_source.h"

namespace certform::alicloud {

engine::Status StaticCredentialSource::Get(Credentials* out, engine::CallResult* /*result*/) {
  *out = credentials_;
  return engine::Status::OK();
}

engine::Status SessionCredentialSource::Get(Credentials* out, engine::CallResult* result) {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = engine::ToUnixSeconds(clock_.Now());
  if (!current_ || current_->expiration - now <= refresh_before_.count()) {
    SessionCredentials fresh;
    ++fetches_;
    engine::Status s = fetch_(&fresh, result);
    if (!s.ok()) return s;
    current_ = std::move(fresh);
  }
  *out = current_->credentials;
  return engine::Status::OK();
}

int SessionCredentialSource::fetches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fetches_;
}

}  // namespace certform::alicloud
