// End-to-end: a certificate file whose chain changes under the same leaf (cert.pem replaced by
// fullchain.pem, or the other way) is an update, sent once per domain, recorded in the state;
// through CAS it is a new upload; a chain changed on the product behind certform's back is drift.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "engine/config/certificate.h"
#include "tests/cmd/apply_fixture.h"

using namespace certform;
using namespace certform::testing;

namespace {

int Writes(ApplyFixture& f, const char* action = "SetDomainServerCertificate") {
  const nlohmann::json c = f.emu.emulator().CountersJson()["calls"];
  return c.contains(action) ? c[action]["u1"].get<int>() : 0;
}

std::string ChainOf(const std::string& pem) {
  engine::CertificateChain chain;
  REQUIRE(engine::CertificateChain::Parse(pem, &chain).ok());
  return chain.Inspect().chain_digest;
}

}  // namespace

TEST_CASE("cli chain: a new chain under the same leaf is an update, one call per domain",
          "[cli][plan][apply][chain]") {
  ApplyFixture f;
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  const engine::State before = f.State();
  const std::string with_ca = ChainOf(f.cli.web.CertPem() + f.cli.ca.CertPem());
  CHECK(before.entries.at("www.example.com").chain_digest == with_ca);
  CHECK(before.entries.at("api.example.com").chain_digest == engine::kNoIntermediatesDigest);
  // api: cert.pem replaced by the full chain; web: the other way (its CA is trusted here).
  f.cli.dir.Write("certs/api.pem", f.cli.api.CertPem() + f.cli.ca.CertPem());
  f.cli.dir.Write("certs/web.pem", f.cli.web.CertPem());

  ProcessResult plan = f.Run({"plan", "--detailed-exitcode"});
  INFO(plan.out << plan.err);
  CHECK(plan.exit_code == 2);
  const std::string short_ca = with_ca.substr(0, 8) + "…";
  CHECK(plan.out.find("chain changed (intermediates none → " + short_ca + ")") !=
        std::string::npos);
  CHECK(plan.out.find("chain changed (intermediates " + short_ca + " → none)") !=
        std::string::npos);
  CHECK(plan.out.find("Plan: 0 to bind, 3 to update, 0 to disable.") != std::string::npos);
  CHECK(plan.out.find("rename") == std::string::npos);
  const nlohmann::json doc = nlohmann::json::parse(f.Run({"plan", "--json"}).out);
  CHECK(doc["format_version"] == "1.6");
  for (const auto& c : doc["changes"]) {
    if (c["domain"] != "api.example.com") continue;
    CHECK(c["action"] == "update");
    CHECK(c["before"]["chain_digest"] == engine::kNoIntermediatesDigest);
    CHECK(c["after"]["chain_digest"] == with_ca);
    CHECK(c["certificate"]["chain_digest"] == with_ca);
    CHECK(c["certificate"]["chain_length"] == 2);
  }

  const int writes = Writes(f);
  ProcessResult apply = f.Run({"apply", "--auto-approve"});
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_code == 0);
  CHECK(Writes(f) == writes + 3);  // www, img and api: one call each
  const nlohmann::json live = f.Live();
  CHECK(live["api.example.com"]["cert_pem"] == f.cli.api.CertPem() + f.cli.ca.CertPem());
  CHECK(live["www.example.com"]["cert_pem"] == f.cli.web.CertPem());
  const engine::State after = f.State();
  CHECK(after.entries.at("api.example.com").chain_digest == with_ca);
  CHECK(after.entries.at("www.example.com").chain_digest == engine::kNoIntermediatesDigest);
  CHECK(after.entries.at("img.example.com").chain_digest == engine::kNoIntermediatesDigest);
  CHECK(after.entries.at("www.example.com").cert_name ==
        before.entries.at("www.example.com").cert_name);  // the same leaf keeps its name
  ProcessResult again = f.Run({"plan"});
  CHECK(again.out.find("No changes.") != std::string::npos);
  CHECK(f.Run({"drift", "--detailed-exitcode"}).exit_code == 0);
}

TEST_CASE("cli chain: a served chain changed behind certform's back is drift",
          "[cli][drift][chain]") {
  ApplyFixture f;
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  std::string error;
  // The same leaf, served without its CA certificate.
  REQUIRE(
      f.emu.emulator().PutDomain("www.example.com", {{"cert_pem", f.cli.web.CertPem()}}, &error));
  ProcessResult drift = f.Run({"drift", "--detailed-exitcode"});
  INFO(drift.out << drift.err);
  CHECK(drift.exit_code == 2);
  CHECK(drift.out.find("chain differs (intermediates") != std::string::npos);
  CHECK(drift.out.find("→ none, changed outside certform)") != std::string::npos);
  CHECK(drift.out.find("fingerprint") == std::string::npos);  // the leaf is the same
  // plan --refresh plans against what is served: the configured chain is sent again.
  ProcessResult plan = f.Run({"plan", "--refresh"});
  INFO(plan.out << plan.err);
  CHECK(plan.out.find("1 to update") != std::string::npos);
}

