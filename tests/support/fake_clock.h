// A clock that never sleeps: SleepFor advances time (and runs an optional hook), so tests of
// anything that waits run instantly and deterministically.
#pragma once

#include <functional>

#include "engine/clock.h"

namespace certform::testing {

class FakeClock final : public engine::Clock {
 public:
  explicit FakeClock(WallTime start = std::chrono::system_clock::now()) : wall_(start) {}

  WallTime Now() const override { return wall_; }
  Instant Monotonic() const override { return mono_; }
  void SleepFor(Duration d) override {
    Advance(d);
    ++sleeps_;
    if (on_sleep_) on_sleep_();
  }

  void Advance(Duration d) {
    wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
    mono_ += d;
  }
  int sleeps() const { return sleeps_; }
  void OnSleep(std::function<void()> hook) { on_sleep_ = std::move(hook); }

 private:
  WallTime wall_;
  Instant mono_{};
  int sleeps_ = 0;
  std::function<void()> on_sleep_;
};

}  // namespace certform::testing
