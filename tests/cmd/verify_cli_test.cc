// End-to-end tests of certform verify, apply --verify and drift --verify: real TLS handshakes
// against the emulator's edge (its TLS port on 127.0.0.1), and the failing expiry check.
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cmd/apply_fixture.h"

using namespace certform;
using namespace certform::testing;

namespace {

// The standard configuration with every handshake sent to the emulator's edge, and `extra`
// lines in [verify].
void SendToEdge(ApplyFixture& f, const std::string& extra = "") {
  f.cli.dir.Write("verify.toml", fmt::format("[verify]\nconnect = {{ \"*\" = \"127.0.0.1:{}\" }}\n"
                                             "timeout = \"5s\"\n{}",
                                             f.emu.TlsPort(), extra));
}

// A new certificate for www and img (the "web" binding), written where the configuration reads
// it: the next apply rotates both.
TestCert RotateWeb(ApplyFixture& f) {
  TestCert next = IssueCert({.sans = {"www.example.com", "img.example.com"}}, &f.cli.ca);
  f.cli.dir.Write("certs/web.pem", next.CertPem() + f.cli.ca.CertPem());
  f.cli.dir.Write("certs/web.key", next.KeyPem(), 0600);
  return next;
}

nlohmann::json Outcomes(const std::string& json) {
  nlohmann::json out = nlohmann::json::object();
  const nlohmann::json doc = nlohmann::json::parse(json);
  for (const auto& d : doc["domains"]) {
    out[d["domain"].get<std::string>()] = d["outcome"];
  }
  return out;
}

}  // namespace

TEST_CASE("cli verify: after an apply each domain's handshake presents its certificate, exit 0",
          "[cli][verify]") {
  ApplyFixture f;
  SendToEdge(f);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);

  ProcessResult r = f.Run({"verify"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("www.example.com serves \"web\" (" + f.cli.web.Fingerprint().substr(0, 8)) !=
        std::string::npos);
  CHECK(r.out.find("api.example.com serves \"api\"") != std::string::npos);
  CHECK(r.out.find("legacy.example.com not checked: HTTPS is off") != std::string::npos);
  CHECK(r.out.find("Verified: 3 of 3 domains serve the configured certificate; 1 not checked.") !=
        std::string::npos);

  ProcessResult json = f.Run({"verify", "--format", "json"});
  REQUIRE(json.exit_code == 0);
  const nlohmann::json doc = nlohmann::json::parse(json.out);
  CHECK(doc["serving"] == 3);
  for (const auto& d : doc["domains"]) {
    if (d["domain"] != "www.example.com") continue;
    // The chain as served: the leaf, then the CA the configuration's file holds.
    CHECK(d["served_chain"] ==
          nlohmann::json::array({f.cli.web.Fingerprint(), f.cli.ca.Fingerprint()}));
    CHECK(d["connect"] == fmt::format("127.0.0.1:{}", f.emu.TlsPort()));
  }
  ProcessResult md = f.Run({"verify", "--format", "markdown"});
  CHECK(md.exit_code == 0);
  CHECK(md.out.find("### certform verify: verified") == 0);
}

TEST_CASE("cli verify: while a rotation propagates the stale domains are named, then it passes",
          "[cli][verify]") {
  ApplyFixture f;
  SendToEdge(f);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  // An hour's delay: nothing propagates by itself while the test runs.
  f.emu.emulator().edge().SetPropagation({std::chrono::hours(1), 0});
  const TestCert next = RotateWeb(f);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);

  ProcessResult stale = f.Run({"verify"});
  INFO(stale.out << stale.err);
  CHECK(stale.exit_code == 2);
  // verify alone does not know what was served before: another certificate, by fingerprint.
  CHECK(stale.out.find("www.example.com serves another certificate, " +
                       f.cli.web.Fingerprint().substr(0, 8)) != std::string::npos);
  CHECK(stale.out.find("img.example.com serves another certificate") != std::string::npos);
  CHECK(stale.out.find("api.example.com serves \"api\"") != std::string::npos);
  CHECK(Outcomes(f.Run({"verify", "--json"}).out)["www.example.com"] == "other");

  f.emu.emulator().edge().PropagateAll();
  ProcessResult done = f.Run({"verify"});
  INFO(done.out << done.err);
  CHECK(done.exit_code == 0);
  CHECK(done.out.find("www.example.com serves \"web\" (" + next.Fingerprint().substr(0, 8)) !=
        std::string::npos);
}

