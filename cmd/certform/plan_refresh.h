// The live read a plan made with --refresh needs (`plan --refresh`, and `apply FILE` for a plan
// that was refreshed): engine/plan/plan_refresh.h reads and judges; this builds the providers.
#pragma once

#include "cmd/certform/connection_options.h"
#include "cmd/certform/context.h"
#include "engine/config/config.h"
#include "engine/plan/plan_refresh.h"

namespace certform::cli {

// An engine::StateRefresher that builds the providers of the accounts of the state's entries
// (a missing credential is an error before any call is made) and runs engine::RefreshForPlan
// over them. Holds references to its arguments: use it while they live.
engine::StateRefresher LiveRefresher(const engine::Config& config,
                                     const ConnectionOptions& connection, Context& ctx);

}  // namespace certform::cli
