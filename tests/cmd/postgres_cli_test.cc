// End-to-end: several "runners" (working copies of one configuration in different directories)
// share one PostgreSQL workspace, against the emulator and a real PostgreSQL server.
#include <signal.h>

#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cmd/apply_fixture.h"
#include "tests/support/postgres_server.h"

using namespace certform;
using namespace certform::testing;

namespace {

PostgresServer& Server() {
  static PostgresServer server;
  if (!server.ok()) FAIL("PostgreSQL did not start: " << server.error());
  return server;
}

// A second working copy of `f`'s configuration (same files, another directory).
class Runner {
 public:
  explicit Runner(ApplyFixture& f) : f_(f) {
    for (const char* file : {"certform.toml", "state.toml", "certs/web.pem", "certs/web.key",
                             "certs/api.pem", "certs/bulk.pem", "certs/bulk.key"}) {
      if (f.cli.dir.Exists(file)) dir.Write(file, f.cli.dir.Read(file), 0600);
    }
  }
  ProcessResult Run(std::vector<std::string> args) {
    ProcessOptions o;
    o.cwd = dir.path();
    o.env = f_.Env();
    o.env["PATH"] = "/usr/bin:/bin";
    o.env["API_KEY"] = f_.cli.api.KeyPem();
    if (args[0] == "apply" || args[0] == "drift") {
      args.push_back("--endpoint");
      args.push_back(f_.emu.Endpoint());
    }
    return RunProcess(CERTFORM_BINARY, args, o);
  }
  TempDir dir;

 private:
  ApplyFixture& f_;
};

// Appends a [state] table for `workspace` to the fixture's configuration; `lease` is the
// lock's lease (the shortest allowed, so that a runner killed here frees it soon).
void UsePostgres(ApplyFixture& f, const std::string& workspace, const std::string& lease = "10s") {
  f.cli.dir.Write("state.toml", "[state]\nbackend = \"postgres\"\nconn_str = \"" +
                                    Server().ConnStr() + "\"\nworkspace = \"" + workspace +
                                    "\"\nlock_lease = \"" + lease + "\"\n");
}

int CallsFor(ApplyFixture& f, const std::string& action) {
  const nlohmann::json c = f.emu.emulator().CountersJson()["calls"];
  return c.contains(action) ? c[action]["u1"].get<int>() : 0;
}

}  // namespace

TEST_CASE("postgres cli: one runner applies, another sees it: plan says No changes",
          "[postgres][cli]") {
  ApplyFixture f;
  UsePostgres(f, "share");
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_FALSE(f.cli.dir.Exists("certform.state.json"));  // the state is in the database
  Runner b(f);
  ProcessResult plan = b.Run({"plan", "--detailed-exitcode"});
  INFO(plan.out << plan.err);
  CHECK(plan.exit_code == 0);
  CHECK(plan.out.find("No changes.") != std::string::npos);
  ProcessResult list = b.Run({"state", "list"});
  CHECK(list.out.find("www.example.com") != std::string::npos);
  CHECK(b.Run({"drift", "--detailed-exitcode"}).exit_code == 0);
}

