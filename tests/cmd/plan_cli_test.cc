// End-to-end tests of `certform plan`.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "engine/state/state_file.h"
#include "tests/cmd/cli_fixture.h"
#include "tests/cmd/markdown_check.h"

using namespace certform::testing;
using certform::engine::State;
using certform::engine::StateEntry;

namespace {

// A state in which www.example.com serves an old certificate and old.example.com is managed.
void WriteOldState(const CliFixture& f) {
  State s;
  s.lineage = "11111111-2222-4333-8444-555555555555";
  s.serial = 4;
  s.tool_version = "0.1.0";
  s.entries["www.example.com"] =
      StateEntry{.address = certform::engine::SplitAddress("www.example.com"),
                 .account = "main",
                 .https = true,
                 .certificate = "web",
                 .cert_type = "upload",
                 .cert_name = "certform-0123456789abcdef",
                 .fingerprint = "0123456789abcdef" + std::string(48, '0'),
                 .not_after = 1900000000,
                 .applied_at = "2026-01-01T00:00:00Z",
                 .request_id = "R-www"};
  s.entries["old.example.com"] =
      StateEntry{.address = certform::engine::SplitAddress("old.example.com"),
                 .account = "main",
                 .https = true,
                 .certificate = "web",
                 .cert_type = "upload",
                 .request_id = "R-old"};
  f.dir.Write("certform.state.json", SerializeState(s), 0600);
}

}  // namespace

