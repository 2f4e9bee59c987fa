// End-to-end tests of upload_via = "cas": each certificate crosses the network once, to
// Certificate Management Service, and domains are bound to it by CertId.
#include <cstdio>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cmd/apply_fixture.h"

using namespace certform;
using namespace certform::testing;

namespace {

nlohmann::json CasCertificates(ApplyFixture& f) {
  return f.emu.emulator().StateJson()["cas_certificates"];
}

}  // namespace

TEST_CASE("cli cas: one upload, then every domain bound by CertId without the key",
          "[cli][apply][cas]") {
  ApplyFixture f(EmulatorWith(40));
  f.WriteCasConfig(40);
  ProcessResult plan = f.Run({"plan"});
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  CHECK(plan.out.find("+ upload certificate \"bulk\" → CAS as certform-") != std::string::npos);
  CHECK(plan.out.find("Plan: 1 to upload, 40 to bind, 0 to update, 0 to disable.") !=
        std::string::npos);
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("certificate \"bulk\": uploaded to CAS as certform-") != std::string::npos);
  CHECK(r.out.find("Apply complete! 1 uploaded, 40 applied") != std::string::npos);
  nlohmann::json counters = f.emu.emulator().CountersJson();
  CHECK(counters["keys_received"] == 1);  // the key crossed the network once
  CHECK(counters["calls"]["UploadUserCertificate"]["u1"] == 1);
  CHECK(counters["calls"]["SetCdnDomainSSLCertificate"]["u1"] == 40);
  const nlohmann::json cas = CasCertificates(f);
  REQUIRE(cas.size() == 2);  // the fixture's shop-cert and the upload
  const int64_t id = cas[1]["id"];
  engine::State state = f.State();
  REQUIRE(state.uploads.size() == 1);
  CHECK(state.uploads.begin()->second.cert_id == id);
  nlohmann::json live = f.Live();
  for (int i = 0; i < 40; ++i) {
    const std::string d = "d" + std::to_string(i) + ".bulk.example.com";
    INFO(d);
    CHECK(live[d]["cert_type"] == "cas");
    CHECK(live[d]["cert_id"] == id);
    CHECK(state.entries[d].cert_id == id);
    CHECK(state.entries[d].fingerprint == live[d]["fingerprint"]);
  }
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
  CHECK(f.Run({"drift", "--detailed-exitcode"}).exit_code == 0);
  // Another CAS certificate switched in behind certform's back, even under the same name.
  std::string error;
  f.emu.emulator().PutDomain("d3.bulk.example.com", {{"cert_id", 8089870}}, &error);
  ProcessResult drift = f.Run({"drift", "--detailed-exitcode"});
  CHECK(drift.exit_code == 2);
  CHECK(drift.out.find("cert_id " + std::to_string(id) + "→8089870") != std::string::npos);
}

TEST_CASE(
    "cli cas: an upload whose answer was lost is found by name and checked, never reused "
    "blindly",
    "[cli][apply][cas]") {
  ApplyFixture f(EmulatorWith(3));
  f.WriteCasConfig(3);
  // A previous run uploaded the certificate, then crashed before recording it.
  ProcessResult plan = f.Run({"plan", "--json"});
  const nlohmann::json doc = nlohmann::json::parse(plan.out);
  REQUIRE(doc["uploads"].size() == 1);
  const std::string name = doc["uploads"][0]["name"];
  const std::string pem = f.cli.dir.Read("certs/bulk.pem");
  const int64_t id = f.emu.emulator().PutCasCertificate({name, 0, "u1", pem, true});
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("certificate \"bulk\": already in CAS as " + name) != std::string::npos);
  CHECK(f.State().uploads.begin()->second.cert_id == id);
  CHECK(f.Live()["d0.bulk.example.com"]["cert_id"] == id);
  CHECK(CasCertificates(f).size() == 2);  // no second copy

  // A name that holds other content is an error, and nothing is bound to it.
  ApplyFixture g(EmulatorWith(3));
  g.WriteCasConfig(3);
  const std::string g_name =
      nlohmann::json::parse(g.Run({"plan", "--json"}).out)["uploads"][0]["name"];
  g.emu.emulator().PutCasCertificate({g_name, 0, "u1", g.cli.web.CertPem(), true});
  r = g.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("CAS already holds a certificate named " + g_name + " with other content") !=
        std::string::npos);
  CHECK(r.out.find("0 applied, 1 failed, 3 not attempted") != std::string::npos);
  CHECK(g.Live()["d0.bulk.example.com"]["https"] == false);
}

