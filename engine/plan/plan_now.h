// The plan `certform plan` shows and saves, and `apply PLANFILE` makes again to compare with the
// file: made now from the configuration and the state (with the live bindings read in, when
// refreshed), recording what a saved plan needs to be made again (its targets, whether it was
// refreshed) and when it was made. One function, so that both make it the same way.
#pragma once

#include <string>

#include "engine/base/status.h"
#include "engine/config/config.h"
#include "engine/plan/drift.h"
#include "engine/plan/plan.h"
#include "engine/plan/plan_refresh.h"
#include "engine/plan/planner.h"
#include "engine/state/state.h"

namespace certform::engine {

struct PlanRequest {
  PlanOptions options;     // its targets are recorded in the plan (Plan::targets)
  bool refresh = false;    // plan against the live bindings (Plan::refreshed)
  std::string created_at;  // UTC (Plan::created_at)
};

// Makes the plan of `config` and `state` for `request` into `*plan`; with request.refresh, first
// reads the live bindings through `refresh` and plans against the state they give, telling what
// differed in `*drift` (empty otherwise). Fails only when that read fails (or request.refresh is
// set and `refresh` is empty), `*plan` untouched.
Status PlanNow(const Config& config, const State& state, const PlanRequest& request,
               const StateRefresher& refresh, Plan* plan, DriftReport* drift);

}  // namespace certform::engine
