// End-to-end tests of OSS custom domains (product = "oss", bucket, region) beside the CDN's: one
// configuration and plan, the certificate uploaded once to CAS and bound by id on the bucket
// (PutCname), read back with ListCname, OSS's own rules and errors (one bucket a domain,
// unverified and detached domains, Disabled certificates, PreviousCertId, moves), and prune
// walking every bucket before it deletes. What every product does alone (create, rotate, drift,
// import, forget, a refused key, throttling, lost answers, prune) is
// product_conformance_test.cc's, OSS one of its rows.
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "providers/alicloud/oss_cnames.h"
#include "providers/curl_transport.h"
#include "tests/cmd/apply_fixture.h"

using namespace certform;
using namespace certform::testing;

namespace {

constexpr char kWww[] = "oss:cn-hangzhou/static-site/www.example.com";
constexpr char kFiles[] = "oss:cn-hangzhou/static-site/files.example.com";

emulator::EmulatorConfig WithBuckets(int bulk = 0) {
  emulator::EmulatorConfig c = EmulatorWith();
  emulator::BucketSeed site{
      "static-site", "cn-hangzhou", "u1", {"www.example.com", "files.example.com"}};
  for (int i = 0; i < bulk; ++i) site.verified_domains.push_back(fmt::format("o{}.example.com", i));
  c.buckets = {site,
               {"archive", "cn-shanghai", "u1", {"old.example.com"}},
               {"theirs", "cn-shanghai", "u2", {"x.example.com"}}};
  return c;
}

// The standard configuration, uploading through CAS, plus `domains` on the static-site bucket.
void AddOssBinding(ApplyFixture& f,
                   const std::string& domains = "\"www.example.com\", \"files.example.com\"") {
  f.cli.UploadViaCas();
  f.cli.dir.Write("oss.toml",
                  "[[binding]]\nproduct = \"oss\"\nbucket = \"static-site\"\nregion = "
                  "\"cn-hangzhou\"\ncertificate = \"web\"\ndomains = [" +
                      domains + "]\n");
}

nlohmann::json Oss(ApplyFixture& f) { return f.emu.emulator().StateJson()["oss_cnames"]; }

int Calls(ApplyFixture& f, const char* action) {
  nlohmann::json calls = f.emu.emulator().CountersJson()["calls"];
  return calls.contains(action) ? calls[action].value("u1", 0) : 0;
}

// Someone else's change on a bucket, through the API (not certform).
engine::Status PutByHand(ApplyFixture& f, const std::string& bucket, const std::string& region,
                         const engine::BindingRequest& request) {
  providers::CurlTransport transport{providers::CurlOptions{}};
  engine::SystemClock clock;
  alicloud::OssCnames oss(transport, clock,
                          std::make_shared<alicloud::StaticCredentialSource>(
                              alicloud::Credentials{"testid", kSecret, "", "test"}),
                          f.emu.Endpoint());
  engine::CallResult result;
  return oss.Put({bucket, region}, request, &result);
}

}  // namespace

