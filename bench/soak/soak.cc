// bench/soak: faults under load. N changes over 2 accounts against the emulator answering 12%
// of calls with 500/503 and dropping 8% of connections, with latency spikes up to ~330 ms; the
// first apply is killed with SIGKILL part-way and certform is simply run again until done. At
// the end every change must be applied exactly as planned, the state must match the emulator's
// own record (fingerprints and RequestIds), and plan must say "No changes.".
// Usage: soak [CHANGES] [RATE]   (default 1000 changes at 10 calls/s per account)
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include <nlohmann/json.hpp>

#include "bench/bench_estate.h"
#include "cmd/certform/product_table.h"
#include "engine/state/state_file.h"
#include "tests/support/emulator_fixture.h"

using namespace certform;

namespace {

int Bound(emulator::CdnEmulator& emu) {
  int n = 0;
  const nlohmann::json state = emu.StateJson();
  for (const auto& [domain, d] : state["domains"].items()) n += d["https"].get<bool>();
  return n;
}

// Adds the closing summary of an `apply --json` run to the totals.
void AddSummary(const std::string& out, int* retries, int* throttled) {
  size_t last = out.rfind("{\"type\":\"summary\"");
  if (last == std::string::npos) return;
  nlohmann::json j = nlohmann::json::parse(out.substr(last), nullptr, false);
  if (!j.is_object()) return;
  *retries += j.value("retries", 0);
  *throttled += j.value("throttled", 0);
}

}  // namespace

int main(int argc, char** argv) {
  certform::cli::InstallProductTable();
  const int changes = argc > 1 ? std::atoi(argv[1]) : 1000;
  const double rate = argc > 2 ? std::atof(argv[2]) : 10;
  bench::Estate estate;
  bench::MakeEstate(2, changes, rate, &estate);
  emulator::EmulatorConfig config = estate.emulator;
  config.write_limit = static_cast<int>(rate);
  config.faults = {
      .error_rate = 0.12, .drop_rate = 0.08, .latency_ms = 30, .jitter_ms = 300, .seed = 9};
  testing::EmulatorFixture emu(config);
  const auto start = std::chrono::steady_clock::now();

  testing::ProcessOptions o;
  o.cwd = estate.dir.path();
  o.env = {{"HOME", estate.dir.path()}};
  testing::ChildProcess first(
      CERTFORM_BINARY, {"apply", "--auto-approve", "--json", "--endpoint", emu.Endpoint()}, o);
  for (int i = 0; i < 6000 && Bound(emu.emulator()) < changes * 2 / 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  first.Signal(SIGKILL);
  testing::ProcessResult killed = first.Wait();
  const int bound_at_kill = Bound(emu.emulator());
  int retries = 0, throttled = 0, runs = 1;
  AddSummary(killed.out, &retries, &throttled);
  int rc = 1;
  while (rc != 0 && runs < 6) {
    testing::ProcessResult r =
        bench::RunCertform(estate, {"apply", "--auto-approve", "--json"}, emu.Endpoint());
    AddSummary(r.out, &retries, &throttled);
    rc = r.exit_code;
    ++runs;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Verification: the emulator's record, the state, and a fresh plan.
  nlohmann::json live = emu.emulator().StateJson()["domains"];
  engine::State state;
  std::string text;
  engine::PosixFileSystem fs;
  bool ok = rc == 0 && fs.ReadFile(estate.dir.Path("certform.state.json"), &text).ok() &&
            engine::ParseState(text, "state", &state).ok();
  int mismatched = 0;
  for (const std::string& d : estate.domains) {
    const engine::StateEntry* e = state.Find(d);
    const bool match = live[d]["https"] == true && live[d]["fingerprint"] == estate.fingerprint &&
                       e != nullptr && e->fingerprint == estate.fingerprint &&
                       e->request_id == live[d]["request_id"];
    mismatched += !match;
  }
  ok = ok && mismatched == 0 && state.entries.size() == estate.domains.size();
  testing::ProcessResult plan =
      testing::RunProcess(CERTFORM_BINARY, {"plan", "--detailed-exitcode"}, o);
  ok = ok && plan.exit_code == 0;
  nlohmann::json counters = emu.emulator().CountersJson();
  std::printf("soak: %d changes over 2 accounts at %.0f calls/s each, SIGKILL at %d bound\n",
              changes, rate, bound_at_kill);
  std::printf(
      "  %.1f s in %d certform runs; %d retries; %d throttled answers; %d injected 5xx; "
      "%d dropped connections\n",
      seconds, runs, retries, counters["throttled"].get<int>(),
      counters["injected_errors"].get<int>(), counters["dropped"].get<int>());
  std::printf("  domains not as planned or not matching the state: %d; plan after: exit %d\n",
              mismatched, plan.exit_code);
  std::printf("soak: %d passed, %d failed\n", ok ? 1 : 0, ok ? 0 : 1);
  return ok ? 0 : 1;
}
