#include "providers/alicloud/emulator/rate_window.h"

#include <algorithm>

namespace certform::emulator {

namespace {

constexpr engine::Clock::Duration kWindow = std::chrono::seconds(1);

void Expire(std::deque<engine::Clock::Instant>* q, engine::Clock::Instant now,
            engine::Clock::Duration window = kWindow) {
  while (!q->empty() && q->front() <= now - window) q->pop_front();
}

}  // namespace

bool RateWindow::Admit(const std::string& key, engine::Clock::Instant now, int limit,
                       engine::Clock::Duration* retry_after, engine::Clock::Duration period) {
  auto& seen = seen_[key];
  Expire(&seen, now);
  seen.push_back(now);
  peaks_[key] = std::max(peaks_[key], static_cast<int>(seen.size()));

  auto& admitted = admitted_[key];
  Expire(&admitted, now, period);
  if (static_cast<int>(admitted.size()) >= limit) {
    *retry_after = admitted.front() + period - now;
    return false;
  }
  admitted.push_back(now);
  return true;
}

int RateWindow::Peak(const std::string& key) const {
  auto it = peaks_.find(key);
  return it == peaks_.end() ? 0 : it->second;
}

void RateWindow::Reset() {
  admitted_.clear();
  seen_.clear();
  peaks_.clear();
}

}  // namespace certform::emulator