TEST_CASE(
    "cli oss: bound by CAS id on its bucket beside the CDN, drift reads ListCname and its "
    "expiry",
    "[cli][oss]") {
  ApplyFixture f(WithBuckets());
  AddOssBinding(f);
  ProcessResult plan = f.Run({"plan"});
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  CHECK(PlanBlockOf(plan.out, kWww).starts_with("+ bind certificate \"web\" to "));
  const nlohmann::json doc = nlohmann::json::parse(f.Run({"plan", "--json"}).out);
  bool seen = false;
  for (const auto& c : doc["changes"]) {
    if (c["domain"] != kWww) continue;
    seen = true;
    CHECK(c["product"] == "oss");
    CHECK(c["domain_name"] == "www.example.com");
    CHECK(c["bucket"] == "static-site");
    CHECK(c["region"] == "cn-hangzhou");
  }
  CHECK(seen);
  const std::string md = f.Run({"plan", "--format", "markdown"}).out;
  INFO(md);
  CHECK(md.find("\n- **main** · OSS bucket `cn-hangzhou/static-site` · ") != std::string::npos);
  CHECK(md.find("www.example.com") != std::string::npos);

  ProcessResult r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  nlohmann::json counters = f.emu.emulator().CountersJson();
  CHECK(counters["keys_received"] == 2);  // web and api, each once: OSS is bound by id
  CHECK(Calls(f, "PutCname") == 2);
  engine::State state = f.State();
  int64_t web_id = 0;
  for (const auto& [key, u] : state.uploads) {
    if (u.certificate == "web") web_id = u.cert_id;
  }
  REQUIRE(web_id != 0);
  CHECK(Oss(f)["www.example.com"]["cert_id"] == web_id);
  CHECK(Oss(f)["www.example.com"]["bucket"] == "static-site");
  CHECK(f.Live()["www.example.com"]["cert_id"] == web_id);  // the same upload on the CDN
  REQUIRE(state.entries.count(kWww) == 1);
  CHECK(state.entries.at(kWww).cert_id == web_id);
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
  const int lists = Calls(f, "ListCname");
  CHECK(f.Run({"drift", "--detailed-exitcode"}).exit_code == 0);
  CHECK(Calls(f, "ListCname") == lists + 2);
  // The expiry OSS reports (ValidEndDate) feeds drift's warnings: 90 days left, warned at 100.
  std::string toml = f.cli.dir.Read("certform.toml");
  f.cli.dir.Write("certform.toml", "expiry_warning_days = 100\n" + toml);
  const nlohmann::json expiring = nlohmann::json::parse(f.Run({"drift", "--json"}).out)["expiring"];
  bool warned = false;
  for (const auto& e : expiring) warned = warned || (e["domain"] == kWww && e["days_left"] >= 89);
  CHECK(warned);
  f.cli.dir.Write("certform.toml", toml);
}

TEST_CASE("cli oss: a domain detached from its bucket by hand, then removed, is forgotten",
          "[cli][oss][removal]") {
  ApplyFixture f(WithBuckets());
  AddOssBinding(f);
  f.cli.dir.Write("removal.toml", "on_removal = \"disable\"\n");
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  // Detached from the bucket by hand, then removed from the configuration: nothing is left to
  // delete there, and the state forgets it instead of failing at every apply.
  f.emu.emulator().DetachCname("files.example.com");
  AddOssBinding(f, "\"www.example.com\"");
  const int puts = Calls(f, "PutCname");
  ProcessResult gone = f.Run({"apply", "--auto-approve"});
  INFO(gone.out << gone.err);
  CHECK(gone.exit_code == 0);
  CHECK(gone.out.find("forgotten: the domain no longer exists on OSS") != std::string::npos);
  CHECK(f.State().entries.count(kFiles) == 0);
  CHECK(f.State().entries.count(kWww) == 1);
  CHECK(Calls(f, "PutCname") == puts);
}

