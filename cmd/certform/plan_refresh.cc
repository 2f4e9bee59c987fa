#include "cmd/certform/plan_refresh.h"

#include "cmd/certform/providers_setup.h"
#include "engine/base/clock.h"

namespace certform::cli {

engine::Status RefreshForPlan(const engine::Config& config, const engine::State& state,
                              const ConnectionOptions& connection, Context& ctx,
                              engine::State* refreshed, engine::DriftReport* drift) {
  const int64_t now = engine::ToUnixSeconds(ctx.clock.Now());
  std::vector<engine::DomainRef> domains;
  for (const auto& [domain, e] : state.entries) domains.push_back({domain, e.account});
  std::vector<engine::LiveRead> reads;
  engine::Status s = ReadLiveBindings(config, domains, connection, ctx, &reads);
  *drift = engine::CompareLive(state, reads, now, config.expiry_warning_days);
  if (s.ok() && !drift->failed.empty()) s = engine::Status::Unavailable(drift->failed[0].error);
  if (!s.ok()) return s;
  *refreshed = engine::RefreshedState(state, reads, config, engine::FormatUtc(now));
  return engine::Status::OK();
}

}  // namespace certform::cli
