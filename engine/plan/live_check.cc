#include "engine/plan/live_check.h"

namespace certform::engine {

std::set<std::string> LiveCheckAccounts(const Config& config, const State& state,
                                        const std::vector<DomainRef>& domains) {
  std::set<std::string> accounts = AccountsOf(domains);
  for (const auto& [key, u] : state.uploads) {
    auto a = config.accounts.find(u.account);
    if (a != config.accounts.end() && a->second.UploadsViaCas()) accounts.insert(u.account);
  }
  return accounts;
}

LiveCheck ReadLiveAndUploads(const State& state, const std::vector<DomainRef>& domains,
                             const std::map<std::string, AccountRuntime>& runtimes,
                             PacingRegistry& pacing, Clock& clock, RandomSource& random) {
  LiveCheck out;
  out.reads = ReadLive(domains, runtimes, pacing, clock, random);
  out.uploads = CheckUploads(state, runtimes, pacing, clock, random);
  return out;
}

DriftReport CheckDrift(const State& state, const LiveCheck& live, int64_t now, int warning_days) {
  DriftReport report = CompareLive(state, live.reads, now, warning_days);
  AddUploadDrift(live.uploads, &report);
  return report;
}

}  // namespace certform::engine