TEST_CASE("cli oss: the configuration names bucket and region, and refuses what OSS cannot do",
          "[cli][oss][config]") {
  CliFixture cli;
  cli.WriteStandardConfig();
  auto validate = [&](const std::string& oss_toml) {
    cli.dir.Write("oss.toml", oss_toml);
    return cli.Run({"validate"});
  };
  ProcessResult r = validate(
      "[[binding]]\nproduct = \"oss\"\nregion = \"cn-hangzhou\"\ncertificate = \"web\"\n"
      "domains = [\"www.example.com\"]\n");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("oss.toml:1:1") != std::string::npos);
  CHECK(r.err.find("a binding with product = \"oss\" needs \"bucket\"") != std::string::npos);
  r = validate(
      "[[binding]]\nbucket = \"static-site\"\ncertificate = \"web\"\ndomains = "
      "[\"www.example.com\"]\n");
  CHECK(r.err.find("oss.toml:2:10") != std::string::npos);
  CHECK(r.err.find("\"bucket\" is only for product = \"oss\"") != std::string::npos);
  r = validate(
      "[[binding]]\nproduct = \"oss\"\nbucket = \"Static_Site\"\nregion = "
      "\"cn-hangzhou\"\ncertificate = \"web\"\ndomains = [\"www.example.com\"]\n");
  CHECK(r.err.find("invalid bucket \"Static_Site\"") != std::string::npos);
  // A wildcard, and a certificate sent by content (the account does not upload through CAS).
  r = validate(
      "[[binding]]\nproduct = \"oss\"\nbucket = \"static-site\"\nregion = "
      "\"cn-hangzhou\"\ncertificate = \"web\"\ndomains = [\"*.example.com\", "
      "\"www.example.com\"]\n");
  CHECK(r.err.find("oss.toml:6:12: error: OSS does not support wildcard domains") !=
        std::string::npos);
  CHECK(r.err.find("www.example.com is bound on OSS, which takes certificates from Certificate "
                   "Management Service by id") != std::string::npos);
  CHECK(r.err.find("set upload_via = \"cas\" in [account.main]") != std::string::npos);
  // One domain on two buckets.
  cli.UploadViaCas();
  r = validate(
      "[[binding]]\nproduct = \"oss\"\nbucket = \"static-site\"\nregion = \"cn-hangzhou\"\n"
      "certificate = \"web\"\ndomains = [\"www.example.com\"]\n"
      "[[binding]]\nproduct = \"oss\"\nbucket = \"archive\"\nregion = \"cn-shanghai\"\n"
      "certificate = \"web\"\ndomains = [\"www.example.com\"]\n");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("domain \"www.example.com\" is bound on two OSS buckets") != std::string::npos);
  CHECK(r.err.find("first bound at") != std::string::npos);
  r = validate(
      "[[binding]]\nproduct = \"oss\"\nbucket = \"static-site\"\nregion = \"cn-hangzhou\"\n"
      "certificate = \"web\"\ndomains = [\"www.example.com\"]\n");
  INFO(r.err);
  CHECK(r.exit_code == 0);
}

TEST_CASE("cli oss: an unverified domain fails alone", "[cli][oss]") {
  ApplyFixture f(WithBuckets(3));
  std::string domains = "\"www.example.com\", \"unverified.example.com\"";
  for (int i = 0; i < 3; ++i) domains += fmt::format(", \"o{}.example.com\"", i);
  AddOssBinding(f, domains);
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("NeedVerifyDomainOwnership") != std::string::npos);
  engine::State state = f.State();
  CHECK(state.entries.count("oss:cn-hangzhou/static-site/unverified.example.com") == 0);
  CHECK(state.entries.count("oss:cn-hangzhou/static-site/o2.example.com") == 1);
  CHECK(state.entries.count("www.example.com") == 1);  // the CDN's went through
  CHECK(Oss(f)["o2.example.com"]["https"] == true);
}

TEST_CASE("cli oss: prune walks every bucket and keeps a certificate an OSS domain serves",
          "[cli][oss][cas]") {
  ApplyFixture f(WithBuckets());
  AddOssBinding(f);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  int64_t old_id = 0;
  for (const auto& [key, u] : f.State().uploads) {
    if (u.certificate == "web") old_id = u.cert_id;
  }
  f.RenewWeb();
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  // Someone binds the old certificate on a bucket certform does not manage.
  REQUIRE(PutByHand(f, "archive", "cn-shanghai",
                    {.address = {"oss", {"cn-shanghai", "archive"}, "old.example.com"},
                     .cert_type = "cas",
                     .cert_id = old_id})
              .ok());
  f.SkipUnlistable();
  ProcessResult prune = f.Run({"prune", "--auto-approve"});
  INFO(prune.out << prune.err);
  CHECK(prune.exit_code == 0);
  CHECK(prune.out.find("every CDN, DCDN, OSS") != std::string::npos);
  CHECK(prune.out.find(fmt::format("= keep CertId {} (account main): live domain "
                                   "oss:cn-shanghai/archive/old.example.com serves it",
                                   old_id)) != std::string::npos);
  CHECK(Calls(f, "ListBuckets") == 1);
  CHECK(Calls(f, "DeleteUserCertificate") == 0);
  // Switched off there: nothing serves it any more, and prune deletes it.
  REQUIRE(
      PutByHand(f, "archive", "cn-shanghai",
                {.address = {"oss", {"cn-shanghai", "archive"}, "old.example.com"}, .https = false})
          .ok());
  ProcessResult again = f.Run({"prune", "--auto-approve"});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK(Calls(f, "DeleteUserCertificate") == 1);
  CHECK(Calls(f, "ListBuckets") == 2);
}

