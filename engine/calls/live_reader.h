// Reading the live bindings of many domains: one read call per domain (for the CDN,
// DescribeDomainCertificateInfo), paced in its own lane at that call's limit (100/s per user) and
// retried like every call (see PacedCall).
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/random.h"
#include "engine/calls/endpoint_watch.h"
#include "engine/calls/pacing_registry.h"
#include "engine/calls/provider.h"
#include "engine/calls/retry_policy.h"
#include "engine/state/state.h"

namespace certform::engine {

struct ReadOptions {
  RetryOptions retry;
  // Told after each read (ok or not) how many have ended so far, from the worker that made it
  // (several threads: it must be thread-safe); for progress lines. Empty: nobody is told.
  std::function<void(size_t done)> on_read;
};

struct LiveRead {
  Address address;
  std::string account;
  bool ok = false;
  LiveBinding live;
  std::string error;  // when !ok
  CallResult last;
};

struct DomainRef {
  Address address;
  std::string account;
  // A slot product's additional slot: the CAS id the state records there (0: none), which the
  // read of its listener is viewed through (slot_read.h).
  int64_t recorded_cert_id = 0;
};

// The entries of `state` as domains to read, by address, with their accounts; with `targets`, only
// the entries those name.
std::vector<DomainRef> StateDomains(const State& state,
                                    const std::vector<std::string>& targets = {});

// The accounts `domains` belong to: those whose providers reading them needs.
std::set<std::string> AccountsOf(const std::vector<DomainRef>& domains);

// Reads domains as they are given (a listing's pages, while the next page is fetched) through
// their accounts' providers in `accounts`, each in `pacing`'s read lane of its account's user (at
// most pacing.parallelism() workers per lane, started as that lane's domains come). Finish waits
// for every read and gives the results in the order the domains were added, whatever order the
// reads ended in. A domain whose account has no provider fails with a message; after an error
// that concerns the whole account (Status::IsAccountWide) that account's other domains, added
// before or after, are not read and fail with the same message. Add and Finish are called from
// one thread; `options.on_read` from the workers.
class LiveReadStream {
 public:
  LiveReadStream(const std::map<std::string, AccountRuntime>& accounts, PacingRegistry& pacing,
                 Clock& clock, RandomSource& random, const ReadOptions& options = {});
  ~LiveReadStream();  // waits for the reads, as Finish does (results dropped)
  LiveReadStream(const LiveReadStream&) = delete;
  LiveReadStream& operator=(const LiveReadStream&) = delete;

  // Queues `domain` to be read; returns its place in Finish's results.
  size_t Add(DomainRef domain);
  // How many domains were added.
  size_t added() const { return added_; }
  // Waits for every read added and returns them in the order added; nothing can be added after.
  std::vector<LiveRead> Finish();

 private:
  struct Item {
    LiveRead result;
    Provider* provider = nullptr;
    std::string key;  // StopKey: the account on that product
    int64_t recorded_cert_id = 0;
  };
  struct Queue {
    CallLane* lane = nullptr;
    std::deque<Item*> pending;
    std::condition_variable more;  // something pending, or finishing_
    int workers = 0;
  };
  void Work(Queue* queue);
  void Read(CallLane& lane, Item& item);
  std::string StopReason(const std::string& key);
  void Stop(const std::string& key, const std::string& why);
  void Join();

  const std::map<std::string, AccountRuntime>& accounts_;
  PacingRegistry& pacing_;
  Clock& clock_;
  RandomSource& random_;
  ReadOptions options_;
  RetryPolicy retry_;
  size_t added_ = 0;
  std::mutex mu_;  // guards everything below, and random_
  bool finishing_ = false;
  std::deque<Item> items_;  // in the order added; an element never moves once added
  std::map<CallLane*, Queue> queues_;
  std::map<std::string, std::string> stopped_;    // StopKey → why (an account-wide error)
  std::map<std::string, EndpointWatch> watches_;  // by StopKey
  std::vector<std::thread> workers_;
  std::atomic<size_t> done_{0};  // reads answered, for options_.on_read
};

// Reads every domain of `domains` through its account's provider in `accounts`, paced in
// `pacing`'s read lane of each account's user (at most pacing.parallelism() workers per lane).
// Results are in the order of `domains`. A domain whose account has no provider fails with a
// message; after an error that concerns the whole account (Status::IsAccountWide) that account's
// other domains are not read and fail with the same message.
std::vector<LiveRead> ReadLive(const std::vector<DomainRef>& domains,
                               const std::map<std::string, AccountRuntime>& accounts,
                               PacingRegistry& pacing, Clock& clock, RandomSource& random,
                               const ReadOptions& options = {});

}  // namespace certform::engine
