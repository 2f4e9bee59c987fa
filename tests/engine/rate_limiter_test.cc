#include "engine/rate_limiter.h"

#include <algorithm>
#include <vector>

#include <catch2/catch.hpp>

using namespace certform::engine;
using std::chrono::milliseconds;

namespace {

// The most slots that fall in any half-open one-second window (t-1s, t].
int MostInAnySecond(const std::vector<Clock::Instant>& slots) {
  int most = 0;
  for (size_t i = 0; i < slots.size(); ++i) {
    int n = 0;
    for (size_t j = 0; j <= i; ++j) {
      if (slots[j] > slots[i] - std::chrono::seconds(1)) ++n;
    }
    most = std::max(most, n);
  }
  return most;
}

}  // namespace

TEST_CASE("limiter: slots are spaced evenly at rate × safety, never a burst", "[limiter]") {
  RateLimiter limiter({.rate = 10, .safety = 0.98});
  Clock::Instant t0{};
  std::vector<Clock::Instant> slots;
  for (int i = 0; i < 100; ++i) slots.push_back(limiter.Reserve(t0));  // all asked at once
  const auto spacing = std::chrono::duration<double>(1.0 / 9.8);
  for (size_t i = 1; i < slots.size(); ++i) {
    auto gap = std::chrono::duration<double>(slots[i] - slots[i - 1]);
    CHECK(gap.count() == Approx(spacing.count()).epsilon(1e-6));
  }
  CHECK(MostInAnySecond(slots) == 10);
  // 100 calls take 99 gaps: the achieved rate is 0.98 of the limit.
  auto span = std::chrono::duration<double>(slots.back() - slots.front()).count();
  CHECK(99 / span == Approx(9.8).epsilon(1e-6));
}

TEST_CASE("limiter: an idle limiter does not save up credit for a burst", "[limiter]") {
  RateLimiter limiter({.rate = 10, .safety = 1.0});
  Clock::Instant t{};
  limiter.Reserve(t);
  t += std::chrono::seconds(30);  // idle for a long time
  Clock::Instant a = limiter.Reserve(t);
  Clock::Instant b = limiter.Reserve(t);
  CHECK(a == t);
  CHECK(b - a == milliseconds(100));
}

TEST_CASE("limiter: throttling halves the pace and honours the retry-after", "[limiter]") {
  RateLimiter limiter({.rate = 10, .safety = 1.0});
  Clock::Instant t{};
  limiter.Reserve(t);
  limiter.OnThrottled(t, milliseconds(700));
  CHECK(limiter.current_rate() == Approx(5));
  Clock::Instant next = limiter.Reserve(t);
  CHECK(next == t + milliseconds(700));
  CHECK(limiter.Reserve(t) - next == milliseconds(200));
  for (int i = 0; i < 5; ++i) limiter.OnThrottled(t, {});
  CHECK(limiter.current_rate() == Approx(0.5));  // the floor
}

TEST_CASE("limiter: successes bring the rate back gradually, never above the target", "[limiter]") {
  RateLimiter limiter({.rate = 10, .safety = 1.0, .recovery = 1.1});
  limiter.OnThrottled(Clock::Instant{}, {});
  limiter.OnSuccess();
  CHECK(limiter.current_rate() == Approx(5.5));
  for (int i = 0; i < 100; ++i) limiter.OnSuccess();
  CHECK(limiter.current_rate() == Approx(10));
}
