// RateLimiter: paces one user's calls of one kind so that they *arrive* within the API's limit.
//
// The API counts arrivals in a sliding one-second window; on a real network each request's transit
// time varies, so calls sent exactly 1/rate apart can arrive bunched and trip the window. Slots are
// therefore spaced (window + margin) / rate apart: any `rate` consecutive sends span the window
// plus a margin that absorbs arrival jitter. A throttling answer widens the margin (doubling it
// while the limiter is still finding its footing, by a small step once it has) and voids every
// slot, including those already handed out, that falls before the server's retry-after (slots after
// it stand: the schedule is only as late as the server asked); a run of calls without one narrows
// the margin again by a smaller step. A throttle costs one retried call, a margin too wide costs
// every call: the margin settles where about one call in several hundred is throttled (≤ 1%), not
// where none ever is. No bursts: an idle limiter does not accumulate credit. Thread-safe.
//
// What answers tell (OnAnswered): a call cannot have arrived later than its answer came back less
// the fastest round trip seen on the lane. When the calls `rate` slots back have all been answered,
// the slot may be placed one window (and a little slack) after the latest of those arrivals
// instead of one window plus the margin after their sends: the margin is only paid for the transit
// the answers show, not for the worst the limiter has met. In simulation (bench/apply_throughput/
// pace_bound.py) this moves the pace with 0-100 ms of arrival jitter from 0.909 to 0.936 × the
// limit at a 100 ms margin; no sender can pass 0.953 there (bench/README.md, "Why not 0.95"). It
// changes nothing when answers come later than the slot they could anchor (slow APIs).
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>

#include "engine/base/clock.h"

namespace certform::engine {

struct RateLimiterOptions {
  double rate = 10;  // calls the API admits per window (the account's rate_limit)
  Clock::Duration window = std::chrono::seconds(1);  // the API's sliding window
  // Slack per window for arrival jitter at the start: 25 ms paces 10/s at 0.976 × the limit.
  Clock::Duration margin = std::chrono::milliseconds(25);
  Clock::Duration min_margin = std::chrono::milliseconds(10);  // narrowing stops here
  Clock::Duration max_margin = std::chrono::seconds(1);        // widening stops at half the rate
  // A throttling answer widens the margin at most once per window (the answers to calls already
  // in flight say nothing new). Until the margin first narrows it doubles, up to climb_cap: the
  // first throttles of a run find the network's jitter in two or three answers. After that, and
  // above climb_cap, it grows by widen_step: 10 ms costs 1% of the limit.
  Clock::Duration climb_cap = std::chrono::milliseconds(100);
  Clock::Duration widen_step = std::chrono::milliseconds(10);
  // After this many answered calls in a row without a throttling answer the margin narrows by
  // narrow_step: at equilibrium one throttle per quiet_calls × widen_step ÷ narrow_step calls
  // (1 in 200, 0.5%, with these values).
  int quiet_calls = 100;
  Clock::Duration narrow_step = std::chrono::milliseconds(5);
  // Place slots from the arrivals that answers show (OnAnswered); false: from sends only.
  bool anchor_on_answers = true;
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimiterOptions options);

  // A reserved send time.
  struct Slot {
    Clock::Instant at;
    uint64_t id = 0;  // which reservation, for OnAnswered
  };

  // Reserves the next send slot at or after `now`.
  Slot Reserve(Clock::Instant now);

  // False when a throttling answer came after `slot` was handed out and asked to wait past it:
  // the caller must not send in it, but Reserve() again (the server asked everyone to wait, not
  // only the next caller).
  bool StillValid(const Slot& slot) const;

  // The call sent in `slot` at `sent` was answered (whatever the answer) at `answered`.
  void OnAnswered(const Slot& slot, Clock::Instant sent, Clock::Instant answered);

  // The server throttled a call at `now`: widen the margin (once per window: the answers to calls
  // already in flight say nothing new) and send nothing before `now + retry_after` (one interval
  // when the server gave no hint).
  void OnThrottled(Clock::Instant now, Clock::Duration retry_after);
  // A call went through: after quiet_calls of them in a row, narrow the margin a step.
  void OnSuccess();
  // Paces at `rate` from now on when it is slower than the current rate (one user's accounts
  // that state different limits for one call share the slowest).
  void LowerRate(double rate);

  Clock::Duration margin() const;
  double current_rate() const;  // calls per second the slots are spaced at now

 private:
  // A slot handed out, and what its answer showed.
  struct Record {
    Clock::Instant at;
    bool answered = false;
    Clock::Instant answered_at{};  // when its answer came (when answered)
  };

  Clock::Duration Interval() const;
  int PerWindow() const;  // calls the API admits per window at the current rate, at least 1
  // The latest arrival of the calls in records [first, last] when every one was answered.
  bool LatestArrival(size_t first, size_t last, Clock::Instant* latest) const;

  const RateLimiterOptions options_;
  mutable std::mutex mu_;
  double rate_;
  Clock::Duration margin_;
  bool started_ = false;
  bool throttled_ = false;   // a throttling answer came: last_widened_ and resume_ are set
  Clock::Instant resume_{};  // no slot before this (the last throttle's retry-after)
  Clock::Instant last_widened_{};
  int quiet_calls_ = 0;   // answered calls since the last throttle or narrowing
  bool climbing_ = true;  // the margin has not narrowed yet
  // The most recent slots (up to 2 windows' worth and one), the oldest first; recent_[i] is the
  // slot of id first_id_ + i.
  std::deque<Record> recent_;
  uint64_t first_id_ = 0;
  int since_idle_ = 0;  // slots since the limiter last stood idle (or started)
  int answers_ = 0;     // answered calls, for the round-trip floor below
  Clock::Duration fastest_{Clock::Duration::max()};  // the fastest round trip seen
};

}  // namespace certform::engine
