#include "engine/calls/pacing_registry.h"

#include <algorithm>

namespace certform::engine {

namespace {

RateLimiterOptions AtRate(RateLimiterOptions o, double rate) {
  o.rate = rate;
  return o;
}

std::string UserOf(const AccountRuntime& account, const std::string& account_name) {
  return account.user.empty() ? "account:" + account_name : account.user;
}

}  // namespace

CallLane::CallLane(double rate, const PacingOptions& options)
    : limiter(AtRate(options.limiter, rate)), window(rate, options.parallelism) {}

PacingRegistry::PacingRegistry(PacingOptions options) : options_(options) {}

CallLane& PacingRegistry::Lane(const std::string& user, const CallLimit& limit) {
  const double rate = limit.rate > 0 ? limit.rate : 1;
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<CallLane>& lane = lanes_[{user, limit.api}];
  if (!lane) {
    lane = std::make_unique<CallLane>(rate, options_);
  } else {
    lane->limiter.LowerRate(rate);
  }
  return *lane;
}

CallLane& PacingRegistry::Lane(const AccountRuntime& account, const std::string& account_name,
                               CallKind kind, const std::string& product) {
  const Provider* provider = account.ProviderFor(product);
  return Lane(UserOf(account, account_name),
              provider != nullptr ? provider->Limit(kind) : DefaultCallLimit(kind));
}

CallLane& PacingRegistry::StoreLane(const AccountRuntime& account, const std::string& account_name,
                                    CallKind kind) {
  return Lane(UserOf(account, account_name),
              account.cas != nullptr ? account.cas->Limit(kind) : DefaultCallLimit(kind));
}

int PacingRegistry::peak_window() const {
  std::lock_guard<std::mutex> lock(mu_);
  int peak = 0;
  for (const auto& [key, lane] : lanes_) peak = std::max(peak, lane->window.peak_size());
  return peak;
}

}  // namespace certform::engine
