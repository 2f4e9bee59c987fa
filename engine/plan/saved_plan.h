// A saved plan (`plan --out FILE`) is an approval, not an instruction: `apply FILE` makes the plan
// again from the configuration and the state (with the saved plan's targets and, for a plan made
// with --refresh, a second live read) and applies it only when it equals the saved one, change
// for change. Everything apply then sends comes from the plan made now, never from the file.
#pragma once

#include <string>

#include "engine/base/status.h"
#include "engine/config/config.h"
#include "engine/plan/plan.h"
#include "engine/plan/plan_refresh.h"
#include "engine/state/state.h"

namespace certform::engine {

// Why `plan`, saved at `path`, may not be applied to `state` and `config` (Stale: another
// lineage, a serial that moved, a certificate whose fingerprint changed, another configuration
// digest); OK when it may.
Status CheckSavedPlan(const Plan& plan, const State& state, const Config& config,
                      const std::string& path);

// Stale naming the first difference between the saved plan (from `path`) and the plan made now:
// a change for another address, a field of a change (every field of the plan file but the times
// a refreshed entry was read at, `applied_at`, which a second read sets anew and nothing sends),
// a change more or less, the CAS uploads; OK when they are equal.
Status CheckApproved(const Plan& saved, const Plan& now, const std::string& path);

// The plan to apply for `saved` (read from `path`): CheckSavedPlan against `state` and `config`,
// then the plan made now (PlanNow with the saved targets, and the live bindings read again
// through `refresh` when `saved` was refreshed), then CheckApproved. On success `*approved` is
// the plan made now (with the saved plan's created_at); on error it is untouched.
Status ApproveSavedPlan(const Plan& saved, const Config& config, const State& state,
                        const std::string& path, const StateRefresher& refresh, Plan* approved);

}  // namespace certform::engine
