#include "engine/calls/rate_limiter.h"

#include <algorithm>
#include <vector>

#include <catch2/catch.hpp>

using namespace certform::engine;
using std::chrono::microseconds;
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

TEST_CASE("limiter: a throttling answer widens the margin and voids the slots before its hint",
          "[limiter]") {
  RateLimiter limiter({.rate = 10, .margin = milliseconds(25)});
  Clock::Instant t{};
  std::vector<RateLimiter::Slot> handed_out;
  for (int i = 0; i < 10; ++i) handed_out.push_back(limiter.Reserve(t));  // t .. t + 922.5 ms
  for (const auto& s : handed_out) CHECK(limiter.StillValid(s));
  limiter.OnThrottled(t, milliseconds(700));
  CHECK(limiter.margin() == milliseconds(50));  // still finding its footing: doubles
  // Slots before the server's retry-after must be reserved again; those after it stand.
  for (int i = 0; i < 7; ++i) CHECK_FALSE(limiter.StillValid(handed_out[i]));
  for (int i = 7; i < 10; ++i) CHECK(limiter.StillValid(handed_out[i]));
  RateLimiter::Slot next = limiter.Reserve(t);
  CHECK(limiter.StillValid(next));
  // After the slots already standing, and any 10 consecutive slots span the window plus the new
  // margin: 1,050 ms after the slot ten back (the first, at t), and the one after it 1,050 ms
  // after the second (102.5 ms), not one new interval (105 ms) after the last.
  CHECK(next.at - t == milliseconds(1050));
  CHECK(limiter.Reserve(t).at - next.at == microseconds(102500));
  // Answers to calls already in flight in the same window say nothing new: one widening.
  limiter.OnThrottled(t + milliseconds(300), {});
  CHECK(limiter.margin() == milliseconds(50));
  limiter.OnThrottled(t + milliseconds(1300), {});
  CHECK(limiter.margin() == milliseconds(100));
  limiter.OnThrottled(t + milliseconds(2300), {});
  CHECK(limiter.margin() == milliseconds(110));  // above climb_cap: small steps
  for (int i = 0; i < 200; ++i) limiter.OnThrottled(t + std::chrono::seconds(3 + i * 2), {});
  CHECK(limiter.margin() == std::chrono::seconds(1));  // the ceiling: half the rate
  CHECK(limiter.current_rate() == Approx(5));
}

TEST_CASE("limiter: without a hint, a throttling answer holds the next slot one interval back",
          "[limiter]") {
  RateLimiter limiter({.rate = 10, .margin = milliseconds(0), .min_margin = milliseconds(0)});
  Clock::Instant t{};
  RateLimiter::Slot first = limiter.Reserve(t);
  limiter.OnThrottled(t + milliseconds(10), {});
  CHECK_FALSE(limiter.StillValid(first));
  CHECK(limiter.Reserve(t + milliseconds(10)).at - t == milliseconds(110));
}

TEST_CASE("limiter: once it has narrowed, the margin widens by small steps only", "[limiter]") {
  RateLimiter limiter({.rate = 10,
                       .margin = milliseconds(25),
                       .min_margin = milliseconds(10),
                       .widen_step = milliseconds(10),
                       .quiet_calls = 100,
                       .narrow_step = milliseconds(5)});
  Clock::Instant t{};
  limiter.Reserve(t);
  limiter.OnThrottled(t, {});  // 50 ms: the first throttle doubles
  for (int i = 1; i < 100; ++i) limiter.OnSuccess();
  CHECK(limiter.margin() == milliseconds(50));
  limiter.OnSuccess();
  CHECK(limiter.margin() == milliseconds(45));
  // A throttling answer starts the count again, and now widens by one step.
  for (int i = 0; i < 60; ++i) limiter.OnSuccess();
  limiter.OnThrottled(t + std::chrono::seconds(5), {});
  CHECK(limiter.margin() == milliseconds(55));
  for (int i = 0; i < 60; ++i) limiter.OnSuccess();
  CHECK(limiter.margin() == milliseconds(55));
  for (int i = 0; i < 2000; ++i) limiter.OnSuccess();
  CHECK(limiter.margin() == milliseconds(10));
}

TEST_CASE("limiter: at equilibrium about one call in 200 is throttled", "[limiter]") {
  // Widening 10 ms per throttle and narrowing 5 ms per 100 quiet calls balance when one call in
  // 200 meets a throttle: the margin stays put under that mix.
  RateLimiter limiter({.rate = 10, .margin = milliseconds(50)});
  Clock::Instant t{};
  limiter.Reserve(t);
  for (int i = 0; i < 100; ++i) limiter.OnSuccess();  // 45 ms, past the first climb
  limiter.OnThrottled(t, {});                         // 55 ms
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 100; ++i) limiter.OnSuccess();
    for (int i = 0; i < 100; ++i) limiter.OnSuccess();
    limiter.OnThrottled(t + std::chrono::seconds(10 * (round + 1)), {});
  }
  CHECK(limiter.margin() == milliseconds(55));
}

TEST_CASE("limiter: a slower rate for the same call lowers the pace, a faster one does not",
          "[limiter]") {
  RateLimiter limiter({.rate = 30, .margin = milliseconds(0), .min_margin = milliseconds(0)});
  limiter.LowerRate(60);
  CHECK(limiter.current_rate() == Approx(30));
  limiter.LowerRate(10);
  CHECK(limiter.current_rate() == Approx(10));
}

