#include "engine/calls/rate_limiter.h"

#include <algorithm>

namespace certform::engine {

RateLimiter::RateLimiter(RateLimiterOptions options)
    : options_(options), rate_(options.rate > 0 ? options.rate : 1), margin_(options.margin) {}

Clock::Duration RateLimiter::Interval() const {
  const double seconds = std::chrono::duration<double>(options_.window + margin_).count() / rate_;
  return std::chrono::duration_cast<Clock::Duration>(std::chrono::duration<double>(seconds));
}

RateLimiter::Slot RateLimiter::Reserve(Clock::Instant now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!started_ || next_ < now) next_ = now;
  started_ = true;
  Slot slot{next_};
  next_ += Interval();
  return slot;
}

bool RateLimiter::StillValid(const Slot& slot) const {
  std::lock_guard<std::mutex> lock(mu_);
  return !throttled_ || slot.at >= resume_;
}

void RateLimiter::OnThrottled(Clock::Instant now, Clock::Duration retry_after) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!throttled_ || now - last_widened_ >= options_.window) {
    const Clock::Duration wider = climbing_ && margin_ < options_.climb_cap
                                      ? std::min(options_.climb_cap, margin_ * 2)
                                      : margin_ + options_.widen_step;
    margin_ = std::min(options_.max_margin, std::max(wider, options_.min_margin));
    last_widened_ = now;
  }
  throttled_ = true;
  quiet_calls_ = 0;
  // Slots before the server's hint (one interval from now without one) are void (StillValid);
  // the schedule goes on from there. Slots after it stand: pushing them later too would cost
  // every throttle a second of the limit's worth of calls.
  const Clock::Instant resume = now + (retry_after.count() > 0 ? retry_after : Interval());
  resume_ = std::max(resume_, resume);
  if (next_ < resume_) next_ = resume_;
}

void RateLimiter::OnSuccess() {
  std::lock_guard<std::mutex> lock(mu_);
  if (++quiet_calls_ < options_.quiet_calls) return;
  quiet_calls_ = 0;
  climbing_ = false;
  margin_ = std::max(options_.min_margin, margin_ - options_.narrow_step);
}

void RateLimiter::LowerRate(double rate) {
  std::lock_guard<std::mutex> lock(mu_);
  if (rate > 0 && rate < rate_) rate_ = rate;
}

Clock::Duration RateLimiter::margin() const {
  std::lock_guard<std::mutex> lock(mu_);
  return margin_;
}

double RateLimiter::current_rate() const {
  std::lock_guard<std::mutex> lock(mu_);
  return 1.0 / std::chrono::duration<double>(Interval()).count();
}

}  // namespace certform::engine
