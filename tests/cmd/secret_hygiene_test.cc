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

TEST_CASE("secrets: the gateway's echo of the string to sign never reaches output or files",
          "[cli][secrets]") {
  // A wrong secret: the emulator answers as Alibaba's gateway does, with a message that ends
  // "server string to sign is:" and every parameter, the private key included, percent-encoded.
  for (const std::string code : {"SignatureDoesNotMatch", "IncompleteSignature"}) {
    DYNAMIC_SECTION(code) {
      emulator::EmulatorConfig config = EmulatorWith();
      config.faults.signature_error = code;
      ApplyFixture f(config);
      // One domain applied with the right secret, so that drift has something to read.
      REQUIRE(f.Run({"apply", "--auto-approve", "--target", "www.example.com"}).exit_code == 0);
      const std::string token = "STS-TOKEN-MARKER-7f3a9c0d1e2f";
      std::map<std::string, std::string> env = f.Env();
      env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = "a-wrong-secret-value";
      env["ALIBABA_CLOUD_SECURITY_TOKEN"] = token;
      std::string transcript;
      for (std::vector<std::string> args :
           {std::vector<std::string>{"apply", "--auto-approve"},
            std::vector<std::string>{"apply", "--auto-approve", "--json"},
            std::vector<std::string>{"drift", "--json"}, std::vector<std::string>{"drift"}}) {
        args.push_back("--endpoint");
        args.push_back(f.emu.Endpoint());
        for (const char* log : {"", "debug"}) {
          env["CERTFORM_LOG"] = log;
          ProcessResult r = f.cli.Run(args, env);
          CHECK(r.exit_code == 1);
          transcript += r.out + r.err;
        }
      }
      INFO(transcript);
      CHECK(transcript.find(code + ": the API refused the request signature") != std::string::npos);
      CHECK(transcript.find("string to sign") == std::string::npos);
      std::vector<std::string> secrets = f.cli.Secrets();
      secrets.push_back(token);
      secrets.push_back("a-wrong-secret-value");
      CHECK(FindSecret(transcript, secrets).empty());
      for (const char* file : {"certform.state.json", "certform.state.json.journal"}) {
        if (f.cli.dir.Exists(file)) CHECK(FindSecret(f.cli.dir.Read(file), secrets).empty());
      }
    }
  }
}

TEST_CASE("secrets: a cert_file that also holds the key sends only the certificates",
          "[cli][secrets]") {
  ApplyFixture f;
  // An nginx/HAProxy-style bundle: certificate, chain, then the key, in one file.
  f.cli.dir.Write("certs/web.pem", f.cli.web.CertPem() + f.cli.ca.CertPem() + f.cli.web.KeyPem(),
                  0600);
  ProcessResult v = f.Run({"validate"});
  CHECK(v.exit_code == 0);
  CHECK(v.err.find("warning: certs/web.pem also holds a private key block") != std::string::npos);
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const std::string served = f.Live()["www.example.com"]["cert_pem"].get<std::string>();
  CHECK(served.find("PRIVATE KEY") == std::string::npos);
  CHECK(served == f.cli.web.CertPem() + f.cli.ca.CertPem());  // leaf then chain, re-encoded
  CHECK(FindSecret(served, f.cli.Secrets()).empty());
}

TEST_CASE("secrets: uploads through CAS send the key once and never show it",
          "[cli][secrets][cas]") {
  ApplyFixture f(EmulatorWith(5));
  f.WriteCasConfig(5);
  std::map<std::string, std::string> env = f.Env();
  env["CERTFORM_LOG"] = "debug";
  std::string transcript;
  for (std::vector<std::string> args :
       {std::vector<std::string>{"apply", "--auto-approve", "--json"},
        std::vector<std::string>{"drift"}, std::vector<std::string>{"prune", "--dry-run"}}) {
    args.push_back("--endpoint");
    args.push_back(f.emu.Endpoint());
    ProcessResult r = f.cli.Run(args, env);
    CHECK(r.exit_code == 0);
    transcript += r.out + r.err;
  }
  INFO(transcript);
  CHECK(transcript.find("Action=UploadUserCertificate") != std::string::npos);
  CHECK(transcript.find("Key=<redacted>") != std::string::npos);
  CHECK(f.emu.emulator().CountersJson()["keys_received"] == 1);
  std::vector<std::string> secrets = f.cli.Secrets();
  secrets.push_back(kSecret);
  const std::string key = f.cli.dir.Read("certs/bulk.key");
  const std::string cert = f.cli.dir.Read("certs/bulk.pem");  // public: shares the public key
  for (size_t i = 0; i + 24 < key.size(); i += 24) {
    const std::string chunk = key.substr(i, 24);
    if (chunk.find('-') == std::string::npos && chunk.find('\n') == std::string::npos &&
        cert.find(chunk) == std::string::npos) {
      secrets.push_back(chunk);
    }
  }
  CHECK(FindSecret(transcript, secrets).empty());
  CHECK(FindSecret(f.cli.dir.Read("certform.state.json"), secrets).empty());
}
