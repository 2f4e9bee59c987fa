#include "engine/apply/apply_session.h"

#include <fmt/format.h>

namespace certform::engine {

ApplySession::ApplySession(const State& prior,
                           const std::map<std::string, AccountRuntime>& accounts,
                           const ApplyEnv& env, const ApplyOptions& options)
    : accounts_(accounts),
      env_(env),
      options_(options),
      retry_(options.retry),
      own_pacing_(PacingOptions{options.pacing, options.parallelism}),
      pacing_(env.pacing != nullptr ? *env.pacing : own_pacing_) {
  result_.state = prior;
}

std::string ApplySession::AccountStop(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = stopped_accounts_.find(key);
  if (it == stopped_accounts_.end()) it = stopped_accounts_.find(key.substr(0, key.find('/')));
  return it == stopped_accounts_.end() ? "" : it->second;
}

void ApplySession::StopAccount(const std::string& key, const std::string& why) {
  std::lock_guard<std::mutex> lock(mu_);
  stopped_accounts_.emplace(key, why);
}

std::string ApplySession::NotAttempted(const std::string& key) {
  if (std::string why = AccountStop(key); !why.empty()) return "not attempted: " + why;
  std::lock_guard<std::mutex> lock(mu_);
  if (lock_lost_) return "not attempted: the state lock was lost";
  if (!halt_reason_.empty()) return "not attempted: " + halt_reason_;
  return "not attempted: the apply was stopped";
}

void ApplySession::HaltBecause(const std::string& why) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (halt_reason_.empty()) halt_reason_ = why;
  }
  Halt();
}

void ApplySession::Answered(const std::string& key) {
  if (auto w = watches_.find(key); w != watches_.end()) w->second.OnAnswer();
}

void ApplySession::WatchFailure(const std::string& key, const Status& s, const CallResult& last,
                                int attempts) {
  auto w = watches_.find(key);
  if (std::string why; w != watches_.end() && w->second.OnFailure(s, last, attempts, &why)) {
    StopAccount(key, why);
  }
}

PacedCallHooks ApplySession::Hooks(const std::string& key) {
  PacedCallHooks hooks;
  hooks.halted = [this, key] { return Halted() || !AccountStop(key).empty(); };
  hooks.backoff = [this](int attempts, Clock::Duration retry_after) {
    std::lock_guard<std::mutex> lock(mu_);
    return retry_.Backoff(attempts, retry_after, env_.random);
  };
  hooks.on_throttled = [this] {
    std::lock_guard<std::mutex> lock(mu_);
    ++result_.summary.throttled;
  };
  hooks.on_retry = [this, key](int next, Clock::Duration, const Status& s, const CallResult& last) {
    WatchFailure(key, s, last, next - 1);
  };
  hooks.fence = [this] { return Fence(); };
  return hooks;
}

Status ApplySession::JournalLocked(const JournalRecord& record, const std::string& what) {
  ApplyRecord(record, &result_.state);
  Status s = env_.recorder.Record(record, result_.state);
  if (!s.ok()) {
    halted_ = true;
    if (s.code() == Status::Code::kLockLost) LoseLockLocked(s);
    result_.diags.Error({}, what, s.message());
  }
  return s;
}

void ApplySession::Close(Clock::Instant start) {
  result_.peak_window = pacing_.peak_window();
  for (const auto& [account, reason] : stopped_accounts_) {
    result_.diags.Error({}, fmt::format("account \"{}\": {}", account, reason),
                        "certform stopped this account's changes after the first such answer: "
                        "every further call would have failed the same way");
  }
  result_.summary.elapsed = env_.clock.Monotonic() - start;
  result_.interrupted = Halted();
}

Status ApplySession::Fence() {
  if (!env_.fence) return Status::OK();
  Status s = env_.fence();
  if (!s.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    LoseLockLocked(s);
  }
  return s;
}

void ApplySession::LoseLockLocked(const Status& why) {
  if (lock_lost_) return;
  lock_lost_ = true;
  halted_ = true;
  result_.diags.Error({}, "the state lock was lost: certform stopped sending", why.message());
}

}  // namespace certform::engine
