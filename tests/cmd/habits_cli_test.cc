// Terraform habits that cost nothing (issue 26 point 6): `certform fmt` (and --check for pull
// requests), `init` answering that certform needs none, and the state workspace from --workspace
// or CERTFORM_WORKSPACE.
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "engine/state/state_file.h"
#include "tests/cmd/apply_fixture.h"

using namespace certform::testing;

namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("fmt: rewrites the unformatted files of the directory and names them", "[cli][fmt]") {
  CliFixture f;
  f.WriteStandardConfig();
  const std::string standard = Read(f.dir.Path("certform.toml"));
  const std::string messy =
      f.dir.Write("extra.toml", "  [ account . other ]\nrate_limit=5   \n\n\n", 0640);

  // --check writes nothing, names the file, exits 3.
  ProcessResult check = f.Run({"fmt", "--check"});
  CHECK(check.exit_code == 3);
  CHECK(check.out.find("extra.toml") != std::string::npos);
  CHECK(check.err.find("1 file(s) not formatted") != std::string::npos);
  CHECK(Read(messy).find("[ account . other ]") != std::string::npos);

  ProcessResult diff = f.Run({"fmt", "--check", "--diff"});
  CHECK(diff.out.find("-rate_limit=5   \n+rate_limit = 5\n") != std::string::npos);

  ProcessResult r = f.Run({"fmt"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("extra.toml") != std::string::npos);
  CHECK(Read(messy) == "[account.other]\nrate_limit = 5\n");
  CHECK(FileMode(messy) == 0640);  // the file keeps its mode
  // The standard configuration was formatted already: named nowhere, left byte for byte.
  CHECK(r.out.find("certform.toml") == std::string::npos);
  CHECK(Read(f.dir.Path("certform.toml")) == standard);
  // And now everything is formatted.
  CHECK(f.Run({"fmt", "--check"}).exit_code == 0);
}

TEST_CASE("fmt: a syntax error in one file leaves every file as it was", "[cli][fmt]") {
  CliFixture f;
  const std::string a = f.dir.Write("a.toml", "x=1\n");
  const std::string b = f.dir.Write("b.toml", "y = 1\nname = \"open\n");
  ProcessResult r = f.Run({"fmt"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("b.toml:2") != std::string::npos);
  CHECK(r.err.find("unterminated string") != std::string::npos);
  CHECK(r.err.find("nothing was rewritten") != std::string::npos);
  CHECK(Read(a) == "x=1\n");
  CHECK(Read(b) == "y = 1\nname = \"open\n");
}

TEST_CASE("fmt: files named on the command line, and none but them", "[cli][fmt]") {
  CliFixture f;
  const std::string a = f.dir.Write("a.toml", "x=1\n");
  const std::string b = f.dir.Write("b.toml", "y=1\n");
  CHECK(f.Run({"fmt", a}).exit_code == 0);
  CHECK(Read(a) == "x = 1\n");
  CHECK(Read(b) == "y=1\n");
}

TEST_CASE("init: says certform needs none, changes nothing, fails on a directory without TOML",
          "[cli]") {
  CliFixture f;
  ProcessResult empty = f.Run({"init"});
  CHECK(empty.exit_code == 1);
  CHECK(empty.err.find("holds no *.toml configuration file") != std::string::npos);
  f.WriteStandardConfig();
  ProcessResult r = f.Run({"init"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("certform needs no init") != std::string::npos);
  CHECK(r.out.find("certform plan") != std::string::npos);
  CHECK_FALSE(f.dir.Exists("certform.state.json"));
}

TEST_CASE("workspace: --workspace and CERTFORM_WORKSPACE choose the local state file",
          "[cli][apply]") {
  ApplyFixture a;
  const std::string standard = a.cli.dir.Path("certform.state.json");
  std::map<std::string, std::string> env = a.Env();
  env["API_KEY"] = a.cli.api.KeyPem();
  env["CERTFORM_WORKSPACE"] = "staging";
  ProcessResult r = a.cli.Run({"apply", "--auto-approve", "--endpoint", a.emu.Endpoint()}, env);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(a.cli.dir.Exists("certform.staging.state.json"));
  CHECK_FALSE(a.cli.dir.Exists("certform.state.json"));
  // The default workspace has no state yet: its plan binds everything again.
  ProcessResult fresh = a.Run({"plan", "--detailed-exitcode"});
  CHECK(fresh.exit_code == 2);
  // --workspace names the same state as the variable did.
  ProcessResult same = a.Run({"plan", "--workspace", "staging", "--detailed-exitcode"});
  CHECK(same.exit_code == 0);

  // A name that is not a safe file name is refused for a local state; a control character
  // anywhere; and --state with another workspace is ambiguous.
  ProcessResult bad = a.Run({"plan", "--workspace", "../x"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("letters, digits") != std::string::npos);
  ProcessResult ctl = a.cli.Run({"plan"}, {{"CERTFORM_WORKSPACE", "a\tb"}});
  CHECK(ctl.exit_code == 1);
  CHECK(ctl.err.find("CERTFORM_WORKSPACE holds a control character") != std::string::npos);
  ProcessResult both = a.Run({"plan", "--workspace", "staging", "--state", standard});
  CHECK(both.exit_code == 1);
  CHECK(both.err.find("use one or the other") != std::string::npos);
}

TEST_CASE("workspace: CERTFORM_WORKSPACE never overrides a workspace the configuration names",
          "[cli]") {
  CliFixture f;
  f.WriteStandardConfig();
  f.dir.Write("state.toml", "[state]\nbackend = \"postgres\"\nworkspace = \"prod\"\n");
  // Refused before any connection is made: no server is needed to see it.
  ProcessResult r = f.Run({"plan"}, {{"CERTFORM_WORKSPACE", "staging"}});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("CERTFORM_WORKSPACE is \"staging\" but [state] workspace is \"prod\"") !=
        std::string::npos);
}

TEST_CASE("state: a serial past 2^53 is refused (serial + 1 must never overflow)", "[cli]") {
  certform::engine::State s;
  const std::string text =
      R"({"format_version": 3, "lineage": "11111111-2222-4333-8444-555555555555",
    "serial": 9223372036854775807, "tool_version": "x", "domains": {}})";
  const certform::engine::Status st = certform::engine::ParseState(text, "s.json", &s);
  CHECK_FALSE(st.ok());
  CHECK(st.message().find("serial is outside 0 to") != std::string::npos);
}