TEST_CASE(
    "cli apply --verify: waits for propagation, printing the domains still on the old "
    "certificate, then passes",
    "[cli][verify]") {
  ApplyFixture f;
  SendToEdge(f);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  // Each changed domain's first handshake after the change still gets the old certificate.
  f.emu.emulator().edge().SetPropagation({std::chrono::seconds(0), 1});
  RotateWeb(f);

  ProcessResult r = f.Run({"apply", "--auto-approve", "--verify", "--verify-timeout", "30s"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("waiting for propagation: 2 domains still serve the old certificate "
                   "(img.example.com, www.example.com); checking again in 0.5s") !=
        std::string::npos);
  CHECK(r.out.find("Verified: 3 of 3 domains serve the configured certificate") !=
        std::string::npos);
}

TEST_CASE("cli apply --verify: past the deadline the stale domains are reported, exit 2",
          "[cli][verify]") {
  ApplyFixture f;
  SendToEdge(f);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  f.emu.emulator().edge().SetPropagation({std::chrono::hours(1), 0});
  RotateWeb(f);

  ProcessResult r = f.Run({"apply", "--auto-approve", "--verify", "--verify-timeout", "1s"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("www.example.com still serves the old certificate " +
                   f.cli.web.Fingerprint().substr(0, 8)) != std::string::npos);
  CHECK(r.out.find("Not verified by the deadline (2 checks): 1 of 3 domains serve the configured "
                   "certificate; 2 still the old one; 1 not checked.") != std::string::npos);
  // The apply itself was recorded: the state holds the new certificate.
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
}

TEST_CASE(
    "cli verify: a domain serving another certificate is exit 2, naming it and what it "
    "serves",
    "[cli][verify]") {
  ApplyFixture f;
  SendToEdge(f);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  TestCert other = IssueCert({.cn = "intruder", .sans = {"www.example.com"}}, &f.cli.ca);
  std::string error;
  REQUIRE(f.emu.emulator().PutDomain(
      "www.example.com",
      {{"https", true}, {"cert_pem", other.CertPem()}, {"cert_key", other.KeyPem()}}, &error));
  ProcessResult r = f.Run({"verify"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("www.example.com serves another certificate, " +
                   other.Fingerprint().substr(0, 8) + "… (CN=intruder), not \"web\"") !=
        std::string::npos);
  CHECK(r.out.find("img.example.com serves \"web\"") != std::string::npos);

  // drift --verify counts it as drift (the API read agrees here: it was changed behind
  // certform's back), and puts the edge's report in its JSON.
  ProcessResult drift = f.Run({"drift", "--verify", "--detailed-exitcode", "--json"});
  INFO(drift.out << drift.err);
  CHECK(drift.exit_code == 2);
  const nlohmann::json doc = nlohmann::json::parse(drift.out);
  CHECK(doc["verify"]["serving"] == 2);
}

TEST_CASE(
    "cli verify: the right leaf with another intermediate of the same length is chain_differs, "
    "exit 2",
    "[cli][verify]") {
  ApplyFixture f;
  SendToEdge(f);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  // web.pem holds the leaf and the fixture's CA; the edge now sends the leaf and another CA:
  // two certificates either way, so only their contents tell.
  TestCert other_ca = IssueCert({.cn = "Other CA", .ca = true});
  std::string error;
  REQUIRE(f.emu.emulator().PutDomain(
      "www.example.com", {{"https", true}, {"cert_pem", f.cli.web.CertPem() + other_ca.CertPem()}},
      &error));
  ProcessResult r = f.Run({"verify"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("www.example.com serves \"web\" (" + f.cli.web.Fingerprint().substr(0, 8) +
                   "…) with another chain: 2 certificates, intermediates ") != std::string::npos);
  CHECK(r.out.find("the configured chain has 2, intermediates ") != std::string::npos);
  CHECK(r.out.find("img.example.com serves \"web\"") != std::string::npos);
  CHECK(Outcomes(f.Run({"verify", "--json"}).out)["www.example.com"] == "chain_differs");

  // The leaf alone: the fixture's CA is a root (issued by itself), which a server may leave out.
  REQUIRE(f.emu.emulator().PutDomain("www.example.com",
                                     {{"https", true}, {"cert_pem", f.cli.web.CertPem()}}, &error));
  CHECK(Outcomes(f.Run({"verify", "--json"}).out)["www.example.com"] == "serves");
}

TEST_CASE(
    "cli verify: a CAS certificate bound by id is checked once apply or refresh has read its "
    "leaf",
    "[cli][verify]") {
  ApplyFixture f;
  SendToEdge(f);
  // A certificate already in CAS, put there (with the key the edge needs) through the admin API.
  providers::CurlTransport transport{providers::CurlOptions{}};
  providers::HttpRequest put;
  put.method = "PUT";
  put.url = f.emu.Endpoint() + "/_emulator/cas";
  put.headers = {{"Content-Type", "application/json"}};
  put.body = nlohmann::json{{"name", "api-2026"},  // the configuration's CertName
                            {"id", 7300001},
                            {"user", "u1"},
                            {"pem", f.cli.api.CertPem()},
                            {"key", f.cli.api.KeyPem()}}
                 .dump();
  providers::HttpResponse answer;
  REQUIRE(transport.Send(put, &answer).ok());
  REQUIRE(answer.status == 200);
  CHECK(f.AdminState().dump().find("PRIVATE KEY") == std::string::npos);  // the edge's only
  std::string toml = f.cli.dir.Read("certform.toml");
  const std::string api =
      "[certificate.api]\ncert_file = \"certs/api.pem\"\nkey_env = \"API_KEY\"\n";
  REQUIRE(toml.find(api) != std::string::npos);
  toml.replace(toml.find(api), api.size(),
               "[certificate.api]\ntype = \"cas\"\ncert_id = 7300001\n");
  f.cli.dir.Write("certform.toml", toml);
  ProcessResult applied = f.Run({"apply", "--auto-approve"});
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);

  // Whatever apply learned, a state that lost the leaf (as one written by an older certform, or
  // by import) learns it again from a refresh.
  engine::State state = f.State();
  state.entries["api.example.com"].fingerprint.clear();
  state.entries["api.example.com"].not_after = 0;
  f.cli.dir.Write("certform.state.json", engine::SerializeState(state));
  ProcessResult before = f.Run({"verify", "--target", "api.example.com"});
  INFO(before.out << before.err);
  CHECK(before.exit_code == 0);
  CHECK(before.out.find("api.example.com not checked: the fingerprint of certificate \"api\" is "
                        "not known yet") != std::string::npos);

  ProcessResult refreshed = f.Run({"refresh", "--auto-approve"});
  INFO(refreshed.out << refreshed.err);
  REQUIRE(refreshed.exit_code == 0);
  CHECK(f.State().entries["api.example.com"].fingerprint == f.cli.api.Fingerprint());
  ProcessResult after = f.Run({"verify", "--target", "api.example.com"});
  INFO(after.out << after.err);
  CHECK(after.exit_code == 0);
  CHECK(after.out.find("api.example.com serves \"api\" (" + f.cli.api.Fingerprint().substr(0, 8)) !=
        std::string::npos);
  // The edge serves the CAS certificate with the key the admin API handed it: a wrong one there
  // would have failed the handshake.
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
}

TEST_CASE(
    "cli drift --verify: a domain whose HTTPS was switched off is drift at the edge too "
    "(not_serving, exit 2), not a failed check",
    "[cli][verify]") {
  ApplyFixture f;
  SendToEdge(f);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  std::string error;
  REQUIRE(f.emu.emulator().PutDomain("www.example.com", {{"https", false}}, &error));

  ProcessResult r = f.Run({"drift", "--verify", "--detailed-exitcode"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("www.example.com serves no certificate, not \"web\" (" +
                   f.cli.web.Fingerprint().substr(0, 8) + "…): HTTPS is off at the API (") !=
        std::string::npos);
  CHECK(r.out.find("1 no certificate") != std::string::npos);
  ProcessResult json = f.Run({"drift", "--verify", "--detailed-exitcode", "--json"});
  CHECK(json.exit_code == 2);
  const nlohmann::json doc = nlohmann::json::parse(json.out);
  for (const auto& d : doc["verify"]["domains"]) {
    if (d["domain"] == "www.example.com") CHECK(d["outcome"] == "not_serving");
  }
  // verify alone reads no API: the same handshake is one it could not make (exit 1).
  ProcessResult alone = f.Run({"verify"});
  CHECK(alone.exit_code == 1);
  CHECK(Outcomes(f.Run({"verify", "--json"}).out)["www.example.com"] == "failed");
}

TEST_CASE("cli verify: a refused connection and an unknown name are reported per domain, exit 1",
          "[cli][verify]") {
  ApplyFixture f;
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  // api.example.com's rule sends it to a closed port; the others reach the edge.
  f.cli.dir.Write("verify.toml", fmt::format("[verify]\nconnect = {{ \"*\" = \"127.0.0.1:{}\", "
                                             "\"api.example.com\" = \"127.0.0.1:1\" }}\n",
                                             f.emu.TlsPort()));
  ProcessResult r = f.Run({"verify"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("api.example.com could not be checked: cannot connect to 127.0.0.1:1: "
                   "Connection refused") != std::string::npos);
  CHECK(r.out.find("www.example.com serves \"web\"") != std::string::npos);

  // A domain the edge does not know: the handshake is refused with an alert.
  REQUIRE(f.emu.emulator().RemoveDomain("img.example.com"));
  ProcessResult unknown = f.Run({"verify", "--target", "img.example.com"});
  INFO(unknown.out << unknown.err);
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.out.find("img.example.com could not be checked: the TLS handshake with "
                         "127.0.0.1:" +
                         std::to_string(f.emu.TlsPort()) + " failed: tlsv1 unrecognized name") !=
        std::string::npos);
}

TEST_CASE("cli verify and drift: expiry_fail_days fails them (exit 2), naming the domains",
          "[cli][verify]") {
  ApplyFixture f;
  SendToEdge(f);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  // The fixture's certificates expire in 90 days: a 100-day threshold fails every one of them.
  ProcessResult verify = f.Run({"verify", "--expiry-fail-days", "100"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 2);
  // 89 or 90 days, as the seconds since the certificates were made fall.
  CHECK(verify.out.find("error: www.example.com: the desired certificate expires in ") !=
        std::string::npos);
  CHECK(verify.out.find("(expiry_fail_days is 100)") != std::string::npos);
  CHECK(f.Run({"verify", "--expiry-fail-days", "30"}).exit_code == 0);

  // drift, from the configuration's setting, with no --detailed-exitcode: the live certificate.
  f.cli.dir.Write("expiry.toml", "expiry_fail_days = 100\n");
  ProcessResult drift = f.Run({"drift"});
  INFO(drift.out << drift.err);
  CHECK(drift.exit_code == 2);
  CHECK(drift.out.find("error: api.example.com: the live certificate expires in ") !=
        std::string::npos);
  // The warning keeps its own threshold (expiry_warning_days, 30): no warning here.
  CHECK(drift.out.find("warning:") == std::string::npos);
  CHECK(f.Run({"drift", "--expiry-fail-days", "0"}).exit_code == 0);
}
