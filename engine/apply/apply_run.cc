#include "engine/apply/apply_run.h"

#include "engine/apply/state_recorder.h"

namespace certform::engine {

std::set<std::string> AccountsToCall(const Plan& plan) {
  std::set<std::string> accounts;
  for (const Change& c : plan.changes) {
    if (CallsProvider(c.action)) accounts.insert(c.account);  // a forget needs none
  }
  return accounts;
}

ApplyResult ApplyAndRecord(const Plan& plan, const State& state,
                           const std::map<std::string, AccountRuntime>& runtimes,
                           StateBackend& backend, const ApplyRun& run,
                           const ApplyOptions& options) {
  StateRecorder recorder(backend, run.random, state);
  ApplyEnv env{run.clock, run.random, run.material, recorder, run.observer, run.stop};
  env.fence = run.fence;
  env.pacing = run.pacing;
  ApplyResult result = Apply(plan, state, runtimes, env, options);
  if (Status s = recorder.Finish(&result.state); !s.ok()) {
    result.diags.Error({},
                       "cannot write the state of " + backend.Describe() +
                           "; its journal keeps every completed call and the next command "
                           "replays it",
                       s.message());
  }
  return result;
}

bool ApplyComplete(const ApplyResult& result) {
  return result.summary.failed == 0 && result.summary.skipped == 0 && !result.diags.HasErrors() &&
         !result.interrupted;
}

}  // namespace certform::engine