TEST_CASE("cli oss: a certificate disabled by hand is drift, and refresh records HTTPS off",
          "[cli][oss]") {
  ApplyFixture f(WithBuckets());
  AddOssBinding(f);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  CHECK(f.Run({"drift", "--detailed-exitcode"}).exit_code == 0);
  // Disabled in the console behind certform's back: ListCname reports Certificate/Status
  // "Disabled" (https://www.alibabacloud.com/help/en/oss/developer-reference/listcname), the
  // CertId unchanged. Nothing is served: drift reports it on that binding alone.
  std::string error;
  REQUIRE(f.emu.emulator().SetCnameCertificateStatus("www.example.com", "Disabled", &error));
  ProcessResult drift = f.Run({"drift", "--detailed-exitcode"});
  INFO(drift.out << drift.err);
  CHECK(drift.exit_code == 2);
  CHECK(drift.out.find(kWww) != std::string::npos);
  CHECK(drift.out.find(kFiles) == std::string::npos);
  ProcessResult refresh = f.Run({"refresh", "--auto-approve"});
  INFO(refresh.out << refresh.err);
  REQUIRE(refresh.exit_code == 0);
  CHECK(f.State().entries.at(kWww).https == false);
  CHECK(f.State().entries.at(kFiles).https == true);
  // The plan binds it again, and the bind enables the certificate.
  ProcessResult plan = f.Run({"plan"});
  CHECK(PlanBlockOf(plan.out, kWww).starts_with("~ update 1 domain to certificate \"web\"\n"));
  ProcessResult repair = f.Run({"apply", "--auto-approve"});
  INFO(repair.out << repair.err);
  REQUIRE(repair.exit_code == 0);
  CHECK(Oss(f)["www.example.com"]["certificate_status"] == "Enabled");
  CHECK(f.Run({"drift", "--detailed-exitcode"}).exit_code == 0);
}

