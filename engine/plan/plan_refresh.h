// The state a plan is made against with --refresh: the state with the live bindings of its
// entries read in. `plan --refresh --out FILE` records that it was refreshed, and `apply FILE`
// reads the live bindings again and plans against them, so that what it sends still comes from
// the configuration, the state and the API's answers, never from the file.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "engine/base/clock.h"
#include "engine/base/random.h"
#include "engine/base/status.h"
#include "engine/calls/live_reader.h"
#include "engine/calls/pacing_registry.h"
#include "engine/config/config.h"
#include "engine/plan/drift.h"
#include "engine/state/state.h"

namespace certform::engine {

// Reads the live binding of every entry of `state` (StateDomains) through the providers of
// `runtimes` (ReadLive), and gives `state` with them accepted in `*refreshed` (RefreshedState)
// and what differed in `*drift`. An error, and `*refreshed` untouched, when a read failed: a plan
// is never made against a state half read.
Status RefreshForPlan(const Config& config, const State& state,
                      const std::map<std::string, AccountRuntime>& runtimes, PacingRegistry& pacing,
                      Clock& clock, RandomSource& random, State* refreshed, DriftReport* drift);

// How an operation that plans against the live bindings has them read: RefreshForPlan over
// providers the command builds (for the accounts of StateDomains(state)).
using StateRefresher =
    std::function<Status(const State& state, State* refreshed, DriftReport* drift)>;

}  // namespace certform::engine
