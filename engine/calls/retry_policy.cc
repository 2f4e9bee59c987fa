#include "engine/calls/retry_policy.h"

#include <algorithm>

namespace certform::engine {

namespace {

// Uniform in [0, max].
Clock::Duration Uniform(Clock::Duration max, RandomSource& random) {
  if (max.count() <= 0) return Clock::Duration(0);
  const uint64_t span = static_cast<uint64_t>(max.count()) + 1;
  return Clock::Duration(static_cast<Clock::Duration::rep>(random.Next64() % span));
}

}  // namespace

bool RetryPolicy::ShouldRetry(const Status& status, int attempts, Clock::Duration elapsed) const {
  return status.IsRetryable() && attempts < options_.max_attempts &&
         elapsed < options_.max_call_time;
}

Clock::Duration RetryPolicy::Backoff(int attempts, Clock::Duration retry_after,
                                     RandomSource& random) const {
  if (retry_after.count() > 0) return retry_after + Uniform(options_.base, random);
  const int doublings = std::clamp(attempts - 1, 0, 30);
  Clock::Duration ceiling = options_.base;
  for (int i = 0; i < doublings && ceiling < options_.cap; ++i) ceiling *= 2;
  return Uniform(std::min(ceiling, options_.cap), random);
}

}  // namespace certform::engine
