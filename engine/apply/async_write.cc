#include "engine/apply/async_write.h"

#include <fmt/format.h>

#include "engine/base/text_escape.h"

namespace certform::engine {

namespace {

// Polls `job` until it is done, the rules' timeout passes or the run halts. OK with `*job_status`
// done; Failed when it is still running at the timeout (it stays journaled: the next apply polls
// it again); the poll's failure otherwise. A job the product no longer knows (NotFound: a job
// list keeps jobs for a while only) is Failed with `*unknown` set, never NotFound, which would
// say the binding's location is gone.
PacedCallResult WaitForJob(const AsyncWriteEnv& env, const BindingRequest& request,
                           const std::string& job, JobStatus* job_status, bool* unknown = nullptr) {
  const Clock::Instant start = env.clock.Monotonic();
  const Clock::Duration every = std::chrono::milliseconds(env.rules.poll_every_ms);
  const Clock::Duration timeout = std::chrono::seconds(env.rules.job_timeout_s);
  for (;;) {
    PacedCallResult r = PacedCall(
        env.poll_lane, env.retry, env.clock,
        [&](CallResult* last) { return env.provider.PollJob(request, job, job_status, last); },
        env.hooks);
    if (r.status.IsNotFound()) {
      if (unknown != nullptr) *unknown = true;
      r.status = Status::Failed(fmt::format("the product no longer knows job {}: {}",
                                            ForTerminal(job), r.status.message()));
      return r;
    }
    if (!r.status.ok() || job_status->done) return r;
    if (env.clock.Monotonic() - start >= timeout) {
      r.status = Status::Failed(fmt::format(
          "job {} was still running after {} s; it is recorded, and the next apply waits for it "
          "before sending anything for this binding",
          ForTerminal(job), env.rules.job_timeout_s));
      return r;
    }
    if (!SleepUnlessHalted(env.clock, every, env.hooks.halted)) {
      r.stopped = true;
      r.status = Status::Failed(fmt::format(
          "the apply stopped while job {} ran; it is recorded, and the next apply waits for it",
          ForTerminal(job)));
      return r;
    }
  }
}

PacedCallResult Confirm(const AsyncWriteEnv& env, const BindingRequest& request) {
  return PacedCall(
      env.read_lane, env.retry, env.clock,
      [&](CallResult* last) { return env.provider.ConfirmStep(request, last); }, env.hooks);
}

// Waits for the job a killed run left on `before` and says from which step `request` goes on.
PacedCallResult Resume(const AsyncWriteEnv& env, BindingRequest request, const StateEntry& before,
                       int* from) {
  request.step = before.pending_step;
  JobStatus job;
  bool unknown = false;
  PacedCallResult r = WaitForJob(env, request, before.pending_job, &job, &unknown);
  // This change's job: the same certificate, at a step this change has (a step beyond them is
  // another change's, or a state's that certform did not write).
  const bool same_change = before.pending_cert_id == request.cert_id &&
                           before.pending_step < env.provider.Steps(request);
  if (unknown) {
    // Too old to be listed: it ended long ago, and what the location has decides. Another
    // change's job is over; this change's step is done when its read-back confirms it, and sent
    // again (a new token) when the location does not have it.
    *from = 0;
    if (!same_change) {
      r.status = Status::OK();
      return r;
    }
    PacedCallResult c = Confirm(env, request);
    if (c.status.ok()) {
      *from = before.pending_step + 1;
    } else if (c.status.code() == Status::Code::kFailed) {
      *from = before.pending_step;
      c.status = Status::OK();
    }
    return c;
  }
  if (!r.status.ok()) return r;
  if (!same_change) {
    *from = 0;  // another change's job: waited for, so that the listener is free again
  } else if (!job.succeeded) {
    *from = before.pending_step;  // it failed: nothing changed, the step is sent again
  } else {
    r = Confirm(env, request);
    if (!r.status.ok()) return r;
    *from = before.pending_step + 1;
  }
  return r;
}

}  // namespace

PacedCallResult RunAsyncWrite(const AsyncWriteEnv& env, BindingRequest request,
                              const StateEntry* before) {
  PacedCallResult done;
  done.status = Status::OK();
  int from = 0;
  if (before != nullptr && before->Pending()) {
    PacedCallResult r = Resume(env, request, *before, &from);
    if (!r.status.ok()) return r;
    done.last = r.last;
  }
  const int steps = env.provider.Steps(request);
  int attempts = 0;
  for (int step = from; step < steps; ++step) {
    request.step = step;
    request.dry_run = false;
    request.client_token = env.new_token();
    PacedCallResult r = PacedCall(
        env.write_lane, env.retry, env.clock,
        [&](CallResult* last) { return env.provider.SetBinding(request, last); }, env.hooks);
    attempts += r.attempts;
    r.attempts = attempts;
    if (!r.status.ok()) return r;
    const CallResult write = r.last;
    if (!write.job_id.empty()) {
      if (Status s = env.journal_pending(write.job_id, step); !s.ok()) {
        r.status = s;
        return r;
      }
      JobStatus job;
      PacedCallResult w = WaitForJob(env, request, write.job_id, &job);
      if (!w.status.ok()) {
        w.attempts = attempts;
        w.last = write;
        return w;
      }
      if (!job.succeeded) {
        r.status = Status::Failed(
            fmt::format("job {} failed: {}", ForTerminal(write.job_id),
                        ForTerminal(job.error.empty() ? "no reason given" : job.error)));
        return r;
      }
    }
    PacedCallResult c = Confirm(env, request);
    if (!c.status.ok()) {
      c.attempts = attempts;
      c.last = write;
      return c;
    }
    done.last = write;
  }
  done.attempts = attempts;
  return done;
}

PacedCallResult DryRunAsyncWrite(const AsyncWriteEnv& env, BindingRequest request) {
  PacedCallResult r;
  r.status = Status::OK();
  const int steps = env.provider.Steps(request);
  int attempts = 0;
  for (int step = 0; step < steps; ++step) {
    request.step = step;
    request.dry_run = true;
    request.client_token = env.new_token();
    r = PacedCall(
        env.write_lane, env.retry, env.clock,
        [&](CallResult* last) { return env.provider.SetBinding(request, last); }, env.hooks);
    attempts += r.attempts;
    r.attempts = attempts;
    if (!r.status.ok()) return r;
  }
  return r;
}

}  // namespace certform::engine
