// End-to-end tests of what users meet in their first weeks in the field: certificate renewal under
// a fixed name, domains and accounts that are gone, errors that concern a whole account, domain
// names typed in another case, and endpoints that would send a key in clear text.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cmd/apply_fixture.h"

using namespace certform;
using namespace certform::testing;

namespace {

// The standard configuration with the "web" certificate under an explicit name and the account
// on `api`.
void WriteNamedConfig(ApplyFixture& f, const std::string& api) {
  std::string toml = f.cli.dir.Read("certform.toml");
  toml.replace(toml.find("endpoint = \"http://127.0.0.1:1\""), 31,
               "endpoint = \"http://127.0.0.1:1\"\napi = \"" + api + "\"");
  const std::string web_key = "key_file = \"certs/web.key\"\n";
  toml.replace(toml.find(web_key), web_key.size(), web_key + "name = \"web-2026\"\n");
  f.cli.dir.Write("certform.toml", toml);
}

}  // namespace

TEST_CASE("cli field: a renewal under a fixed name applies to every domain, with either API",
          "[cli][apply][rotation]") {
  for (const std::string api : {"SetDomainServerCertificate", "SetCdnDomainSSLCertificate"}) {
    DYNAMIC_SECTION(api) {
      ApplyFixture f;
      WriteNamedConfig(f, api);
      ProcessResult r = f.Run({"apply", "--auto-approve"});
      INFO(r.out << r.err);
      REQUIRE(r.exit_code == 0);
      CHECK(f.Live()["www.example.com"]["fingerprint"] == f.cli.web.Fingerprint());

      // certbot renews: a new key and certificate written into the same files, same name.
      TestCert renewed =
          IssueCert({.cn = "*.example.com", .sans = {"*.example.com", "example.com"}}, &f.cli.ca);
      f.cli.dir.Write("certs/web.pem", renewed.CertPem() + f.cli.ca.CertPem());
      f.cli.dir.Write("certs/web.key", renewed.KeyPem(), 0600);
      r = f.Run({"apply", "--auto-approve"});
      INFO(r.out << r.err);
      REQUIRE(r.exit_code == 0);
      CHECK(r.out.find("Apply complete! 2 applied, 0 failed") != std::string::npos);
      if (api == "SetDomainServerCertificate") {
        CHECK(r.out.find("replaces the content of CertName web-2026 (ForceSet)") !=
              std::string::npos);
      }
      nlohmann::json live = f.Live();
      for (const char* d : {"www.example.com", "img.example.com"}) {
        INFO(d);
        CHECK(live[d]["fingerprint"] == renewed.Fingerprint());
        CHECK(f.State().entries[d].fingerprint == renewed.Fingerprint());
      }
      CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
      // And the next renewal too.
      TestCert again =
          IssueCert({.cn = "*.example.com", .sans = {"*.example.com", "example.com"}}, &f.cli.ca);
      f.cli.dir.Write("certs/web.pem", again.CertPem());
      f.cli.dir.Write("certs/web.key", again.KeyPem(), 0600);
      r = f.Run({"apply", "--auto-approve"});
      INFO(r.out << r.err);
      CHECK(r.exit_code == 0);
      CHECK(f.Live()["img.example.com"]["fingerprint"] == again.Fingerprint());
    }
  }
}

TEST_CASE("cli field: two certificates that give one name to different content are refused",
          "[cli][validate][rotation]") {
  ApplyFixture f;
  f.cli.dir.Write("more.toml",
                  "[certificate.web2]\ncert_file = \"certs/api.pem\"\nkey_env = \"API_KEY\"\n"
                  "name = \"api-2026-copy\"\n[certificate.web3]\ncert_file = \"certs/web.pem\"\n"
                  "key_file = \"certs/web.key\"\nname = \"api-2026\"\n");
  ProcessResult r = f.Run({"validate"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("both have name = \"api-2026\" but different content") != std::string::npos);
  CHECK(r.err.find("more.toml:") != std::string::npos);
  // The same content under the same name twice is fine.
  f.cli.dir.Write("more.toml",
                  "[certificate.api2]\ncert_file = \"certs/api.pem\"\nkey_env = \"API_KEY\"\n"
                  "name = \"api-2026\"\n");
  CHECK(f.Run({"validate"}).exit_code == 0);
}

TEST_CASE("cli field: switching off a domain the CDN no longer has is done and forgotten",
          "[cli][apply]") {
  ApplyFixture f;
  f.cli.dir.Write("removal.toml", "on_removal = \"disable\"\n");  // switched off, not forgotten
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  // img.example.com was deleted from the CDN, then from the configuration.
  REQUIRE(f.emu.emulator().RemoveDomain("img.example.com"));
  std::string toml = f.cli.dir.Read("certform.toml");
  toml.replace(toml.find(", \"img.example.com\""), 19, "");
  f.cli.dir.Write("certform.toml", toml);
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("img.example.com: forgotten: the domain no longer exists on the CDN (nothing "
                   "to switch off)") != std::string::npos);
  CHECK(f.State().entries.count("img.example.com") == 0);
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
}

