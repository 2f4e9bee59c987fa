#include "engine/plan/plan_now.h"

namespace certform::engine {

Status PlanNow(const Config& config, const State& state, const PlanRequest& request,
               const StateRefresher& refresh, Plan* plan, DriftReport* drift) {
  *drift = DriftReport{};
  State planned_against = state;
  if (request.refresh) {
    if (!refresh) {
      return Status::InvalidArgument("the plan needs the live bindings and nothing reads them");
    }
    Status s = refresh(state, &planned_against, drift);
    if (!s.ok()) return s;
  }
  Plan made = MakePlan(config, planned_against, request.options);
  made.created_at = request.created_at;
  made.targets = request.options.targets;  // apply FILE plans again with them
  made.refreshed = request.refresh;        // and reads the live bindings again first
  *plan = std::move(made);
  return Status::OK();
}

}  // namespace certform::engine
