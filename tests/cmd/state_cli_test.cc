// End-to-end tests of `certform state`.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "engine/state/state_file.h"
#include "tests/cmd/cli_fixture.h"

using namespace certform::testing;
using certform::engine::State;
using certform::engine::StateEntry;

namespace {

void WriteState(const CliFixture& f) {
  State s;
  s.lineage = "11111111-2222-4333-8444-555555555555";
  s.serial = 2;
  s.tool_version = "0.1.0";
  for (const char* d : {"b.example.com", "a.example.com"}) {
    s.entries[d] = StateEntry{.address = certform::engine::SplitAddress(d),
                              .account = "main",
                              .https = true,
                              .certificate = "web",
                              .cert_type = "upload",
                              .cert_name = "n",
                              .fingerprint = std::string(64, 'f'),
                              .request_id = "REQ-1"};
  }
  f.dir.Write("certform.state.json", SerializeState(s), 0600);
}

}  // namespace

TEST_CASE("cli state: list prints the managed domains sorted", "[cli][state]") {
  CliFixture f;
  WriteState(f);
  ProcessResult r = f.Run({"state", "list"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "a.example.com\nb.example.com\n");
  CHECK(f.Run({"state", "list", "--json"}).out == "[\"a.example.com\",\"b.example.com\"]\n");
}

TEST_CASE("cli state: show prints one entry, an unknown domain is an error", "[cli][state]") {
  CliFixture f;
  WriteState(f);
  ProcessResult r = f.Run({"state", "show", "a.example.com"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("# a.example.com") == 0);
  CHECK(r.out.find("request_id   = \"REQ-1\"") != std::string::npos);
  ProcessResult missing = f.Run({"state", "show", "z.example.com"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("\"z.example.com\" is not in the state") != std::string::npos);
}

TEST_CASE("cli state: rm forgets domains, bumps the serial and keeps a backup", "[cli][state]") {
  CliFixture f;
  WriteState(f);
  const std::string before = f.dir.Read("certform.state.json");
  ProcessResult r = f.Run({"state", "rm", "a.example.com"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("Removed a.example.com") != std::string::npos);
  CHECK(f.dir.Read("certform.state.json.backup") == before);
  State after;
  REQUIRE(certform::engine::ParseState(f.dir.Read("certform.state.json"), "s", &after).ok());
  CHECK(after.serial == 3);
  CHECK(after.lineage == "11111111-2222-4333-8444-555555555555");
  CHECK(after.entries.count("a.example.com") == 0);
  CHECK(after.entries.count("b.example.com") == 1);
  CHECK(FileMode(f.dir.Path("certform.state.json")) == 0600);
}

TEST_CASE("cli state: rm of an unknown domain changes nothing", "[cli][state]") {
  CliFixture f;
  WriteState(f);
  const std::string before = f.dir.Read("certform.state.json");
  ProcessResult r = f.Run({"state", "rm", "a.example.com", "nope.example.com"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("\"nope.example.com\" is not in the state") != std::string::npos);
  CHECK(f.dir.Read("certform.state.json") == before);
}

TEST_CASE("cli state: rm --dry-run changes nothing", "[cli][state]") {
  CliFixture f;
  WriteState(f);
  const std::string before = f.dir.Read("certform.state.json");
  ProcessResult r = f.Run({"state", "rm", "--dry-run", "a.example.com"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "Would remove a.example.com\n");
  CHECK(f.dir.Read("certform.state.json") == before);
}

TEST_CASE("cli state: an unknown subcommand suggests one", "[cli][state]") {
  CliFixture f;
  ProcessResult r = f.Run({"state", "lst"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("did you mean \"list\"?") != std::string::npos);
}
