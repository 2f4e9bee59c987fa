// End-to-end tests of bindings on DCDN (product = "dcdn") beside the CDN's: one configuration,
// one plan grouped by product, each product's own calls, limits and read-back, the same name
// bound on both, and CAS uploads shared.
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cmd/apply_fixture.h"

using namespace certform;
using namespace certform::testing;

namespace {

emulator::EmulatorConfig WithDcdn(int dcdn_domains = 0) {
  emulator::EmulatorConfig c = EmulatorWith();
  c.dcdn_domains = {{"www.example.com", "u1", "online"}, {"dyn.example.com", "u1", "online"}};
  for (int i = 0; i < dcdn_domains; ++i) {
    c.dcdn_domains.push_back({"d" + std::to_string(i) + ".dyn.example.com", "u1", "online"});
  }
  return c;
}

// The standard configuration plus www and dyn on DCDN with the "web" certificate.
void AddDcdnBinding(ApplyFixture& f, const std::string& extra_domains = "") {
  f.cli.dir.Write("dcdn.toml",
                  "[[binding]]\nproduct = \"dcdn\"\ncertificate = \"web\"\ndomains = "
                  "[\"www.example.com\", \"dyn.example.com\"" +
                      extra_domains + "]\n");
}

nlohmann::json Dcdn(ApplyFixture& f) { return f.emu.emulator().StateJson()["dcdn_domains"]; }

int Calls(ApplyFixture& f, const char* action) {
  nlohmann::json calls = f.emu.emulator().CountersJson()["calls"];
  return calls.contains(action) ? calls[action].value("u1", 0) : 0;
}

}  // namespace

TEST_CASE("cli dcdn: one plan binds CDN and DCDN, the same name on both, drift reads both",
          "[cli][dcdn]") {
  ApplyFixture f(WithDcdn());
  AddDcdnBinding(f);
  ProcessResult plan = f.Run({"plan"});
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  const size_t cdn = plan.out.find("# CDN"), dcdn = plan.out.find("# DCDN");
  REQUIRE(cdn != std::string::npos);
  REQUIRE(dcdn != std::string::npos);
  CHECK(cdn < plan.out.find("+ www.example.com will be bound"));
  CHECK(dcdn < plan.out.find("+ dcdn:www.example.com will be bound to certificate \"web\""));
  CHECK(plan.out.find("Plan: 6 to bind") != std::string::npos);
  ProcessResult json = f.Run({"plan", "--json"});
  const nlohmann::json doc = nlohmann::json::parse(json.out);
  bool seen = false;
  for (const auto& c : doc["changes"]) {
    if (c["domain"] == "dcdn:www.example.com") {
      seen = true;
      CHECK(c["product"] == "dcdn");
      CHECK(c["domain_name"] == "www.example.com");
    }
  }
  CHECK(seen);
  CHECK(f.Run({"plan", "--format", "markdown"}).out.find("| ➕ bind | DCDN | `www.example.com` |") !=
        std::string::npos);

  ProcessResult r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(Calls(f, "SetDcdnDomainSSLCertificate") == 2);
  CHECK(Calls(f, "SetDomainServerCertificate") == 4);
  CHECK(Dcdn(f)["www.example.com"]["fingerprint"] == f.cli.web.Fingerprint());
  CHECK(f.Live()["www.example.com"]["fingerprint"] == f.cli.web.Fingerprint());
  engine::State state = f.State();
  CHECK(state.entries.count("dcdn:www.example.com") == 1);
  CHECK(state.entries.count("www.example.com") == 1);
  CHECK(f.cli.dir.Read("certform.state.json").find("\"format_version\": 3") != std::string::npos);
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
  CHECK(f.Run({"drift", "--detailed-exitcode"}).exit_code == 0);
  CHECK(Calls(f, "DescribeDcdnDomainCertificateInfo") == 2);

  // Changed by hand on DCDN only: drift names the DCDN binding, not the CDN's.
  std::string error;
  REQUIRE(f.emu.emulator().PutDomain("www.example.com", {{"https", false}}, &error, "dcdn"));
  ProcessResult drift = f.Run({"drift", "--detailed-exitcode"});
  INFO(drift.out);
  CHECK(drift.exit_code == 2);
  CHECK(drift.out.find("dcdn:www.example.com") != std::string::npos);
  CHECK(drift.out.find("  www.example.com") == std::string::npos);
  // --target takes the address; plan --refresh and apply repair it.
  ProcessResult fix =
      f.Run({"plan", "--refresh", "--target", "dcdn:www.example.com", "--out", "fix.cfp"});
  CHECK(fix.err == "");
  CHECK(fix.out.find("~ dcdn:www.example.com will be updated in place") != std::string::npos);
  ProcessResult repair = f.Run({"apply", "fix.cfp"});
  CHECK(repair.err == "");
  CHECK(repair.exit_code == 0);
  CHECK(Dcdn(f)["www.example.com"]["https"] == true);
}

