#include "engine/calls/live_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include "engine/calls/endpoint_watch.h"
#include "engine/calls/paced_call.h"
#include "engine/calls/slot_read.h"

namespace certform::engine {

std::vector<DomainRef> StateDomains(const State& state, const std::vector<std::string>& targets) {
  std::vector<DomainRef> domains;
  for (const auto& [domain, e] : state.entries) {
    if (targets.empty() || std::find(targets.begin(), targets.end(), domain) != targets.end()) {
      domains.push_back({e.address, e.account, e.https ? e.cert_id : 0});
    }
  }
  return domains;
}

std::set<std::string> AccountsOf(const std::vector<DomainRef>& domains) {
  std::set<std::string> accounts;
  for (const DomainRef& d : domains) accounts.insert(d.account);
  return accounts;
}

LiveReadStream::LiveReadStream(const std::map<std::string, AccountRuntime>& accounts,
                               PacingRegistry& pacing, Clock& clock, RandomSource& random,
                               const ReadOptions& options)
    : accounts_(accounts),
      pacing_(pacing),
      clock_(clock),
      random_(random),
      options_(options),
      retry_(options.retry) {}

LiveReadStream::~LiveReadStream() { Join(); }

size_t LiveReadStream::Add(DomainRef domain) {
  const std::string product = domain.address.product;
  auto a = accounts_.find(domain.account);
  Provider* provider = a == accounts_.end() ? nullptr : a->second.ProviderFor(product);
  // The lane before the lock: the registry has its own.
  CallLane* lane = provider == nullptr
                       ? nullptr
                       : &pacing_.Lane(a->second, a->first, CallKind::kReadBinding, product);
  const int most = std::clamp(pacing_.parallelism(), 1, kMaxWindow);
  std::lock_guard<std::mutex> lock(mu_);
  Item& item = items_.emplace_back();
  item.result.address = std::move(domain.address);
  item.result.account = std::move(domain.account);
  item.key = StopKey(item.result.account, item.result.address);
  item.recorded_cert_id = domain.recorded_cert_id;
  item.provider = provider;
  ++added_;
  if (provider == nullptr) {
    item.result.error = fmt::format("no {} provider for account \"{}\"", ProductTitle(product),
                                    item.result.account);
    return items_.size() - 1;
  }
  watches_[item.key];
  Queue& queue = queues_[lane];
  queue.lane = lane;
  queue.pending.push_back(&item);
  queue.more.notify_one();
  if (queue.workers < most) {
    ++queue.workers;
    workers_.emplace_back([this, q = &queue] { Work(q); });
  }
  return items_.size() - 1;
}

void LiveReadStream::Work(Queue* queue) {
  for (;;) {
    Item* item = nullptr;
    {
      std::unique_lock<std::mutex> lock(mu_);
      queue->more.wait(lock, [&] { return !queue->pending.empty() || finishing_; });
      if (queue->pending.empty()) return;  // finishing, and nothing left
      item = queue->pending.front();
      queue->pending.pop_front();
    }
    Read(*queue->lane, *item);
  }
}

std::string LiveReadStream::StopReason(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = stopped_.find(key);
  return it == stopped_.end() ? std::string() : it->second;
}

void LiveReadStream::Stop(const std::string& key, const std::string& why) {
  std::lock_guard<std::mutex> lock(mu_);
  stopped_.emplace(key, why);
}

void LiveReadStream::Read(CallLane& lane, Item& item) {
  LiveRead& out = item.result;
  const std::string& key = item.key;
  if (std::string why = StopReason(key); !why.empty()) {
    out.error = why;
    return;
  }
  EndpointWatch* watch = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    watch = &watches_.at(key);  // a map's element never moves
  }
  PacedCallHooks hooks;
  hooks.halted = [&] { return !StopReason(key).empty(); };
  hooks.backoff = [&](int attempts, Clock::Duration retry_after) {
    std::lock_guard<std::mutex> lock(mu_);
    return retry_.Backoff(attempts, retry_after, random_);
  };
  hooks.on_retry = [&](int next, Clock::Duration, const Status& s, const CallResult& last) {
    if (std::string why; watch->OnFailure(s, last, next - 1, &why)) Stop(key, why);
  };
  Provider* provider = item.provider;
  PacedCallResult r = PacedCall(
      lane, retry_, clock_,
      [&](CallResult* last) { return provider->ReadBinding(out.address, &out.live, last); }, hooks);
  out.ok = r.status.ok();
  out.last = r.last;
  if (out.ok) ViewSlot(out.address, item.recorded_cert_id, &out.live);
  if (r.last.http_status != 0) watch->OnAnswer();
  if (r.stopped && !StopReason(key).empty()) {
    out.error = StopReason(key);  // halted by the account's stop: its cause
  } else if (!out.ok) {
    out.error = r.status.message();
    std::string why;
    if (r.status.IsAccountWide()) {
      Stop(key, r.status.message());
    } else if (watch->OnFailure(r.status, r.last, r.attempts, &why)) {
      Stop(key, why);
    }
  }
  if (options_.on_read) options_.on_read(done_.fetch_add(1) + 1);
}

void LiveReadStream::Join() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    finishing_ = true;
    for (auto& [lane, queue] : queues_) queue.more.notify_all();
  }
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

std::vector<LiveRead> LiveReadStream::Finish() {
  Join();
  std::vector<LiveRead> results;
  results.reserve(items_.size());
  for (Item& item : items_) results.push_back(std::move(item.result));
  items_.clear();
  return results;
}

std::vector<LiveRead> ReadLive(const std::vector<DomainRef>& domains,
                               const std::map<std::string, AccountRuntime>& accounts,
                               PacingRegistry& pacing, Clock& clock, RandomSource& random,
                               const ReadOptions& options) {
  LiveReadStream stream(accounts, pacing, clock, random, options);
  for (const DomainRef& d : domains) stream.Add(d);
  return stream.Finish();
}

}  // namespace certform::engine
