// The applier: carries out a plan's changes through each account's Provider, as fast as each
// account's rate allows and no faster, recording every completed call durably before reporting
// it, and returning the state it actually reached (Terraform's apply), even when it failed or was
// interrupted half-way.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "engine/apply/apply_observer.h"
#include "engine/base/clock.h"
#include "engine/base/diagnostics.h"
#include "engine/base/random.h"
#include "engine/calls/pacing_registry.h"
#include "engine/calls/provider.h"
#include "engine/calls/retry_policy.h"
#include "engine/plan/plan.h"
#include "engine/state/journal_record.h"
#include "engine/state/state.h"

namespace certform::engine {

struct ApplyOptions {
  // The most calls in flight per user and call (workers per lane). The window itself is sized
  // from the measured latency (CallWindow); this only caps it, e.g. to spare a slow proxy.
  int parallelism = kMaxWindow;
  bool fail_fast = false;     // stop dispatching after the first failed change
  RetryOptions retry;         // attempts, backoff base and cap, time per call
  RateLimiterOptions pacing;  // margins of the run's own registry, when ApplyEnv gives none
};

// Where upload certificates' PEM and key come from at apply time (the configuration's files and
// variables), loaded per call so that a key stays in memory only while its call is made.
class CertificateMaterial {
 public:
  virtual ~CertificateMaterial() = default;
  // Fills request->cert_pem and request->key_pem for the certificate `after.certificate`.
  virtual Status Load(const StateEntry& after, BindingRequest* request) = 0;
};

// Durable recording of completed calls; the applier calls it under its lock, in completion order.
class ApplyRecorder {
 public:
  virtual ~ApplyRecorder() = default;
  // Makes `record` durable; `state` is the state including it (for periodic checkpoints).
  virtual Status Record(const JournalRecord& record, const State& state) = 0;
};

struct ApplyResult {
  State state;                          // what was reached: prior + every completed change
  std::vector<UploadOutcome> uploads;   // one per upload step, in plan order
  std::vector<ChangeOutcome> outcomes;  // one per non-no-op change, in plan order
  ApplySummary summary;
  bool interrupted = false;  // stopped early (signal, --fail-fast, recording failure)
  Diagnostics diags;         // failures to record, unknown accounts, accounts stopped
  int peak_window = 0;       // the widest in-flight window any user reached
};

struct ApplyEnv {
  Clock& clock;
  RandomSource& random;
  CertificateMaterial& material;
  ApplyRecorder& recorder;
  ApplyObserver& observer;
  const std::atomic<bool>& stop;  // set (e.g. by SIGINT): dispatch nothing more
  // Checked right before every call is sent: OK while this run holds the state lock. A failure
  // stops the whole run at once (nothing more is sent). Empty: no lock to check.
  std::function<Status()> fence = {};
  // Where every call takes its pace (each call's limit per user comes from its provider). Null:
  // a registry of this run's own, from ApplyOptions.
  PacingRegistry* pacing = nullptr;
};

// Carries out `plan` from `prior`: uploads first, then the changes. A forget or a rename is
// recorded without a call (no provider needed). The old address of a move (Change::moved_to) is
// dealt with after every other change, and only when its new address's change succeeded; otherwise
// it is reported as not attempted and stays as it was.
ApplyResult Apply(const Plan& plan, const State& prior,
                  const std::map<std::string, AccountRuntime>& accounts, const ApplyEnv& env,
                  const ApplyOptions& options);

}  // namespace certform::engine
