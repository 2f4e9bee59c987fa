// End-to-end tests of `certform apply`: the built binary against the emulator, served on
// 127.0.0.1 from inside the test process.
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "engine/state/state_file.h"
#include "state/local/file_lock.h"
#include "tests/cmd/apply_fixture.h"
#include "tests/support/wait_until.h"

using namespace certform;
using namespace certform::testing;

namespace {

// What process `pid` has written to its standard error so far (ChildProcess sends it to a file,
// which /proc names).
std::string ErrSoFar(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/fd/2");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("cli apply: create, then update and delete, against the emulator", "[cli][apply]") {
  ApplyFixture f;
  // Terraform's destroy-on-removal: a binding removed from the configuration is switched off.
  f.cli.dir.Write("removal.toml", "on_removal = \"disable\"\n");
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Apply complete! 4 applied, 0 failed") != std::string::npos);
  nlohmann::json live = f.Live();
  CHECK(live["www.example.com"]["fingerprint"] == f.cli.web.Fingerprint());
  CHECK(live["api.example.com"]["fingerprint"] == f.cli.api.Fingerprint());
  CHECK(live["api.example.com"]["cert_name"] == "api-2026");
  CHECK(live["legacy.example.com"]["https"] == false);
  engine::State state = f.State();
  CHECK(state.entries.size() == 4);
  CHECK(state.serial == 1);
  CHECK(state.entries["www.example.com"].request_id == live["www.example.com"]["request_id"]);
  CHECK_FALSE(f.cli.dir.Exists("certform.state.json.journal"));

  // api.example.com moves to the wildcard certificate; img.example.com leaves the configuration.
  std::string toml = f.cli.dir.Read("certform.toml");
  const std::string web_domains = "domains = [\"www.example.com\", \"img.example.com\"]";
  toml.replace(toml.find(web_domains), web_domains.size(),
               "domains = [\"www.example.com\", \"api.example.com\"]");
  const std::string api_binding =
      "[[binding]]\ncertificate = \"api\"\ndomains = [\"api.example.com\"]";
  toml.replace(toml.find(api_binding), api_binding.size(), "");
  f.cli.dir.Write("certform.toml", toml);
  r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(PlanBlockOf(r.out, "api.example.com")
            .starts_with("~ update 1 domain from certificate \"api\" to \"web\"\n"));
  CHECK(PlanBlockOf(r.out, "img.example.com")
            .starts_with("- switch HTTPS off on 1 domain, then forget it\n"));
  live = f.Live();
  CHECK(live["api.example.com"]["fingerprint"] == f.cli.web.Fingerprint());
  CHECK(live["img.example.com"]["https"] == false);
  state = f.State();
  CHECK(state.entries.count("img.example.com") == 0);
  CHECK(state.serial == 2);
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
}

TEST_CASE("cli apply: a binding removed from the configuration is forgotten, still served",
          "[cli][apply][removal]") {
  ApplyFixture f;
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  const nlohmann::json before = f.AdminState()["domains"]["img.example.com"];
  REQUIRE(before["https"] == true);
  REQUIRE(before["fingerprint"] == f.cli.web.Fingerprint());
  const int calls = f.Calls();
  // A bad merge drops img.example.com from the configuration, in a run with --auto-approve.
  std::string toml = f.cli.dir.Read("certform.toml");
  toml.replace(toml.find(", \"img.example.com\""), 19, "");
  f.cli.dir.Write("certform.toml", toml);
  ProcessResult plan = f.Run({"plan"});
  INFO(plan.out << plan.err);
  CHECK(PlanBlockOf(plan.out, "img.example.com")
            .starts_with("- forget 1 domain; its live certificate stays\n"));
  CHECK(plan.out.find("Plan: 0 to bind, 0 to update, 0 to disable, 1 to forget.") !=
        std::string::npos);
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("img.example.com: forgotten; its live certificate stays\n") !=
        std::string::npos);
  CHECK(r.out.find("Apply complete! 1 applied, 0 failed") != std::string::npos);
  CHECK(f.Calls() == calls);  // no call at all
  CHECK(f.AdminState()["domains"]["img.example.com"] == before);
  const engine::State state = f.State();
  CHECK(state.entries.count("img.example.com") == 0);
  CHECK(state.entries.count("www.example.com") == 1);
  CHECK(state.serial == 2);
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
}

