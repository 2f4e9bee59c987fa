// WaitUntil: for end-to-end tests whose runner is another process (certform, a PostgreSQL
// server), which no fake clock reaches: the test waits for what it can observe.
#pragma once

#include <chrono>
#include <thread>

namespace certform::testing {

// Polls `seen` until it holds or `limit` passes (real time, a few milliseconds between looks);
// false on timeout.
template <typename Seen>
bool WaitUntil(Seen seen, std::chrono::seconds limit = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!seen()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace certform::testing
