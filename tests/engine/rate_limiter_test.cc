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

TEST_CASE("limiter: any `rate` consecutive slots span the window plus the margin, never a burst",
          "[limiter]") {
  RateLimiter limiter({.rate = 10, .margin = milliseconds(25)});
  const Clock::Instant t0{};
  std::vector<Clock::Instant> slots;
  for (int i = 0; i < 100; ++i) slots.push_back(limiter.Reserve(t0).at);  // all asked at once
  for (size_t i = 1; i < slots.size(); ++i) {
    CHECK(slots[i] - slots[i - 1] == std::chrono::microseconds(102500));
  }
  for (size_t i = 10; i < slots.size(); ++i) CHECK(slots[i] - slots[i - 10] >= milliseconds(1025));
  CHECK(MostInAnySecond(slots) == 10);
  CHECK(limiter.current_rate() == Approx(10 / 1.025));
}

TEST_CASE("limiter: arrivals jittered by less than the margin never exceed the limit",
          "[limiter]") {
  // Each send arrives 0..margin later: the server still never sees 11 in a second.
  RateLimiter limiter({.rate = 10, .margin = milliseconds(50)});
  std::vector<Clock::Instant> arrivals;
  uint64_t x = 12345;
  for (int i = 0; i < 300; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    arrivals.push_back(limiter.Reserve(Clock::Instant{}).at + milliseconds((x >> 33) % 50));
  }
  std::sort(arrivals.begin(), arrivals.end());
  CHECK(MostInAnySecond(arrivals) <= 10);
}

TEST_CASE("limiter: an idle limiter does not bank credit for a burst later", "[limiter]") {
  RateLimiter limiter({.rate = 10, .margin = milliseconds(0), .min_margin = milliseconds(0)});
  Clock::Instant t{};
  limiter.Reserve(t);
  t += std::chrono::seconds(10);  // idle
  Clock::Instant a = limiter.Reserve(t).at;
  Clock::Instant b = limiter.Reserve(t).at;
  CHECK(a == t);
  CHECK(b - a == milliseconds(100));
}

TEST_CASE("limiter: a throttling answer widens the margin and voids every slot handed out",
          "[limiter]") {
  RateLimiter limiter({.rate = 10, .margin = milliseconds(25)});
  Clock::Instant t{};
  std::vector<RateLimiter::Slot> handed_out;
  for (int i = 0; i < 5; ++i) handed_out.push_back(limiter.Reserve(t));
  for (const auto& s : handed_out) CHECK(limiter.StillValid(s));
  limiter.OnThrottled(t, milliseconds(700));
  CHECK(limiter.margin() == milliseconds(50));
  for (const auto& s : handed_out) CHECK_FALSE(limiter.StillValid(s));  // must re-reserve
  RateLimiter::Slot next = limiter.Reserve(t);
  CHECK(limiter.StillValid(next));
  CHECK(next.at - t == milliseconds(700));  // after the server's retry-after
  CHECK(limiter.Reserve(t).at - next.at == milliseconds(105));
  // Answers to calls already in flight in the same window say nothing new: one widening.
  limiter.OnThrottled(t + milliseconds(300), {});
  CHECK(limiter.margin() == milliseconds(50));
  limiter.OnThrottled(t + milliseconds(1300), {});
  CHECK(limiter.margin() == milliseconds(100));
  for (int i = 0; i < 10; ++i) limiter.OnThrottled(t + std::chrono::seconds(2 + i * 2), {});
  CHECK(limiter.margin() == std::chrono::seconds(1));  // the ceiling: half the rate
  CHECK(limiter.current_rate() == Approx(5));
}

TEST_CASE("limiter: the margin narrows only after a quiet period, and slowly", "[limiter]") {
  RateLimiter limiter({.rate = 10,
                       .margin = milliseconds(25),
                       .min_margin = milliseconds(10),
                       .quiet_period = std::chrono::seconds(30),
                       .narrow = 0.5});
  Clock::Instant t{};
  limiter.Reserve(t);
  limiter.OnThrottled(t, {});                                                   // 50 ms
  for (int i = 1; i <= 290; ++i) limiter.OnSuccess(t + milliseconds(100 * i));  // 29 s
  CHECK(limiter.margin() == milliseconds(50));
  limiter.OnSuccess(t + std::chrono::seconds(30));
  CHECK(limiter.margin() == milliseconds(30));  // half of the 40 ms over the floor
  for (int i = 2; i < 20; ++i) limiter.OnSuccess(t + std::chrono::seconds(30 * i));
  CHECK(limiter.margin() >= milliseconds(10));
  CHECK(limiter.margin() < milliseconds(11));
}
