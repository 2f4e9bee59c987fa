// CallWindow: the in-flight window sized by Little's law (rate × p90 latency × headroom + 2),
// between 1 and its ceiling. No test sleeps: a blocked Acquire is seen through its `halted`
// callback, which it calls each time it looks again.
#include "engine/calls/call_window.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

using namespace certform::engine;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// Acquires a place only if one is free at the first look (halted from the second look on).
bool TryAcquire(CallWindow& w) {
  int looks = 0;
  return w.Acquire([&looks] { return ++looks > 1; });
}

// One call of `latency` through the window: acquired, sent, answered.
void OneCall(CallWindow& w, Clock::Duration latency) {
  REQUIRE(TryAcquire(w));
  w.Release(latency);
}

}  // namespace

TEST_CASE("call window: sized from the assumed latency before any answer", "[call_window]") {
  // 10/s × 1 s × 1.25 = 12.5 -> 13, + 2 for the calls just starting.
  CHECK(CallWindow(10, kMaxWindow).size() == 15);
  // 10/s × 0.4 s × 1.25 = 5, + 2.
  CHECK(CallWindow(10, kMaxWindow, milliseconds(400)).size() == 7);
  // No latency: only the calls just starting.
  CHECK(CallWindow(10, kMaxWindow, milliseconds(0)).size() == 2);
  // Slow calls at a high rate overlap more: 30/s × 1.5 s × 1.25 = 56.25 -> 57, + 2.
  CHECK(CallWindow(30, kMaxWindow, milliseconds(1500)).size() == 59);
}

TEST_CASE("call window: follows the measured latency by Little's law", "[call_window]") {
  CallWindow w(10, kMaxWindow, milliseconds(1000));
  for (int i = 0; i < 64; ++i) OneCall(w, milliseconds(400));
  CHECK(w.size() == 7);  // 10 × 0.4 × 1.25 + 2
  for (int i = 0; i < 64; ++i) OneCall(w, milliseconds(2000));
  CHECK(w.size() == 27);  // 10 × 2 × 1.25 + 2: the old answers have left the estimate
  CHECK(w.peak_size() == 27);
  for (int i = 0; i < 64; ++i) OneCall(w, milliseconds(100));
  CHECK(w.size() == 4);        // ceil(1.25) + 2
  CHECK(w.peak_size() == 27);  // the widest it has been stays
}

TEST_CASE("call window: the estimate is the 90th percentile, not the mean or the slowest",
          "[call_window]") {
  // 64 samples, the estimate is the 58th smallest (index 57).
  CallWindow tail(10, kMaxWindow, milliseconds(100));
  for (int i = 0; i < 57; ++i) OneCall(tail, milliseconds(100));
  for (int i = 0; i < 7; ++i) OneCall(tail, seconds(2));
  CHECK(tail.size() == 27);  // 7 slow ones of 64 reach the 90th percentile
  CallWindow fewer(10, kMaxWindow, milliseconds(100));
  for (int i = 0; i < 58; ++i) OneCall(fewer, milliseconds(100));
  for (int i = 0; i < 6; ++i) OneCall(fewer, seconds(2));
  CHECK(fewer.size() == 4);  // 6 of 64 do not: the slowest tenth is ignored
}

TEST_CASE("call window: never above its ceiling, never above kMaxWindow, never below 1",
          "[call_window]") {
  CHECK(CallWindow(100, 8).size() == 8);                  // 100 × 1 × 1.25 + 2 = 127
  CHECK(CallWindow(1000, 1000).size() == kMaxWindow);     // a ceiling above the sane one
  CHECK(CallWindow(10, 0, milliseconds(0)).size() == 1);  // a ceiling of 0 still lets one through
  CallWindow w(100, 8);
  for (int i = 0; i < 64; ++i) OneCall(w, seconds(5));
  CHECK(w.size() == 8);
  CHECK(w.peak_size() == 8);
}

TEST_CASE("call window: Acquire gives at most `size` places and blocks until a Release",
          "[call_window]") {
  CallWindow w(10, 2, milliseconds(1000));  // 15, capped at 2
  REQUIRE(w.size() == 2);
  CHECK(TryAcquire(w));
  CHECK(TryAcquire(w));
  CHECK_FALSE(TryAcquire(w));  // full

  // A waiter that has looked at least twice (so it waited at least once) without a place.
  std::mutex mu;
  std::condition_variable cv;
  int looks = 0;
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    got = w.Acquire([&] {
      std::lock_guard<std::mutex> lock(mu);
      ++looks;
      cv.notify_all();
      return false;
    });
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return looks >= 2; });
  }
  CHECK_FALSE(got.load());  // still blocked after having looked again
  w.Release(milliseconds(10));
  waiter.join();
  CHECK(got.load());
  CHECK_FALSE(TryAcquire(w));  // the freed place went to the waiter
}

TEST_CASE("call window: a halted Acquire returns false and takes nothing", "[call_window]") {
  CallWindow w(10, 1, milliseconds(1000));
  REQUIRE(w.size() == 1);
  CHECK_FALSE(w.Acquire([] { return true; }));  // halted before looking: even a free place
  CHECK(TryAcquire(w));                         // ... is still free
  int looks = 0;
  CHECK_FALSE(w.Acquire([&looks] { return ++looks >= 3; }));  // full, then halted while waiting
  CHECK(looks == 3);
  w.Release(milliseconds(10));
  CHECK(TryAcquire(w));  // the halted waiter took no place
}

TEST_CASE("call window: a call never sent frees its place but does not feed the estimate",
          "[call_window]") {
  CallWindow w(10, kMaxWindow, milliseconds(1000));
  REQUIRE(w.size() == 15);
  for (int i = 0; i < 15; ++i) REQUIRE(TryAcquire(w));
  CHECK_FALSE(TryAcquire(w));
  for (int i = 0; i < 15; ++i) w.Release(milliseconds(0), /*sent=*/false);
  CHECK(w.size() == 15);                              // a latency of 0 would have made it 2
  for (int i = 0; i < 15; ++i) CHECK(TryAcquire(w));  // every place is free again
  w.Release(milliseconds(0));                         // one sent call of no latency: now it counts
  CHECK(w.size() == 2);
}
