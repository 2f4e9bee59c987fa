// RateLimiter: paces one account's calls evenly at its rate (no bursts: the API counts calls in a
// sliding one-second window, which a burst at the start of a second would trip), lowers the rate
// after a throttling answer and recovers it gradually. Thread-safe.
#pragma once

#include <mutex>

#include "engine/clock.h"

namespace certform::engine {

struct RateLimiterOptions {
  double rate = 10;        // calls per second the API allows (the account's rate_limit)
  double safety = 0.98;    // pace at rate × safety, leaving slack for scheduling jitter
  double backoff = 0.5;    // after throttling the rate is multiplied by this ...
  double min_rate = 0.5;   // ... down to this many calls per second
  double recovery = 1.05;  // each success multiplies it back up by this, to the target
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimiterOptions options);

  // Reserves the next send slot at or after `now` and returns when the caller may send. Slots
  // are 1/rate apart; an idle limiter does not accumulate credit.
  Clock::Instant Reserve(Clock::Instant now);

  // The server throttled a call: halve the pace and keep every slot after `now + retry_after`.
  void OnThrottled(Clock::Instant now, Clock::Duration retry_after);
  // A call went through: creep back towards the target rate.
  void OnSuccess();

  double current_rate() const;

 private:
  Clock::Duration Interval() const;

  RateLimiterOptions options_;
  const double target_;
  mutable std::mutex mu_;
  double rate_;
  Clock::Instant next_{};
  bool started_ = false;
};

}  // namespace certform::engine