namespace {

// Sends `calls` calls through `limiter` as a window of workers would: each slot reserved when the
// one before it is sent, each call arriving `transit(i)` after its send and answered `rtt_floor`
// after it arrives. Returns the arrivals; `slots` gets the send times.
template <typename Transit>
std::vector<Clock::Instant> Drive(RateLimiter& limiter, int calls, Transit transit,
                                  Clock::Duration rtt_floor, std::vector<Clock::Instant>* slots) {
  struct Pending {
    RateLimiter::Slot slot;
    Clock::Instant answered;
  };
  std::vector<Pending> in_flight;
  std::vector<Clock::Instant> arrivals;
  Clock::Instant now{};
  for (int i = 0; i < calls; ++i) {
    // Answers that came by now are known to the limiter before it places the next slot.
    for (auto it = in_flight.begin(); it != in_flight.end();) {
      if (it->answered <= now) {
        limiter.OnAnswered(it->slot, it->slot.at, it->answered);
        it = in_flight.erase(it);
      } else {
        ++it;
      }
    }
    const RateLimiter::Slot slot = limiter.Reserve(now);
    slots->push_back(slot.at);
    const Clock::Instant arrived = slot.at + transit(i);
    arrivals.push_back(arrived);
    in_flight.push_back({slot, arrived + rtt_floor});
    now = slot.at;
  }
  std::sort(arrivals.begin(), arrivals.end());
  return arrivals;
}

}  // namespace

TEST_CASE("limiter: answers that show prompt arrivals let the slots follow them by one window",
          "[limiter]") {
  RateLimiter limiter({.rate = 10, .margin = milliseconds(100)});
  std::vector<Clock::Instant> slots;
  // No transit: each call arrives as it is sent, and its answer 20 ms later says so.
  const auto arrivals = Drive(
      limiter, 100, [](int) { return milliseconds(0); }, milliseconds(20), &slots);
  // Before 20 answers the margin is paid in full: 110 ms apart.
  CHECK(slots[10] - slots[0] == milliseconds(1100));
  // Once the answers show the calls ten slots back arrived at once, one window (and 10 ms of
  // slack for what the answers cannot tell) suffices.
  for (size_t i = 60; i < slots.size(); ++i) CHECK(slots[i] - slots[i - 10] == milliseconds(1010));
  CHECK(MostInAnySecond(arrivals) == 10);
  CHECK(slots.back() - slots.front() < milliseconds(99 * 110));
  // Never a burst: slots at least half an interval apart.
  for (size_t i = 1; i < slots.size(); ++i) CHECK(slots[i] - slots[i - 1] >= milliseconds(55));
  CHECK(limiter.margin() == milliseconds(100));  // the margin itself is unchanged
}

TEST_CASE("limiter: with answers, arrivals jittered by up to the margin never exceed the limit",
          "[limiter]") {
  RateLimiter limiter({.rate = 10, .margin = milliseconds(100)});
  uint64_t x = 4242;
  auto transit = [&x](int i) {
    if (i == 0) return Clock::Duration(0);  // the fastest round trip is then the answer time
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return Clock::Duration(milliseconds((x >> 33) % 101));
  };
  std::vector<Clock::Instant> slots;
  const auto arrivals = Drive(limiter, 400, transit, milliseconds(20), &slots);
  CHECK(MostInAnySecond(arrivals) <= 10);
  // Faster than the margin alone allows (400 slots 110 ms apart), since most transits are short.
  const double per_call = std::chrono::duration<double>(slots.back() - slots.front()).count() / 399;
  CHECK(per_call < 0.108);
  CHECK(per_call >= 0.1);
}

TEST_CASE("limiter: answers that come after the slot they could anchor change nothing",
          "[limiter]") {
  RateLimiter limiter({.rate = 10, .margin = milliseconds(25)});
  std::vector<Clock::Instant> slots;
  Drive(
      limiter, 100, [](int) { return milliseconds(0); }, milliseconds(1500), &slots);
  for (size_t i = 1; i < slots.size(); ++i) CHECK(slots[i] - slots[i - 1] == microseconds(102500));
}

TEST_CASE("limiter: anchoring on answers can be turned off", "[limiter]") {
  RateLimiter limiter({.rate = 10, .margin = milliseconds(100), .anchor_on_answers = false});
  std::vector<Clock::Instant> slots;
  Drive(
      limiter, 100, [](int) { return milliseconds(0); }, milliseconds(20), &slots);
  for (size_t i = 1; i < slots.size(); ++i) CHECK(slots[i] - slots[i - 1] == milliseconds(110));
}

TEST_CASE("limiter: a rate below 1 or not whole keeps its interval whatever the answers show",
          "[limiter]") {
  for (double rate : {0.5, 3.7}) {
    RateLimiter limiter({.rate = rate, .margin = milliseconds(25)});
    std::vector<Clock::Instant> slots;
    Drive(
        limiter, 40, [](int) { return milliseconds(0); }, milliseconds(50), &slots);
    // (1 s + 25 ms) / rate apart, every one: the answer rule would send 0.5/s at ~1/s.
    const auto interval =
        std::chrono::duration_cast<Clock::Duration>(std::chrono::duration<double>(1.025 / rate));
    for (size_t i = 1; i < slots.size(); ++i) {
      INFO("rate " << rate << " slot " << i);
      CHECK(slots[i] - slots[i - 1] >= interval - milliseconds(1));
    }
  }
}
