// End-to-end tests of drift, plan --refresh, refresh and import against the emulator.
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cmd/apply_fixture.h"

using namespace certform;
using namespace certform::testing;

namespace {

// Applies the standard configuration, then changes three bindings behind certform's back.
void ApplyThenTamper(ApplyFixture& f, const TestCert& other) {
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  std::string error;
  REQUIRE(f.emu.emulator().PutDomain("www.example.com",
                                     {{"https", true},
                                      {"cert_pem", other.CertPem()},
                                      {"cert_name", "console-upload"},
                                      {"cert_type", "upload"}},
                                     &error));
  REQUIRE(f.emu.emulator().PutDomain("img.example.com", {{"https", false}}, &error));
  REQUIRE(f.emu.emulator().RemoveDomain("api.example.com"));
}

}  // namespace

TEST_CASE("cli drift: reports exactly the domains changed outside certform, exit code 2",
          "[cli][drift]") {
  ApplyFixture f;
  TestCert other = IssueCert({.sans = {"www.example.com"}}, &f.cli.ca);
  ApplyThenTamper(f, other);
  const std::string state_before = f.cli.dir.Read("certform.state.json");

  ProcessResult r = f.Run({"drift", "--detailed-exitcode"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("fingerprint " + f.cli.web.Fingerprint().substr(0, 8) + "…→" +
                   other.Fingerprint().substr(0, 8) + "… (changed outside certform)") !=
        std::string::npos);
  CHECK(r.out.find("CertName ") != std::string::npos);
  CHECK(r.out.find("img.example.com (account main)\n    https on→off") != std::string::npos);
  CHECK(r.out.find("api.example.com (account main)\n    domain no longer exists") !=
        std::string::npos);
  CHECK(r.out.find("legacy.example.com") == std::string::npos);
  CHECK(r.out.find("Drift: 3 of 4 domains differ from the state.") != std::string::npos);

  ProcessResult json = f.Run({"drift", "--json"});
  CHECK(json.exit_code == 0);  // without --detailed-exitcode drift is not an error
  nlohmann::json doc = nlohmann::json::parse(json.out);
  CHECK(doc["drift"] == true);
  std::set<std::string> drifted;
  for (const auto& d : doc["drifted"]) drifted.insert(d["domain"].get<std::string>());
  CHECK(drifted == std::set<std::string>{"api.example.com", "img.example.com", "www.example.com"});
  // drift writes nothing.
  CHECK(f.cli.dir.Read("certform.state.json") == state_before);
}

TEST_CASE("cli drift: plan --refresh and apply repair the drift, then drift exits 0",
          "[cli][drift]") {
  ApplyFixture f;
  TestCert other = IssueCert({.sans = {"www.example.com"}}, &f.cli.ca);
  ApplyThenTamper(f, other);
  std::string error;
  REQUIRE(f.emu.emulator().PutDomain("api.example.com", {{"user", "u1"}}, &error));  // back, bare

  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);  // offline: sees no drift
  ProcessResult plan = f.Run({"plan", "--refresh", "--out", "repair.cfp"});
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  CHECK(plan.out.find("Changed outside certform since the last apply:") != std::string::npos);
  CHECK(plan.out.find("Plan: 0 to bind, 3 to update, 0 to disable.") != std::string::npos);
  ProcessResult apply = f.Run({"apply", "repair.cfp"});
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_code == 0);
  CHECK(f.Live()["www.example.com"]["fingerprint"] == f.cli.web.Fingerprint());
  CHECK(f.Live()["img.example.com"]["https"] == true);
  CHECK(f.Live()["api.example.com"]["fingerprint"] == f.cli.api.Fingerprint());
  ProcessResult drift = f.Run({"drift", "--detailed-exitcode"});
  CHECK(drift.exit_code == 0);
  CHECK(drift.out.find("No drift: the live bindings of 4 domains match the state.") !=
        std::string::npos);
}

