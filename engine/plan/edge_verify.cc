#include "engine/plan/edge_verify.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include <fmt/format.h>

namespace certform::engine {

const char* EdgeOutcomeName(EdgeOutcome o) {
  switch (o) {
    case EdgeOutcome::kServes:
      return "serves";
    case EdgeOutcome::kStale:
      return "stale";
    case EdgeOutcome::kOther:
      return "other";
    case EdgeOutcome::kChainDiffers:
      return "chain_differs";
    case EdgeOutcome::kFailed:
      return "failed";
    case EdgeOutcome::kSkipped:
      return "skipped";
    case EdgeOutcome::kNotServing:
      return "not_serving";
  }
  return "skipped";
}

int EdgeReport::Count(EdgeOutcome o) const {
  return static_cast<int>(std::count_if(results.begin(), results.end(),
                                        [o](const EdgeResult& r) { return r.outcome == o; }));
}

bool EdgeReport::AllServe() const {
  return std::all_of(results.begin(), results.end(), [](const EdgeResult& r) {
    return r.outcome == EdgeOutcome::kServes || r.outcome == EdgeOutcome::kSkipped;
  });
}

EdgeOutcome Judge(const VerifyTarget& target, const TlsProbeResult& result) {
  if (!result.status.ok() || result.chain.fingerprints.empty()) return EdgeOutcome::kFailed;
  const std::string& leaf = result.chain.fingerprints.front();
  if (leaf != target.want) {
    return !target.old.empty() && leaf == target.old ? EdgeOutcome::kStale : EdgeOutcome::kOther;
  }
  // A server may leave the root out of what it sends, never add to the chain configured or
  // change it: the certificates after the leaf are compared by their DER (ChainDigestOf).
  const std::string& served = result.chain.chain_digest;
  if (!target.want_chain_digest.empty() && !served.empty() && served != target.want_chain_digest &&
      served != target.want_chain_digest_without_root) {
    return EdgeOutcome::kChainDiffers;
  }
  return EdgeOutcome::kServes;
}

namespace {

// One handshake for each of `indexes`, at most `parallelism` at once.
void Round(const std::vector<size_t>& indexes, TlsProbe& probe, const VerifyOptions& options,
           EdgeReport* report) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < indexes.size(); i = next++) {
      EdgeResult& r = report->results[indexes[i]];
      const TlsProbeRequest request{r.target.host, r.target.port, r.target.server_name,
                                    options.timeout};
      TlsProbeResult answer = probe.Handshake(request);
      r.outcome = Judge(r.target, answer);
      r.error = answer.status;
      if (r.outcome == EdgeOutcome::kFailed && r.error.ok()) {
        r.error = Status::Failed("the server presented no certificate");
      }
      r.served = std::move(answer.chain);
      ++r.attempts;
    }
  };
  const size_t n = std::min<size_t>(indexes.size(), std::max(options.parallelism, 1));
  std::vector<std::thread> workers;
  for (size_t i = 1; i < n; ++i) workers.emplace_back(work);
  work();
  for (std::thread& t : workers) t.join();
}

std::vector<size_t> NotServing(const EdgeReport& report) {
  std::vector<size_t> out;
  for (size_t i = 0; i < report.results.size(); ++i) {
    const EdgeOutcome o = report.results[i].outcome;
    if (o != EdgeOutcome::kServes && o != EdgeOutcome::kSkipped) out.push_back(i);
  }
  return out;
}

}  // namespace

EdgeReport VerifyEdge(const std::vector<VerifyTarget>& targets, TlsProbe& probe, Clock& clock,
                      const VerifyOptions& options, const VerifyProgress& progress) {
  EdgeReport report;
  std::vector<size_t> pending;
  for (const VerifyTarget& t : targets) {
    EdgeResult r;
    r.target = t;
    if (t.skipped.empty()) {
      pending.push_back(report.results.size());
      r.outcome = EdgeOutcome::kFailed;  // until its handshake says otherwise
    }
    report.results.push_back(std::move(r));
  }
  const Clock::Instant deadline = clock.Monotonic() + options.wait;
  Clock::Duration pause = options.first_pause;
  while (!pending.empty()) {
    Round(pending, probe, options, &report);
    ++report.rounds;
    pending = NotServing(report);
    if (pending.empty() || options.wait.count() <= 0) break;
    if (clock.Monotonic() + pause >= deadline) {
      report.deadline_passed = true;
      break;
    }
    if (progress) progress(report, pause);
    clock.SleepFor(pause);
    pause = std::min(pause * 2, options.max_pause);
  }
  return report;
}

void MarkNotServing(const std::map<std::string, std::string>& https_off, EdgeReport* report) {
  for (EdgeResult& r : report->results) {
    if (r.outcome != EdgeOutcome::kFailed) continue;
    auto why = https_off.find(r.target.address.Key());
    if (why == https_off.end()) continue;
    r.outcome = EdgeOutcome::kNotServing;
    r.error = Status::Failed(fmt::format("{} ({})", why->second, r.error.message()));
  }
}

}  // namespace certform::engine
