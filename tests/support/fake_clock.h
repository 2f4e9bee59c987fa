// A clock that never sleeps: SleepFor advances time (and runs an optional hook), so tests of
// anything that waits run instantly and deterministically. Thread-safe; with several threads
// sleeping, time advances by each sleep in turn (a coarse but monotonic virtual time).
#pragma once

#include <functional>
#include <mutex>

#include "engine/base/clock.h"

namespace certform::testing {

class FakeClock final : public engine::Clock {
 public:
  explicit FakeClock(WallTime start = std::chrono::system_clock::now()) : wall_(start) {}

  WallTime Now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return wall_;
  }
  Instant Monotonic() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return mono_;
  }
  void SleepFor(Duration d) override {
    std::function<void()> hook;
    {
      std::lock_guard<std::mutex> lock(mu_);
      AdvanceLocked(d);
      ++sleeps_;
      hook = on_sleep_;
    }
    if (hook) hook();
  }

  void Advance(Duration d) {
    std::lock_guard<std::mutex> lock(mu_);
    AdvanceLocked(d);
  }
  int sleeps() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sleeps_;
  }
  void OnSleep(std::function<void()> hook) { on_sleep_ = std::move(hook); }

 private:
  void AdvanceLocked(Duration d) {
    if (d.count() < 0) return;
    wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
    mono_ += d;
  }

  mutable std::mutex mu_;
  WallTime wall_;
  Instant mono_{};
  int sleeps_ = 0;
  std::function<void()> on_sleep_;
};

}  // namespace certform::testing
