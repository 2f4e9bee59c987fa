// CredentialSource: where an account's RPC clients take the credentials of each call. A plain
// AccessKey never changes; STS credentials (an assumed RAM role, an OIDC token exchange, an ECS
// instance's role) expire and are fetched again shortly before, so a long apply never signs with
// an expired token. One source is shared by every client of an account (CDN and CAS).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "engine/base/clock.h"
#include "engine/base/status.h"
#include "engine/calls/provider.h"
#include "providers/alicloud/credentials.h"

namespace certform::alicloud {

class CredentialSource {
 public:
  virtual ~CredentialSource() = default;
  // The credentials to sign the next call with. On failure `result` carries the error code (so
  // that the engine's retry policy treats a network error reaching STS like any other).
  virtual engine::Status Get(Credentials* out, engine::CallResult* result) = 0;
  // Who the calls are made as, stable across refreshes: the AccessKeyId, or the role. Rate
  // limits are per user, so pacing is keyed by it.
  virtual std::string Identity() const = 0;
};

// A long-lived AccessKey (or an STS token given as is, which certform cannot renew).
class StaticCredentialSource final : public CredentialSource {
 public:
  explicit StaticCredentialSource(Credentials credentials) : credentials_(std::move(credentials)) {}
  engine::Status Get(Credentials* out, engine::CallResult* result) override;
  std::string Identity() const override { return credentials_.access_key_id; }

 private:
  Credentials credentials_;
};

// Temporary credentials and when they stop working (Unix seconds).
struct SessionCredentials {
  Credentials credentials;
  int64_t expiration = 0;
};

// Fetches session credentials on first use and again when fewer than `refresh_before` remain
// before they expire. Thread-safe: concurrent calls wait for one fetch.
class SessionCredentialSource final : public CredentialSource {
 public:
  using Fetch = std::function<engine::Status(SessionCredentials*, engine::CallResult*)>;
  // The SDKs renew STS credentials 180 s before they expire (credentials-go
  // providers/session_credentials.go needUpdateCredential); certform does the same.
  static constexpr std::chrono::seconds kRefreshBefore{180};

  SessionCredentialSource(std::string identity, Fetch fetch, engine::Clock& clock,
                          std::chrono::seconds refresh_before = kRefreshBefore)
      : identity_(std::move(identity)),
        fetch_(std::move(fetch)),
        clock_(clock),
        refresh_before_(refresh_before) {}

  engine::Status Get(Credentials* out, engine::CallResult* result) override;
  std::string Identity() const override { return identity_; }
  int fetches() const;  // how many times the credentials were fetched (for tests)

 private:
  std::string identity_;
  Fetch fetch_;
  engine::Clock& clock_;
  std::chrono::seconds refresh_before_;
  mutable std::mutex mu_;
  std::optional<SessionCredentials> current_;
  int fetches_ = 0;
};

}  // namespace certform::alicloud
