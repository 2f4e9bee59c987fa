// Failing expiry checks (expiry_fail_days): which certificates, live or desired, expire sooner
// than the setting allows. drift and verify exit 2 when there is one. The warning
// (expiry_warning_days, drift.h) keeps its own threshold.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/config/config.h"

namespace certform::engine {

struct ExpiryFailure {
  Address address;
  std::string what;  // "live" (read from the API), "served" (by the edge), "desired" (configured)
  int64_t not_after = 0;
  int64_t days_left = 0;  // may be negative: expired
};

// Appends a failure for `address` when `not_after` (Unix seconds, 0: unknown) is sooner than
// `fail_days` days after `now`; nothing when fail_days is 0.
void CheckExpiry(const Address& address, const std::string& what, int64_t not_after, int64_t now,
                 int fail_days, std::vector<ExpiryFailure>* out);

// The failures of the configured certificates of `config`'s bindings (HTTPS on; with
// `addresses` not empty, only those address keys).
std::vector<ExpiryFailure> DesiredExpiryFailures(const Config& config, int64_t now, int fail_days,
                                                 const std::vector<std::string>& addresses = {});

}  // namespace certform::engine