TEST_CASE("postgres cli: two runners apply at once: one waits or fails naming the holder",
          "[postgres][cli]") {
  emulator::EmulatorConfig config = EmulatorWith(30);
  ApplyFixture f(config);
  f.WriteBulkConfig(30, 10);
  UsePostgres(f, "race");
  Runner b(f);
  auto a = f.Start({"apply", "--auto-approve"});
  for (int i = 0; i < 500 && CallsFor(f, "SetDomainServerCertificate") < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ProcessResult busy = b.Run({"apply", "--auto-approve"});
  CHECK(busy.exit_code == 1);
  CHECK(busy.err.find("is locked by pid") != std::string::npos);
  CHECK(busy.err.find("certform apply") != std::string::npos);
  ProcessResult waited = b.Run({"apply", "--auto-approve", "--lock-timeout", "60s"});
  INFO(waited.out << waited.err);
  CHECK(waited.exit_code == 0);
  CHECK(waited.out.find("No changes.") != std::string::npos);  // it waited, then saw A's work
  CHECK(a->Wait().exit_code == 0);
  CHECK(CallsFor(f, "SetDomainServerCertificate") == 30);  // no call made twice
}

TEST_CASE("postgres cli: runner A killed mid-apply; runner B finishes with nothing lost",
          "[postgres][cli][signals]") {
  emulator::EmulatorConfig config = EmulatorWith(40);
  config.faults.latency_ms = 50;
  config.write_limit = 20;
  ApplyFixture f(config);
  f.WriteBulkConfig(40, 20);
  UsePostgres(f, "killed");
  auto a = f.Start({"apply", "--auto-approve", "--parallelism", "4"});
  for (int i = 0; i < 500 && CallsFor(f, "SetDomainServerCertificate") < 15; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  a->Signal(SIGKILL);
  CHECK(a->Wait().exit_code == 128 + SIGKILL);
  const int before = CallsFor(f, "SetDomainServerCertificate");
  Runner b(f);  // another machine: its only link to A's work is the database
  ProcessResult r = b.Run({"apply", "--auto-approve", "--lock-timeout", "30s"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Recovered ") != std::string::npos);  // A's journal, from the database
  const int after = CallsFor(f, "SetDomainServerCertificate");
  // Only calls in flight at the kill (at most --parallelism) may be made twice.
  CHECK(after - 40 <= 4);
  CHECK(after >= 40);
  CHECK(before < 40);
  const nlohmann::json live = f.Live();
  for (int i = 0; i < 40; ++i) CHECK(live["d" + std::to_string(i) + ".bulk.example.com"]["https"]);
  CHECK(b.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
}

TEST_CASE("postgres cli: the database restarted mid-apply: a clear failure, then a clean resume",
          "[postgres][cli]") {
  emulator::EmulatorConfig config = EmulatorWith(40);
  ApplyFixture f(config);
  f.WriteBulkConfig(40, 10);
  UsePostgres(f, "restart");
  auto a = f.Start({"apply", "--auto-approve"});
  for (int i = 0; i < 500 && CallsFor(f, "SetDomainServerCertificate") < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(Server().Restart());
  ProcessResult failed = a->Wait();
  INFO(failed.out << failed.err);
  CHECK(failed.exit_code == 1);
  CHECK((failed.out + failed.err).find("connection to PostgreSQL was lost") != std::string::npos);
  ProcessResult resumed = f.Run({"apply", "--auto-approve"});
  INFO(resumed.out << resumed.err);
  CHECK(resumed.exit_code == 0);
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
  CHECK(CallsFor(f, "SetDomainServerCertificate") <= 40 + 14);  // + the window in flight
}

TEST_CASE("postgres cli: state push and pull move a state, refusing another lineage",
          "[postgres][cli]") {
  ApplyFixture f;
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);  // local files first
  const engine::State local = f.State();
  UsePostgres(f, "migrated");
  ProcessResult push = f.Run({"state", "push"});
  INFO(push.out << push.err);
  REQUIRE(push.exit_code == 0);
  CHECK(push.out.find("lineage " + local.lineage) != std::string::npos);
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);  // now from the database
  Runner b(f);
  ProcessResult pull = b.Run({"state", "pull", "--state", "copy.json"});
  INFO(pull.out << pull.err);
  REQUIRE(pull.exit_code == 0);
  CHECK(b.dir.Read("copy.json").find(local.lineage) != std::string::npos);
  // A workspace of another lineage is not overwritten without --force.
  b.dir.Write("other.json", f.cli.dir.Read("certform.state.json"));
  std::string other = b.dir.Read("other.json");
  other.replace(other.find(local.lineage), local.lineage.size(),
                "00000000-0000-4000-8000-000000000000");
  b.dir.Write("other.json", other, 0600);
  ProcessResult refused = b.Run({"state", "push", "--state", "other.json"});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("another lineage") != std::string::npos);
  CHECK(b.Run({"state", "push", "--state", "other.json", "--force"}).exit_code == 0);
}

TEST_CASE("postgres cli: a password in conn_str and --state with postgres are refused",
          "[postgres][cli]") {
  ApplyFixture f;
  f.cli.dir.Write("state.toml",
                  "[state]\nbackend = \"postgres\"\n"
                  "conn_str = \"host=db user=certform password=hunter2-secret\"\n");
  ProcessResult r = f.Run({"validate"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("state.toml:3:12: error: \"conn_str\" holds a password") != std::string::npos);
  CHECK(r.err.find("hunter2-secret") == std::string::npos);
  f.cli.dir.Write("state.toml",
                  "[state]\nbackend = \"postgres\"\nconn_str = "
                  "\"postgresql://certform:hunter2-secret@db/certform\"\n");
  r = f.Run({"plan"});
  CHECK(r.exit_code == 1);
  CHECK((r.out + r.err).find("hunter2-secret") == std::string::npos);
  UsePostgres(f, "x");
  r = f.Run({"plan", "--state", "local.json"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("--state names a local state file") != std::string::npos);
}
