#include "engine/rate_limiter.h"

#include <algorithm>

namespace certform::engine {

RateLimiter::RateLimiter(RateLimiterOptions options) : options_(options), margin_(options.margin) {}

Clock::Duration RateLimiter::Interval() const {
  const double seconds =
      std::chrono::duration<double>(options_.window + margin_).count() / options_.rate;
  return std::chrono::duration_cast<Clock::Duration>(std::chrono::duration<double>(seconds));
}

RateLimiter::Slot RateLimiter::Reserve(Clock::Instant now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!started_) quiet_since_ = now;
  if (!started_ || next_ < now) next_ = now;
  started_ = true;
  Slot slot{next_, epoch_};
  next_ += Interval();
  return slot;
}

bool RateLimiter::StillValid(const Slot& slot) const {
  std::lock_guard<std::mutex> lock(mu_);
  return slot.epoch == epoch_;
}

void RateLimiter::OnThrottled(Clock::Instant now, Clock::Duration retry_after) {
  std::lock_guard<std::mutex> lock(mu_);
  if (epoch_ == 0 || now - last_widened_ >= options_.window) {
    margin_ = std::min(options_.max_margin, std::max(margin_ * 2, options_.min_margin));
    last_widened_ = now;
  }
  ++epoch_;
  quiet_since_ = now;
  // Slots handed out before this answer are void (StillValid); the schedule restarts after the
  // server's hint, or one interval from now without one.
  next_ = now + std::max(retry_after, Interval());
}

void RateLimiter::OnSuccess(Clock::Instant now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (now - quiet_since_ < options_.quiet_period || margin_ <= options_.min_margin) return;
  const auto excess = margin_ - options_.min_margin;
  margin_ = options_.min_margin +
            std::chrono::duration_cast<Clock::Duration>(excess * (1.0 - options_.narrow));
  quiet_since_ = now;
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
