#include "engine/calls/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace certform::engine {

namespace {

// Slots placed from answers still come at least half an interval apart: never a burst.
constexpr int kGapDivisor = 2;
// The fastest round trip seen is an estimate of the time a call spends after it arrived, and the
// call that set it also spent some time before: an arrival shown by an answer may be a few
// milliseconds late, which a slot placed exactly one window after it would meet as a throttle
// (measured at 300 ± 100 ms latency without arrival jitter). Slots placed from answers keep this
// much of the margin.
constexpr Clock::Duration kAnchorSlack = std::chrono::milliseconds(10);

}  // namespace

RateLimiter::RateLimiter(RateLimiterOptions options)
    : options_(options), rate_(options.rate > 0 ? options.rate : 1), margin_(options.margin) {}

Clock::Duration RateLimiter::Interval() const {
  const double seconds = std::chrono::duration<double>(options_.window + margin_).count() / rate_;
  return std::chrono::duration_cast<Clock::Duration>(std::chrono::duration<double>(seconds));
}

int RateLimiter::PerWindow() const {
  return std::max(1, static_cast<int>(std::floor(rate_ + 1e-9)));
}

bool RateLimiter::LatestArrival(size_t first, size_t last, Clock::Instant* latest) const {
  if (fastest_ == Clock::Duration::max()) return false;
  *latest = Clock::Instant::min();
  for (size_t i = first; i <= last && i < recent_.size(); ++i) {
    if (!recent_[i].answered) return false;  // still in flight (or never sent): unknown
    *latest = std::max(*latest, recent_[i].answered_at - fastest_);
  }
  return true;
}

RateLimiter::Slot RateLimiter::Reserve(Clock::Instant now) {
  std::lock_guard<std::mutex> lock(mu_);
  const Clock::Duration interval = Interval();
  const size_t n = static_cast<size_t>(PerWindow());
  Clock::Instant at = now;
  if (started_ && !recent_.empty()) {
    const Clock::Instant previous = recent_.back().at;
    // Idle (the next slot's time has passed unasked): no credit is banked, the slots start again
    // from now, one interval apart until a window's worth has followed.
    if (now > previous + interval) since_idle_ = 0;
    // The tighter rules below (half-interval gaps, slots from answers) keep any n consecutive
    // slots a window plus margin apart only when n is the rate itself: a rate below 1 or not whole
    // (a user's rate_limit) is paced by its interval alone, as it always was.
    const bool whole = rate_ >= 1 && std::abs(rate_ - std::round(rate_)) < 1e-9;
    const bool steady = whole && since_idle_ >= static_cast<int>(n);
    Clock::Instant bound = previous + (steady ? interval / kGapDivisor : interval);
    if (recent_.size() >= n) {
      // Any n consecutive slots span the window plus the margin ...
      const size_t back = recent_.size() - n;
      Clock::Instant spaced = recent_[back].at + interval * static_cast<int64_t>(n);
      // ... or follow, by one window, the latest arrival the answers to the calls that many slots
      // back (and to those a window before them, which may have arrived later) show.
      Clock::Instant latest;
      if (options_.anchor_on_answers && steady && answers_ >= static_cast<int>(2 * n) &&
          LatestArrival(back >= n ? back - n : 0, back, &latest)) {
        // A throttle widens the margin: what it widened by slows these slots too.
        const Clock::Duration widened = std::max(Clock::Duration(0), margin_ - options_.margin);
        spaced = std::min(spaced, latest + options_.window + kAnchorSlack + widened);
      }
      bound = std::max(bound, spaced);
    }
    at = std::max(at, bound);
  }
  if (throttled_) at = std::max(at, resume_);
  started_ = true;
  ++since_idle_;
  recent_.push_back({at});
  const uint64_t id = first_id_ + recent_.size() - 1;
  while (recent_.size() > 2 * n + 1) {
    recent_.pop_front();
    ++first_id_;
  }
  return {at, id};
}

bool RateLimiter::StillValid(const Slot& slot) const {
  std::lock_guard<std::mutex> lock(mu_);
  return !throttled_ || slot.at >= resume_;
}

void RateLimiter::OnAnswered(const Slot& slot, Clock::Instant sent, Clock::Instant answered) {
  std::lock_guard<std::mutex> lock(mu_);
  if (answered < sent) return;
  ++answers_;
  fastest_ = std::min(fastest_, answered - sent);
  if (slot.id < first_id_ || slot.id - first_id_ >= recent_.size()) return;  // long gone
  Record& r = recent_[slot.id - first_id_];
  r.answered = true;
  r.answered_at = answered;
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
  // the schedule goes on from there (Reserve). Slots after it stand: pushing them later too would
  // cost every throttle a second of the limit's worth of calls.
  const Clock::Instant resume = now + (retry_after.count() > 0 ? retry_after : Interval());
  resume_ = std::max(resume_, resume);
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
