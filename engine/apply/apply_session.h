// What one apply's phases (uploads, then changes) share: the run's options and pacing, the state
// reached so far with its outcomes, and the stops (a signal, --fail-fast, a lost state lock, an
// account or product that takes no more calls). Every write of the state goes through
// JournalLocked: applied in memory and made durable under one lock, or the run halts.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>

#include "engine/apply/applier.h"
#include "engine/calls/endpoint_watch.h"
#include "engine/calls/paced_call.h"

namespace certform::engine {

class ApplySession {
 public:
  ApplySession(const State& prior, const std::map<std::string, AccountRuntime>& accounts,
               const ApplyEnv& env, const ApplyOptions& options);

  const std::map<std::string, AccountRuntime>& accounts() const { return accounts_; }
  const ApplyEnv& env() const { return env_; }
  const ApplyOptions& options() const { return options_; }
  const RetryPolicy& retry() const { return retry_; }
  PacingRegistry& pacing() { return pacing_; }

  // Guards result(), the observer and env().random; held by Journal and the hooks it gives.
  std::mutex& mu() { return mu_; }
  ApplyResult& result() { return result_; }

  // A watch of its endpoint for `key` (an account, or an account on one product: StopKey). All
  // are made before any worker starts: the map never changes after.
  void Watch(const std::string& key) { watches_[key]; }

  // True when nothing more is sent by anyone in this run (a stop, --fail-fast, a lost lock).
  bool Halted() const { return env_.stop.load() || halted_.load(); }
  void Halt() { halted_ = true; }
  // Halts the run, saying why to each change not attempted after (NotAttempted).
  void HaltBecause(const std::string& why);

  // Why `key` takes no more calls, or "". An account's stop covers each of its products.
  std::string AccountStop(const std::string& key);
  void StopAccount(const std::string& key, const std::string& why);
  // Why a change or upload for `key` that was never sent was not: the stop that ended it.
  std::string NotAttempted(const std::string& key);

  // An answer came from `key`'s endpoint; a call for `key` failed (a dead endpoint stops `key`
  // after one call's attempts, like an account-wide error).
  void Answered(const std::string& key);
  void WatchFailure(const std::string& key, const Status& s, const CallResult& last, int attempts);

  // The hooks of a paced call for `key`: halted by any stop of the run or of `key`, retry's
  // backoff, throttled answers counted, the lock checked before every send, failures watched.
  PacedCallHooks Hooks(const std::string& key);

  // Applies `record` to the state and makes it durable; the caller holds mu(). On failure the
  // run halts (a lost lock is reported once), `what` and the cause go to the diagnostics, and
  // the status is returned.
  Status JournalLocked(const JournalRecord& record, const std::string& what);

  // Every account's stop, as errors; the peak window, the time and whether the run was cut
  // short. Called once, at the end.
  void Close(Clock::Instant start);

 private:
  // The state lock must still be held before any call is sent; once it is lost, nothing more
  // is sent by anyone in this run.
  Status Fence();
  // The lock is gone (a fence or a journal write said so): nothing more is sent. Under mu_.
  void LoseLockLocked(const Status& why);

  const std::map<std::string, AccountRuntime>& accounts_;
  const ApplyEnv& env_;
  const ApplyOptions& options_;
  RetryPolicy retry_;
  PacingRegistry own_pacing_;  // when the caller gives none
  PacingRegistry& pacing_;
  std::mutex mu_;
  ApplyResult result_;
  std::atomic<bool> halted_{false};
  bool lock_lost_ = false;                               // guarded by mu_
  std::string halt_reason_;                              // guarded by mu_
  std::map<std::string, std::string> stopped_accounts_;  // key → why, guarded by mu_
  std::map<std::string, EndpointWatch> watches_;         // by key; the map never changes
};

}  // namespace certform::engine
