// CallWindow: how many calls of one user may be in flight at once, sized from what is measured.
//
// By Little's law the calls in flight are rate × latency: a fixed window of N calls caps
// throughput at N ÷ latency, whatever the rate limit allows. The window is therefore the target
// rate × a high percentile (p90) of the recent calls' latency, plus headroom, re-estimated on
// every answer, between 1 and a ceiling (--parallelism, at most kMaxWindow). The RateLimiter, not
// the window, sets the pace: a wider window only lets slow answers overlap. Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

#include "engine/base/clock.h"

namespace certform::engine {

inline constexpr int kMaxWindow = 64;  // a sane ceiling: threads and connections per user

class CallWindow {
 public:
  // `rate`: calls per second the limiter allows; `ceiling`: the most calls ever in flight.
  // Before any answer the latency is assumed to be `initial_latency`.
  CallWindow(double rate, int ceiling,
             Clock::Duration initial_latency = std::chrono::milliseconds(1000));

  // Blocks until a call may start; false (nothing acquired) when `halted` says so first.
  bool Acquire(const std::function<bool()>& halted);
  // A call ended; `latency` (send to answer) feeds the estimate, unless the call was never sent.
  void Release(Clock::Duration latency, bool sent = true);

  int size() const;       // the current window
  int peak_size() const;  // the widest it has been

 private:
  void Resize();  // under mu_

  const double rate_;
  const int ceiling_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Clock::Duration> samples_;  // the most recent latencies
  int size_;
  int peak_;
  int in_flight_ = 0;
};

}  // namespace certform::engine
