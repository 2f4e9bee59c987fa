// End-to-end: several "runners" (working copies of one configuration in different directories)
// share one PostgreSQL workspace, against the emulator and a real PostgreSQL server.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include <fstream>
#include <functional>
#include <iterator>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "engine/state/journal_record.h"
#include "tests/cmd/apply_fixture.h"
#include "tests/support/postgres_server.h"
#include "tests/support/wait_until.h"

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
    return RunProcess(CERTFORM_BINARY, WithEndpoint(std::move(args)), Options());
  }
  // Runs it in the background.
  std::unique_ptr<ChildProcess> Start(std::vector<std::string> args) {
    return std::make_unique<ChildProcess>(CERTFORM_BINARY, WithEndpoint(std::move(args)),
                                          Options());
  }
  TempDir dir;

 private:
  ProcessOptions Options() const {
    ProcessOptions o;
    o.cwd = dir.path();
    o.env = f_.Env();
    o.env["PATH"] = "/usr/bin:/bin";
    o.env["API_KEY"] = f_.cli.api.KeyPem();
    o.env["SSL_CERT_FILE"] = f_.cli.trust.Path("roots.pem");
    return o;
  }
  std::vector<std::string> WithEndpoint(std::vector<std::string> args) const {
    if (args[0] == "apply" || args[0] == "drift") {
      args.push_back("--endpoint");
      args.push_back(f_.emu.Endpoint());
    }
    return args;
  }
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

// One column of `workspace`'s current lock row (a lease that has not run out), as psql prints
// it (no newline); "" when there is none.
std::string LockColumn(const std::string& workspace, const std::string& column) {
  std::string v = Server().Psql("SELECT " + column + " FROM certform.locks WHERE workspace = '" +
                                    workspace + "' AND expires_at > clock_timestamp()",
                                "certform");
  while (!v.empty() && v.back() == '\n') v.pop_back();
  return v;
}

// True once process `pid` is stopped by a signal (state T in /proc/PID/stat).
bool IsStopped(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t name_end = stat.rfind(')');  // the command name may hold spaces
  return name_end != std::string::npos && stat.compare(name_end, 3, ") T") == 0;
}

// Waits (real time: the runners are other processes) until process `pid` holds the lock of
// `workspace`, or `limit` passed; returns how long that took from `since`. With `count`, sets
// `*count_before` to the last value of count() read before a look that found `pid` not yet
// holding the lock: what happened before `pid` could act.
std::chrono::milliseconds WaitForHolder(const std::string& workspace, pid_t pid,
                                        std::chrono::steady_clock::time_point since,
                                        std::chrono::seconds limit,
                                        const std::function<int()>& count = nullptr,
                                        int* count_before = nullptr) {
  const std::string prefix = "pid " + std::to_string(pid) + " ";
  while (std::chrono::steady_clock::now() - since < limit) {
    const int counted = count ? count() : 0;
    if (LockColumn(workspace, "holder").rfind(prefix, 0) == 0) break;
    if (count_before != nullptr) *count_before = counted;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               since);
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
  REQUIRE(WaitUntil([&] { return CallsFor(f, "SetDomainServerCertificate") >= 3; }));
  ProcessResult busy = b.Run({"apply", "--auto-approve"});
  CHECK(busy.exit_code == 1);
  CHECK(busy.err.find("is locked by pid " + std::to_string(a->pid())) != std::string::npos);
  CHECK(busy.err.find("certform apply") != std::string::npos);
  // Why it could not be taken: A runs (its session is open) and its lease is current.
  CHECK(busy.err.find("its database session (backend pid ") != std::string::npos);
  CHECK(busy.err.find(") is still open, and its lease runs out in ") != std::string::npos);
  ProcessResult waited = b.Run({"apply", "--auto-approve", "--lock-timeout", "60s"});
  INFO(waited.out << waited.err);
  CHECK(waited.exit_code == 0);
  CHECK(waited.out.find("No changes.") != std::string::npos);  // it waited, then saw A's work
  CHECK(a->Wait().exit_code == 0);
  CHECK(CallsFor(f, "SetDomainServerCertificate") == 30);  // no call made twice
}