TEST_CASE("cli apply: forgetting needs no credentials, even of an account no longer configured",
          "[cli][apply][removal]") {
  ApplyFixture f;
  f.cli.dir.Write(".alibabacloud/credentials",
                  "[other]\naccess_key_id = otherid\naccess_key_secret = othersecret\n", 0600);
  std::string toml = f.cli.dir.Read("certform.toml");
  for (const char* d :
       {"www.example.com\", \"img.example.com\"]", "api.example.com\"]", "legacy.example.com\"]"}) {
    toml.insert(toml.find('\n', toml.find(d)) + 1, "account = \"main\"\n");
  }
  f.cli.dir.Write("certform.toml", toml);
  f.cli.dir.Write(
      "second.toml",
      "[account.second]\ncredentials = \"profile:other\"\n\n[[binding]]\n"
      "certificate = \"web\"\naccount = \"second\"\ndomains = [\"theirs.example.com\"]\n");
  ProcessResult first = f.Run({"apply", "--auto-approve"});
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  REQUIRE(f.State().entries.at("theirs.example.com").account == "second");
  const nlohmann::json before = f.AdminState()["domains"]["theirs.example.com"];
  // The account moved elsewhere: its file and its credentials are gone.
  f.cli.dir.Write("second.toml", "");
  f.cli.dir.Write(".alibabacloud/credentials", "", 0600);
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("no longer configured") == std::string::npos);
  CHECK(r.out.find("theirs.example.com: forgotten; its live certificate stays") !=
        std::string::npos);
  CHECK(f.State().entries.count("theirs.example.com") == 0);
  CHECK(f.AdminState()["domains"]["theirs.example.com"] == before);
}

TEST_CASE("cli apply: one bad domain among good ones fails alone, with code and RequestId",
          "[cli][apply]") {
  ApplyFixture f;
  f.cli.dir.Write("more.toml",
                  "[[binding]]\ncertificate = \"web\"\ndomains = [\"nope.example.com\"]\n");
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("Apply failed: 4 applied, 1 failed") != std::string::npos);
  CHECK(r.out.find("nope.example.com  the domain does not exist on the CDN "
                   "(InvalidDomain.NotFound: The domain provided does not belong to you.) "
                   "(RequestId ") != std::string::npos);
  CHECK(f.Remaining() == std::set<std::string>{"nope.example.com"});
}

TEST_CASE("cli apply: throttling answers are retried until everything is applied", "[cli][apply]") {
  emulator::EmulatorConfig config = EmulatorWith();
  config.write_limit = 2;  // the server allows less than the configured 10/s
  ApplyFixture f(config);
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(f.emu.emulator().CountersJson()["throttled"].get<int>() > 0);
  CHECK(r.out.find("Throttling.User") != std::string::npos);  // the plain view shows retries
  CHECK(f.Remaining().empty());
}

TEST_CASE("cli apply: 5xx answers and dropped connections are retried", "[cli][apply]") {
  emulator::EmulatorConfig config = EmulatorWith();
  config.faults = {.error_rate = 0.3, .drop_rate = 0.2, .seed = 11};
  ApplyFixture f(config);
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  nlohmann::json counters = f.emu.emulator().CountersJson();
  CHECK(counters["injected_errors"].get<int>() + counters["dropped"].get<int>() > 0);
  CHECK(f.Remaining().empty());
  CHECK(f.Live()["www.example.com"]["fingerprint"] == f.cli.web.Fingerprint());
}

