#include "cmd/certform/live_check.h"

#include <set>
#include <string>

#include "cmd/certform/providers_setup.h"

namespace certform::cli {

engine::Status ReadLiveAndUploads(const engine::Config& config, const engine::State& state,
                                  const std::vector<engine::DomainRef>& domains,
                                  const ConnectionOptions& connection, Context& ctx,
                                  LiveCheck* out) {
  std::set<std::string> accounts;
  for (const engine::DomainRef& d : domains) accounts.insert(d.account);
  for (const auto& [key, u] : state.uploads) {
    auto a = config.accounts.find(u.account);
    if (a != config.accounts.end() && a->second.UploadsViaCas()) accounts.insert(u.account);
  }
  ProviderSet providers;
  engine::Status s = providers.Build(config, accounts, connection, ctx);
  if (!s.ok()) return s;
  const auto runtimes = providers.Runtimes();
  out->reads = engine::ReadLive(domains, runtimes, providers.pacing(), ctx.clock, ctx.random);
  out->uploads = engine::CheckUploads(state, runtimes, providers.pacing(), ctx.clock, ctx.random);
  return engine::Status::OK();
}

}  // namespace certform::cli
