#include "engine/calls/paced_call.h"

#include <algorithm>

#include <fmt/format.h>

namespace certform::engine {

namespace {

// How often a waiting worker looks at the stop flag.
constexpr Clock::Duration kStopCheck = std::chrono::milliseconds(50);

// Waits for a send slot that is still valid when it comes (a throttling answer in between voids
// it) and sets `*slot`; false when halted first.
bool WaitForSlot(RateLimiter& limiter, Clock& clock, const std::function<bool()>& halted,
                 RateLimiter::Slot* slot) {
  for (;;) {
    if (halted()) return false;
    const Clock::Instant now = clock.Monotonic();
    *slot = limiter.Reserve(now);
    if (slot->at > now && !SleepUnlessHalted(clock, slot->at - now, halted)) return false;
    if (halted()) return false;
    if (limiter.StillValid(*slot)) return true;
  }
}

}  // namespace

bool SleepUnlessHalted(Clock& clock, Clock::Duration duration,
                       const std::function<bool()>& halted) {
  while (duration.count() > 0) {
    if (halted()) return false;
    const Clock::Duration step = std::min(duration, kStopCheck);
    clock.SleepFor(step);
    duration -= step;
  }
  return !halted();
}

PacedCallResult PacedCall(CallLane& lane, const RetryPolicy& retry, Clock& clock,
                          const std::function<Status(CallResult*)>& call,
                          const PacedCallHooks& hooks) {
  RateLimiter& limiter = lane.limiter;
  CallWindow& window = lane.window;
  PacedCallResult r;
  const Clock::Instant first = clock.Monotonic();
  for (;;) {
    if (hooks.prepare) {
      PacedCallResult prepared = hooks.prepare();
      if (prepared.decided) {
        r.decided = true;
        r.status = prepared.status;
        r.last = prepared.last;
        return r;
      }
      if (!prepared.status.ok()) {
        if (r.attempts == 0) return prepared;
        // A send went before, its answer lost: that failure stands, with what stopped the retry.
        // A refusal of the whole account (the read's credentials) is the account's to act on.
        const std::string why = fmt::format("{}; the read before the retry failed: {}",
                                            r.status.message(), prepared.status.message());
        if (prepared.status.IsAccountWide()) {
          r.status = Status::PermissionDenied(why);
          r.last = prepared.last;
        } else if (r.status.IsThrottled()) {
          r.status = Status::Throttled(why);
        } else if (r.status.IsRetryable()) {
          r.status = Status::Unavailable(why);
        }
        r.stopped = prepared.stopped;
        return r;
      }
    }
    const bool placed = window.Acquire(hooks.halted);
    RateLimiter::Slot slot;
    if (!placed || !WaitForSlot(limiter, clock, hooks.halted, &slot)) {
      if (placed) window.Release({}, /*sent=*/false);
      r.stopped = true;
      if (r.attempts == 0) r.status = Status::Cancelled("not attempted: the run was stopped");
      return r;
    }
    if (hooks.fence) {
      if (Status fenced = hooks.fence(); !fenced.ok()) {
        window.Release({}, /*sent=*/false);
        r.stopped = true;
        r.status = fenced;
        return r;
      }
    }
    ++r.attempts;
    r.last = CallResult();
    const Clock::Instant sent = clock.Monotonic();
    r.status = call(&r.last);
    const Clock::Instant answered = clock.Monotonic();
    window.Release(answered - sent);
    limiter.OnAnswered(slot, sent, answered);  // when it can have arrived, for the next slots
    if (r.status.ok()) {
      limiter.OnSuccess();
      return r;
    }
    if (r.status.IsThrottled()) {
      limiter.OnThrottled(answered, r.last.retry_after);
      hooks.on_throttled();
    }
    if (!retry.ShouldRetry(r.status, r.attempts, answered - first)) {
      if (r.status.IsRetryable()) {
        r.status = Status::Unavailable(
            fmt::format("{} (gave up after {} attempts)", r.status.message(), r.attempts));
      }
      return r;
    }
    if (hooks.halted()) {
      r.stopped = true;
      return r;  // the last failure stands; no retry after a stop
    }
    const Clock::Duration wait = hooks.backoff(r.attempts, r.last.retry_after);
    hooks.on_retry(r.attempts + 1, wait, r.status, r.last);
    if (!SleepUnlessHalted(clock, wait, hooks.halted)) {
      r.stopped = true;
      return r;
    }
  }
}

SerialCall MakeSerialCall(PacingRegistry& pacing, const AccountRuntime& account,
                          const std::string& account_name, const RetryPolicy& retry, Clock& clock,
                          RandomSource& random, PacedCallHooks hooks, const std::string& product) {
  if (!hooks.backoff) {
    hooks.backoff = [&retry, &random](int attempts, Clock::Duration retry_after) {
      return retry.Backoff(attempts, retry_after, random);
    };
  }
  return [&pacing, &account, account_name, &retry, &clock, hooks, product](
             CallKind kind, const std::function<Status(CallResult*)>& call) {
    CallLane& lane = product.empty() ? pacing.StoreLane(account, account_name, kind)
                                     : pacing.Lane(account, account_name, kind, product);
    return PacedCall(lane, retry, clock, call, hooks);
  };
}

}  // namespace certform::engine
