// Carrying out a reviewed prune (prune_review.h): the deletions of every account, one after
// another, each fenced by the state lock and journaled through the state backend before it is
// sent (DeleteUploads), and the state reached written at the end. Below the command, which only
// asks for the approval and renders each outcome.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "engine/apply/prune.h"
#include "engine/base/clock.h"
#include "engine/base/random.h"
#include "engine/base/status.h"
#include "engine/calls/pacing_registry.h"
#include "engine/state/state.h"
#include "engine/state/state_backend.h"

namespace certform::engine {

struct PruneDeletes {
  int failed = 0;  // outcomes neither deleted nor already gone
  Status lost;     // the fence's failure (the state lock lost): nothing more was sent after it
  Status written;  // the state's write at the end; its journal keeps every deletion on failure
};

// Deletes `unused` (by account, as ReviewPrune gives them) through each account's store in
// `runtimes`, one after another, paced and retried in `pacing`'s lanes, with `fence` (the state
// lock; empty: none) checked before every call: once it fails nothing more is sent, to any
// account. Each deletion updates `*state` (the state `backend` holds, at the start) and is
// journaled through `backend`; `on_outcome` is told of each outcome of an account as its
// deletions end. Finally writes the state reached (`*state` then holds what was written).
PruneDeletes DeleteUnused(
    const std::map<std::string, std::vector<UploadEntry>>& unused,
    const std::map<std::string, AccountRuntime>& runtimes, PacingRegistry& pacing, Clock& clock,
    RandomSource& random, const std::function<Status()>& fence, StateBackend& backend, State* state,
    const std::function<void(const std::string& account, const PruneOutcome& outcome)>& on_outcome);

}  // namespace certform::engine
