// Hostile and broken input: each case gets a clear error and exit code 1, no crash, no partial
// write, and no API call. Table-driven: one row per kind of damage.
#include <sys/stat.h>
#include <unistd.h>

#include <sstream>

#include <catch2/catch.hpp>

#include "tests/cmd/apply_fixture.h"
#include "tests/cmd/markdown_check.h"

using namespace certform;
using namespace certform::testing;

namespace {

struct HostileCase {
  const char* name;
  const char* file;  // relative to the configuration directory
  std::string content;
  std::vector<std::string> args;
  const char* expect;  // in stderr
};

std::string Nested(char open, char close, int depth) {
  return std::string(depth, open) + std::string(depth, close);
}

std::string Binary() {
  std::string s;
  for (int i = 0; i < 4096; ++i) s.push_back(static_cast<char>((i * 131 + 7) % 256));
  return s;
}

}  // namespace

TEST_CASE("hostile input: every kind of broken file is a clear error with no side effect",
          "[cli][hostile]") {
  const std::vector<std::string> apply = {"apply", "--auto-approve"};
  const std::vector<std::string> apply_plan = {"apply", "p.cfp"};
  const std::string utf16 = std::string("\xff\xfe[\0a\0c\0]\0", 10);
  std::vector<HostileCase> cases = {
      {"truncated TOML", "certform.toml", "[account.main\nrate_limit = 3", apply,
       "TOML syntax error"},
      {"binary TOML", "certform.toml", Binary(), apply, "TOML syntax error"},
      {"UTF-16 TOML", "certform.toml", utf16, apply, "TOML syntax error"},
      {"deeply nested TOML", "certform.toml", "a = " + Nested('[', ']', 5000) + "\n", apply,
       "TOML syntax error"},
      {"duplicated TOML key", "certform.toml", "[account.main]\nrate_limit = 1\nrate_limit = 2\n",
       apply, "TOML syntax error"},
      {"huge TOML", "big.toml", std::string(17 << 20, '#'), apply, "is too large"},
      {"truncated certificate", "certs/web.pem", "-----BEGIN CERTIFICATE-----\nMIIB", apply,
       "certificate is not valid PEM"},
      {"binary certificate", "certs/web.pem", Binary(), apply, "certificate is not valid PEM"},
      {"empty certificate", "certs/web.pem", "", apply, "certificate is not valid PEM"},
      {"garbage key", "certs/web.key",
       "-----BEGIN "
       "PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
       apply, "private key is not valid PEM"},
      {"truncated state", "certform.state.json", "{\"format_version\": 1, \"lin", apply,
       "is not valid JSON"},
      {"binary state", "certform.state.json", Binary(), apply, "is not valid JSON"},
      {"deeply nested state", "certform.state.json", Nested('[', ']', 100000), apply,
       "is not a JSON object"},
      {"mistyped state", "certform.state.json",
       "{\"format_version\": \"1\", \"lineage\": \"x\", \"serial\": 1}", apply,
       "must be an integer"},
      {"state from the future", "certform.state.json",
       "{\"format_version\": 99, \"lineage\": \"x\", \"serial\": 1, \"tool_version\": \"9\", "
       "\"domains\": {}}",
       apply, "format_version 99"},
      {"truncated plan file", "p.cfp", "{\"kind\": \"certform-plan\", \"format_", apply_plan,
       "is not valid JSON"},
      {"not a plan file", "p.cfp", "{\"hello\": 1}", apply_plan, "is not a certform plan file"},
      {"binary plan file", "p.cfp", Binary(), apply_plan, "is not valid JSON"},
  };
  for (const HostileCase& c : cases) {
    DYNAMIC_SECTION(c.name) {
      ApplyFixture f;
      f.cli.dir.Write(c.file, c.content, 0600);
      const bool had_state = f.cli.dir.Exists("certform.state.json");
      const std::string state_before = had_state ? f.cli.dir.Read("certform.state.json") : "";
      ProcessResult r = f.Run(c.args);
      INFO(r.out << r.err);
      CHECK(r.exit_code == 1);
      CHECK(r.err.find(c.expect) != std::string::npos);
      CHECK(f.Calls() == 0);
      CHECK(f.cli.dir.Exists("certform.state.json") == had_state);
      if (had_state) CHECK(f.cli.dir.Read("certform.state.json") == state_before);
      CHECK_FALSE(f.cli.dir.Exists("certform.state.json.journal"));
      CHECK_FALSE(f.cli.dir.Exists("certform.state.json.backup"));
    }
  }
}

