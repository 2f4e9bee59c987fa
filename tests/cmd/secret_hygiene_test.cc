// Secret hygiene: every command, in every output format, with failures and with debug logging
// on, run with known marker secrets; then stdout, stderr, the state, its backup, the journal and
// plan files are scanned for any of them.
#include <catch2/catch.hpp>

#include "tests/cmd/apply_fixture.h"

using namespace certform;
using namespace certform::testing;

TEST_CASE("secrets: no command, format or failure leaks a key, the AccessKey secret or a token",
          "[cli][secrets]") {
  ApplyFixture f;
  const std::string token = "STS-TOKEN-MARKER-7f3a9c";
  auto run = [&](std::vector<std::string> args) {
    ProcessResult r;
    if (args[0] == "apply" || args[0] == "drift" || args[0] == "refresh" || args[0] == "import" ||
        std::find(args.begin(), args.end(), "--refresh") != args.end()) {
      args.push_back("--endpoint");
      args.push_back(f.emu.Endpoint());
    }
    std::map<std::string, std::string> env = f.Env();
    env["CERTFORM_LOG"] = "debug";
    env["ALIBABA_CLOUD_SECURITY_TOKEN"] = token;
    r = f.cli.Run(args, env);
    f.transcript += r.out + r.err;
    return r;
  };
  // A failing domain, a drifted one, and every command and format.
  f.cli.dir.Write("more.toml",
                  "[[binding]]\ncertificate = \"web\"\ndomains = [\"nope.example.com\"]\n");
  run({"validate"});
  run({"validate", "--json"});
  run({"plan", "--out", "p.cfp"});
  run({"plan", "--json"});
  run({"plan", "--format", "markdown"});
  run({"apply", "p.cfp"});
  ProcessResult debug = run({"apply", "--auto-approve", "--json"});
  CHECK(debug.err.find("debug: POST ") != std::string::npos);           // the log is on ...
  CHECK(debug.err.find("PrivateKey=<redacted>") != std::string::npos);  // ... and redacts
  CHECK(debug.err.find("SecurityToken=<redacted>") != std::string::npos);
  CHECK(debug.err.find("Signature=<redacted>") != std::string::npos);
  std::string error;
  TestCert other = IssueCert({.sans = {"www.example.com"}}, &f.cli.ca);
  f.emu.emulator().PutDomain("www.example.com", {{"https", true}, {"cert_pem", other.CertPem()}},
                             &error);
  run({"drift"});
  run({"drift", "--json"});
  run({"drift", "--format", "markdown"});
  run({"plan", "--refresh"});
  run({"state", "list"});
  run({"state", "show", "www.example.com", "--json"});
  run({"refresh", "--auto-approve"});
  run({"state", "rm", "img.example.com"});
  run({"import", "img.example.com"});
  f.cli.dir.Write("certs/web.key", f.cli.api.KeyPem(), 0600);  // a mismatch, reported
  run({"apply", "--auto-approve"});

  std::vector<std::string> secrets = f.cli.Secrets();
  secrets.push_back(kSecret);
  secrets.push_back(token);
  CHECK(FindSecret(f.transcript, secrets).empty());
  for (const char* file : {"certform.state.json", "certform.state.json.backup", "p.cfp"}) {
    INFO(file);
    REQUIRE(f.cli.dir.Exists(file));
    CHECK(FindSecret(f.cli.dir.Read(file), secrets).empty());
    CHECK(FileMode(f.cli.dir.Path(file)) == 0600);
  }
  if (f.cli.dir.Exists("certform.state.json.journal")) {
    CHECK(FindSecret(f.cli.dir.Read("certform.state.json.journal"), secrets).empty());
  }
}

TEST_CASE("secrets: TLS verification cannot be switched off", "[cli][secrets]") {
  ApplyFixture f;
  for (const char* flag : {"--insecure", "--skip-tls-verify", "-k"}) {
    ProcessResult r = f.Run({"apply", "--auto-approve", flag});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("unknown option") != std::string::npos);
  }
}
