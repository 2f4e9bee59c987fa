#include "engine/apply/prune_deletes.h"

#include "engine/apply/state_recorder.h"
#include "engine/calls/paced_call.h"
#include "engine/calls/retry_policy.h"

namespace certform::engine {

PruneDeletes DeleteUnused(const std::map<std::string, std::vector<UploadEntry>>& unused,
                          const std::map<std::string, AccountRuntime>& runtimes,
                          PacingRegistry& pacing, Clock& clock, RandomSource& random,
                          const std::function<Status()>& fence, StateBackend& backend, State* state,
                          const std::function<void(const std::string& account,
                                                   const PruneOutcome& outcome)>& on_outcome) {
  PruneDeletes result;
  StateRecorder recorder(backend, random, *state);
  for (const auto& [account, list] : unused) {
    if (list.empty() || !result.lost.ok()) continue;
    const AccountRuntime& runtime = runtimes.at(account);
    const RetryPolicy retry{RetryOptions{}};
    PacedCallHooks hooks;
    hooks.halted = [&] { return !result.lost.ok(); };
    hooks.fence = [&] {
      if (result.lost.ok() && fence) result.lost = fence();
      return result.lost;
    };
    const SerialCall call = MakeSerialCall(pacing, runtime, account, retry, clock, random, hooks);
    const PruneEnv env{call, recorder};
    for (const PruneOutcome& o : DeleteUploads(list, *runtime.cas, env, state)) {
      if (!o.deleted && !o.already_gone) ++result.failed;
      if (on_outcome) on_outcome(account, o);
    }
  }
  result.written = recorder.Finish(state);
  return result;
}

}  // namespace certform::engine