TEST_CASE("cli dcdn: rotate, import, and a binding removed from DCDN only", "[cli][dcdn]") {
  ApplyFixture f(WithDcdn());
  AddDcdnBinding(f);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  // Rotate: a new certificate for "web", both products updated.
  TestCert next = f.RenewWeb();
  ProcessResult rotate = f.Run({"apply", "--auto-approve"});
  INFO(rotate.out << rotate.err);
  REQUIRE(rotate.exit_code == 0);
  CHECK(Dcdn(f)["dyn.example.com"]["fingerprint"] == next.Fingerprint());
  CHECK(f.Live()["img.example.com"]["fingerprint"] == next.Fingerprint());
  // Forgotten, then imported from what DCDN serves.
  REQUIRE(f.Run({"state", "rm", "dcdn:dyn.example.com"}).exit_code == 0);
  ProcessResult imported = f.Run({"import", "dcdn:dyn.example.com"});
  INFO(imported.out << imported.err);
  REQUIRE(imported.exit_code == 0);
  CHECK(f.State().entries.at("dcdn:dyn.example.com").fingerprint == next.Fingerprint());
  CHECK(f.Run({"import", "dcdn:img.example.com"}).err.find("DCDN does not know this domain") !=
        std::string::npos);
  // Removed from the DCDN binding, with on_removal = "disable": switched off there, the CDN's www
  // untouched.
  f.cli.dir.Write("removal.toml", "on_removal = \"disable\"\n");
  f.cli.dir.Write("dcdn.toml",
                  "[[binding]]\nproduct = \"dcdn\"\ncertificate = \"web\"\ndomains = "
                  "[\"dyn.example.com\"]\n");
  ProcessResult remove = f.Run({"apply", "--auto-approve"});
  INFO(remove.out << remove.err);
  REQUIRE(remove.exit_code == 0);
  CHECK(Dcdn(f)["www.example.com"]["https"] == false);
  CHECK(f.Live()["www.example.com"]["https"] == true);
  CHECK(f.State().entries.count("dcdn:www.example.com") == 0);
}

TEST_CASE("cli dcdn: a dead DCDN endpoint fails DCDN once and leaves the CDN's changes",
          "[cli][dcdn]") {
  ApplyFixture f(WithDcdn());
  AddDcdnBinding(f);
  std::string toml = f.cli.dir.Read("certform.toml");
  toml.replace(toml.find("endpoint = \"http://127.0.0.1:1\""), 32,
               "endpoint = \"" + f.emu.Endpoint() + "\"\ndcdn_endpoint = \"http://127.0.0.1:1\"");
  f.cli.dir.Write("certform.toml", toml);
  ProcessResult r = f.cli.Run({"apply", "--auto-approve"}, f.Env());
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(Calls(f, "SetDomainServerCertificate") == 4);  // the CDN's changes all went through
  CHECK(r.out.find("dcdn:www.example.com") != std::string::npos);
  CHECK(f.State().entries.count("www.example.com") == 1);
  CHECK(f.State().entries.count("dcdn:www.example.com") == 0);
  // A refused key stops both products at once.
  ApplyFixture g(WithDcdn());
  AddDcdnBinding(g);
  auto env = g.Env();
  env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = "not-the-secret";
  std::vector<std::string> args = {"apply", "--auto-approve", "--endpoint", g.emu.Endpoint()};
  ProcessResult refused = g.cli.Run(args, env);
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 1);
  nlohmann::json counters = g.emu.emulator().CountersJson();
  CHECK(counters["rejected"].get<int>() <= 2);  // the first answer stops the account's calls
  CHECK(refused.out.find("not-the-secret") == std::string::npos);
}

