// A per-key sliding window, as the API's per-user flow control: a call is admitted when fewer
// than `limit` calls were admitted in the `period` before it (one second unless told; ALB's
// writes are limited per 60 s).
#pragma once

#include <deque>
#include <map>
#include <string>

#include "engine/base/clock.h"

namespace certform::emulator {

class RateWindow {
 public:
  // Admits a call at `now` for `key`, or returns false with how long until one would be admitted.
  bool Admit(const std::string& key, engine::Clock::Instant now, int limit,
             engine::Clock::Duration* retry_after,
             engine::Clock::Duration period = std::chrono::seconds(1));

  // The most calls seen (admitted or not) for `key` in any sliding one-second window so far.
  int Peak(const std::string& key) const;
  const std::map<std::string, int>& peaks() const { return peaks_; }
  void Reset();

 private:
  std::map<std::string, std::deque<engine::Clock::Instant>> admitted_;
  std::map<std::string, std::deque<engine::Clock::Instant>> seen_;
  std::map<std::string, int> peaks_;
};

}  // namespace certform::emulator
