#include "engine/calls/call_window.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace certform::engine {

namespace {

constexpr size_t kSamples = 64;  // the estimate follows the last this many answers
constexpr double kPercentile = 0.9;
constexpr double kHeadroom = 1.25;  // latency varies: room for the slow tail
constexpr int kExtra = 2;           // and for the calls that are just starting

int WindowFor(double rate, Clock::Duration latency, int ceiling) {
  const double seconds = std::chrono::duration<double>(latency).count();
  const int n = static_cast<int>(std::ceil(rate * seconds * kHeadroom)) + kExtra;
  return std::clamp(n, 1, ceiling);
}

}  // namespace

CallWindow::CallWindow(double rate, int ceiling, Clock::Duration initial_latency)
    : rate_(rate),
      ceiling_(std::clamp(ceiling, 1, kMaxWindow)),
      size_(WindowFor(rate, initial_latency, ceiling_)),
      peak_(size_) {}

bool CallWindow::Acquire(const std::function<bool()>& halted) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (halted()) return false;
    if (in_flight_ < size_) {
      ++in_flight_;
      return true;
    }
    // Real time, briefly: only to look at `halted` again (a release wakes us at once).
    cv_.wait_for(lock, std::chrono::milliseconds(20));
  }
}

void CallWindow::Release(Clock::Duration latency, bool sent) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    --in_flight_;
    if (sent) {
      samples_.push_back(latency);
      if (samples_.size() > kSamples) samples_.pop_front();
      Resize();
    }
  }
  cv_.notify_all();
}

void CallWindow::Resize() {
  std::vector<Clock::Duration> sorted(samples_.begin(), samples_.end());
  const size_t k = std::min(sorted.size() - 1, static_cast<size_t>(kPercentile * sorted.size()));
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(k), sorted.end());
  size_ = WindowFor(rate_, sorted[k], ceiling_);
  peak_ = std::max(peak_, size_);
}

int CallWindow::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return size_;
}

int CallWindow::peak_size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return peak_;
}

}  // namespace certform::engine