TEST_CASE("cli dcdn: upload_via = \"cas\" uploads once and binds CDN and DCDN by id, DCDN's "
    "throttling is retried",
    "[cli][dcdn][cas]") {
  // The same 20 names on the CDN and on DCDN.
  emulator::EmulatorConfig config = EmulatorWith(20);
  for (int i = 0; i < 20; ++i) {
    config.dcdn_domains.push_back({"d" + std::to_string(i) + ".bulk.example.com", "u1", "online"});
  }
  config.dcdn_write_limit = 4;  // stricter than certform's 10/s: throttles, retried
  ApplyFixture f(config);
  f.WriteCasConfig(20);
  std::string domains;
  for (int i = 0; i < 20; ++i) {
    domains += (i ? ", \"d" : "\"d") + std::to_string(i) + ".bulk.example.com\"";
  }
  f.cli.dir.Write("dcdn.toml",
                  "[[binding]]\nproduct = \"dcdn\"\ncertificate = \"bulk\"\n"
                  "domains = [" +
                      domains + "]\n");
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  nlohmann::json counters = f.emu.emulator().CountersJson();
  CHECK(counters["keys_received"] == 1);  // the key crossed the network once, for both
  CHECK(Calls(f, "UploadUserCertificate") == 1);
  CHECK(Calls(f, "SetDcdnDomainSSLCertificate") >= 20);
  CHECK(Calls(f, "SetCdnDomainSSLCertificate") == 20);
  CHECK(counters["throttled"].get<int>() > 0);
  const int64_t id = f.State().uploads.begin()->second.cert_id;
  nlohmann::json dcdn = Dcdn(f);
  CHECK(dcdn["d0.bulk.example.com"]["cert_type"] == "cas");
  CHECK(dcdn["d0.bulk.example.com"]["cert_id"] == id);
  CHECK(dcdn["d19.bulk.example.com"]["cert_id"] == id);
  CHECK(f.Live()["d19.bulk.example.com"]["cert_id"] == id);
  // Renewed: a second upload, every binding moves to it, the first upload is a prune candidate.
  const std::string old_pem = f.cli.dir.Read("certs/bulk.pem");
  TestCert renewed =
      IssueCert({.cn = "*.bulk.example.com", .sans = {"*.bulk.example.com"}}, &f.cli.ca);
  f.cli.dir.Write("certs/bulk.pem", renewed.CertPem());
  f.cli.dir.Write("certs/bulk.key", renewed.KeyPem(), 0600);
  ProcessResult renew = f.Run({"apply", "--auto-approve"});
  INFO(renew.out << renew.err);
  REQUIRE(renew.exit_code == 0);
  CHECK(Calls(f, "UploadUserCertificate") == 2);
  // Someone binds the old certificate on one DCDN domain by hand: prune must see it there.
  std::string error;
  REQUIRE(f.emu.emulator().PutDomain(
      "d3.bulk.example.com",
      {{"https", true}, {"cert_type", "cas"}, {"cert_id", id}, {"cert_pem", old_pem}}, &error,
      "dcdn"));
  ProcessResult prune = f.Run({"prune", "--auto-approve"});
  INFO(prune.out << prune.err);
  CHECK(prune.exit_code == 0);
  CHECK(prune.out.find(fmt::format("= keep CertId {} (account main): live domain "
                                   "dcdn:d3.bulk.example.com serves it",
                                   id)) != std::string::npos);
  bool still_there = false;
  const nlohmann::json cas = f.emu.emulator().StateJson()["cas_certificates"];
  for (const auto& c : cas) still_there = still_there || c["id"] == id;
  CHECK(still_there);
  CHECK(Calls(f, "DeleteUserCertificate") == 0);
}
