// One API call made the way certform makes every call: in a slot of its (user, call) lane of the
// PacingRegistry, within the lane's in-flight window, retried by the RetryPolicy, with the
// server's throttling answers widening the lane's margin. Every caller goes through here: the
// applier (bindings, uploads, look-ups), the live reader, listings and prune.
#pragma once

#include <functional>

#include <string>

#include "engine/base/clock.h"
#include "engine/base/status.h"
#include "engine/calls/pacing_registry.h"
#include "engine/calls/provider.h"
#include "engine/calls/retry_policy.h"

namespace certform::engine {

struct PacedCallResult {
  Status status;
  int attempts = 0;
  bool stopped = false;  // `halted` ended it: before the first attempt when attempts == 0
  // `prepare` answered it: the call needed no send this time (a write decided from the read made
  // before it), and `status` is its outcome. `attempts` counts the sends before, if any.
  bool decided = false;
  CallResult last;  // the last attempt's answer (when decided, the answer prepare read it from)
};

struct PacedCallHooks {
  // True when no further attempt may start (a stop was requested). Checked before every send and
  // during every wait (for a slot, in backoff), so nothing is sent after a stop.
  std::function<bool()> halted = [] { return false; };
  // The wait before attempt `next_attempt`; may be called from several threads.
  std::function<Clock::Duration(int attempts, Clock::Duration retry_after)> backoff;
  // Told of each retry and of each throttling answer.
  std::function<void(int next_attempt, Clock::Duration wait, const Status& status,
                     const CallResult& last)>
      on_retry = [](int, Clock::Duration, const Status&, const CallResult&) {};
  std::function<void()> on_throttled = [] {};
  // When set, checked right before every send, after the wait for a slot: a failure (the state
  // lock was lost) ends the call unsent, with that status and `stopped` set.
  std::function<Status()> fence;
  // When set, made before every attempt, outside this call's lane (before its place in the
  // window and its slot): another paced call whose answer the attempt needs (the live binding a
  // write is checked against, WriteCall::read_first), made again before each retry, since a
  // retry's premise may have changed (a lost answer may have been a write that went through). It
  // may answer the call itself (`decided`: nothing to send), which then ends with its status and
  // takes no slot. A failure ends the call: before the first attempt with that call's result as it
  // is; after it, the last sent attempt's failure stands (its answer was lost: whether it went
  // through is unknown, and a failed read says nothing of it), its message naming the read's
  // failure, with the read's `stopped`; a read refused for the whole account (PermissionDenied)
  // makes the call's status that, so that the account stops.
  std::function<PacedCallResult()> prepare;
};

// A caller that makes one account's calls one after another, each paced in the lane of its kind
// and retried (uploads, look-ups, listings, deletes): PacedCall with its lanes, retry policy and
// hooks bound.
using SerialCall =
    std::function<PacedCallResult(CallKind kind, const std::function<Status(CallResult*)>& call)>;

// A SerialCall for one thread and one account: PacedCall in `pacing`'s lane of each call's kind
// for `account`'s user on `product` (empty: the account's certificate store), with `hooks`, whose
// backoff (when not set) is `retry`'s, drawn from `random`. Every reference must outlive the
// SerialCall.
SerialCall MakeSerialCall(PacingRegistry& pacing, const AccountRuntime& account,
                          const std::string& account_name, const RetryPolicy& retry, Clock& clock,
                          RandomSource& random, PacedCallHooks hooks = {},
                          const std::string& product = "");

// Calls `call` until it succeeds, fails for good, runs out of attempts or time, or `halted`.
// Each attempt holds a place in the lane's in-flight window from before its slot until its
// answer, and its latency resizes the window.
PacedCallResult PacedCall(CallLane& lane, const RetryPolicy& retry, Clock& clock,
                          const std::function<Status(CallResult*)>& call,
                          const PacedCallHooks& hooks);

// Sleeps `duration` in short slices, returning false as soon as `halted` says so (true when the
// whole time passed).
bool SleepUnlessHalted(Clock& clock, Clock::Duration duration, const std::function<bool()>& halted);

}  // namespace certform::engine