TEST_CASE(
    "postgres cli: runner A killed mid-apply frees the lock at once, runner B, waiting, takes it "
    "within 5 s and finishes with nothing lost",
    "[postgres][cli][signals]") {
  emulator::EmulatorConfig config = EmulatorWith(40);
  config.faults.latency_ms = 50;
  config.write_limit = 20;
  ApplyFixture f(config);
  f.WriteBulkConfig(40, 20);
  // A lease of a minute: a takeover within seconds comes from A's ended session, not the lease.
  UsePostgres(f, "killed", "60s");
  auto a = f.Start({"apply", "--auto-approve", "--parallelism", "4"});
  REQUIRE(WaitUntil([&] { return CallsFor(f, "SetDomainServerCertificate") >= 5; }));
  Runner b(f);  // another machine: its only link to A's work is the database
  auto waiter = b.Start({"apply", "--auto-approve", "--lock-timeout", "30s"});
  REQUIRE(WaitUntil([&] { return CallsFor(f, "SetDomainServerCertificate") >= 15; }));
  REQUIRE(LockColumn("killed", "holder").rfind("pid " + std::to_string(a->pid()) + " ", 0) == 0);
  const std::string a_token = LockColumn("killed", "token");
  a->Signal(SIGKILL);
  const auto killed_at = std::chrono::steady_clock::now();
  const std::chrono::milliseconds took =
      WaitForHolder("killed", waiter->pid(), killed_at, std::chrono::seconds(30));
  INFO("B took the lock " << took.count() << " ms after A was killed");
  CHECK(took < std::chrono::seconds(5));  // A's lease had more than 50 s to run
  CHECK(std::stoll(LockColumn("killed", "token")) == std::stoll(a_token) + 1);
  CHECK(a->Wait().exit_code == 128 + SIGKILL);
  ProcessResult r = waiter->Wait();
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Recovered ") != std::string::npos);  // A's journal, from the database
  const int after = CallsFor(f, "SetDomainServerCertificate");
  // Only calls in flight at the kill (at most --parallelism) may be made twice.
  CHECK(after - 40 <= 4);
  CHECK(after >= 40);
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
  REQUIRE(WaitUntil([&] { return CallsFor(f, "SetDomainServerCertificate") >= 5; }));
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

namespace {

// Waits (real time: the runner is another process) until `f`'s emulator has answered `n`
// SetDomainServerCertificate calls.
void WaitForCalls(ApplyFixture& f, int n) {
  REQUIRE(WaitUntil([&] { return CallsFor(f, "SetDomainServerCertificate") >= n; }));
}

// Gives runner `b` a renewed certificate for *.bulk.example.com; returns its fingerprint.
std::string Renew(ApplyFixture& f, Runner& b) {
  TestCert renewed =
      IssueCert({.cn = "*.bulk.example.com", .sans = {"*.bulk.example.com"}}, &f.cli.ca);
  b.dir.Write("certs/bulk.pem", renewed.CertPem());
  b.dir.Write("certs/bulk.key", renewed.KeyPem(), 0600);
  return renewed.Fingerprint();
}

}  // namespace

TEST_CASE("postgres cli: a frozen runner loses the lock after its lease and sends nothing more",
          "[postgres][cli][signals]") {
  ApplyFixture f(EmulatorWith(40));
  f.WriteBulkConfig(40, 5);  // 8 s at 5/s: A is frozen half-way
  UsePostgres(f, "frozen", "10s");
  auto a = f.Start({"apply", "--auto-approve"});
  WaitForCalls(f, 5);
  a->Signal(SIGSTOP);  // a suspended VM, a stuck CI host
  REQUIRE(WaitUntil([&] { return IsStopped(a->pid()); }));
  const auto stopped_at = std::chrono::steady_clock::now();
  const std::string a_token = LockColumn("frozen", "token");
  Runner b(f);
  const std::string renewed = Renew(f, b);
  auto waiter = b.Start({"apply", "--auto-approve", "--lock-timeout", "1m"});
  // A's session stays open while it is frozen: B waits for the lease, renewed by A at most a
  // third of it (3.3 s) before the freeze, and then takes over with the next token. A's calls
  // are those counted before B held the lock (B sends nothing before; A, frozen, nothing more,
  // and the calls it had in flight were counted during the seconds B waited).
  int at_stop = -1;
  const std::chrono::milliseconds took = WaitForHolder(
      "frozen", waiter->pid(), stopped_at, std::chrono::seconds(60),
      [&] { return CallsFor(f, "SetDomainServerCertificate"); }, &at_stop);
  REQUIRE(at_stop >= 5);
  INFO("B took the lock " << took.count() << " ms after A was frozen");
  CHECK(took >= std::chrono::milliseconds(6000));
  CHECK(took < std::chrono::seconds(15));
  CHECK(std::stoll(LockColumn("frozen", "token")) == std::stoll(a_token) + 1);
  ProcessResult r = waiter->Wait();
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  // B waited for A, named it, and took over once A's lease ran out.
  CHECK(r.err.find("Waiting for the state lock of PostgreSQL workspace \"frozen\"") !=
        std::string::npos);
  CHECK(r.err.find("held by pid " + std::to_string(a->pid())) != std::string::npos);
  CHECK(r.out.find("40 applied") != std::string::npos);  // A's old certificate replaced too
  const int before_thaw = CallsFor(f, "SetDomainServerCertificate");
  CHECK(before_thaw == at_stop + 40);  // B replaced every domain, A's old ones too
  a->Signal(SIGCONT);
  ProcessResult thawed = a->Wait();
  INFO(thawed.out << thawed.err);
  CHECK(thawed.exit_code == 1);
  CHECK((thawed.out + thawed.err).find("the state lock was lost") != std::string::npos);
  CHECK(CallsFor(f, "SetDomainServerCertificate") == before_thaw);  // nothing from A after
  const nlohmann::json live = f.Live();
  for (int i = 0; i < 40; ++i) {
    const std::string d = "d" + std::to_string(i) + ".bulk.example.com";
    INFO(d);
    CHECK(live[d]["fingerprint"] == renewed);
  }
  CHECK(b.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
}

TEST_CASE("postgres cli: state unlock shows a lock and releases it, its holder stops",
          "[postgres][cli][signals]") {
  ApplyFixture f(EmulatorWith(20));
  f.WriteBulkConfig(20, 5);
  UsePostgres(f, "unlock", "60s");
  auto a = f.Start({"apply", "--auto-approve"});
  WaitForCalls(f, 3);
  a->Signal(SIGSTOP);
  REQUIRE(WaitUntil([&] { return IsStopped(a->pid()); }));
  Runner b(f);
  ProcessResult shown = b.Run({"state", "unlock"});
  INFO(shown.out << shown.err);
  CHECK(shown.exit_code == 1);
  const size_t at = shown.out.find("(lock id ");
  REQUIRE(at != std::string::npos);
  CHECK(shown.out.find("pid " + std::to_string(a->pid())) != std::string::npos);
  // Frozen, A keeps its database session open: the lock is held until its lease runs out.
  CHECK(shown.out.find("its database session (backend pid ") != std::string::npos);
  const std::string id = shown.out.substr(at + 9, shown.out.find(';', at) - at - 9);
  CHECK(b.Run({"state", "unlock", "12345"}).exit_code == 1);
  ProcessResult released = b.Run({"state", "unlock", id});
  INFO(released.out << released.err);
  CHECK(released.exit_code == 0);
  CHECK(released.out.find("Released the state lock") != std::string::npos);
  // A's calls: all counted by now (A is frozen, and the calls it had in flight arrived while B
  // ran three commands); B's apply makes the first calls after A's.
  const int at_stop = CallsFor(f, "SetDomainServerCertificate");
  ProcessResult r = b.Run({"apply", "--auto-approve"});  // no wait for A's 60 s lease
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  const int before_thaw = CallsFor(f, "SetDomainServerCertificate");
  // At most the calls A had in flight when it froze (answered, not yet journaled) run twice.
  CHECK(before_thaw - 20 <= at_stop);
  a->Signal(SIGCONT);
  ProcessResult thawed = a->Wait();
  CHECK(thawed.exit_code == 1);
  CHECK((thawed.out + thawed.err).find("the state lock was lost") != std::string::npos);
  CHECK(CallsFor(f, "SetDomainServerCertificate") == before_thaw);  // nothing from A after
  CHECK(at_stop < 20);
  CHECK(b.Run({"state", "unlock"}).out.find("is not locked") != std::string::npos);
}

TEST_CASE("postgres cli: hostile [state] settings are refused without echoing them",
          "[postgres][cli]") {
  ApplyFixture f;
  auto check_refused = [&](const std::string& table, const std::string& problem,
                           const std::string& secret) {
    f.cli.dir.Write("state.toml", table);
    for (const char* command : {"validate", "plan", "state"}) {
      ProcessResult r =
          command == std::string("state") ? f.Run({"state", "list"}) : f.Run({command});
      INFO(table << "\n" << command << "\n" << r.out << r.err);
      CHECK(r.exit_code == 1);
      if (command != std::string("state")) {
        CHECK(r.err.find(problem) != std::string::npos);
      }
      CHECK((r.out + r.err).find(secret) == std::string::npos);
    }
  };
  check_refused("[state]\nbackend = \"postgres\"\nworkspace = \"a\\u0000b\"\n",
                "\"workspace\" holds a control character", std::string("a\0b", 3));
  check_refused("[state]\nbackend = \"postgres\"\nworkspace = \"line\\nbreak\"\n",
                "\"workspace\" holds a control character", "line\nbreak");
  check_refused(
      "[state]\nbackend = \"postgres\"\nconn_str = \" postgresql://certform:hunter2-uri@db/x\"\n",
      "\"conn_str\" is not a libpq connection string", "hunter2-uri");
  check_refused("[state]\nbackend = \"postgres\"\nconn_str = \"host=db\\tpassword=hunter2-tab\"\n",
                "\"conn_str\" holds a password", "hunter2-tab");
  check_refused(
      "[state]\nbackend = \"postgres\"\nconn_str = \"postgresql://db/x?password=hunter2-q\"\n",
      "\"conn_str\" holds a password", "hunter2-q");
  check_refused("[state]\nbackend = \"postgres\"\nschema = \"Bad-Schema-\\u0001\"\n",
                "\"schema\" must be a lower-case SQL name", "Bad-Schema");
}

TEST_CASE("postgres cli: a conn_str URI connects, a foreign schema is refused untouched",
          "[postgres][cli]") {
  ApplyFixture f;
  const std::string kv = Server().ConnStr();  // host=DIR port=N dbname=certform user=certform
  auto value = [&](const std::string& key) {
    const size_t at = kv.find(key + "=") + key.size() + 1;
    return kv.substr(at, kv.find(' ', at) - at);
  };
  f.cli.dir.Write("state.toml",
                  "[state]\nbackend = \"postgres\"\nworkspace = \"uri\"\n"
                  "conn_str = \"postgresql://certform@/certform?host=" +
                      value("host") + "&port=" + value("port") + "\"\n");
  ProcessResult r = f.Run({"apply", "--auto-approve", "--lock-timeout", "1.5s"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(f.Run({"plan", "--detailed-exitcode", "--lock-timeout", "5m30s"}).exit_code == 0);
  CHECK_FALSE(f.cli.dir.Exists("certform.state.json"));

  // Another application of the same role keeps its own `states` table in schema billing.
  Server().Psql(
      "DROP SCHEMA IF EXISTS billing CASCADE; CREATE SCHEMA billing AUTHORIZATION "
      "certform; CREATE TABLE billing.states (invoice int); ALTER TABLE "
      "billing.states OWNER TO certform",
      "certform");
  f.cli.dir.Write("state.toml",
                  "[state]\nbackend = \"postgres\"\nschema = \"billing\"\n"
                  "conn_str = \"" +
                      kv + "\"\n");
  r = f.Run({"plan"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("the PostgreSQL schema billing holds tables certform did not create (states)") !=
        std::string::npos);
  CHECK(Server()
            .Psql("SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                  "'billing'",
                  "certform")
            .find('1') == 0);  // nothing was created beside it
}

TEST_CASE("postgres cli: an empty PGSSLMODE (a CI variable never set) is libpq's default",
          "[postgres][cli]") {
  ApplyFixture f;
  UsePostgres(f, "empty-sslmode");
  std::map<std::string, std::string> env = f.Env();
  env["PGSSLMODE"] = "";
  ProcessResult r = f.cli.Run({"plan", "--detailed-exitcode"}, env);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);  // connected: the changes of a new workspace
  CHECK(r.err.find("sslmode") == std::string::npos);
  env["PGSSLMODE"] = "bogus";  // a value someone set is still libpq's to judge
  r = f.cli.Run({"plan"}, env);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("invalid sslmode value: \"bogus\"") != std::string::npos);
}

TEST_CASE("postgres cli: state pull onto a symbolic link writes through to its target",
          "[postgres][cli]") {
  ApplyFixture f;
  UsePostgres(f, "symlink");
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  Runner b(f);
  b.dir.Write("real/state.json", "");
  std::remove(b.dir.Path("real/state.json").c_str());
  REQUIRE(::symlink("real/state.json", b.dir.Path("link.json").c_str()) == 0);
  ProcessResult r = b.Run({"state", "pull", "--state", "link.json"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  struct stat st;
  REQUIRE(::lstat(b.dir.Path("link.json").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));  // still a link
  CHECK(b.dir.Read("real/state.json").find("www.example.com") != std::string::npos);
  // Again, over the target that now exists (its backup lands beside the link).
  r = b.Run({"state", "pull", "--state", "link.json", "--force"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  REQUIRE(::lstat(b.dir.Path("link.json").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
}

TEST_CASE(
    "postgres cli: a hostile address in a state row, a journal row or a pushed state is "
    "refused, naming its source, and nothing is sent",
    "[postgres][cli][trust]") {
  ApplyFixture f;
  // Each section runs the case anew: a workspace of its own, since a section spoils it.
  static int run = 0;
  const std::string ws = "hostile" + std::to_string(++run);
  UsePostgres(f, ws);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  const int calls = f.Calls();
  constexpr char kHostile[] = "oss:cn-hangzhou/evil.example.net:8443#/www.example.com";

  SECTION("the state row") {
    Server().Psql(std::string("UPDATE certform.states SET document = replace(document, "
                              "'\"www.example.com\"', '\"") +
                      kHostile + "\"') WHERE workspace = '" + ws + "'",
                  "certform");
    ProcessResult r = f.Run({"apply", "--auto-approve"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("workspace \"" + ws + "\"") != std::string::npos);
    CHECK(r.err.find("is not a valid address: bucket") != std::string::npos);
  }
  SECTION("a journal row") {
    const engine::State state = [&] {
      engine::State s;
      REQUIRE(engine::ParseState(Server().Psql("SELECT document FROM certform.states WHERE "
                                               "workspace = '" +
                                                   ws + "'",
                                               "certform"),
                                 "row", &s)
                  .ok());
      return s;
    }();
    engine::JournalRecord record;
    record.address = engine::SplitAddress(kHostile);
    record.entry = state.entries.at("www.example.com");
    std::string line = engine::JournalRecordToJson(record);
    std::string quoted;
    for (char c : line) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    Server().Psql(
        "INSERT INTO certform.journal (workspace, record) VALUES ('" + ws + "', '" + quoted + "')",
        "certform");
    ProcessResult r = f.Run({"plan"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("journal of") != std::string::npos);
    CHECK(r.err.find("record 1") != std::string::npos);
    CHECK(r.err.find("is not a valid address: bucket") != std::string::npos);
  }
  SECTION("state push of a local file") {
    nlohmann::json doc =
        nlohmann::json::parse(Server().Psql("SELECT document FROM certform.states WHERE "
                                            "workspace = '" +
                                                ws + "'",
                                            "certform"));
    doc["format_version"] = 3;
    doc["domains"][kHostile] = doc["domains"]["www.example.com"];
    f.cli.dir.Write("pushed.json", doc.dump(2), 0600);
    ProcessResult r = f.Run({"state", "push", "--force", "--state", "pushed.json"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("pushed.json") != std::string::npos);
    CHECK(r.err.find("is not a valid address: bucket") != std::string::npos);
  }
  CHECK(f.Calls() == calls);
}
