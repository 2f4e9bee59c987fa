// RateLimiter: paces one user's calls of one kind so that they *arrive* within the API's limit.
//
// The API counts arrivals in a sliding one-second window; on a real network each request's transit
// time varies, so calls sent exactly 1/rate apart can arrive bunched and trip the window. Slots are
// therefore spaced (window + margin) / rate apart: any `rate` consecutive sends span the window
// plus a margin that absorbs arrival jitter. A throttling answer widens the margin (doubling it)
// and pushes every slot not yet used, including those already handed out, past the server's
// retry-after; a long throttle-free stretch narrows it again, slowly. No bursts: an idle limiter
// does not accumulate credit. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>

#include "engine/clock.h"

namespace certform::engine {

struct RateLimiterOptions {
  double rate = 10;  // calls the API admits per window (the account's rate_limit)
  Clock::Duration window = std::chrono::seconds(1);  // the API's sliding window
  // Slack per window for arrival jitter at the start: 25 ms paces 10/s at 0.976 × the limit.
  Clock::Duration margin = std::chrono::milliseconds(25);
  Clock::Duration min_margin = std::chrono::milliseconds(10);  // narrowing stops here
  Clock::Duration max_margin = std::chrono::seconds(1);        // widening stops at half the rate
  // After this long without a throttling answer the margin narrows by `narrow` of its excess over
  // min_margin; one run of a few hundred calls keeps what it learned.
  Clock::Duration quiet_period = std::chrono::seconds(30);
  double narrow = 0.25;
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimiterOptions options);

  // A reserved send time. `epoch` tells whether a throttling answer moved the schedule since.
  struct Slot {
    Clock::Instant at;
    uint64_t epoch = 0;
  };

  // Reserves the next send slot at or after `now`.
  Slot Reserve(Clock::Instant now);

  // False when a throttling answer came after `slot` was handed out: the caller must not send in
  // it, but Reserve() again (the server asked everyone to wait, not only the next caller).
  bool StillValid(const Slot& slot) const;

  // The server throttled a call at `now`: widen the margin (once per window: the answers to calls
  // already in flight say nothing new) and keep every slot after `now + retry_after`.
  void OnThrottled(Clock::Instant now, Clock::Duration retry_after);
  // A call went through at `now`: after a quiet period, narrow the margin a little.
  void OnSuccess(Clock::Instant now);

  Clock::Duration margin() const;
  double current_rate() const;  // calls per second the slots are spaced at now

 private:
  Clock::Duration Interval() const;

  const RateLimiterOptions options_;
  mutable std::mutex mu_;
  Clock::Duration margin_;
  Clock::Instant next_{};
  bool started_ = false;
  uint64_t epoch_ = 0;
  Clock::Instant last_widened_{};
  Clock::Instant quiet_since_{};
};

}  // namespace certform::engine