TEST_CASE("cli apply: two accounts, each with its own credentials", "[cli][apply]") {
  ApplyFixture f;
  f.cli.dir.Write(".alibabacloud/credentials",
                  "[other]\naccess_key_id = otherid\naccess_key_secret = othersecret\n", 0600);
  std::string toml = f.cli.dir.Read("certform.toml");
  toml.replace(toml.find("[account.main]"), 14, "[account.main]\ncredentials = \"env\"");
  toml +=
      "\n[account.second]\ncredentials = \"profile:other\"\n\n[[binding]]\n"
      "certificate = \"web\"\naccount = \"second\"\ndomains = [\"theirs.example.com\"]\n";
  for (const char* d :
       {"www.example.com\", \"img.example.com\"]", "api.example.com\"]", "legacy.example.com\"]"}) {
    size_t at = toml.find(d);
    toml.insert(toml.find('\n', at) + 1, "account = \"main\"\n");
  }
  f.cli.dir.Write("certform.toml", toml);
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  nlohmann::json calls = f.emu.emulator().CountersJson()["calls"]["SetDomainServerCertificate"];
  CHECK(calls["u1"] == 4);
  CHECK(calls["u2"] == 1);
  CHECK(f.State().entries["theirs.example.com"].account == "second");
}

TEST_CASE("cli apply: a saved plan is applied as is, and refused once anything moved",
          "[cli][apply]") {
  ApplyFixture f;
  REQUIRE(f.Run({"plan", "--out", "first.cfp"}).exit_code == 0);
  ProcessResult r = f.Run({"apply", "first.cfp"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);

  SECTION("the state changed: stale") {
    f.cli.dir.Write("more.toml",
                    "[[binding]]\ncertificate = \"web\"\ndomains = [\"example.com\"]\n");
    REQUIRE(f.Run({"plan", "--out", "p.cfp"}).exit_code == 0);
    REQUIRE(f.Run({"state", "rm", "www.example.com"}).exit_code == 0);
    ProcessResult stale = f.Run({"apply", "p.cfp"});
    CHECK(stale.exit_code == 1);
    CHECK(stale.err.find("saved plan is stale") != std::string::npos);
  }
  SECTION("the first plan, applied twice: stale") {
    ProcessResult again = f.Run({"apply", "first.cfp"});
    CHECK(again.exit_code == 1);
    CHECK(again.err.find("saved plan is stale") != std::string::npos);
  }
  SECTION("the configuration changed") {
    f.cli.dir.Write("more.toml",
                    "[[binding]]\ncertificate = \"web\"\ndomains = [\"example.com\"]\n");
    REQUIRE(f.Run({"plan", "--out", "p.cfp"}).exit_code == 0);
    f.cli.dir.Write("more.toml", "[[binding]]\nhttps = false\ndomains = [\"example.com\"]\n");
    ProcessResult changed = f.Run({"apply", "p.cfp"});
    CHECK(changed.exit_code == 1);
    CHECK(changed.err.find("the configuration changed since p.cfp was made") != std::string::npos);
  }
  SECTION("a certificate's content changed") {
    f.cli.dir.Write("more.toml",
                    "[[binding]]\ncertificate = \"web\"\ndomains = [\"example.com\"]\n");
    REQUIRE(f.Run({"plan", "--out", "p.cfp"}).exit_code == 0);
    TestCert renewed = IssueCert({.sans = {"*.example.com", "example.com"}}, &f.cli.ca);
    f.cli.dir.Write("certs/web.pem", renewed.CertPem());
    f.cli.dir.Write("certs/web.key", renewed.KeyPem(), 0600);
    ProcessResult moved = f.Run({"apply", "p.cfp"});
    CHECK(moved.exit_code == 1);
    CHECK(moved.err.find("no longer has the planned fingerprint") != std::string::npos);
  }
  CHECK(f.Calls() == 4);  // only the first apply's calls were ever sent
}

TEST_CASE("cli apply: a second writer is refused by the lock", "[cli][apply]") {
  ApplyFixture f;
  engine::SystemClock clock;
  std::unique_ptr<engine::StateLock> lock;
  REQUIRE(engine::StateLock::Acquire(
              f.cli.dir.Path("certform.state.json.lock"),
              {static_cast<int>(getpid()), "testhost", "certform apply", "now"}, {}, clock, &lock)
              .ok());
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("locked by pid " + std::to_string(getpid())) != std::string::npos);
  CHECK(f.Calls() == 0);
}