TEST_CASE("cli chain: through CAS a corrected chain is uploaded once under its own name",
          "[cli][apply][cas][chain]") {
  ApplyFixture f(EmulatorWith(3));
  f.WriteCasConfig(3);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  const engine::State before = f.State();
  REQUIRE(before.uploads.size() == 1);
  const engine::UploadEntry first = before.uploads.begin()->second;
  // The bulk certificate's file, with its CA certificate appended.
  const std::string leaf = f.cli.dir.Read("certs/bulk.pem");
  f.cli.dir.Write("certs/bulk.pem", leaf + f.cli.ca.CertPem());
  const std::string chain = ChainOf(leaf + f.cli.ca.CertPem());
  const std::string name = first.name + "-" + chain.substr(0, 8);

  ProcessResult plan = f.Run({"plan"});
  INFO(plan.out << plan.err);
  CHECK(plan.out.find("+ upload certificate \"bulk\" → CAS as " + name) != std::string::npos);
  CHECK(plan.out.find("Plan: 1 to upload, 0 to bind, 3 to update, 0 to disable.") !=
        std::string::npos);
  const int binds = Writes(f, "SetCdnDomainSSLCertificate");
  ProcessResult apply = f.Run({"apply", "--auto-approve"});
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_code == 0);
  CHECK(apply.out.find("uploaded to CAS as " + name) != std::string::npos);
  CHECK(Writes(f, "SetCdnDomainSSLCertificate") == binds + 3);
  CHECK(f.emu.emulator().CountersJson()["calls"]["UploadUserCertificate"]["u1"] == 2);
  const engine::State after = f.State();
  REQUIRE(after.uploads.size() == 2);  // the old upload stays recorded until prune
  int64_t id = 0;
  for (const auto& [key, u] : after.uploads) {
    if (u.chain_digest == chain) id = u.cert_id;
  }
  REQUIRE(id != 0);
  CHECK(id != first.cert_id);
  for (const auto& [domain, e] : after.entries) {
    CHECK(e.cert_id == id);
    CHECK(e.cert_name == name);
    CHECK(e.chain_digest == chain);
  }
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
  // The old upload is bound nowhere now: prune may delete it, and only it.
  f.SkipUnlistable();
  ProcessResult dry = f.Run({"prune", "--dry-run"});
  INFO(dry.out << dry.err);
  CHECK(dry.out.find("CertId " + std::to_string(first.cert_id)) != std::string::npos);
  CHECK(dry.out.find("Prune: 1 to delete.") != std::string::npos);
}

TEST_CASE("cli chain: a state written before chain digests plans no change, refresh learns them",
          "[cli][plan][refresh][chain]") {
  ApplyFixture f;
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  // The state as an older certform wrote it: no chain_digest anywhere.
  nlohmann::json doc = nlohmann::json::parse(f.cli.dir.Read("certform.state.json"));
  for (auto& [domain, e] : doc["domains"].items()) e.erase("chain_digest");
  f.cli.dir.Write("certform.state.json", doc.dump(2), 0600);
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);  // no update after an upgrade
  // The chain changes: unknown in the state, so the offline plan cannot tell...
  f.cli.dir.Write("certs/api.pem", f.cli.api.CertPem() + f.cli.ca.CertPem());
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
  // ...but a plan against what is served can.
  ProcessResult plan = f.Run({"plan", "--refresh"});
  INFO(plan.out << plan.err);
  CHECK(plan.out.find("chain changed (intermediates none → ") != std::string::npos);
  CHECK(plan.out.find("1 to update") != std::string::npos);
  // refresh records what is served, and says what it learned.
  ProcessResult refresh = f.Run({"refresh", "--auto-approve"});
  INFO(refresh.out << refresh.err);
  REQUIRE(refresh.exit_code == 0);
  CHECK(refresh.out.find("~ api.example.com: upload api-2026 ") != std::string::npos);
  CHECK(refresh.out.find("intermediates not recorded → upload api-2026 ") != std::string::npos);
  CHECK(refresh.out.find(", intermediates none\n") != std::string::npos);
  CHECK(f.State().entries.at("api.example.com").chain_digest == engine::kNoIntermediatesDigest);
  const int writes = Writes(f);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  CHECK(Writes(f) == writes + 1);
  CHECK(f.State().entries.at("api.example.com").chain_digest ==
        ChainOf(f.cli.api.CertPem() + f.cli.ca.CertPem()));
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
}
