#include "engine/calls/live_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <thread>

#include "engine/calls/endpoint_watch.h"
#include "engine/calls/paced_call.h"

namespace certform::engine {

namespace {

// The reads that share one lane (one user's read call), taken by its workers.
struct Queue {
  CallLane* lane = nullptr;
  std::vector<size_t> indexes;
  std::atomic<size_t> next{0};
};

}  // namespace

std::vector<DomainRef> StateDomains(const State& state, const std::vector<std::string>& targets) {
  std::vector<DomainRef> domains;
  for (const auto& [domain, e] : state.entries) {
    if (targets.empty() || std::find(targets.begin(), targets.end(), domain) != targets.end()) {
      domains.push_back({e.address, e.account});
    }
  }
  return domains;
}

std::set<std::string> AccountsOf(const std::vector<DomainRef>& domains) {
  std::set<std::string> accounts;
  for (const DomainRef& d : domains) accounts.insert(d.account);
  return accounts;
}

std::vector<LiveRead> ReadLive(const std::vector<DomainRef>& domains,
                               const std::map<std::string, AccountRuntime>& accounts,
                               PacingRegistry& pacing, Clock& clock, RandomSource& random,
                               const ReadOptions& options) {
  std::vector<LiveRead> results(domains.size());
  std::vector<Provider*> providers(domains.size(), nullptr);
  std::vector<std::string> keys(domains.size());  // StopKey: the account on that product
  std::map<CallLane*, Queue> queues;
  for (size_t i = 0; i < domains.size(); ++i) {
    results[i].address = domains[i].address;
    results[i].account = domains[i].account;
    keys[i] = StopKey(domains[i].account, domains[i].address);
    const std::string& product = domains[i].address.product;
    auto a = accounts.find(domains[i].account);
    providers[i] = a == accounts.end() ? nullptr : a->second.ProviderFor(product);
    if (providers[i] == nullptr) {
      results[i].error = fmt::format("no {} provider for account \"{}\"", ProductTitle(product),
                                     domains[i].account);
      continue;
    }
    CallLane& lane = pacing.Lane(a->second, a->first, CallKind::kReadBinding, product);
    queues[&lane].lane = &lane;
    queues[&lane].indexes.push_back(i);
  }
  const RetryPolicy retry(options.retry);
  std::mutex mu;                                 // guards random and stopped
  std::map<std::string, std::string> stopped;    // account → why (an account-wide error)
  std::map<std::string, EndpointWatch> watches;  // per account; made before the workers start
  for (const std::string& key : keys) watches[key];
  auto stop = [&](const std::string& account, const std::string& why) {
    std::lock_guard<std::mutex> lock(mu);
    stopped.emplace(account, why);
  };
  auto stop_reason = [&](const std::string& account) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = stopped.find(account);
    return it == stopped.end() ? std::string() : it->second;
  };
  std::atomic<size_t> done{0};  // reads answered, for options.on_read
  std::vector<std::thread> workers;
  for (auto& [lane, queue] : queues) {
    const int n = std::min(std::clamp(pacing.parallelism(), 1, kMaxWindow),
                           static_cast<int>(queue.indexes.size()));
    for (int w = 0; w < n; ++w) {
      workers.emplace_back([&, l = &queue] {
        for (size_t k; (k = l->next.fetch_add(1)) < l->indexes.size();) {
          const size_t index = l->indexes[k];
          LiveRead& out = results[index];
          const std::string& key = keys[index];
          if (std::string why = stop_reason(key); !why.empty()) {
            out.error = why;
            continue;
          }
          PacedCallHooks hooks;
          hooks.halted = [&] { return !stop_reason(key).empty(); };
          hooks.backoff = [&](int attempts, Clock::Duration retry_after) {
            std::lock_guard<std::mutex> lock(mu);
            return retry.Backoff(attempts, retry_after, random);
          };
          EndpointWatch& watch = watches.at(key);
          hooks.on_retry = [&](int next, Clock::Duration, const Status& s, const CallResult& last) {
            if (std::string why; watch.OnFailure(s, last, next - 1, &why)) stop(key, why);
          };
          Provider* provider = providers[index];
          PacedCallResult r = PacedCall(
              *l->lane, retry, clock,
              [&](CallResult* last) { return provider->ReadBinding(out.address, &out.live, last); },
              hooks);
          out.ok = r.status.ok();
          out.last = r.last;
          if (r.last.http_status != 0) watch.OnAnswer();
          if (r.stopped && !stop_reason(key).empty()) {
            out.error = stop_reason(key);  // halted by the account's stop: its cause
          } else if (!out.ok) {
            out.error = r.status.message();
            std::string why;
            if (r.status.IsAccountWide()) {
              stop(key, r.status.message());
            } else if (watch.OnFailure(r.status, r.last, r.attempts, &why)) {
              stop(key, why);
            }
          }
          if (options.on_read) options.on_read(done.fetch_add(1) + 1);
        }
      });
    }
  }
  for (std::thread& t : workers) t.join();
  return results;
}

}  // namespace certform::engine
