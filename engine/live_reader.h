// Reading the live bindings of many domains: DescribeDomainCertificateInfo per domain, paced at
// that call's own limit (100/s per user) and retried like every call (see PacedCall).
#pragma once

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "engine/clock.h"
#include "engine/provider.h"
#include "engine/random.h"
#include "engine/retry_policy.h"

namespace certform::engine {

struct ReadOptions {
  int parallelism = 10;       // reads in flight per account
  double read_rate = 100;     // DescribeDomainCertificateInfo calls per second per user
  double rate_safety = 0.98;  // pace at read_rate × this
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

// Reads every domain of `domains` through its account's provider in `providers`. Results are in
// the order of `domains`. A domain whose account has no provider fails with a message.
std::vector<LiveRead> ReadLive(const std::vector<DomainRef>& domains,
                               const std::map<std::string, Provider*>& providers, Clock& clock,
                               RandomSource& random, const ReadOptions& options);

}  // namespace certform::engine
