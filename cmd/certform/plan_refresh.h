// The state a plan is made against with --refresh: the state with the live bindings of its entries
// read in. `plan --refresh --out FILE` records that it was refreshed, and `apply FILE` reads the
// live bindings again and plans against them, so that what it sends still comes from the
// configuration, the state and the API's answers, never from the file.
#pragma once

#include "cmd/certform/connection_options.h"
#include "cmd/certform/context.h"
#include "engine/base/status.h"
#include "engine/config/config.h"
#include "engine/plan/drift.h"
#include "engine/state/state.h"

namespace certform::cli {

// Reads the live binding of every entry of `state` and gives `state` with them accepted in
// `*refreshed`, and what differed in `*drift`. An error when any read failed.
engine::Status RefreshForPlan(const engine::Config& config, const engine::State& state,
                              const ConnectionOptions& connection, Context& ctx,
                              engine::State* refreshed, engine::DriftReport* drift);

}  // namespace certform::cli
