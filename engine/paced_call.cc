#include "engine/paced_call.h"

#include <fmt/format.h>

namespace certform::engine {

PacedCallResult PacedCall(RateLimiter& limiter, const RetryPolicy& retry, Clock& clock,
                          const std::function<Status(CallResult*)>& call,
                          const PacedCallHooks& hooks) {
  PacedCallResult r;
  const Clock::Instant first = clock.Monotonic();
  for (;;) {
    const Clock::Instant now = clock.Monotonic();
    const Clock::Instant slot = limiter.Reserve(now);
    if (slot > now) clock.SleepFor(slot - now);
    ++r.attempts;
    r.last = CallResult();
    r.status = call(&r.last);
    if (r.status.ok()) {
      limiter.OnSuccess();
      return r;
    }
    if (r.last.error_code.starts_with("Throttling")) {
      limiter.OnThrottled(clock.Monotonic(), r.last.retry_after);
      hooks.on_throttled();
    }
    if (hooks.halted() || !retry.ShouldRetry(r.status, r.attempts, clock.Monotonic() - first)) {
      if (r.status.IsRetryable() && !hooks.halted()) {
        r.status = Status::Unavailable(
            fmt::format("{} (gave up after {} attempts)", r.status.message(), r.attempts));
      }
      return r;
    }
    const Clock::Duration wait = hooks.backoff(r.attempts, r.last.retry_after);
    hooks.on_retry(r.attempts + 1, wait, r.status, r.last);
    clock.SleepFor(wait);
  }
}

}  // namespace certform::engine
