#include "cmd/certform/live_check.h"

#include "cmd/certform/providers_setup.h"

namespace certform::cli {

engine::Status ReadLiveAndUploads(const engine::Config& config, const engine::State& state,
                                  const std::vector<engine::DomainRef>& domains,
                                  const ConnectionOptions& connection, Context& ctx,
                                  engine::LiveCheck* out) {
  ProviderSet providers;
  engine::Status s =
      providers.Build(config, engine::LiveCheckAccounts(config, state, domains), connection, ctx);
  if (!s.ok()) return s;
  *out = engine::ReadLiveAndUploads(state, domains, providers.Runtimes(), providers.pacing(),
                                    ctx.clock, ctx.random);
  return engine::Status::OK();
}

}  // namespace certform::cli