TEST_CASE("cli cas: a renewal uploads the new certificate once, prune deletes the old one only",
          "[cli][apply][cas][prune]") {
  ApplyFixture f(EmulatorWith(5));
  f.WriteCasConfig(5);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  const int64_t old_id = f.State().uploads.begin()->second.cert_id;
  // Someone else's certificate that happens to share nothing with certform.
  f.emu.emulator().PutCasCertificate({"team-legacy", 0, "u1", f.cli.web.CertPem(), true});
  TestCert renewed =
      IssueCert({.cn = "*.bulk.example.com", .sans = {"*.bulk.example.com"}}, &f.cli.ca);
  f.cli.dir.Write("certs/bulk.pem", renewed.CertPem());
  f.cli.dir.Write("certs/bulk.key", renewed.KeyPem(), 0600);
  ProcessResult r = f.Run({"apply", "--auto-approve", "--target", "d0.bulk.example.com"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("1 uploaded, 1 applied") != std::string::npos);  // --target pulled it in
  // The old certificate is still bound to four domains: nothing to prune yet.
  f.SkipUnlistable();
  ProcessResult dry = f.Run({"prune", "--dry-run"});
  CHECK(dry.exit_code == 0);
  CHECK(dry.out.find("Nothing to prune") != std::string::npos);
  r = f.Run({"apply", "--auto-approve"});
  CHECK(r.out.find("0 uploaded") == std::string::npos);
  CHECK(r.out.find("4 applied") != std::string::npos);
  CHECK(f.emu.emulator().CountersJson()["keys_received"] == 2);
  dry = f.Run({"prune", "--dry-run"});
  INFO(dry.out << dry.err);
  CHECK(dry.out.find("delete certform-") != std::string::npos);
  CHECK(dry.out.find("CertId " + std::to_string(old_id)) != std::string::npos);
  CHECK(dry.out.find("Prune: 1 to delete.") != std::string::npos);
  CHECK(CasCertificates(f).size() == 4);  // --dry-run deleted nothing
  ProcessResult refused = f.Run({"prune"});
  CHECK(refused.exit_code == 1);  // nobody to confirm
  ProcessResult done = f.Run({"prune", "--auto-approve"});
  INFO(done.out << done.err);
  CHECK(done.exit_code == 0);
  std::set<std::string> names;
  for (const auto& c : CasCertificates(f)) names.insert(c["name"].get<std::string>());
  CHECK(names.count("shop-cert") == 1);
  CHECK(names.count("team-legacy") == 1);
  CHECK(names.size() == 3);  // the old upload is gone, the new one stays
  CHECK(f.State().uploads.size() == 1);
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
}

TEST_CASE("cli cas: import adopts CAS-bound domains and their upload", "[cli][cas][drift]") {
  ApplyFixture f(EmulatorWith(3));
  f.WriteCasConfig(3);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  std::remove(f.cli.dir.Path("certform.state.json").c_str());
  std::remove(f.cli.dir.Path("certform.state.json.backup").c_str());
  ProcessResult r =
      f.Run({"import", "d0.bulk.example.com", "d1.bulk.example.com", "d2.bulk.example.com"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(f.State().uploads.size() == 1);
  ProcessResult plan = f.Run({"plan", "--detailed-exitcode"});
  INFO(plan.out);
  CHECK(plan.exit_code == 0);  // nothing to upload or bind again
}

TEST_CASE("cli cas: upload_via = \"cas\" needs SetCdnDomainSSLCertificate", "[cli][cas]") {
  ApplyFixture f;
  f.WriteCasConfig(2, "api = \"SetDomainServerCertificate\"\n");
  ProcessResult r = f.Run({"validate"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("upload_via = \"cas\" binds domains by CertId, which only "
                   "SetCdnDomainSSLCertificate takes") != std::string::npos);
}
