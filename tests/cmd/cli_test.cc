// End-to-end tests of the certform binary: commands, flags, help, validate.
#include <cstdio>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cmd/cli_fixture.h"

using namespace certform::testing;

TEST_CASE("cli: no command prints usage to stderr and exits 1", "[cli]") {
  CliFixture f;
  ProcessResult r = f.Run({});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("Usage: certform [-chdir=DIR] COMMAND") != std::string::npos);
}

TEST_CASE("cli: --help lists every command and the exit codes", "[cli]") {
  CliFixture f;
  ProcessResult r = f.Run({"--help"});
  CHECK(r.exit_code == 0);
  for (const char* c : {"validate", "plan", "state", "version"}) {
    CHECK(r.out.find(std::string("  ") + c) != std::string::npos);
  }
  CHECK(r.out.find("Exit codes") != std::string::npos);
}

TEST_CASE("cli: an unknown command suggests the nearest one", "[cli]") {
  CliFixture f;
  ProcessResult r = f.Run({"paln"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("unknown command \"paln\" (did you mean \"plan\"?)") != std::string::npos);
}

TEST_CASE("cli: an unknown flag suggests the nearest one", "[cli]") {
  CliFixture f;
  ProcessResult r = f.Run({"plan", "--detailed-exitcod"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("(did you mean \"--detailed-exitcode\"?)") != std::string::npos);
}

TEST_CASE("cli: every command has --help", "[cli]") {
  CliFixture f;
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{{"validate", "--help"},
                                             {"plan", "--help"},
                                             {"state", "list", "--help"},
                                             {"state", "show", "--help"},
                                             {"state", "rm", "--help"},
                                             {"help", "plan"}}) {
    ProcessResult r = f.Run(args);
    INFO(args[0] << " " << args[1]);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Usage: certform " + args[args[0] == "help" ? 1 : 0]) != std::string::npos);
    CHECK(r.out.find("--help") != std::string::npos);
  }
}

TEST_CASE("cli: version prints the version", "[cli]") {
  CliFixture f;
  ProcessResult r = f.Run({"version"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.starts_with(std::string("certform ") + CERTFORM_VERSION + " ("));
  ProcessResult j = f.Run({"version", "--json"});
  CHECK(j.exit_code == 0);
  const nlohmann::json doc = nlohmann::json::parse(j.out);
  CHECK(doc["version"] == CERTFORM_VERSION);
  CHECK_FALSE(doc["commit"].get<std::string>().empty());
  CHECK(doc["openssl"].get<std::string>().starts_with("OpenSSL 3"));
  CHECK(doc["libcurl"].get<std::string>().find("OpenSSL") != std::string::npos);
  CHECK(doc["tomlplusplus"].get<std::string>().starts_with("3."));
}

TEST_CASE("cli: validate accepts a good configuration", "[cli][validate]") {
  CliFixture f;
  f.WriteStandardConfig();
  ProcessResult r = f.Run({"validate"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("The configuration is valid: 4 domains, 2 certificates, 1 account") !=
        std::string::npos);
}

TEST_CASE("cli: validate reports every error with file and line and exits 1", "[cli][validate]") {
  CliFixture f;
  f.WriteStandardConfig();
  f.dir.Write("extra.toml",
              "[[binding]]\ncertificate = \"wbe\"\ndomains = [\"www.example.com\"]\n"
              "colour = \"blue\"\n");
  ProcessResult r = f.Run({"validate"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("extra.toml:2:15: error: certificate \"wbe\" is not defined") !=
        std::string::npos);
  CHECK(r.err.find("did you mean \"web\"?") != std::string::npos);
  CHECK(r.err.find("extra.toml:3:12: error: domain \"www.example.com\" is bound twice") !=
        std::string::npos);
  CHECK(r.err.find("extra.toml:4:1: error: unknown key \"colour\"") != std::string::npos);
  CHECK(r.err.find("3 error(s)") != std::string::npos);
}

TEST_CASE("cli: validate --json gives a machine-readable verdict", "[cli][validate]") {
  CliFixture f;
  f.WriteStandardConfig();
  ProcessResult good = f.Run({"validate", "--json"});
  CHECK(good.exit_code == 0);
  CHECK(good.out.find("\"valid\": true") != std::string::npos);
  f.dir.Write("certs/web.key", f.api.KeyPem());  // the wrong key
  ProcessResult bad = f.Run({"validate", "-json"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.out.find("\"valid\": false") != std::string::npos);
  CHECK(bad.out.find("does not match certificate") != std::string::npos);
  CHECK(bad.out.find("\"line\": 7") != std::string::npos);
}

TEST_CASE("cli: validate and plan name an unset key variable, only apply needs the key",
          "[cli][validate]") {
  CliFixture f;
  f.WriteStandardConfig();
  // A pull request from a fork, or a reviewer: no secrets, and the plan still works.
  for (const char* command : {"validate", "plan"}) {
    ProcessResult r = f.Run({command}, {{"API_KEY", ""}});
    INFO(command << "\n" << r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("warning: certificate \"api\": private key not checked: environment "
                     "variable API_KEY (key_env) is not set") != std::string::npos);
    CHECK(r.err.find("apply needs the key") != std::string::npos);
  }
  std::remove(f.dir.Path("certs/web.key").c_str());  // a key_file that is not on this machine
  ProcessResult plan = f.Run({"plan", "--json"}, {{"API_KEY", ""}});
  CHECK(plan.exit_code == 0);
  CHECK(plan.out.find("private key not checked: cannot read key_file") != std::string::npos);
  ProcessResult apply = f.Run({"apply", "--auto-approve"}, {{"API_KEY", ""}});
  CHECK(apply.exit_code == 1);
  CHECK(apply.err.find("error: certificate \"api\": environment variable API_KEY (key_env) is "
                       "not set") != std::string::npos);
  // A key that is there is still checked.
  f.dir.Write("certs/web.key", f.api.KeyPem(), 0600);
  CHECK(f.Run({"plan"}).exit_code == 1);
}

TEST_CASE("cli: no output of validate holds a secret, even on a mismatch", "[cli][secrets]") {
  CliFixture f;
  f.WriteStandardConfig();
  f.dir.Write("certs/web.key", f.api.KeyPem());
  ProcessResult r = f.Run({"validate"});
  CHECK(FindSecret(r.out + r.err, f.Secrets()).empty());
}
