// Reading the live bindings of many domains: DescribeDomainCertificateInfo per domain, paced at
// that call's own limit (100/s per user) and retried like every call (see PacedCall).
#pragma once

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "engine/call_window.h"
#include "engine/clock.h"
#include "engine/provider.h"
#include "engine/random.h"
#include "engine/rate_limiter.h"
#include "engine/retry_policy.h"

namespace certform::engine {

struct ReadOptions {
  int parallelism = kMaxWindow;  // the most reads in flight per user; the window adapts below it
  double read_rate = 100;        // DescribeDomainCertificateInfo calls per second per user
  RateLimiterOptions pacing;     // margin settings; `rate` is read_rate
  RetryOptions retry;
};

struct LiveRead {
  std::string domain;
  std::string account;
  bool ok = false;
  LiveBinding live;
  std::string error;  // when !ok
  CallResult last;
};

struct DomainRef {
  std::string domain;
  std::string account;
};

// Reads every domain of `domains` through its account's provider in `accounts` (their
// limiter_key groups accounts of one user; rate_limit is not used: reads have their own).
// Results are in the order of `domains`. A domain whose account has no provider fails with a
// message; after an error that concerns the whole account (Status::IsAccountWide) that account's
// other domains are not read and fail with the same message.
std::vector<LiveRead> ReadLive(const std::vector<DomainRef>& domains,
                               const std::map<std::string, AccountRuntime>& accounts, Clock& clock,
                               RandomSource& random, const ReadOptions& options);

}  // namespace certform::engine
