// bench/apply_throughput: does `certform apply` reach the API's rate limit without tripping it?
//
// Against the emulator (10 write calls per user per sliding second, 300 ms ± 100 ms latency per
// call), runs the real certform binary and reads the emulator's own counters:
//   1. 300 changes on one account: calls/s ÷ 10 must be ≥ 0.95, with no Throttling.User answer
//      and never more than 10 calls in any one-second window;
//   2. 300 changes over 3 accounts: aggregate calls/s ÷ 30 must be ≥ 0.95;
//   3. 300 changes with 10% injected 503 answers: every change applied; time reported.
// Usage: apply_throughput            (takes about two minutes)
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/bench_estate.h"
#include "tests/support/emulator_fixture.h"

using namespace certform;
using namespace certform::testing;

namespace {

struct Scenario {
  const char* name;
  int accounts;
  int changes;
  double error_rate;
};

bool RunScenario(const Scenario& s) {
  bench::Estate estate;
  bench::MakeEstate(s.accounts, s.changes, 10, &estate);
  emulator::EmulatorConfig config = estate.emulator;
  config.write_limit = 10;
  config.faults = {.error_rate = s.error_rate, .latency_ms = 200, .jitter_ms = 200, .seed = 5};
  EmulatorFixture emu(config);

  auto start = std::chrono::steady_clock::now();
  ProcessResult r =
      bench::RunCertform(estate, {"apply", "--auto-approve", "--json"}, emu.Endpoint());
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json summary;
  std::string line;
  for (size_t pos = 0, end; (end = r.out.find('\n', pos)) != std::string::npos; pos = end + 1) {
    line = r.out.substr(pos, end - pos);
  }
  summary = nlohmann::json::parse(line, nullptr, false);
  nlohmann::json counters = emu.emulator().CountersJson();
  const double apply_s = summary.value("elapsed_ms", 0) / 1000.0;
  const int applied = summary.value("applied", 0);
  int peak = 0;
  for (const auto& [user, n] : counters["peak_per_second"].items())
    peak = std::max(peak, n.get<int>());
  const double limit = 10.0 * s.accounts;
  const double rate = applied / apply_s;
  std::printf("%s\n", s.name);
  std::printf("  applied %d/%d in %.2f s (process %.2f s), exit code %d\n", applied, s.changes,
              apply_s, wall, r.exit_code);
  std::printf("  achieved %.2f calls/s; ratio to the limit (%.0f/s): %.3f\n", rate, limit,
              rate / limit);
  std::printf(
      "  throttled answers: %d; most calls in one second for one user: %d (limit 10); "
      "retries: %d; injected 5xx: %d\n",
      counters["throttled"].get<int>(), peak, summary.value("retries", 0),
      counters["injected_errors"].get<int>());
  const bool ok =
      applied == s.changes && r.exit_code == 0 &&
      (s.error_rate > 0 || (rate / limit >= 0.95 && counters["throttled"] == 0 && peak <= 10));
  std::printf("  %s\n\n", ok ? "PASS" : "FAIL");
  if (!ok) std::fprintf(stderr, "%s\n", r.err.c_str());
  return ok;
}

}  // namespace

int main() {
  bool ok = true;
  ok &= RunScenario({"300 changes, 1 account", 1, 300, 0.0});
  ok &= RunScenario({"300 changes, 3 accounts", 3, 300, 0.0});
  ok &= RunScenario({"300 changes, 1 account, 10% injected 503/500", 1, 300, 0.1});
  return ok ? 0 : 1;
}