TEST_CASE("cli apply: without a terminal and without --auto-approve nothing is applied",
          "[cli][apply]") {
  ApplyFixture f;
  ProcessResult r = f.Run({"apply"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("--auto-approve") != std::string::npos);
  CHECK(f.Calls() == 0);
  CHECK_FALSE(f.cli.dir.Exists("certform.state.json"));
}

TEST_CASE("cli apply: --json prints one JSON object per event", "[cli][apply]") {
  ApplyFixture f;
  ProcessResult r = f.Run({"apply", "--auto-approve", "--json"});
  REQUIRE(r.exit_code == 0);
  std::istringstream lines(r.out);
  std::string line;
  std::vector<std::string> types;
  while (std::getline(lines, line)) {
    nlohmann::json j = nlohmann::json::parse(line);
    types.push_back(j["type"]);
    if (j["type"] == "change") {
      CHECK(j["status"] == "applied");
      CHECK(j["request_id"].get<std::string>().size() == 36);
    }
  }
  CHECK(types ==
        std::vector<std::string>{"apply_start", "change", "change", "change", "change", "summary"});
}

TEST_CASE("cli apply: SIGINT stops dispatching and records exactly what was applied",
          "[cli][apply][signals]") {
  emulator::EmulatorConfig config = EmulatorWith(60);
  config.faults.latency_ms = 50;
  config.write_limit = 20;
  ApplyFixture f(config);
  f.WriteBulkConfig(60, 20);
  auto child = f.Start({"apply", "--auto-approve"});
  REQUIRE(WaitUntil([&] { return f.Calls() >= 10; }));
  child->Signal(SIGINT);
  ProcessResult r = child->Wait();
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("Apply stopped:") != std::string::npos);
  // One line for the domains never attempted, not one per domain.
  CHECK(r.out.find("skipped:") == std::string::npos);
  const size_t summary = r.out.find("not attempted: the apply was stopped");
  CHECK(summary != std::string::npos);
  CHECK(r.out.find("not attempted: the apply was stopped", summary + 1) == std::string::npos);
  std::set<std::string> not_received;
  const nlohmann::json live = f.Live();
  for (const auto& [domain, d] : live.items()) {
    if (domain.find(".bulk.") != std::string::npos && !d["https"].get<bool>()) {
      not_received.insert(domain);
    }
  }
  CHECK_FALSE(not_received.empty());
  CHECK(not_received.size() < 60);
  CHECK(f.Remaining() == not_received);
  CHECK_FALSE(f.cli.dir.Exists("certform.state.json.journal"));
}

