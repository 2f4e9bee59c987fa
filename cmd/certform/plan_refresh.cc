#include "cmd/certform/plan_refresh.h"

#include "cmd/certform/providers_setup.h"

namespace certform::cli {

engine::StateRefresher LiveRefresher(const engine::Config& config,
                                     const ConnectionOptions& connection, Context& ctx) {
  return [&config, &connection, &ctx](const engine::State& state, engine::State* refreshed,
                                      engine::DriftReport* drift) {
    ProviderSet providers;
    engine::Status s =
        providers.Build(config, engine::AccountsOf(engine::StateDomains(state)), connection, ctx);
    if (!s.ok()) return s;
    return engine::RefreshForPlan(config, state, providers.Runtimes(), providers.pacing(),
                                  ctx.clock, ctx.random, refreshed, drift);
  };
}

}  // namespace certform::cli
