// End-to-end: renaming a [certificate.NAME] table, with the same content and the same CertName,
// is a state-only change: the plan shows it as such, and apply records the new name without a
// single API call (nor any credentials). A rename that also changes what the API is sent (the
// CertName) is a real update.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cmd/apply_fixture.h"

using namespace certform;
using namespace certform::testing;

namespace {

// Renames [certificate.FROM] to TO in certform.toml, and every binding's reference to it.
void RenameTable(ApplyFixture& f, const std::string& from, const std::string& to) {
  std::string toml = f.cli.dir.Read("certform.toml");
  for (const std::string& old : {"[certificate." + from + "]", "certificate = \"" + from + "\""}) {
    const std::string now =
        old.substr(0, old.find(from)) + to + old.substr(old.find(from) + from.size());
    for (size_t at = toml.find(old); at != std::string::npos; at = toml.find(old, at)) {
      toml.replace(at, old.size(), now);
      at += now.size();
    }
  }
  f.cli.dir.Write("certform.toml", toml);
}

int Writes(ApplyFixture& f) {
  const nlohmann::json c = f.emu.emulator().CountersJson()["calls"];
  return c.contains("SetDomainServerCertificate") ? c["SetDomainServerCertificate"]["u1"].get<int>()
                                                  : 0;
}

}  // namespace

TEST_CASE("cli rename: a certificate table renamed is recorded in the state, no API call",
          "[cli][plan][apply]") {
  ApplyFixture f;
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  const nlohmann::json live = f.Live();
  const engine::State before = f.State();
  RenameTable(f, "web", "site");  // no `name`: CertName comes from the content
  RenameTable(f, "api", "api2");  // name = "api-2026" kept

  ProcessResult plan = f.Run({"plan", "--detailed-exitcode"});
  INFO(plan.out << plan.err);
  CHECK(plan.exit_code == 2);  // the state changes: apply is needed to record it
  CHECK(
      plan.out.find("~ rename certificate \"web\" → \"site\" on 2 domains, state only (no call)") !=
      std::string::npos);
  CHECK(
      plan.out.find("~ rename certificate \"api\" → \"api2\" on 1 domain, state only (no call)") !=
      std::string::npos);
  CHECK(plan.out.find("recorded in the state only, nothing is sent") != std::string::npos);
  CHECK(plan.out.find("Plan: 0 to bind, 0 to update, 0 to disable, 3 to rename (state only).") !=
        std::string::npos);
  nlohmann::json doc = nlohmann::json::parse(f.Run({"plan", "--json"}).out);
  CHECK(doc["summary"]["rename"] == 3);
  CHECK(doc["summary"]["update"] == 0);

  const int writes = Writes(f);
  const int calls = f.Calls();
  // No call, so no credentials either.
  ProcessResult apply = f.cli.Run({"apply", "--auto-approve", "--endpoint", f.emu.Endpoint()},
                                  {{"HOME", f.cli.dir.path()}});
  INFO(apply.out << apply.err);
  CHECK(apply.exit_code == 0);
  CHECK(apply.out.find("www.example.com: recorded under certificate \"site\" (was \"web\"); "
                       "nothing sent") != std::string::npos);
  CHECK(Writes(f) == writes);  // zero SetDomainServerCertificate
  CHECK(f.Calls() == calls);   // nor any other call
  CHECK(f.Live() == live);
  const engine::State after = f.State();
  for (const char* d : {"www.example.com", "img.example.com"}) {
    CHECK(after.entries.at(d).certificate == "site");
    CHECK(after.entries.at(d).request_id == before.entries.at(d).request_id);  // the call's
    CHECK(after.entries.at(d).fingerprint == before.entries.at(d).fingerprint);
  }
  CHECK(after.entries.at("api.example.com").certificate == "api2");
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
  ProcessResult drift = f.Run({"drift", "--detailed-exitcode"});
  CHECK(drift.exit_code == 0);
}

TEST_CASE("cli rename: a rename that changes the CertName sent is a real update",
          "[cli][plan][apply]") {
  ApplyFixture f;
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  RenameTable(f, "api", "api2");
  std::string toml = f.cli.dir.Read("certform.toml");
  toml.replace(toml.find("name = \"api-2026\""), 17, "name = \"api-2027\"");
  f.cli.dir.Write("certform.toml", toml);
  ProcessResult plan = f.Run({"plan"});
  INFO(plan.out << plan.err);
  CHECK(plan.out.find("~ update 1 domain from certificate \"api\" to \"api2\"") !=
        std::string::npos);
  CHECK(plan.out.find("CertName api-2026→api-2027") != std::string::npos);
  CHECK(plan.out.find("state only") == std::string::npos);
  const int writes = Writes(f);
  ProcessResult apply = f.Run({"apply", "--auto-approve"});
  INFO(apply.out << apply.err);
  CHECK(apply.exit_code == 0);
  CHECK(Writes(f) == writes + 1);
  CHECK(f.Live()["api.example.com"]["cert_name"] == "api-2027");
}