TEST_CASE("cli refresh: accepts the live bindings into the state", "[cli][drift]") {
  ApplyFixture f;
  TestCert other = IssueCert({.sans = {"www.example.com"}}, &f.cli.ca);
  ApplyThenTamper(f, other);
  CHECK(f.Run({"refresh"}).exit_code == 1);  // no terminal, no --auto-approve
  ProcessResult r = f.Run({"refresh", "--auto-approve"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("- api.example.com: no longer exists on the CDN; forgotten") !=
        std::string::npos);
  CHECK(r.out.find("~ img.example.com:") != std::string::npos);
  engine::State s = f.State();
  CHECK(s.serial == 2);
  CHECK(s.entries.count("api.example.com") == 0);
  CHECK(s.entries["www.example.com"].fingerprint == other.Fingerprint());
  CHECK(s.entries["www.example.com"].certificate.empty());  // not a configured certificate
  CHECK(s.entries["img.example.com"].https == false);
  CHECK(f.Run({"drift", "--detailed-exitcode"}).exit_code == 0);
}

TEST_CASE("cli import: existing bindings are adopted, and the next plan has no changes",
          "[cli][drift]") {
  ApplyFixture f;
  std::string error;
  for (const char* d : {"www.example.com", "img.example.com"}) {
    REQUIRE(f.emu.emulator().PutDomain(
        d,
        {{"https", true},
         {"cert_pem", f.cli.web.CertPem() + f.cli.ca.CertPem()},  // web.pem's chain, as served
         {"cert_name", "certform-" + f.cli.web.Fingerprint().substr(0, 16)},
         {"cert_type", "upload"}},
        &error));
  }
  REQUIRE(f.emu.emulator().PutDomain("api.example.com",
                                     {{"https", true},
                                      {"cert_pem", f.cli.api.CertPem()},
                                      {"cert_name", "api-2026"},
                                      {"cert_type", "upload"}},
                                     &error));
  ProcessResult r = f.Run(
      {"import", "www.example.com", "img.example.com", "api.example.com", "legacy.example.com"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Imported www.example.com: upload certform-") != std::string::npos);
  CHECK(r.out.find("(certificate \"web\")") != std::string::npos);
  // Only reads: nothing written to the CDN, nothing uploaded.
  nlohmann::json calls = f.emu.emulator().CountersJson()["calls"];
  CHECK(calls["DescribeDomainCertificateInfo"]["u1"] == 4);
  CHECK_FALSE(calls.contains("SetDomainServerCertificate"));
  ProcessResult plan = f.Run({"plan", "--detailed-exitcode"});
  INFO(plan.out);
  CHECK(plan.exit_code == 0);
  CHECK(f.Run({"import", "www.example.com"}).exit_code == 1);  // already managed
  CHECK(f.Run({"import", "nope.example.com"}).err.find("the CDN does not know this domain") !=
        std::string::npos);
}

TEST_CASE("cli drift: a live certificate expiring soon is a warning", "[cli][drift]") {
  ApplyFixture f;
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  TestCert soon =
      IssueCert({.sans = {"*.example.com"}, .not_after_offset = 5 * 86400 + 600}, &f.cli.ca);
  std::string error;
  REQUIRE(f.emu.emulator().PutDomain("img.example.com",
                                     {{"https", true}, {"cert_pem", soon.CertPem()}}, &error));
  ProcessResult r = f.Run({"drift", "--json"});
  nlohmann::json doc = nlohmann::json::parse(r.out);
  REQUIRE(doc["expiring"].size() == 1);
  CHECK(doc["expiring"][0]["domain"] == "img.example.com");
  CHECK(doc["expiring"][0]["days_left"] == 5);
  ProcessResult human = f.Run({"drift"});
  CHECK(human.out.find("img.example.com: the live certificate expires in 5 days") !=
        std::string::npos);
}

TEST_CASE("cli drift: Markdown for pull requests, never a secret", "[cli][drift][secrets]") {
  ApplyFixture f;
  TestCert other = IssueCert({.sans = {"www.example.com"}}, &f.cli.ca);
  ProcessResult plan_md = f.Run({"plan", "--format", "markdown"});
  CHECK(plan_md.out.find("### certform plan") == 0);
  CHECK(plan_md.out.find("\n| main | CDN | 3 | 1 | 0 |") != std::string::npos);  // bind, disable
  CHECK(plan_md.out.find("<details><summary>Certificate details (2)</summary>") !=
        std::string::npos);
  ApplyThenTamper(f, other);
  ProcessResult drift_md = f.Run({"drift", "--format", "markdown"});
  CHECK(drift_md.out.find("### certform drift: 3 of 4 domains changed outside certform") == 0);
  INFO(drift_md.out);
  // By the certificate recorded (the state's) and what changed; the domains in <details>.
  CHECK(drift_md.out.find("| api | domain no longer exists | 1 |") != std::string::npos);
  CHECK(drift_md.out.find(
            "<details><summary>changed: domain no longer exists · 1 domain</summary>\n\n- "
            "**main** · CDN · 1 domain: api.example.com\n") != std::string::npos);
  std::vector<std::string> secrets = f.cli.Secrets();
  secrets.push_back(kSecret);
  CHECK(FindSecret(f.transcript, secrets).empty());
}

TEST_CASE("cli drift: a dead endpoint is one clear failure, never \"No drift\"", "[cli][drift]") {
  ApplyFixture f(EmulatorWith(60));
  f.WriteBulkConfig(60, 30);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  // Nothing listens on port 1: every connection is refused.
  ProcessResult r = f.cli.Run({"drift", "--endpoint", "http://127.0.0.1:1"}, f.Env());
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("No drift") == std::string::npos);
  CHECK(r.out.find("Drift unknown: 60 of 60 domains could not be read") != std::string::npos);
  // One line per cause, not one per domain.
  CHECK(r.out.find("the endpoint does not answer") != std::string::npos);
  int failure_lines = 0;
  for (size_t at = r.out.find("! "); at != std::string::npos; at = r.out.find("\n! ", at + 1)) {
    ++failure_lines;
  }
  CHECK(failure_lines <= 2);  // the calls that failed first, and the ones stopped after them
  CHECK(r.out.find(" more): account main: ") != std::string::npos);
  ProcessResult json = f.cli.Run({"drift", "--json", "--endpoint", "http://127.0.0.1:1"}, f.Env());
  CHECK(json.exit_code == 1);
  CHECK(nlohmann::json::parse(json.out)["errors"].size() == 60);
}

TEST_CASE("cli apply: a dead endpoint stops the account after one call's attempts",
          "[cli][apply]") {
  ApplyFixture f(EmulatorWith(40));
  f.WriteBulkConfig(40, 10);
  ProcessResult r =
      f.cli.Run({"apply", "--auto-approve", "--endpoint", "http://127.0.0.1:1"}, f.Env());
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("account \"main\": the endpoint does not answer") != std::string::npos);
  // Only the calls already started before the stop were tried; the rest were never sent.
  const size_t at = r.out.find("0 applied, ");
  REQUIRE(at != std::string::npos);
  const int failed = std::stoi(r.out.substr(at + 11));
  CHECK(failed < 40);
  CHECK(r.out.find(std::to_string(40 - failed) + " not attempted") != std::string::npos);
}

namespace {

// The bulk CAS configuration with one more domain, d{n}, under the same certificate (the
// certificate files are left as they are).
void AddBulkDomain(ApplyFixture& f, int n) {
  std::string toml = f.cli.dir.Read("certform.toml");
  const std::string last = "]\n";
  const size_t at = toml.rfind(last);
  REQUIRE(at != std::string::npos);
  toml.insert(at, "\"d" + std::to_string(n) + ".bulk.example.com\"");
  f.cli.dir.Write("certform.toml", toml);
}

}  // namespace

// The emulator's CAS deletes a certificate whatever binds it (DeleteUserCertificate: whether it
// refuses one in use is not documented, the harsher reading) and answers a bind by a CertId it no
// longer holds with Certificate.NotFind (CDN SetCdnDomainSSLCertificate, CertType=cas).
TEST_CASE(
    "cli drift: an upload deleted from CAS behind certform's back is drift, refresh forgets "
    "it and the next plan uploads it again",
    "[cli][drift][cas]") {
  ApplyFixture f(EmulatorWith(3));
  f.WriteCasConfig(2);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  engine::State state = f.State();
  REQUIRE(state.uploads.size() == 1);
  const engine::UploadEntry gone = state.uploads.begin()->second;
  REQUIRE(f.Run({"drift", "--detailed-exitcode"}).exit_code == 0);
  REQUIRE(f.emu.emulator().RemoveCasCertificate(gone.cert_id));

  ProcessResult drift = f.Run({"drift", "--detailed-exitcode"});
  INFO(drift.out << drift.err);
  CHECK(drift.exit_code == 2);
  CHECK(drift.out.find(fmt::format("upload {} (CertId {}, account main): no longer in Certificate "
                                   "Management Service",
                                   gone.name, gone.cert_id)) != std::string::npos);
  CHECK(drift.out.find("Run \"certform refresh\" to forget those uploads") != std::string::npos);
  const nlohmann::json doc = nlohmann::json::parse(f.Run({"drift", "--json"}).out);
  CHECK(doc["drift"] == true);
  REQUIRE(doc["uploads"].size() == 1);
  CHECK(doc["uploads"][0]["cert_id"] == gone.cert_id);
  CHECK(doc["uploads"][0]["gone"] == true);
  CHECK(f.State().uploads.size() == 1);  // drift writes nothing

  ProcessResult refresh = f.Run({"refresh", "--auto-approve"});
  INFO(refresh.out << refresh.err);
  REQUIRE(refresh.exit_code == 0);
  CHECK(refresh.out.find(fmt::format("- upload {} (CertId {}, account main)", gone.name,
                                     gone.cert_id)) != std::string::npos);
  CHECK(refresh.out.find("forgotten, the next plan uploads it again") != std::string::npos);
  CHECK(f.State().uploads.empty());
  CHECK(f.State().entries.size() == 2);  // the domains keep serving their copy

  AddBulkDomain(f, 2);
  ProcessResult plan = f.Run({"plan"});
  INFO(plan.out << plan.err);
  CHECK(plan.out.find("upload certificate \"bulk\" → CAS as " + gone.name) != std::string::npos);
  ProcessResult apply = f.Run({"apply", "--auto-approve"});
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_code == 0);
  state = f.State();
  REQUIRE(state.uploads.size() == 1);
  const int64_t fresh = state.uploads.begin()->second.cert_id;
  CHECK(fresh != gone.cert_id);
  CHECK(f.Live()["d2.bulk.example.com"]["cert_id"] == fresh);
  CHECK(f.Run({"drift", "--detailed-exitcode"}).exit_code == 0);
}