TEST_CASE("hostile input: a dangling symlink as key file is named", "[cli][hostile]") {
  ApplyFixture f;
  unlink(f.cli.dir.Path("certs/web.key").c_str());
  REQUIRE(symlink("/nonexistent/web.key", f.cli.dir.Path("certs/web.key").c_str()) == 0);
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("cannot read key_file") != std::string::npos);
  CHECK(f.Calls() == 0);
}

TEST_CASE("hostile input: a world-readable key is warned about, not refused", "[cli][hostile]") {
  ApplyFixture f;
  chmod(f.cli.dir.Path("certs/web.key").c_str(), 0644);
  ProcessResult r = f.Run({"validate"});
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("is readable by other users (mode 0644)") != std::string::npos);
  CHECK(r.err.find("chmod 600") != std::string::npos);
}

TEST_CASE("hostile input: certform show escapes what an edited plan file holds",
          "[cli][hostile][escape]") {
  ApplyFixture f;
  REQUIRE(f.Run({"plan", "--out", "p.cfp"}).exit_code == 0);
  // The reviewer's threat: a plan artifact edited to fake "No changes." on a terminal and to
  // close the Markdown comment's table and <details> early.
  const std::string ansi = "\x1b[2J\x1b[H\x1b[1mNo changes.\x1b[0m\r";
  const std::string markdown = "a` | b | c |\n</details>\n\n## Approved\n\xe2\x80\xae";
  nlohmann::json plan = nlohmann::json::parse(f.cli.dir.Read("p.cfp"));
  REQUIRE(!plan["changes"].empty());
  for (nlohmann::json& c : plan["changes"]) {
    c["account"] = markdown;
    c["reasons"] = {ansi, markdown};
    if (c.contains("after") && c["after"].is_object()) {
      c["after"]["certificate"] = markdown;
      c["after"]["cert_name"] = ansi;
    }
    if (c.contains("certificate") && c["certificate"].is_object()) {
      c["certificate"]["subject"] = markdown;
      c["certificate"]["issuer"] = ansi;
    }
  }
  f.cli.dir.Write("p.cfp", plan.dump(2), 0600);

  ProcessResult human = f.Run({"show", "p.cfp"});
  INFO(human.out << human.err);
  REQUIRE(human.exit_code == 0);
  CHECK(human.out.find('\x1b') == std::string::npos);
  CHECK(human.out.find('\r') == std::string::npos);
  CHECK(human.out.find("\xe2\x80\xae") == std::string::npos);
  CHECK(human.out.find("\\x1b[2J\\x1b[H\\x1b[1mNo changes.\\x1b[0m\\r") != std::string::npos);
  CHECK(human.out.find("\n## Approved") == std::string::npos);

  ProcessResult md = f.Run({"show", "p.cfp", "--format", "markdown"});
  INFO(md.out);
  REQUIRE(md.exit_code == 0);
  CHECK(md.out.find('\x1b') == std::string::npos);
  CHECK(md.out.find('\r') == std::string::npos);
  CHECK(md.out.find("\n## Approved") == std::string::npos);
  CHECK(md.out.find("\n</details>\n\n## ") == std::string::npos);
  CHECK(md.out.find("\n## ") == std::string::npos);
  // Every table row keeps its table's cell separators ('|' not escaped by a backslash), every
  // <details> is certform's own and closed, its <summary> whole on its line.
  CHECK(certform::test::CheckWellFormed(md.out) >= 2);
  CHECK(certform::test::LinesStartingWith(md.out, "| ") >= 6);  // two tables, header and a row
  CHECK(f.Calls() == 0);                                        // show reads the file only
}
