// RetryPolicy: which failures to retry and how long to wait: exponential backoff with full jitter
// (AWS Architecture Blog, "Exponential Backoff and Jitter"), the server's x-acs-retry-after hint
// honoured, a cap on attempts and on the time spent on one call.
#pragma once

#include "engine/base/clock.h"
#include "engine/base/random.h"
#include "engine/base/status.h"

namespace certform::engine {

struct RetryOptions {
  int max_attempts = 6;                                   // attempts per call, the first included
  Clock::Duration base = std::chrono::milliseconds(200);  // first backoff ceiling
  Clock::Duration cap = std::chrono::seconds(10);         // largest single wait
  Clock::Duration max_call_time = std::chrono::seconds(120);  // give up on a call after this
};

class RetryPolicy {
 public:
  explicit RetryPolicy(RetryOptions options) : options_(options) {}

  // True when a call that failed with `status` after `attempts` attempts, `elapsed` after its
  // first, should be tried again. Only retryable statuses are (never certificate, parameter or
  // authentication errors).
  bool ShouldRetry(const Status& status, int attempts, Clock::Duration elapsed) const;

  // How long to wait before attempt `attempts + 1`: uniform in [0, min(cap, base·2^(attempts-1))],
  // or, when the server sent a hint, the hint plus up to `base` of jitter.
  Clock::Duration Backoff(int attempts, Clock::Duration retry_after, RandomSource& random) const;

  const RetryOptions& options() const { return options_; }

 private:
  RetryOptions options_;
};

}  // namespace certform::engine
