#include "engine/rate_limiter.h"

#include <algorithm>

namespace certform::engine {

RateLimiter::RateLimiter(RateLimiterOptions options)
    : options_(options), target_(options.rate * options.safety), rate_(target_) {}

Clock::Duration RateLimiter::Interval() const {
  return std::chrono::duration_cast<Clock::Duration>(std::chrono::duration<double>(1.0 / rate_));
}

Clock::Instant RateLimiter::Reserve(Clock::Instant now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!started_ || next_ < now) next_ = now;
  started_ = true;
  Clock::Instant slot = next_;
  next_ += Interval();
  return slot;
}

void RateLimiter::OnThrottled(Clock::Instant now, Clock::Duration retry_after) {
  std::lock_guard<std::mutex> lock(mu_);
  rate_ = std::max(options_.min_rate, rate_ * options_.backoff);
  next_ = std::max(next_, now + retry_after);
}

void RateLimiter::OnSuccess() {
  std::lock_guard<std::mutex> lock(mu_);
  rate_ = std::min(target_, rate_ * options_.recovery);
}

double RateLimiter::current_rate() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rate_;
}

}  // namespace certform::engine
