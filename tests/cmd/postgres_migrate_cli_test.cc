// End-to-end: `state pull` then `state push` against a real PostgreSQL server. A pulled state
// keeps the workspace's lineage and serial, so that pushing it back (unchanged, or edited) is
// accepted without --force, as Terraform's push accepts it: the same lineage and a serial not
// behind the workspace's. Another lineage, or a serial behind (someone wrote since the pull), is
// still refused unless --force.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "engine/state/state_file.h"
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

void UsePostgres(ApplyFixture& f, const std::string& workspace) {
  f.cli.dir.Write("state.toml", "[state]\nbackend = \"postgres\"\nconn_str = \"" +
                                    Server().ConnStr() + "\"\nworkspace = \"" + workspace +
                                    "\"\nlock_lease = \"10s\"\n");
}

// The workspace's serial, as the database holds it.
int64_t RemoteSerial(const std::string& workspace) {
  const std::string v = Server().Psql(
      "SELECT serial FROM certform.states WHERE workspace = '" + workspace + "'", "certform");
  return std::atoll(v.c_str());
}

engine::State Parse(const std::string& text) {
  engine::State s;
  REQUIRE(engine::ParseState(text, "pulled", &s).ok());
  return s;
}

}  // namespace

TEST_CASE("postgres cli: state pull then state push round-trips without --force",
          "[postgres][cli]") {
  ApplyFixture f;
  UsePostgres(f, "roundtrip");
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  f.RenewWeb();
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  REQUIRE(RemoteSerial("roundtrip") == 2);

  ProcessResult pull = f.Run({"state", "pull", "--state", "pulled.json"});
  INFO(pull.out << pull.err);
  REQUIRE(pull.exit_code == 0);
  const engine::State pulled = Parse(f.cli.dir.Read("pulled.json"));
  CHECK(pulled.serial == 2);  // the workspace's serial, not the new file's first

  // Unchanged: nothing to write, and said so.
  ProcessResult push = f.Run({"state", "push", "--state", "pulled.json"});
  INFO(push.out << push.err);
  CHECK(push.exit_code == 0);
  CHECK(push.out.find("already holds this state (lineage " + pulled.lineage + ", serial 2)") !=
        std::string::npos);
  CHECK(RemoteSerial("roundtrip") == 2);
  ProcessResult again = f.Run({"state", "pull", "--state", "pulled.json"});  // over the copy
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("already holds this state") != std::string::npos);

  // Edited at the same serial: refused, as Terraform refuses "a different state that has the same
  // serial" (the two may have diverged from one state).
  nlohmann::json doc = nlohmann::json::parse(f.cli.dir.Read("pulled.json"));
  doc["domains"].erase("legacy.example.com");
  f.cli.dir.Write("pulled.json", doc.dump(2), 0600);
  ProcessResult same = f.Run({"state", "push", "--state", "pulled.json"});
  CHECK(same.exit_code == 1);
  CHECK(same.err.find("both are at serial 2 but hold different states") != std::string::npos);
  CHECK(RemoteSerial("roundtrip") == 2);
  // Edited with the serial moved on, as an edit of a pulled state must: written.
  doc["serial"] = 3;
  f.cli.dir.Write("pulled.json", doc.dump(2), 0600);
  push = f.Run({"state", "push", "--state", "pulled.json"});
  INFO(push.out << push.err);
  CHECK(push.exit_code == 0);
  CHECK(push.out.find("(lineage " + pulled.lineage + ", serial 3)") != std::string::npos);
  CHECK(RemoteSerial("roundtrip") == 3);
  ProcessResult plan = f.Run({"plan", "--json"});
  REQUIRE(plan.exit_code == 0);
  CHECK(plan.out.find("\"not in state: switch HTTPS off\"") != std::string::npos);

  // Another lineage: refused unless --force.
  std::string other = f.cli.dir.Read("pulled.json");
  other.replace(other.find(pulled.lineage), pulled.lineage.size(),
                "00000000-0000-4000-8000-000000000000");
  f.cli.dir.Write("other.json", other, 0600);
  push = f.Run({"state", "push", "--state", "other.json"});
  CHECK(push.exit_code == 1);
  CHECK(push.err.find("another lineage") != std::string::npos);
  CHECK(RemoteSerial("roundtrip") == 3);

  // Behind: another apply wrote the workspace since the pull (serial 4), and the file
  // says 3: a real conflict, refused unless --force.
  f.RenewWeb();
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  REQUIRE(RemoteSerial("roundtrip") == 4);
  push = f.Run({"state", "push", "--state", "pulled.json"});
  INFO(push.out << push.err);
  CHECK(push.exit_code == 1);
  CHECK(push.err.find("is newer (serial 4) than pulled.json (serial 3)") != std::string::npos);
  CHECK(RemoteSerial("roundtrip") == 4);
  CHECK(f.Run({"state", "push", "--state", "pulled.json", "--force"}).exit_code == 0);
  CHECK(RemoteSerial("roundtrip") == 5);
}