TEST_CASE("cli plan: a first plan binds every domain and summarises", "[cli][plan]") {
  CliFixture f;
  f.WriteStandardConfig();
  ProcessResult r = f.Run({"plan"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  INFO(r.out);
  // One account, each certificate's block once with its domains under it.
  CHECK(r.out.find("\nAccount main (3 to bind, 1 to disable):\n") != std::string::npos);
  CHECK(PlanBlockOf(r.out, "www.example.com")
            .starts_with("+ bind certificate \"web\" to 2 domains\n"));
  CHECK(PlanBlockOf(r.out, "www.example.com") == PlanBlockOf(r.out, "img.example.com"));
  CHECK(PlanBlockOf(r.out, "legacy.example.com").starts_with("- switch HTTPS off on 1 domain\n"));
  CHECK(r.out.find("SHA256:" + f.web.Fingerprint()) != std::string::npos);
  CHECK(r.out.find("SANs         *.example.com, example.com") != std::string::npos);
  CHECK(r.out.find("CertName api-2026") != std::string::npos);
  CHECK(r.out.find("Plan: 3 to bind, 0 to update, 1 to disable.") != std::string::npos);
  CHECK(r.out.find("\x1b[") == std::string::npos);  // not a terminal: no colour
}

TEST_CASE("cli plan: changes against a state show update and delete with reasons", "[cli][plan]") {
  CliFixture f;
  f.WriteStandardConfig();
  WriteOldState(f);
  ProcessResult r = f.Run({"plan"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  // A renewal: old → new fingerprint and expiry (the old SANs are not recorded).
  const std::string renewal = PlanBlockOf(r.out, "www.example.com");
  CHECK(renewal.starts_with("~ update 1 domain to certificate \"web\"\n"));
  CHECK(renewal.find("(was 01234567…)") != std::string::npos);
  CHECK(renewal.find("expires      2030-03-17T17:46:40Z (") != std::string::npos);
  CHECK(renewal.find(" → ") != std::string::npos);
  CHECK(renewal.find("SAN change   not recorded in the state") != std::string::npos);
  CHECK(renewal.find("why          fingerprint 01234567…→" + f.web.Fingerprint().substr(0, 8) +
                     "…") != std::string::npos);
  // Gone from the configuration: forgotten, its live certificate left as it is (the default).
  CHECK(PlanBlockOf(r.out, "old.example.com")
            .starts_with("- forget 1 domain; its live certificate stays\n      was          web "
                         "(upload)\n"));
  CHECK(r.out.find("Plan: 2 to bind, 1 to update, 1 to disable, 1 to forget.") !=
        std::string::npos);
  // Order: by certificate change, each listing its domains in order.
  CHECK(r.out.find("+ bind certificate \"api\"") < r.out.find("+ bind certificate \"web\""));
  CHECK(r.out.find("+ bind certificate \"web\"") < r.out.find("~ update"));
  const std::string md = f.Run({"plan", "--format", "markdown"}).out;
  // legacy.example.com (https = false) is a disable, not a bind.
  CHECK(md.find("**Plan: 2 to bind, 1 to update, 1 to disable, 1 to forget.**") !=
        std::string::npos);
  INFO(md);
  CHECK(md.find("| ➖ forget | 1 | web (upload) | left as it is |") != std::string::npos);
  CHECK(md.find("<details><summary>➖ forget · web (upload) → left as it is · 1 domain") !=
        std::string::npos);
  CHECK(
      md.find("\n- **main** · CDN · 1 domain · why: no longer in configuration: forget; its "
              "live certificate stays (on\\_removal = \"forget\") · domains: old.example.com\n") !=
      std::string::npos);
  // Terraform's destroy-on-removal, when asked for: counted apart.
  f.dir.Write("certform.toml", "on_removal = \"disable\"\n" + f.dir.Read("certform.toml"));
  r = f.Run({"plan"});
  INFO(r.out << r.err);
  CHECK(PlanBlockOf(r.out, "old.example.com")
            .starts_with("- switch HTTPS off on 1 domain, then forget it\n"));
  CHECK(r.out.find("Plan: 2 to bind, 1 to update, 2 to disable.") != std::string::npos);
  CHECK(r.out.find("to forget") == std::string::npos);
}

TEST_CASE("cli plan: a bad on_removal names file and line, with a did-you-mean",
          "[cli][plan][removal]") {
  CliFixture f;
  f.WriteStandardConfig();
  f.dir.Write("removal.toml", "\non_removal = \"forgot\"\n");
  ProcessResult r = f.Run({"plan"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("removal.toml:2:14: error: \"on_removal\" must be \"forget\" or \"disable\", "
                   "not \"forgot\"") != std::string::npos);
  CHECK(r.err.find("did you mean \"forget\"?") != std::string::npos);
}

TEST_CASE("cli plan: --detailed-exitcode is 2 with changes, 0 without", "[cli][plan]") {
  CliFixture f;
  f.WriteStandardConfig();
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 2);
  CHECK(f.Run({"plan", "-detailed-exitcode"}).exit_code == 2);
  // A state that matches the configuration exactly: made from the plan's own "after" entries.
  ProcessResult json = f.Run({"plan", "--json"});
  nlohmann::json doc = nlohmann::json::parse(json.out);
  State s;
  s.lineage = "11111111-2222-4333-8444-555555555555";
  s.serial = 1;
  for (const auto& c : doc["changes"]) {
    StateEntry e;
    REQUIRE(certform::engine::EntryFromJson(c["after"], "after", &e).ok());
    e.address = certform::engine::SplitAddress(c["domain"].get<std::string>());
    s.entries[e.address.Key()] = e;
  }
  f.dir.Write("certform.state.json", SerializeState(s), 0600);
  ProcessResult r = f.Run({"plan", "--detailed-exitcode"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("No changes.") != std::string::npos);
}

TEST_CASE("cli plan: --json is one document with actions, reasons, summary", "[cli][plan]") {
  CliFixture f;
  f.WriteStandardConfig();
  WriteOldState(f);
  ProcessResult r = f.Run({"plan", "--json"});
  CHECK(r.exit_code == 0);
  nlohmann::json doc = nlohmann::json::parse(r.out);
  CHECK(doc["format_version"] == "1.6");
  CHECK(doc["valid"] == true);
  CHECK(doc["serial"] == 4);
  CHECK(doc["summary"]["create"] == 3);
  CHECK(doc["summary"]["update"] == 1);
  CHECK(doc["summary"]["delete"] == 0);
  CHECK(doc["summary"]["forget"] == 1);
  CHECK(doc["summary"]["move"] == 0);
  bool saw_update = false, saw_forget = false;
  for (const auto& c : doc["changes"]) {
    if (c["domain"] == "old.example.com") {
      saw_forget = true;
      CHECK(c["actions"] == nlohmann::json::array({"forget"}));
      CHECK(c["after"].is_null());
      CHECK(c["before"]["request_id"] == "R-old");
    }
    if (c["domain"] != "www.example.com") continue;
    saw_update = true;
    CHECK(c["actions"] == nlohmann::json::array({"update"}));
    CHECK(c["after"]["fingerprint"] == f.web.Fingerprint());
    CHECK(c["before"]["request_id"] == "R-www");
    CHECK(c["certificate"]["sans"].size() == 2);
  }
  CHECK(saw_update);
  CHECK(saw_forget);
}

TEST_CASE("cli plan: --json reports configuration errors as diagnostics", "[cli][plan]") {
  CliFixture f;
  f.WriteStandardConfig();
  f.dir.Write("bad.toml", "[account.other]\nrate_limit = -3\n");
  ProcessResult r = f.Run({"plan", "--json"});
  CHECK(r.exit_code == 1);
  nlohmann::json doc = nlohmann::json::parse(r.out);
  CHECK(doc["valid"] == false);
  CHECK_FALSE(doc.contains("changes"));
  REQUIRE(doc["diagnostics"].size() >= 1);
  CHECK(doc["diagnostics"][0]["range"]["filename"] == "bad.toml");
  CHECK(doc["diagnostics"][0]["range"]["line"] == 2);
}

TEST_CASE("cli plan: --out (and -out=) writes a 0600 plan file with lineage, serial and digest",
          "[cli][plan]") {
  CliFixture f;
  f.WriteStandardConfig();
  WriteOldState(f);
  ProcessResult r = f.Run({"plan", "-out=saved.cfp"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("certform apply saved.cfp") != std::string::npos);
  REQUIRE(f.dir.Exists("saved.cfp"));
  CHECK(FileMode(f.dir.Path("saved.cfp")) == 0600);
  nlohmann::json plan = nlohmann::json::parse(f.dir.Read("saved.cfp"));
  CHECK(plan["kind"] == "certform-plan");
  CHECK(plan["lineage"] == "11111111-2222-4333-8444-555555555555");
  CHECK(plan["serial"] == 4);
  CHECK(plan["config_digest"].get<std::string>().size() == 64);
  CHECK(f.Run({"plan", "--out", "second.cfp"}).exit_code == 0);
  CHECK(nlohmann::json::parse(f.dir.Read("second.cfp"))["config_digest"] == plan["config_digest"]);
}

TEST_CASE("cli plan: a corrupt state file stops the plan and is left alone", "[cli][plan]") {
  CliFixture f;
  f.WriteStandardConfig();
  f.dir.Write("certform.state.json", "{\"format_version\": 1, \"lineage\": 5}", 0600);
  ProcessResult r = f.Run({"plan", "--out", "p.cfp"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("field \"lineage\" must be a string") != std::string::npos);
  CHECK(f.dir.Read("certform.state.json") == "{\"format_version\": 1, \"lineage\": 5}");
  CHECK_FALSE(f.dir.Exists("p.cfp"));
}

TEST_CASE("cli plan: --target plans only the named domains", "[cli][plan]") {
  CliFixture f;
  f.WriteStandardConfig();
  ProcessResult r = f.Run({"plan", "--target", "api.example.com", "--target=img.example.com"});
  CHECK(r.out.find("Plan: 2 to bind") != std::string::npos);
  CHECK(r.out.find("www.example.com") == std::string::npos);
}

TEST_CASE("cli plan: --config points at another directory", "[cli][plan]") {
  CliFixture f;
  TempDir elsewhere;
  f.WriteStandardConfig();
  ProcessOptions o;
  o.cwd = elsewhere.path();
  o.env = {{"API_KEY", f.api.KeyPem()}, {"SSL_CERT_FILE", f.trust.Path("roots.pem")}};
  ProcessResult r = RunProcess(CERTFORM_BINARY, {"plan", "--config", f.dir.path()}, o);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("Plan: 3 to bind, 0 to update, 1 to disable") != std::string::npos);
}

TEST_CASE("cli plan: no output or plan file holds a secret", "[cli][plan][secrets]") {
  CliFixture f;
  f.WriteStandardConfig();
  WriteOldState(f);
  std::string all;
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"plan"}, {"plan", "--json"}, {"plan", "--out", "p.cfp"}}) {
    ProcessResult r = f.Run(args);
    all += r.out + r.err;
  }
  all += f.dir.Read("p.cfp");
  CHECK(FindSecret(all, f.Secrets()).empty());
}

TEST_CASE("cli plan: --format markdown stays under --max-size and says what it left out",
          "[cli][plan][markdown-size]") {
  CliFixture f;
  f.WriteStandardConfig();
  std::string domains;
  for (int i = 0; i < 300; ++i) domains += "\"d" + std::to_string(i) + ".example.com\", ";
  f.dir.Write("certform.toml", f.dir.Read("certform.toml") +
                                   "\n[[binding]]\ncertificate = \"web\"\ndomains = [" + domains +
                                   "]\n");
  ProcessResult whole = f.Run({"plan", "--format", "markdown"});
  INFO(whole.err);
  REQUIRE(whole.exit_code == 0);
  CHECK(whole.out.find("Shortened") == std::string::npos);
  // A binding with https = false is a disable, in the summary and the tables.
  CHECK(whole.out.find("**Plan: 303 to bind, 0 to update, 1 to disable.**") != std::string::npos);
  CHECK(whole.out.find("d299.example.com") != std::string::npos);
  certform::test::CheckWellFormed(whole.out);

  ProcessResult small = f.Run({"plan", "--format", "markdown", "--max-size", "2000"});
  INFO(small.out);
  REQUIRE(small.exit_code == 0);
  CHECK(small.out.size() <= 2000);
  CHECK(small.out.find("> **Shortened to stay under 2,000 characters**: ") != std::string::npos);
  CHECK(small.out.find("of 304 domains") != std::string::npos);
  CHECK(small.out.find("d299.example.com") == std::string::npos);
  certform::test::CheckWellFormed(small.out);
  CHECK(f.Run({"plan", "--format", "markdown", "--max-size", "0"}).out == whole.out);

  for (const char* bad : {"100", "-1", "1e6", "60k", "1000000000"}) {
    INFO(bad);
    ProcessResult r = f.Run({"plan", "--format", "markdown", "--max-size", bad});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("--max-size must be 0 (no limit) or a number of bytes from 2000") !=
          std::string::npos);
  }
  ProcessResult human = f.Run({"plan", "--max-size", "5000"});
  CHECK(human.exit_code == 1);
  CHECK(human.err.find("--max-size applies to --format markdown only") != std::string::npos);
}