TEST_CASE(
    "cli apply: a bind by a CertId CAS no longer holds says the upload is gone, and the "
    "state forgets it so that the next apply uploads again",
    "[cli][apply][cas]") {
  ApplyFixture f(EmulatorWith(3));
  f.WriteCasConfig(2);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  const engine::UploadEntry gone = f.State().uploads.begin()->second;
  REQUIRE(f.emu.emulator().RemoveCasCertificate(gone.cert_id));
  AddBulkDomain(f, 2);

  ProcessResult refused = f.Run({"apply", "--auto-approve"});
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 1);
  CHECK((refused.out + refused.err)
            .find(fmt::format("CertId {} (certificate \"bulk\") is no longer in Certificate "
                              "Management Service",
                              gone.cert_id)) != std::string::npos);
  CHECK((refused.out + refused.err).find("certform refresh") != std::string::npos);
  CHECK(f.State().uploads.empty());
  CHECK(f.State().entries.count("d2.bulk.example.com") == 0);

  ProcessResult again = f.Run({"apply", "--auto-approve"});
  INFO(again.out << again.err);
  REQUIRE(again.exit_code == 0);
  const engine::State state = f.State();
  REQUIRE(state.uploads.size() == 1);
  CHECK(state.uploads.begin()->second.cert_id != gone.cert_id);
  CHECK(f.Live()["d2.bulk.example.com"]["cert_id"] == state.uploads.begin()->second.cert_id);
}
