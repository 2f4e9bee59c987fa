// bench/read_throughput: do `certform drift` and `certform import` reach the read limit
// (DescribeDomainCertificateInfo, 100 calls per user per sliding second) at any latency, and how
// much memory does drift of a large estate take?
//
// The estate's domains all serve the expected certificate (drift finds nothing); the emulator
// answers in latency + U(0, jitter). ratio = domains read ÷ the process's wall time ÷ 100/s (the
// process's start, the configuration's load and the last answer's latency included).
// Usage: read_throughput [SUBSTRING]
#include <cstdio>
#include <cstring>
#include <string>

#include <nlohmann/json.hpp>

#include "bench/bench_estate.h"
#include "cmd/certform/product_table.h"
#include "tests/support/emulator_fixture.h"

using namespace certform;
using namespace certform::testing;

namespace {

struct Scenario {
  const char* name;
  const char* command;  // "drift" or "import"
  int domains;
  int latency_ms, jitter_ms;
  double min_ratio;
  double max_rss_mb;
};

bool RunScenario(const Scenario& s) {
  bench::Estate estate;
  bench::MakeEstate(1, s.domains, 10, &estate);
  emulator::EmulatorConfig config = estate.emulator;
  config.read_limit = 100;
  config.faults = {.latency_ms = s.latency_ms, .jitter_ms = s.jitter_ms, .seed = 7};
  EmulatorFixture emu(config);
  std::string error;
  for (const std::string& d : estate.domains) {
    emu.emulator().PutDomain(d, {{"https", true}, {"cert_pem", estate.cert_pem}}, &error);
  }
  std::vector<std::string> args;
  if (std::strcmp(s.command, "drift") == 0) {
    bench::WriteAppliedState(estate);
    args = {"drift", "--json"};
  } else {
    args = {"import"};
    args.insert(args.end(), estate.domains.begin(), estate.domains.end());
  }
  bench::RunFigures r = bench::RunCertformMeasured(estate, args, emu.Endpoint());
  const nlohmann::json counters = emu.emulator().CountersJson();
  const int throttled = counters["throttled"].get<int>();
  const double ratio = s.domains / r.wall_s / 100.0;
  const double rss_mb = r.max_rss_kb / 1024.0;
  const bool in_sync =
      std::strcmp(s.command, "import") == 0 || r.last.value("checked", 0) == s.domains;
  const bool ok = r.process.exit_code == 0 && in_sync && ratio >= s.min_ratio && throttled == 0 &&
                  rss_mb <= s.max_rss_mb;
  std::printf(
      "%-44s %7.2f s (floor %.0f s)  ratio %.3f (target ≥ %.2f)  throttled %d  peak %d/s"
      "  RSS %.1f MB  %s\n",
      s.name, r.wall_s, s.domains / 100.0, ratio, s.min_ratio, throttled,
      bench::PeakPerSecond(counters), rss_mb, ok ? "PASS" : "FAIL");
  std::fflush(stdout);
  if (!ok) std::fprintf(stderr, "%s\n", r.process.out.substr(0, 2000).c_str());
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  certform::cli::InstallProductTable();
  const char* only = argc > 1 ? argv[1] : "";
  const Scenario scenarios[] = {
      {"drift, 2,000 domains, latency 300 ± 100 ms", "drift", 2000, 200, 200, 0.90, 100},
      {"import, 2,000 domains, latency 300 ± 100 ms", "import", 2000, 200, 200, 0.90, 100},
      {"drift, 10,000 domains, latency 300 ± 100 ms", "drift", 10000, 200, 200, 0.90, 100},
  };
  bool ok = true;
  for (const Scenario& s : scenarios) {
    if (std::strstr(s.name, only) != nullptr) ok &= RunScenario(s);
  }
  return ok ? 0 : 1;
}
