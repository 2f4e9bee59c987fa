// Clock: the engine's only way to read the time or wait (leveldb's Env, for time).
//
// Real code uses SystemClock, made in main(). Tests use a fake clock that they advance by hand, so
// that limiter, retry and expiry logic run in microseconds and deterministically.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace certform::engine {

class Clock {
 public:
  using WallTime = std::chrono::system_clock::time_point;
  using Instant = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::nanoseconds;

  virtual ~Clock() = default;
  // Calendar time, for certificate validity and timestamps written to state.
  virtual WallTime Now() const = 0;
  // Monotonic time, for pacing and timeouts.
  virtual Instant Monotonic() const = 0;
  // Blocks the calling thread for `d` (a fake clock advances instead).
  virtual void SleepFor(Duration d) = 0;
};

class SystemClock final : public Clock {
 public:
  WallTime Now() const override { return std::chrono::system_clock::now(); }
  Instant Monotonic() const override { return std::chrono::steady_clock::now(); }
  void SleepFor(Duration d) override;
};

// Seconds since the Unix epoch, the unit certform stores times in.
int64_t ToUnixSeconds(Clock::WallTime t);
// "2026-11-27T19:43:44Z"
std::string FormatUtc(int64_t unix_seconds);
// "Sun, 30 Nov 2026 11:43:38 GMT" (RFC 7231 IMF-fixdate, the HTTP Date header).
std::string FormatHttpDate(int64_t unix_seconds);
// The reverse of FormatUtc; false when `text` is not of that form.
bool ParseUtc(const std::string& text, int64_t* unix_seconds);
// The reverse of FormatHttpDate; false when `text` is not of that form.
bool ParseHttpDate(const std::string& text, int64_t* unix_seconds);

}  // namespace certform::engine
