#include "engine/plan/plan_refresh.h"

#include <vector>

namespace certform::engine {

Status RefreshForPlan(const Config& config, const State& state,
                      const std::map<std::string, AccountRuntime>& runtimes, PacingRegistry& pacing,
                      Clock& clock, RandomSource& random, State* refreshed, DriftReport* drift) {
  const int64_t now = ToUnixSeconds(clock.Now());
  const std::vector<LiveRead> reads =
      ReadLive(StateDomains(state), runtimes, pacing, clock, random);
  *drift = CompareLive(state, reads, now, config.expiry_warning_days);
  if (!drift->failed.empty()) return Status::Unavailable(drift->failed[0].error);
  *refreshed = RefreshedState(state, reads, config, FormatUtc(now), GoneDomains::kMark);
  return Status::OK();
}

}  // namespace certform::engine