TEST_CASE(
    "cli oss: a certificate changed by hand between plan and apply is refused, not "
    "overwritten",
    "[cli][oss]") {
  ApplyFixture f(WithBuckets());
  AddOssBinding(f);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  const int64_t web_id = f.State().entries.at(kWww).cert_id;
  REQUIRE(web_id != 0);
  TestCert next = f.RenewWeb();
  ProcessResult plan = f.Run({"plan", "--out", "rotate.cfp"});
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  // Meanwhile someone binds the shop certificate (CAS 8089870) on www by hand.
  REQUIRE(PutByHand(f, "static-site", "cn-hangzhou",
                    {.address = {"oss", {"cn-hangzhou", "static-site"}, "www.example.com"},
                     .cert_type = "cas",
                     .cert_id = 8089870,
                     .cert_region = "cn-hangzhou"})
              .ok());
  ProcessResult apply = f.Run({"apply", "rotate.cfp"});
  INFO(apply.out << apply.err);
  CHECK(apply.exit_code == 1);
  CHECK(apply.out.find("changed since the plan") != std::string::npos);
  CHECK(apply.out.find(fmt::format("certform last saw CertId {}", web_id)) != std::string::npos);
  CHECK(apply.out.find("now it has CertId 8089870") != std::string::npos);
  CHECK(apply.out.find("certform refresh") != std::string::npos);
  CHECK(Oss(f)["www.example.com"]["cert_id"] == 8089870);  // the hand-made change stands
  // The other domain, unchanged by hand, was rotated with PreviousCertId.
  int64_t new_id = 0;
  for (const auto& [key, u] : f.State().uploads) {
    if (u.fingerprint == next.Fingerprint()) new_id = u.cert_id;
  }
  REQUIRE(new_id != 0);
  CHECK(Oss(f)["files.example.com"]["cert_id"] == new_id);
  CHECK(f.State().entries.at(kWww).cert_id == web_id);  // the state still says what it saw

  // As the error says: refresh records what is there, and the plan then replaces it knowingly.
  REQUIRE(f.Run({"refresh", "--auto-approve"}).exit_code == 0);
  CHECK(f.State().entries.at(kWww).cert_id == 8089870);
  ProcessResult again = f.Run({"apply", "--auto-approve"});
  INFO(again.out << again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(Oss(f)["www.example.com"]["cert_id"] == new_id);

  // Switching HTTPS off over a certificate changed by hand is refused too, not forced.
  REQUIRE(PutByHand(f, "static-site", "cn-hangzhou",
                    {.address = {"oss", {"cn-hangzhou", "static-site"}, "www.example.com"},
                     .cert_type = "cas",
                     .cert_id = 8089870,
                     .cert_region = "cn-hangzhou"})
              .ok());
  f.cli.dir.Write("oss.toml",
                  "[[binding]]\nproduct = \"oss\"\nbucket = \"static-site\"\nregion = "
                  "\"cn-hangzhou\"\ncertificate = \"web\"\ndomains = [\"files.example.com\"]\n"
                  "[[binding]]\nproduct = \"oss\"\nbucket = \"static-site\"\nregion = "
                  "\"cn-hangzhou\"\nhttps = false\ndomains = [\"www.example.com\"]\n");
  ProcessResult off = f.Run({"apply", "--auto-approve"});
  INFO(off.out << off.err);
  CHECK(off.exit_code == 1);
  CHECK(off.out.find("changed since the plan") != std::string::npos);
  CHECK(Oss(f)["www.example.com"]["https"] == true);
  CHECK(Oss(f)["www.example.com"]["cert_id"] == 8089870);
}

TEST_CASE("cli oss: a move whose bind at the new place fails leaves the old binding as it was",
          "[cli][oss][removal]") {
  ApplyFixture f(WithBuckets());
  AddOssBinding(f);
  // The harsher setting: the old binding would be switched off if the move went ahead blindly.
  f.cli.dir.Write("removal.toml", "on_removal = \"disable\"\n");
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  const nlohmann::json live = f.AdminState()["oss_cnames"];
  REQUIRE(live["www.example.com"]["https"] == true);
  const engine::State state = f.State();
  // Another region (the bucket lives in cn-hangzhou: OSS refuses the other region's endpoint,
  // AccessDenied), then another bucket that has not verified the domain
  // (NeedVerifyDomainOwnership).
  struct Move {
    std::string bucket, region, code;
  };
  for (const Move& m : {Move{"static-site", "cn-shanghai", "AccessDenied"},
                        Move{"archive", "cn-shanghai", "NeedVerifyDomainOwnership"}}) {
    f.cli.dir.Write("oss.toml", "[[binding]]\nproduct = \"oss\"\nbucket = \"" + m.bucket +
                                    "\"\nregion = \"" + m.region +
                                    "\"\ncertificate = \"web\"\ndomains = [\"www.example.com\"]\n"
                                    "[[binding]]\nproduct = \"oss\"\nbucket = \"static-site\"\n"
                                    "region = \"cn-hangzhou\"\ncertificate = \"web\"\n"
                                    "domains = [\"files.example.com\"]\n");
    const std::string to = "oss:" + m.region + "/" + m.bucket + "/www.example.com";
    ProcessResult plan = f.Run({"plan"});
    INFO(plan.out << plan.err);
    CHECK(PlanBlockOf(plan.out, to).starts_with("+ bind certificate \"web\" to 1 domain\n"));
    CHECK(PlanBlockOf(plan.out, to).find(to + " (moved from " + kWww + ")\n") != std::string::npos);
    CHECK(PlanBlockOf(plan.out, kWww)
              .starts_with("- switch HTTPS off on 1 domain, then forget it\n"));
    CHECK(PlanBlockOf(plan.out, kWww).find(std::string(kWww) + " (moved to " + to + ")\n") !=
          std::string::npos);
    CHECK(plan.out.find("Plan: 1 to bind, 0 to update, 1 to disable (1 move).") !=
          std::string::npos);
    ProcessResult r = f.Run({"apply", "--auto-approve"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find(to + ": FAILED: " + m.code) != std::string::npos);
    CHECK(r.out.find("1 change not attempted: its move to " + to +
                     " did not succeed, so it stays as it was") != std::string::npos);
    // Live (read through the emulator's admin endpoint) and in the state, as it was.
    CHECK(f.AdminState()["oss_cnames"] == live);
    const engine::State after = f.State();
    CHECK(after.entries == state.entries);
  }
}

TEST_CASE("cli oss: a move to the CDN binds there first, then deals with the OSS binding",
          "[cli][oss][removal]") {
  emulator::EmulatorConfig config = WithBuckets(1);  // o0.example.com on static-site too
  config.domains.push_back({"files.example.com", "u1", "online"});
  config.domains.push_back({"o0.example.com", "u1", "online"});
  ApplyFixture f(config);
  AddOssBinding(f, "\"www.example.com\", \"files.example.com\", \"o0.example.com\"");
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  const nlohmann::json oss = f.AdminState()["oss_cnames"];
  REQUIRE(oss["files.example.com"]["https"] == true);

  // files.example.com moves to the CDN; by default its OSS binding is forgotten and left serving.
  AddOssBinding(f, "\"www.example.com\", \"o0.example.com\"");
  f.cli.dir.Write("moved.toml",
                  "[[binding]]\ncertificate = \"web\"\ndomains = [\"files.example.com\"]\n");
  ProcessResult plan = f.Run({"plan"});
  INFO(plan.out << plan.err);
  CHECK(PlanBlockOf(plan.out, "files.example.com")
            .starts_with("+ bind certificate \"web\" to 1 domain\n"));
  CHECK(PlanBlockOf(plan.out, "files.example.com")
            .find("files.example.com (moved from " + std::string(kFiles) + ")\n") !=
        std::string::npos);
  CHECK(
      PlanBlockOf(plan.out, kFiles).starts_with("- forget 1 domain; its live certificate stays\n"));
  CHECK(
      PlanBlockOf(plan.out, kFiles).find(std::string(kFiles) + " (moved to files.example.com)\n") !=
      std::string::npos);
  CHECK(plan.out.find("Plan: 1 to bind, 0 to update, 0 to disable, 1 to forget (1 move).") !=
        std::string::npos);
  const nlohmann::json doc = nlohmann::json::parse(f.Run({"plan", "--json"}).out);
  CHECK(doc["summary"]["move"] == 1);
  for (const auto& c : doc["changes"]) {
    if (c["domain"] == kFiles) CHECK(c["moved_to"] == "files.example.com");
    if (c["domain"] == "files.example.com") CHECK(c["moved_from"] == kFiles);
  }
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find(std::string(kFiles) + ": forgotten; its live certificate stays") !=
        std::string::npos);
  nlohmann::json admin = f.AdminState();
  CHECK(admin["domains"]["files.example.com"]["https"] == true);
  CHECK(admin["domains"]["files.example.com"]["cert_id"] == oss["files.example.com"]["cert_id"]);
  CHECK(admin["oss_cnames"]["files.example.com"] == oss["files.example.com"]);
  engine::State state = f.State();
  CHECK(state.entries.count(kFiles) == 0);
  CHECK(state.entries.count("files.example.com") == 1);

  // With on_removal = "disable", o0.example.com's OSS binding is switched off once the CDN's is
  // made.
  f.cli.dir.Write("removal.toml", "on_removal = \"disable\"\n");
  AddOssBinding(f, "\"www.example.com\"");
  f.cli.dir.Write("moved.toml",
                  "[[binding]]\ncertificate = \"web\"\ndomains = [\"files.example.com\", "
                  "\"o0.example.com\"]\n");
  r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  admin = f.AdminState();
  CHECK(admin["domains"]["o0.example.com"]["https"] == true);
  CHECK(admin["oss_cnames"]["o0.example.com"]["https"] == false);
  CHECK(admin["oss_cnames"]["files.example.com"] == oss["files.example.com"]);
  state = f.State();
  CHECK(state.entries.count("oss:cn-hangzhou/static-site/o0.example.com") == 0);
  CHECK(state.entries.count("o0.example.com") == 1);
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
}
