// An asynchronous change (ProductRules::writes: ALB, NLB): each of its steps (Provider::Steps) is
// a write that answers a job. The job is journaled on the entry (StateEntry::pending_job) before
// it is polled, so that a run killed between the submit and the job's end resumes by polling that
// job and never sends the step again. A step is done when its job succeeded and a read-back
// confirms it (Provider::ConfirmStep); only then does the next step start. Every call is paced in
// its own lane: the writes in the write call's, the polls in kPollJob's, the read-backs in
// kReadBinding's.
#pragma once

#include <functional>
#include <string>

#include "engine/calls/paced_call.h"
#include "engine/calls/provider.h"
#include "engine/calls/retry_policy.h"
#include "engine/state/state.h"

namespace certform::engine {

struct AsyncWriteEnv {
  CallLane& write_lane;
  CallLane& poll_lane;
  CallLane& read_lane;
  const RetryPolicy& retry;
  Clock& clock;
  Provider& provider;
  const PacedCallHooks& hooks;
  const AsyncWrites& rules;
  // A new ClientToken, drawn once per step (the same for every attempt of it).
  std::function<std::string()> new_token;
  // Makes durable that `job` of `step` (binding `cert_id`) is submitted; a failure ends the change
  // (the run halts there).
  std::function<Status(const std::string& job, int step)> journal_pending;
};

// Carries out `request` (step and client_token are set here; dry_run must be false). When
// `before` has a pending job, that job is waited for first: if it was this change's and it
// succeeded (and its read-back confirms it), the change goes on from the next step; if it failed,
// nothing changed and its step is sent again; a job of another change is only waited for. The
// result's `last` is the last write's answer; `attempts` counts the writes sent.
PacedCallResult RunAsyncWrite(const AsyncWriteEnv& env, BindingRequest request,
                              const StateEntry* before);

// Sends every step of `request` with dry_run set, in `write_lane`: OK when every check passed.
PacedCallResult DryRunAsyncWrite(const AsyncWriteEnv& env, BindingRequest request);

}  // namespace certform::engine
