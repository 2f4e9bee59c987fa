#include "engine/live_reader.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <thread>

#include "engine/paced_call.h"
#include "engine/rate_limiter.h"

namespace certform::engine {

std::vector<LiveRead> ReadLive(const std::vector<DomainRef>& domains,
                               const std::map<std::string, Provider*>& providers, Clock& clock,
                               RandomSource& random, const ReadOptions& options) {
  std::vector<LiveRead> results(domains.size());
  std::map<std::string, std::vector<size_t>> by_account;
  for (size_t i = 0; i < domains.size(); ++i) {
    results[i].domain = domains[i].domain;
    results[i].account = domains[i].account;
    auto p = providers.find(domains[i].account);
    if (p == providers.end() || p->second == nullptr) {
      results[i].error = "no provider for account \"" + domains[i].account + "\"";
      continue;
    }
    by_account[domains[i].account].push_back(i);
  }
  const RetryPolicy retry(options.retry);
  std::mutex random_mu;
  PacedCallHooks hooks;
  hooks.backoff = [&](int attempts, Clock::Duration retry_after) {
    std::lock_guard<std::mutex> lock(random_mu);
    return retry.Backoff(attempts, retry_after, random);
  };
  std::vector<std::unique_ptr<RateLimiter>> limiters;
  std::vector<std::unique_ptr<std::atomic<size_t>>> cursors;
  std::vector<std::thread> workers;
  for (const auto& [account, indexes] : by_account) {
    limiters.push_back(std::make_unique<RateLimiter>(
        RateLimiterOptions{.rate = options.read_rate, .safety = options.rate_safety}));
    cursors.push_back(std::make_unique<std::atomic<size_t>>(0));
    RateLimiter* limiter = limiters.back().get();
    std::atomic<size_t>* next = cursors.back().get();
    Provider* provider = providers.at(account);
    const int n = std::clamp<int>(options.parallelism, 1, static_cast<int>(indexes.size()));
    for (int w = 0; w < n; ++w) {
      workers.emplace_back([&, limiter, next, provider, list = &indexes] {
        for (size_t k; (k = next->fetch_add(1)) < list->size();) {
          LiveRead& out = results[(*list)[k]];
          PacedCallResult r = PacedCall(
              *limiter, retry, clock,
              [&](CallResult* last) { return provider->ReadBinding(out.domain, &out.live, last); },
              hooks);
          out.ok = r.status.ok();
          out.error = r.status.ok() ? "" : r.status.message();
          out.last = r.last;
        }
      });
    }
  }
  for (std::thread& t : workers) t.join();
  return results;
}

}  // namespace certform::engine