TEST_CASE("cli field: a state entry of an account no longer configured does not block the rest",
          "[cli][apply]") {
  ApplyFixture f;
  f.cli.dir.Write("removal.toml", "on_removal = \"disable\"\n");  // switched off, not forgotten
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  std::string state = f.cli.dir.Read("certform.state.json");
  nlohmann::json doc = nlohmann::json::parse(state);
  doc["domains"]["legacy.example.com"]["account"] = "retired";
  f.cli.dir.Write("certform.state.json", doc.dump(2), 0600);
  // legacy.example.com and img.example.com leave the configuration.
  std::string toml = f.cli.dir.Read("certform.toml");
  toml.resize(toml.find("[[binding]]\nhttps = false"));
  toml.replace(toml.find(", \"img.example.com\""), 19, "");
  f.cli.dir.Write("certform.toml", toml);
  ProcessResult plan = f.Run({"plan"});
  INFO(plan.out << plan.err);
  CHECK(plan.exit_code == 0);
  CHECK(plan.err.find("legacy.example.com cannot be changed: it is in the state under account "
                      "\"retired\"") != std::string::npos);
  CHECK(plan.err.find("certform state rm legacy.example.com") != std::string::npos);
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(f.Live()["img.example.com"]["https"] == false);       // the other change went through
  CHECK(f.State().entries.count("legacy.example.com") == 1);  // until "state rm"
}

TEST_CASE("cli field: a wrong AccessKey secret stops the account after one answer",
          "[cli][apply][secrets]") {
  ApplyFixture f(EmulatorWith(20));
  f.WriteBulkConfig(20, 10);
  std::map<std::string, std::string> env = f.Env();
  env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = "not-the-secret";
  ProcessResult r = f.cli.Run({"apply", "--auto-approve", "--endpoint", f.emu.Endpoint()}, env);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  nlohmann::json counters = f.emu.emulator().CountersJson();
  CHECK(counters["rejected"].get<int>() == 1);
  CHECK(r.out.find("0 applied, 1 failed, 19 not attempted") != std::string::npos);
  CHECK(r.out.find("19 changes not attempted: SignatureDoesNotMatch") != std::string::npos);
  CHECK(r.out.find("skipped:") == std::string::npos);  // one line, not 19
  CHECK(r.out.find("account \"main\": SignatureDoesNotMatch") != std::string::npos);
}

TEST_CASE("cli field: --target, import and state commands take domains in any case",
          "[cli][plan]") {
  ApplyFixture f;
  ProcessResult r = f.Run({"plan", "--target", "WWW.Example.COM", "--detailed-exitcode"});
  CHECK(r.exit_code == 2);
  CHECK(
      PlanBlockOf(r.out, "www.example.com").starts_with("+ bind certificate \"web\" to 1 domain"));
  CHECK(r.out.find("Plan: 1 to bind") != std::string::npos);
  REQUIRE(f.Run({"apply", "--auto-approve", "--target", "WWW.EXAMPLE.COM"}).exit_code == 0);
  CHECK(f.Run({"state", "show", "Www.Example.Com"}).exit_code == 0);
  CHECK(f.Run({"state", "rm", "WWW.example.com"}).exit_code == 0);
  CHECK(f.State().entries.count("www.example.com") == 0);
  CHECK(f.Run({"import", "WWW.EXAMPLE.COM"}).exit_code == 0);
  CHECK(f.State().entries.count("www.example.com") == 1);
}

TEST_CASE("cli field: plain http is refused for anything but this machine", "[cli][secrets]") {
  ApplyFixture f;
  std::string toml = f.cli.dir.Read("certform.toml");
  toml.replace(toml.find("http://127.0.0.1:1"), 18, "http://cdn.aliyuncs.com");
  f.cli.dir.Write("certform.toml", toml);
  ProcessResult r = f.Run({"validate"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("certform.toml:3:12: error: \"endpoint\" \"http://cdn.aliyuncs.com\": plain "
                   "http:// is allowed only to this machine") != std::string::npos);
  toml.replace(toml.find("http://cdn.aliyuncs.com"), 23, "http://localhost:1");
  f.cli.dir.Write("certform.toml", toml);
  CHECK(f.Run({"validate"}).exit_code == 0);
  r = f.cli.Run({"apply", "--auto-approve", "--endpoint", "http://10.0.0.1:8080"}, f.Env());
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("--endpoint http://10.0.0.1:8080: plain http:// is allowed only to this "
                   "machine") != std::string::npos);
  CHECK(f.Calls() == 0);
}
