// PacingRegistry: the one place every API call of a command takes its pace from.
//
// The API limits each call per user (AccessKeyId): SetDomainServerCertificate 10/s,
// DescribeDomainCertificateInfo 100/s, ListUserCertificateOrder 10/s, and so on. The registry
// holds one CallLane per (user, API call): a RateLimiter at that call's limit and a CallWindow
// sized from its measured latency. Accounts of one user that make the same call share its lane,
// whichever part of certform makes it (bindings, reads, uploads, look-ups, listings, deletes),
// and the next product's calls get their lanes the same way: a provider names each call and its
// limit (Provider::Limit), the registry does the rest. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "engine/calls/call_window.h"
#include "engine/calls/certificate_store.h"
#include "engine/calls/provider.h"
#include "engine/calls/rate_limiter.h"
#include "engine/config/binding_address.h"

namespace certform::engine {

struct PacingOptions {
  RateLimiterOptions limiter;    // margin settings; each lane's rate is its call's limit
  int parallelism = kMaxWindow;  // the most calls of one lane in flight (--parallelism)
};

// The pace of one call for one user.
struct CallLane {
  CallLane(double rate, const PacingOptions& options);
  RateLimiter limiter;
  CallWindow window;
};

class PacingRegistry {
 public:
  explicit PacingRegistry(PacingOptions options = {});

  // The lane of `limit.api` for `user`, made on first use. When accounts of one user state
  // different rates for one call (an account's rate_limit), the slowest stands.
  CallLane& Lane(const std::string& user, const CallLimit& limit);
  // The lane of `kind` for the account's user on `product`, at the limit that product's provider
  // states (the default limit without a provider).
  CallLane& Lane(const AccountRuntime& account, const std::string& account_name, CallKind kind,
                 const std::string& product);
  // The lane of a certificate-store call (`kind`: upload, list, get, delete) for the account's
  // user, at the limit its store states.
  CallLane& StoreLane(const AccountRuntime& account, const std::string& account_name,
                      CallKind kind);

  int parallelism() const { return options_.parallelism; }
  int peak_window() const;  // the widest in-flight window of any lane

 private:
  const PacingOptions options_;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<CallLane>> lanes_;
};

}  // namespace certform::engine
