// Reading the live bindings of many domains: one read call per domain (for the CDN,
// DescribeDomainCertificateInfo), paced in its own lane at that call's limit (100/s per user) and
// retried like every call (see PacedCall).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/random.h"
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
};

// The entries of `state` as domains to read, by address, with their accounts; with `targets`, only
// the entries those name.
std::vector<DomainRef> StateDomains(const State& state,
                                    const std::vector<std::string>& targets = {});

// The accounts `domains` belong to: those whose providers reading them needs.
std::set<std::string> AccountsOf(const std::vector<DomainRef>& domains);

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
