// bench/adopt_throughput: does `certform import --generate-config` read an estate at its read
// limit (DescribeDomainCertificateInfo, 100 calls per user per sliding second)?
//
// 2,000 CDN domains of one account, bound by CAS id to one certificate; the emulator answers in
// 200 ms + U(0, 200 ms). Each run adopts the whole estate into a fresh configuration (T, the
// process's whole life); a run with a --domain pattern that matches nothing lists the same
// estate and reads nothing (L: the listing, whose DescribeUserDomains pages come one after
// another, shown for reference), and a run of --product dcdn (one empty page) reads nothing and
// lists next to nothing (S: the process, the configuration, the credentials). The reads begin
// with the listing's first page and overlap the rest of it, so reads ratio = domains ÷ (T − S) ÷
// 100/s, the pace of the reads from the process's start; whole ratio = domains ÷ T ÷ 100/s.
// Medians over RUNS (default 3). Target: both ratios ≥ 0.9 with at most 1% of the reads
// throttled (apply_throughput's bound), and the next plan "No changes." after every run.
// Usage: adopt_throughput [RUNS]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/bench_estate.h"
#include "cmd/certform/product_table.h"
#include "tests/support/emulator_fixture.h"

using namespace certform;
using namespace certform::testing;

namespace {

constexpr int kDomains = 2000;
constexpr int64_t kCasId = 9100001;

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Run {
  double whole_s = 0, listing_s = 0, start_s = 0;
  int throttled = 0;
  bool ok = false;
};

Run OneRun() {
  bench::Estate estate;
  bench::MakeEstate(1, kDomains, 10, &estate);
  // Only the account: the estate is what the command is to find.
  estate.dir.Write("certform.toml", "[account.a0]\ncredentials = \"profile:a0\"\n");
  emulator::EmulatorConfig config = estate.emulator;
  config.read_limit = 100;
  config.faults = {.latency_ms = 200, .jitter_ms = 200, .seed = 7};
  config.cas_certificates.push_back({"bench-cas", kCasId, "user0", estate.cert_pem});
  EmulatorFixture emu(config);
  std::string error;
  for (const std::string& d : estate.domains) {
    emu.emulator().PutDomain(d,
                             {{"https", true},
                              {"cert_type", "cas"},
                              {"cert_name", "bench-cas"},
                              {"cert_id", kCasId},
                              {"cert_pem", estate.cert_pem}},
                             &error);
  }
  Run r;
  bench::RunFigures start = bench::RunCertformMeasured(
      estate, {"import", "--generate-config", ".", "--product", "dcdn"}, emu.Endpoint());
  bench::RunFigures listing = bench::RunCertformMeasured(
      estate, {"import", "--generate-config", ".", "--domain", "nothing.invalid"}, emu.Endpoint());
  bench::RunFigures whole =
      bench::RunCertformMeasured(estate, {"import", "--generate-config", "."}, emu.Endpoint());
  r.listing_s = listing.wall_s;
  r.start_s = start.wall_s;
  r.whole_s = whole.wall_s;
  r.throttled = emu.emulator().CountersJson()["throttled"].get<int>();
  const testing::ProcessResult plan =
      bench::RunCertform(estate, {"plan", "--detailed-exitcode"}, emu.Endpoint());
  r.ok = start.process.exit_code == 0 && listing.process.exit_code == 0 &&
         whole.process.exit_code == 0 && plan.exit_code == 0;
  if (!r.ok) {
    std::fprintf(stderr, "%s\n%s\n", whole.process.out.substr(0, 2000).c_str(),
                 plan.out.substr(0, 2000).c_str());
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  certform::cli::InstallProductTable();
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  std::vector<double> reads, whole;
  bool ok = true;
  for (int i = 0; i < runs; ++i) {
    const Run r = OneRun();
    const double read_ratio = kDomains / (r.whole_s - r.start_s) / 100.0;
    const double whole_ratio = kDomains / r.whole_s / 100.0;
    std::printf(
        "run %d: generate-config of %d domains %.2f s, listing alone %.2f s, start alone %.2f s: "
        "reads ratio %.3f, whole ratio %.3f, throttled %d, next plan %s\n",
        i + 1, kDomains, r.whole_s, r.listing_s, r.start_s, read_ratio, whole_ratio, r.throttled,
        r.ok ? "No changes" : "FAILED");
    std::fflush(stdout);
    reads.push_back(read_ratio);
    whole.push_back(whole_ratio);
    ok &= r.ok && r.throttled <= kDomains / 100;
  }
  const bool pass = ok && Median(reads) >= 0.9 && Median(whole) >= 0.9;
  std::printf("median over %d runs: reads ratio %.3f, whole ratio %.3f (targets ≥ 0.90)  %s\n",
              runs, Median(reads), Median(whole), pass ? "PASS" : "FAIL");
  return pass ? 0 : 1;
}