TEST_CASE("cli apply: SIGKILL in the middle of an apply loses nothing", "[cli][apply][signals]") {
  emulator::EmulatorConfig config = EmulatorWith(80);
  config.faults.latency_ms = 50;
  config.write_limit = 20;
  ApplyFixture f(config);
  f.WriteBulkConfig(80, 20);
  auto child = f.Start({"apply", "--auto-approve", "--parallelism", "4"});
  REQUIRE(WaitUntil([&] { return f.Calls() >= 25; }));
  child->Signal(SIGKILL);
  ProcessResult killed = child->Wait();
  CHECK(killed.exit_code == 128 + SIGKILL);

  // The state file is valid; the journal holds what came after its last checkpoint.
  engine::State on_disk;
  if (f.cli.dir.Exists("certform.state.json")) on_disk = f.State();
  std::set<std::string> received, not_received;
  const nlohmann::json live = f.Live();
  for (const auto& [domain, d] : live.items()) {
    if (domain.find(".bulk.") == std::string::npos) continue;
    (d["https"].get<bool>() ? received : not_received).insert(domain);
  }
  std::set<std::string> remaining = f.Remaining();
  // Every domain the emulator did not receive is still planned ...
  for (const std::string& d : not_received) CHECK(remaining.count(d) == 1);
  // ... and of those it did receive, only calls in flight at the kill (at most --parallelism,
  // answered by the CDN but never acknowledged to certform) may be planned again.
  int replanned = 0;
  for (const std::string& d : remaining) replanned += received.count(d);
  CHECK(replanned <= 4);
  CHECK(received.size() >= 20);

  // Resuming finishes the job. The plan made after the crash recovered the journal into the
  // state file first, so applying it is not refused as stale.
  CHECK_FALSE(f.cli.dir.Exists("certform.state.json.journal"));
  REQUIRE(f.Run({"plan", "--out", "resume.cfp"}).exit_code == 0);
  ProcessResult resumed = f.Run({"apply", "resume.cfp"});
  INFO(resumed.out << resumed.err);
  CHECK(resumed.exit_code == 0);
  CHECK(f.Remaining().empty());
  CHECK(f.State().entries.size() == 80);
}

TEST_CASE("cli apply: no output, state, backup or plan file holds a secret",
          "[cli][apply][secrets]") {
  ApplyFixture f;
  f.cli.dir.Write("more.toml",
                  "[[binding]]\ncertificate = \"web\"\ndomains = [\"nope.example.com\"]\n");
  f.Run({"plan", "--out", "p.cfp"});
  f.Run({"apply", "p.cfp"});
  f.Run({"apply", "--auto-approve", "--json"});
  f.Run({"apply", "--auto-approve"});
  f.Run({"state", "show", "www.example.com"});
  std::vector<std::string> secrets = f.cli.Secrets();
  secrets.push_back(kSecret);
  std::string files = f.cli.dir.Read("certform.state.json") +
                      f.cli.dir.Read("certform.state.json.backup") + f.cli.dir.Read("p.cfp");
  CHECK(FindSecret(f.transcript, secrets).empty());
  CHECK(FindSecret(files, secrets).empty());
  CHECK(FileMode(f.cli.dir.Path("certform.state.json")) == 0600);
}

TEST_CASE("cli apply: a second SIGINT quits at once, and the journal keeps what was done",
          "[cli][apply][signals]") {
  emulator::EmulatorConfig config = EmulatorWith(40);
  config.faults.latency_ms = 3000;  // calls in flight take long: only a second signal is quick
  config.write_limit = 20;
  ApplyFixture f(config);
  f.WriteBulkConfig(40, 20);
  auto child = f.Start({"apply", "--auto-approve", "--parallelism", "4"});
  REQUIRE(WaitUntil([&] { return f.Calls() >= 4; }));
  child->Signal(SIGINT);
  // The second signal means "quit at once" only after the first was taken: wait until the
  // runner says so, not a fixed time.
  REQUIRE(WaitUntil([&] {
    return ErrSoFar(child->pid()).find("interrupt again to quit at once") != std::string::npos;
  }));
  const auto before = std::chrono::steady_clock::now();
  child->Signal(SIGINT);
  ProcessResult r = child->Wait();
  CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(2));
  CHECK(r.exit_code == 130);
  CHECK(r.err.find("interrupt again to quit at once") != std::string::npos);
  // Nothing completed before the quit (every call was still in flight), and the state is whole.
  std::set<std::string> remaining = f.Remaining();
  CHECK(remaining.size() == 40);
}
