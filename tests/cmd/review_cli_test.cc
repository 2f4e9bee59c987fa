// End-to-end tests of the review habits Terraform users bring: certform show PLANFILE, -chdir,
// -input=false, a --target typo, JSON errors (issue 17, point 4).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cmd/cli_fixture.h"

using namespace certform::testing;

namespace {

// certform ARGS in `cwd`, trusting the roots in `roots` (a PEM file; none when empty).
ProcessResult RunIn(const std::string& cwd, const std::vector<std::string>& args,
                    const std::string& roots = "") {
  ProcessOptions options;
  options.cwd = cwd;
  options.env = {{"PATH", "/usr/bin:/bin"}};
  if (!roots.empty()) options.env["SSL_CERT_FILE"] = roots;
  return RunProcess(CERTFORM_BINARY, args, options);
}

}  // namespace

TEST_CASE("cli show: a saved plan reads back as plan printed it, as JSON and as Markdown",
          "[cli][show]") {
  CliFixture f;
  f.WriteStandardConfig();
  ProcessResult saved = f.Run({"plan", "--out", "review.cfp"});
  REQUIRE(saved.exit_code == 0);
  ProcessResult planned_json = f.Run({"plan", "--json"});
  // The reviewer has the plan artifact only: no configuration, no state, no key.
  TempDir reviewer;
  reviewer.Write("review.cfp", f.dir.Read("review.cfp"));
  ProcessResult human = RunIn(reviewer.path(), {"show", "review.cfp"});
  INFO(human.out << human.err);
  CHECK(human.exit_code == 0);
  CHECK(PlanBlockOf(human.out, "www.example.com")
            .starts_with("+ bind certificate \"web\" to 2 domains\n"));
  CHECK(human.out.find("Plan: 3 to bind, 0 to update, 1 to disable.") != std::string::npos);

  ProcessResult json = RunIn(reviewer.path(), {"show", "review.cfp", "--json"});
  CHECK(json.exit_code == 0);
  const nlohmann::json shown = nlohmann::json::parse(json.out);
  const nlohmann::json planned = nlohmann::json::parse(planned_json.out);
  CHECK(shown["format_version"] == "1.6");
  CHECK(shown["changes"] == planned["changes"]);
  CHECK(shown["summary"] == planned["summary"]);

  ProcessResult md = RunIn(reviewer.path(), {"show", "-format=markdown", "review.cfp"});
  CHECK(md.exit_code == 0);
  CHECK(md.out.find("www.example.com") != std::string::npos);
  CHECK(md.out.find("|") != std::string::npos);

  reviewer.Write("notes.txt", "not a plan\n");
  ProcessResult bad = RunIn(reviewer.path(), {"show", "notes.txt"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("notes.txt") != std::string::npos);
  ProcessResult bad_json = RunIn(reviewer.path(), {"show", "notes.txt", "--json"});
  CHECK(bad_json.exit_code == 1);
  CHECK(nlohmann::json::parse(bad_json.out)["valid"] == false);
}

TEST_CASE("cli: -chdir runs in another directory, -input=false is understood", "[cli]") {
  CliFixture f;
  f.WriteStandardConfig();
  ProcessResult r = RunIn("/", {"-chdir=" + f.dir.path(), "plan"}, f.trust.Path("roots.pem"));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("Plan: 3 to bind") != std::string::npos);
  CHECK(RunIn("/", {"--chdir", f.dir.path(), "validate"}, f.trust.Path("roots.pem")).exit_code ==
        0);
  ProcessResult missing = RunIn("/", {"-chdir=/nonexistent/certform", "plan"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("cannot change to directory \"/nonexistent/certform\"") !=
        std::string::npos);

  ProcessResult no_input = f.Run({"apply", "-input=false"});
  CHECK(no_input.exit_code == 1);
  CHECK(no_input.err.find("nobody can confirm") != std::string::npos);
  CHECK(f.Run({"plan", "-input=false"}).exit_code == 0);
  ProcessResult odd = f.Run({"plan", "-input=maybe"});
  CHECK(odd.exit_code == 1);
  CHECK(odd.err.find("--input must be true or false") != std::string::npos);

  // An option certform does not have is echoed as typed, with one dash.
  ProcessResult lock = f.Run({"plan", "-lock=false"});
  CHECK(lock.exit_code == 1);
  CHECK(lock.err.find("unknown option \"-lock\"") != std::string::npos);
}

TEST_CASE("cli: a --target that names no known domain is an error naming the closest",
          "[cli][plan]") {
  CliFixture f;
  f.WriteStandardConfig();
  ProcessResult r = f.Run({"plan", "--target", "wwww.example.com"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("--target wwww.example.com: no binding in the configuration and no entry in "
                   "the state has this domain (closest: www.example.com") != std::string::npos);
  CHECK(r.out.find("No changes") == std::string::npos);
  ProcessResult json = f.Run({"plan", "--json", "--target", "nope.example.com"});
  CHECK(json.exit_code == 1);
  CHECK(nlohmann::json::parse(json.out)["valid"] == false);
  CHECK(f.Run({"apply", "--auto-approve", "--target", "nope.example.com"}).exit_code == 1);
  CHECK(f.Run({"drift", "--target", "nope.example.com"}).exit_code == 1);
  // A known domain plans as before.
  CHECK(f.Run({"plan", "--target", "www.example.com"}).exit_code == 0);
}

TEST_CASE("cli apply --json: errors are JSON lines too", "[cli][apply]") {
  CliFixture f;
  f.WriteStandardConfig();
  ProcessResult saved = f.Run({"plan", "--out", "p.cfp"});
  REQUIRE(saved.exit_code == 0);
  // The configuration changes after the plan: the saved plan is stale.
  f.dir.Write("more.toml", "[[binding]]\ncertificate = \"web\"\ndomains = [\"new.example.com\"]\n");
  ProcessResult stale = f.Run({"apply", "--json", "p.cfp"});
  INFO(stale.out << stale.err);
  CHECK(stale.exit_code == 1);
  const nlohmann::json line = nlohmann::json::parse(stale.out);
  CHECK(line["type"] == "error");
  CHECK(line["message"].get<std::string>().find("p.cfp") != std::string::npos);

  f.dir.Write("more.toml", "[[binding]]\ncertificate = \"nope\"\n");
  ProcessResult invalid = f.Run({"apply", "--json", "--auto-approve"});
  CHECK(invalid.exit_code == 1);
  const nlohmann::json bad = nlohmann::json::parse(invalid.out);
  CHECK(bad["type"] == "error");
  CHECK_FALSE(bad["diagnostics"].empty());

  ProcessResult parallel = f.Run({"apply", "--json", "--auto-approve", "--parallelism", "0"});
  CHECK(nlohmann::json::parse(parallel.out)["type"] == "error");
}
