// bench/apply_throughput: does `certform apply` reach the API's write limit without tripping it,
// on a network whose transit times vary and against a server whose answers are slow?
//
// Runs the real certform binary against the emulator (10 write calls per user per sliding second,
// counted on *arrival*) and reads the emulator's own counters. Each scenario names its latency
// model: the server's answer time (latency + uniform jitter, after the call is counted) and the
// arrival jitter (a uniform 0..transit_ms spent in transit *before* the call is counted).
//   ratio      = changes applied ÷ apply's elapsed time ÷ the limit (the last answer's latency
//                included)
//   throttled  = Throttling.User answers ÷ calls
// Usage: apply_throughput [SUBSTRING]   (runs the scenarios whose name contains SUBSTRING)
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include <nlohmann/json.hpp>

#include "bench/bench_estate.h"
#include "cmd/certform/product_table.h"
#include "providers/alicloud/emulator/alb_admin.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/postgres_server.h"

using namespace certform;
using namespace certform::testing;

namespace {

struct Scenario {
  const char* name;
  int accounts;
  int changes;
  int latency_ms, jitter_ms;  // answer time: latency + U(0, jitter)
  int transit_ms;             // arrival jitter: U(0, transit) before the call is counted
  double error_rate;          // injected 500/503
  double min_ratio;           // target: applied/s ÷ limit at least this ...
  double max_throttled;       // ... with at most this share of throttled answers
  bool via_cas = false;       // upload_via = "cas": one upload, then SetCdnDomainSSLCertificate
  bool postgres = false;      // the state (and its journal, one commit per call) in PostgreSQL
  bool dcdn = false;          // the same domains bound on DCDN too (its own 10/s), at once
  // The same certificate as the default of this many ALB listeners too, at once; each write a
  // job of alb_job_ms (ALB's 200 writes per 60 s, every one dry-run first).
  int alb_listeners = 0;
  int alb_job_ms = 0;
};

// DCDN's binding limit as certform paces it (providers/alicloud/dcdn_provider.h).
constexpr double kDcdnLimit = 10;
// ALB's write limit (providers/alicloud/alb_provider.h: 200 per 60 s).
constexpr double kAlbWriteLimit = 200.0 / 60.0;

std::string AlbListener(int i) { return "lsn-bench" + std::to_string(i); }

// ALB's side of a scenario: a load balancer with `s.alb_listeners` HTTPS listeners (their
// default certificate one certform does not manage), jobs of `s.alb_job_ms`.
void SeedAlb(const Scenario& s, EmulatorFixture& emu) {
  nlohmann::json answer;
  auto admin = [&](const std::string& kind, const std::string& id, const nlohmann::json& body) {
    if (emulator::AlbAdmin(emu.emulator().alb(), kind, id, body, &answer) != 200) {
      std::fprintf(stderr, "ALB admin %s %s: %s\n", kind.c_str(), id.c_str(),
                   answer.dump().c_str());
      std::exit(1);
    }
  };
  admin("load_balancers", "alb-bench", {{"region", "cn-hangzhou"}, {"user", "user0"}});
  for (int i = 0; i < s.alb_listeners; ++i) {
    admin("listeners", AlbListener(i),
          {{"load_balancer_id", "alb-bench"}, {"default_certificate", "8089870-cn-hangzhou"}});
  }
  admin("jobs", "", {{"duration_ms", s.alb_job_ms}});
}

// The slowest product's ideal time: each at its own limit (ALB: every write dry-run first, then
// sent, then its job's time).
double IdealSeconds(const Scenario& s, double limit) {
  double ideal = s.changes / limit;
  if (s.dcdn) ideal = std::max(ideal, s.changes / kDcdnLimit);
  if (s.alb_listeners > 0) {
    ideal = std::max(ideal, 2 * s.alb_listeners / kAlbWriteLimit + s.alb_job_ms / 1000.0);
  }
  return ideal;
}

// One PostgreSQL server for the scenarios that keep their state there.
PostgresServer& Server() {
  static PostgresServer server;
  if (!server.ok()) {
    std::fprintf(stderr, "PostgreSQL did not start: %s\n", server.error().c_str());
    std::exit(1);
  }
  return server;
}

bool RunScenario(const Scenario& s) {
  bench::Estate estate;
  const double per_account = s.via_cas ? 30 : 10;
  bench::MakeEstate(s.accounts, s.changes, per_account, &estate);
  if (s.postgres) {
    static int workspace = 0;
    estate.dir.Write("state.toml", "[state]\nbackend = \"postgres\"\nconn_str = \"" +
                                       Server().ConnStr() + "\"\nworkspace = \"bench" +
                                       std::to_string(++workspace) + "\"\n");
  }
  if (s.via_cas) {
    std::string toml = estate.dir.Read("certform.toml");
    for (size_t at = toml.find("\ncredentials = "); at != std::string::npos;
         at = toml.find("\ncredentials = ", at + 30)) {
      toml.insert(at, "\nupload_via = \"cas\"");
    }
    estate.dir.Write("certform.toml", toml);
  }
  emulator::EmulatorConfig config = estate.emulator;
  if (s.dcdn) {
    // Every domain on DCDN as well, bound to the same certificate: one more binding per domain.
    std::string domains;
    for (const std::string& d : estate.domains) {
      config.dcdn_domains.push_back({d, config.accounts[0].user, "online"});
      domains += (domains.empty() ? "\"" : ", \"") + d + "\"";
    }
    estate.dir.Write("dcdn.toml",
                     "[[binding]]\nproduct = \"dcdn\"\naccount = \"a0\"\n"
                     "certificate = \"bench\"\ndomains = [" +
                         domains + "]\n");
  }
  if (s.alb_listeners > 0) {
    std::string toml;
    for (int i = 0; i < s.alb_listeners; ++i) {
      toml +=
          "[[binding]]\nproduct = \"alb\"\naccount = \"a0\"\nregion = \"cn-hangzhou\"\n"
          "listener = \"" +
          AlbListener(i) + "\"\ncertificate = \"bench\"\nrole = \"default\"\n\n";
    }
    estate.dir.Write("alb.toml", toml);
  }
  config.write_limit = 10;
  config.faults = {.error_rate = s.error_rate,
                   .latency_ms = s.latency_ms,
                   .jitter_ms = s.jitter_ms,
                   .transit_ms = s.transit_ms,
                   .seed = 5};
  EmulatorFixture emu(config);
  if (s.alb_listeners > 0) SeedAlb(s, emu);
  bench::RunFigures r =
      bench::RunCertformMeasured(estate, {"apply", "--auto-approve", "--json"}, emu.Endpoint());
  const nlohmann::json counters = emu.emulator().CountersJson();
  const double apply_s = r.last.value("elapsed_ms", 0) / 1000.0;
  const int applied = r.last.value("applied", 0);
  const int throttled = counters["throttled"].get<int>();
  int calls = throttled;
  for (const auto& [action, users] : counters["calls"].items()) {
    for (const auto& [user, n] : users.items()) calls += n.get<int>();
  }
  const double limit = per_account * s.accounts;
  double ratio = apply_s > 0 ? applied / apply_s / limit : 0;
  if (s.dcdn || s.alb_listeners > 0) {
    // Products at their own limits at once: the slowest one's ideal time ÷ the time taken.
    ratio = apply_s > 0 ? IdealSeconds(s, limit) / apply_s : 0;
  }
  const int expected = (s.dcdn ? 2 * s.changes : s.changes) + s.alb_listeners;
  const double throttled_share = calls > 0 ? static_cast<double>(throttled) / calls : 0;
  const int keys = counters["keys_received"].get<int>();
  const bool ok = applied == expected && r.process.exit_code == 0 && ratio >= s.min_ratio &&
                  throttled_share <= s.max_throttled && (!s.via_cas || keys == s.accounts);
  std::printf(
      "%-52s %6.2f s  ratio %.3f (target ≥ %.2f)  throttled %d/%d (≤ %.0f%%)  peak %d/s"
      "  retries %d  keys sent %d  %s\n",
      s.name, apply_s, ratio, s.min_ratio, throttled, calls, s.max_throttled * 100,
      bench::PeakPerSecond(counters), r.last.value("retries", 0), keys, ok ? "PASS" : "FAIL");
  std::fflush(stdout);
  if (!ok) {
    // The end of the output: the summary (or the error) is the last line.
    const std::string& out = r.process.out;
    std::fprintf(stderr, "exit code %d; the output ends with:\n%s\n", r.process.exit_code,
                 out.substr(out.size() > 2000 ? out.size() - 2000 : 0).c_str());
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  certform::cli::InstallProductTable();
  const char* only = argc > 1 ? argv[1] : "";
  const Scenario scenarios[] = {
      // Field correctness: arrival jitter (latency 30 ± 10 ms: a near server).
      {"200 changes, no arrival jitter", 1, 200, 20, 20, 0, 0, 0.97, 0.01},
      {"200 changes, arrival jitter 0-50 ms", 1, 200, 20, 20, 50, 0, 0.93, 0.01},
      {"200 changes, arrival jitter 0-100 ms", 1, 200, 20, 20, 100, 0, 0.90, 0.01},
      // Any latency: the in-flight window follows the measured latency.
      {"300 changes, latency 300 ± 100 ms", 1, 300, 200, 200, 0, 0, 0.95, 0.01},
      {"300 changes, latency 300 ± 100 ms, state in PostgreSQL", 1, 300, 200, 200, 0, 0, 0.95, 0.01,
       false, true},
      {"300 changes, latency 1.5 ± 0.3 s", 1, 300, 1200, 600, 0, 0, 0.93, 0.01},
      {"300 changes, 3 accounts, latency 300 ± 100 ms", 3, 300, 200, 200, 0, 0, 0.95, 0.01},
      {"300 changes, 10% injected 5xx", 1, 300, 200, 200, 0, 0.1, 0, 1},
      // Upload once through CAS, bind by id at SetCdnDomainSSLCertificate's 30/s.
      {"300 domains, one certificate, via CAS, jitter 0-50 ms", 1, 300, 20, 20, 50, 0, 0.93, 0.01,
       true},
      {"300 domains, one certificate, direct, jitter 0-50 ms", 1, 300, 20, 20, 50, 0, 0.93, 0.01},
      // The same certificate on 300 CDN (30/s) and 300 DCDN (10/s) domains through one CAS
      // upload: both products paced at their own limits at the same time, the key sent once.
      {"300 CDN + 300 DCDN domains, one certificate, via CAS, jitter 0-50 ms", 1, 300, 20, 20, 50,
       0, 0.93, 0.01, true, false, true},
      // Issue 27: one certificate on 300 CDN domains (30/s by CAS id) and as the default of 40
      // ALB listeners (jobs of 5 s) at once: within 10% of the slower product's ideal, ALB's
      // (80 writes at 200 per 60 s, then a job).
      {"300 CDN domains + 40 ALB listeners, one certificate, via CAS, jobs of 5 s", 1, 300, 20, 20,
       50, 0, 0.909, 0.01, true, false, false, 40, 5000},
  };
  bool ok = true;
  for (const Scenario& s : scenarios) {
    if (std::strstr(s.name, only) != nullptr) ok &= RunScenario(s);
  }
  return ok ? 0 : 1;
}
