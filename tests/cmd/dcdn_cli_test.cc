// End-to-end tests of bindings on DCDN (product = "dcdn") beside the CDN's: one configuration,
// one plan grouped by product, the same name bound on both, a DCDN endpoint of its own, and CAS
// uploads shared. What every product does alone (create, rotate, drift, import, forget, a refused
// key, throttling, lost answers, prune) is product_conformance_test.cc's, DCDN one of its rows.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cmd/apply_fixture.h"

using namespace certform;
using namespace certform::testing;

namespace {

emulator::EmulatorConfig WithDcdn() {
  emulator::EmulatorConfig c = EmulatorWith();
  c.dcdn_domains = {{"www.example.com", "u1", "online"}, {"dyn.example.com", "u1", "online"}};
  return c;
}

// The standard configuration plus www and dyn on DCDN with the "web" certificate.
void AddDcdnBinding(ApplyFixture& f) {
  f.cli.dir.Write("dcdn.toml",
                  "[[binding]]\nproduct = \"dcdn\"\ncertificate = \"web\"\ndomains = "
                  "[\"www.example.com\", \"dyn.example.com\"]\n");
}

nlohmann::json Dcdn(ApplyFixture& f) { return f.emu.emulator().StateJson()["dcdn_domains"]; }

int Calls(ApplyFixture& f, const char* action) {
  nlohmann::json calls = f.emu.emulator().CountersJson()["calls"];
  return calls.contains(action) ? calls[action].value("u1", 0) : 0;
}

}  // namespace

TEST_CASE(
    "cli dcdn: one plan binds CDN and DCDN, grouped by product, the same name on both, "
    "drift tells them apart",
    "[cli][dcdn]") {
  ApplyFixture f(WithDcdn());
  AddDcdnBinding(f);
  ProcessResult plan = f.Run({"plan"});
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  // One block for the certificate, each domain by its address: the CDN's first, then the DCDN's.
  const std::string block = PlanBlockOf(plan.out, "dcdn:www.example.com");
  CHECK(block.starts_with("+ bind certificate \"web\" to 4 domains\n"));
  CHECK(block == PlanBlockOf(plan.out, "www.example.com"));
  CHECK(block.find("\n      domains      img.example.com\n") != std::string::npos);
  CHECK(block.find("www.example.com\n") < block.find("dcdn:"));
  CHECK(plan.out.find("Plan: 5 to bind, 0 to update, 1 to disable.") != std::string::npos);
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
  const std::string md = f.Run({"plan", "--format", "markdown"}).out;
  INFO(md);
  CHECK(md.find("\n| main | DCDN | 2 | 0 |") != std::string::npos);
  CHECK(md.find("\n- **main** · DCDN · 2 domains · why: not in state: bind the certificate · "
                "domains: ") != std::string::npos);
  CHECK(md.find("www.example.com") != std::string::npos);

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
  // A name the CDN holds is not DCDN's.
  CHECK(f.Run({"import", "dcdn:img.example.com"}).err.find("DCDN does not know this domain") !=
        std::string::npos);
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
}

TEST_CASE("cli dcdn: upload_via = \"cas\" uploads once and binds CDN and DCDN by the same id",
          "[cli][dcdn][cas]") {
  // The same names on the CDN and on DCDN.
  emulator::EmulatorConfig config = EmulatorWith(3);
  for (int i = 0; i < 3; ++i) {
    config.dcdn_domains.push_back({"d" + std::to_string(i) + ".bulk.example.com", "u1", "online"});
  }
  ApplyFixture f(config);
  f.WriteCasConfig(3);
  f.cli.dir.Write("dcdn.toml",
                  "[[binding]]\nproduct = \"dcdn\"\ncertificate = \"bulk\"\n"
                  "domains = [\"d0.bulk.example.com\", \"d1.bulk.example.com\", "
                  "\"d2.bulk.example.com\"]\n");
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  nlohmann::json counters = f.emu.emulator().CountersJson();
  CHECK(counters["keys_received"] == 1);  // the key crossed the network once, for both
  CHECK(Calls(f, "UploadUserCertificate") == 1);
  CHECK(Calls(f, "SetDcdnDomainSSLCertificate") == 3);
  CHECK(Calls(f, "SetCdnDomainSSLCertificate") == 3);
  const int64_t id = f.State().uploads.begin()->second.cert_id;
  nlohmann::json dcdn = Dcdn(f);
  CHECK(dcdn["d0.bulk.example.com"]["cert_type"] == "cas");
  CHECK(dcdn["d0.bulk.example.com"]["cert_id"] == id);
  CHECK(dcdn["d2.bulk.example.com"]["cert_id"] == id);
  CHECK(f.Live()["d2.bulk.example.com"]["cert_id"] == id);
}
