// End-to-end tests of the safety of `certform prune` and of CAS recovery against the emulator,
// which follows the documented API: ListUserCertificateOrder's Keyword matches domains, not
// names, and DeleteUserCertificate deletes a certificate that domains still use (not documented
// either way: the harsher reading).
#include <set>

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cmd/apply_fixture.h"

using namespace certform;
using namespace certform::testing;

namespace {

std::set<int64_t> CasIds(ApplyFixture& f) {
  std::set<int64_t> ids;
  const nlohmann::json state = f.emu.emulator().StateJson();
  for (const auto& c : state["cas_certificates"]) ids.insert(c["id"].get<int64_t>());
  return ids;
}

// A second workspace in `dir` (its own configuration and state) on the same user: `n` domains
// team.example.com under its own certificate, uploaded through CAS.
void WriteOtherWorkspace(ApplyFixture& f, const std::string& dir, int n) {
  TestCert team =
      IssueCert({.cn = "*.team.example.com", .sans = {"*.team.example.com"}}, &f.cli.ca);
  f.cli.dir.Write(dir + "/team.pem", team.CertPem());
  f.cli.dir.Write(dir + "/team.key", team.KeyPem(), 0600);
  std::string domains;
  for (int i = 0; i < n; ++i) domains += "\"t" + std::to_string(i) + ".team.example.com\", ";
  f.cli.dir.Write(dir + "/certform.toml",
                  "[account.main]\nupload_via = \"cas\"\n[certificate.team]\ncert_file = "
                  "\"team.pem\"\nkey_file = \"team.key\"\n[[binding]]\ncertificate = \"team\"\n"
                  "domains = [" +
                      domains + "]\n");
}

emulator::EmulatorConfig WithTeamDomains(int bulk, int team) {
  emulator::EmulatorConfig c = EmulatorWith(bulk);
  for (int i = 0; i < team; ++i) {
    c.domains.push_back({"t" + std::to_string(i) + ".team.example.com", "u1", "online"});
  }
  return c;
}

constexpr char kOssWww[] = "oss:cn-hangzhou/static-site/www.example.com";

// The standard emulator plus an OSS bucket of u1 whose custom domain www.example.com is verified.
emulator::EmulatorConfig WithBucket() {
  emulator::EmulatorConfig c = EmulatorWith();
  c.buckets = {{"static-site", "cn-hangzhou", "u1", {"www.example.com"}}};
  return c;
}

// A workspace in `dir` ("." or a subdirectory) uploading through CAS, with certificate "site"
// (certs/web.pem of the fixture: one content, one CAS name in every workspace) bound on
// `product` to www.example.com (on the static-site bucket for OSS); no binding when `product`
// is empty.
void WriteSiteWorkspace(ApplyFixture& f, const std::string& dir, const std::string& product) {
  const std::string certs = dir == "." ? "certs/" : "../certs/";
  std::string toml = "[account.main]\nupload_via = \"cas\"\n[certificate.site]\ncert_file = \"" +
                     certs + "web.pem\"\nkey_file = \"" + certs + "web.key\"\n";
  if (product == "oss") {
    toml +=
        "[[binding]]\nproduct = \"oss\"\nbucket = \"static-site\"\nregion = \"cn-hangzhou\"\n"
        "certificate = \"site\"\ndomains = [\"www.example.com\"]\n";
  } else if (!product.empty()) {
    toml += "[[binding]]\nproduct = \"" + product +
            "\"\ncertificate = \"site\"\ndomains = [\"www.example.com\"]\n";
  }
  f.cli.dir.Write(dir + "/certform.toml", toml);
}

// The CertId of this workspace's (first) upload of "site".
int64_t SiteUpload(ApplyFixture& f) {
  for (const auto& [key, u] : f.State().uploads) {
    if (u.certificate == "site") return u.cert_id;
  }
  return 0;
}

int Calls(ApplyFixture& f, const char* action) {
  nlohmann::json calls = f.emu.emulator().CountersJson()["calls"];
  return calls.contains(action) ? calls[action].value("u1", 0) : 0;
}

// This workspace binds the CDN's www.example.com through CAS, then renews its certificate: the
// first upload is left unused here (a prune candidate). Returns its CertId.
int64_t RenewedCdnWorkspace(ApplyFixture& f) {
  WriteSiteWorkspace(f, ".", "cdn");
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  const int64_t first = SiteUpload(f);
  REQUIRE(first != 0);
  f.RenewWeb();
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  REQUIRE(f.State().entries.at("www.example.com").cert_id != first);
  REQUIRE(f.State().uploads.size() == 2);  // the first upload is still recorded here
  return first;
}

}  // namespace

TEST_CASE("cli prune: another workspace's certificate on the same user is never a candidate",
          "[cli][prune][cas]") {
  ApplyFixture f(WithTeamDomains(3, 4));
  f.WriteCasConfig(3);
  WriteOtherWorkspace(f, "team", 4);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  ProcessResult b = f.Run({"apply", "--auto-approve", "--config", "team"});
  INFO(b.out << b.err);
  REQUIRE(b.exit_code == 0);
  const std::set<int64_t> before = CasIds(f);
  for (const char* dir : {".", "team"}) {
    f.SkipUnlistable({}, dir);
    ProcessResult dry = f.Run({"prune", "--dry-run", "--config", dir});
    INFO(dir << "\n" << dry.out << dry.err);
    CHECK(dry.exit_code == 0);
    CHECK(dry.out.find("Nothing to prune") != std::string::npos);
    CHECK(f.Run({"prune", "--auto-approve", "--config", dir}).exit_code == 0);
  }
  CHECK(CasIds(f) == before);
}

TEST_CASE("cli prune: domains handed to another team keep their certificate", "[cli][prune][cas]") {
  ApplyFixture f(EmulatorWith(20));
  f.WriteCasConfig(20);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  const int64_t id = f.State().uploads.begin()->second.cert_id;
  // The domains go to another team: out of this state and this configuration, still live.
  std::vector<std::string> rm = {"state", "rm"};
  for (int i = 0; i < 20; ++i) rm.push_back("d" + std::to_string(i) + ".bulk.example.com");
  REQUIRE(f.Run(rm).exit_code == 0);
  f.cli.dir.Write("certform.toml", "[account.main]\nupload_via = \"cas\"\n");
  f.SkipUnlistable();
  ProcessResult r = f.Run({"prune", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("= keep CertId " + std::to_string(id) + " (account main): live domain d") !=
        std::string::npos);
  CHECK(r.out.find("Prune: 0 to delete.") != std::string::npos);
  CHECK(CasIds(f).count(id) == 1);
  CHECK(f.emu.emulator().CountersJson()["calls"].count("DeleteUserCertificate") == 0);
  // Once no live domain serves it, it goes.
  for (int i = 0; i < 20; ++i) {
    std::string error;
    f.emu.emulator().PutDomain("d" + std::to_string(i) + ".bulk.example.com", {{"https", false}},
                               &error);
  }
  r = f.Run({"prune", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  int live = 0;  // every domain of the user was read, not only those certform knew
  const nlohmann::json domains = f.Live();
  for (const auto& [name, d] : domains.items()) live += d["user"] == "u1" ? 1 : 0;
  CHECK(live > 20);
  CHECK(r.out.find("none of the " + std::to_string(live) + " live CDN, DCDN, OSS") !=
        std::string::npos);
  CHECK(r.out.find(": deleted (CertId " + std::to_string(id)) != std::string::npos);
  CHECK(CasIds(f).count(id) == 0);
  CHECK(f.State().uploads.empty());
}

TEST_CASE("cli prune: a certificate named certform-... that this state did not record is kept",
          "[cli][prune][cas]") {
  ApplyFixture f(EmulatorWith(2));
  f.WriteCasConfig(2);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  const int64_t person = f.emu.emulator().PutCasCertificate(
      {"certform-0123456789abcdef", 0, "u1", f.cli.web.CertPem(), true});
  f.SkipUnlistable();
  ProcessResult r = f.Run({"prune", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("Nothing to prune") != std::string::npos);
  CHECK(CasIds(f).count(person) == 1);
}

TEST_CASE("cli prune: when the live bindings cannot all be read, nothing is deleted",
          "[cli][prune][cas]") {
  ApplyFixture f(EmulatorWith(3));
  f.WriteCasConfig(3);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  const int64_t id = f.State().uploads.begin()->second.cert_id;
  f.cli.dir.Write("certform.toml", "[account.main]\nupload_via = \"cas\"\n");
  REQUIRE(
      f.Run({"state", "rm", "d0.bulk.example.com", "d1.bulk.example.com", "d2.bulk.example.com"})
          .exit_code == 0);
  emulator::Faults faults;
  faults.error_rate = 1.0;  // every call answers 500 or 503
  f.emu.emulator().SetFaults(faults);
  f.SkipUnlistable();
  ProcessResult r = f.Run({"prune", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("account \"main\": nothing will be deleted: cannot list the user's CDN "
                   "domains") != std::string::npos);
  f.emu.emulator().SetFaults({});
  CHECK(CasIds(f).count(id) == 1);
  CHECK(f.State().uploads.size() == 1);
}

TEST_CASE("cli prune: a delete whose answer was lost is done, and the state forgets it",
          "[cli][prune][cas]") {
  ApplyFixture f(EmulatorWith(2));
  f.WriteCasConfig(2);
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  const int64_t id = f.State().uploads.begin()->second.cert_id;
  f.cli.dir.Write("certform.toml", "[account.main]\nupload_via = \"cas\"\n");
  REQUIRE(f.Run({"state", "rm", "d0.bulk.example.com", "d1.bulk.example.com"}).exit_code == 0);
  for (const char* d : {"d0.bulk.example.com", "d1.bulk.example.com"}) {
    std::string error;
    f.emu.emulator().PutDomain(d, {{"https", false}}, &error);
  }
  emulator::Faults faults;
  faults.lose_answers["DeleteUserCertificate"] = 1;
  f.emu.emulator().SetFaults(faults);
  f.SkipUnlistable();
  ProcessResult r = f.Run({"prune", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("already gone from CAS (CertId " + std::to_string(id) + "); forgotten") !=
        std::string::npos);
  CHECK(CasIds(f).count(id) == 0);
  CHECK(f.State().uploads.empty());
}

TEST_CASE("cli cas: the first upload answer lost, apply binds every domain with one upload",
          "[cli][apply][cas]") {
  ApplyFixture f(EmulatorWith(30));
  f.WriteCasConfig(30);
  // Other uploads of the user, so that the look-up has to page (50 a page) past them.
  for (int i = 0; i < 60; ++i) {
    f.emu.emulator().PutCasCertificate(
        {"team-" + std::to_string(i), 0, "u1", f.cli.web.CertPem(), true});
  }
  emulator::Faults faults;
  faults.lose_answers["UploadUserCertificate"] = 1;
  f.emu.emulator().SetFaults(faults);
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("already in CAS as certform-") != std::string::npos);
  CHECK(r.out.find("30 applied") != std::string::npos);
  const nlohmann::json counters = f.emu.emulator().CountersJson();
  CHECK(counters["calls"]["UploadUserCertificate"]["u1"] == 2);     // the lost one and NameRepeat
  CHECK(counters["calls"]["ListUserCertificateOrder"]["u1"] == 2);  // two pages, no Keyword
  engine::State state = f.State();
  REQUIRE(state.uploads.size() == 1);
  const int64_t id = state.uploads.begin()->second.cert_id;
  int copies = 0;
  const nlohmann::json cas = f.emu.emulator().StateJson()["cas_certificates"];
  for (const auto& c : cas) {
    if (c["name"].get<std::string>().starts_with("certform-")) ++copies;
  }
  CHECK(copies == 1);
  const nlohmann::json live = f.Live();
  for (int i = 0; i < 30; ++i) {
    CHECK(live["d" + std::to_string(i) + ".bulk.example.com"]["cert_id"] == id);
  }
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
}

// Workspaces of one user share uploads: a second workspace uploading the same content meets
// NameRepeat and adopts the upload (CAS UploadUserCertificate; cas_lookup.h). So whatever this
// workspace binds, prune reads every product a CAS id can serve on.
TEST_CASE(
    "cli prune: after a hand-off, the certificate the OSS domains of another workspace "
    "serve is kept",
    "[cli][prune][cas][oss]") {
  ApplyFixture f(WithBucket());
  WriteSiteWorkspace(f, ".", "oss");
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  const int64_t id = SiteUpload(f);
  REQUIRE(id != 0);
  // The OSS bindings move to the team's workspace, which adopts the same upload...
  WriteSiteWorkspace(f, "team", "oss");
  ProcessResult team = f.Run({"apply", "--auto-approve", "--config", "team"});
  INFO(team.out << team.err);
  REQUIRE(team.exit_code == 0);
  // ... and leave this one, which binds nothing on OSS any more.
  WriteSiteWorkspace(f, ".", "");
  REQUIRE(f.Run({"state", "rm", kOssWww}).exit_code == 0);
  REQUIRE(f.State().entries.empty());

  f.SkipUnlistable();
  ProcessResult r = f.Run({"prune", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("every CDN, DCDN, OSS") != std::string::npos);
  CHECK(r.out.find(fmt::format("= keep CertId {} (account main): live domain {} serves it", id,
                               kOssWww)) != std::string::npos);
  CHECK(CasIds(f).count(id) == 1);
  CHECK(Calls(f, "DeleteUserCertificate") == 0);
  CHECK(Calls(f, "ListBuckets") >= 1);
  // The team's workspace still binds by that id.
  CHECK(f.Run({"drift", "--detailed-exitcode", "--config", "team"}).exit_code == 0);
}

TEST_CASE("cli prune: after another workspace adopted the upload for its OSS domains, it is kept",
          "[cli][prune][cas][oss]") {
  ApplyFixture f(WithBucket());
  // This workspace binds only the CDN; the team's binds OSS with the same content, adopting
  // this workspace's upload.
  WriteSiteWorkspace(f, ".", "cdn");
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  const int64_t id = SiteUpload(f);
  WriteSiteWorkspace(f, "team", "oss");
  ProcessResult team = f.Run({"apply", "--auto-approve", "--config", "team"});
  INFO(team.out << team.err);
  REQUIRE(team.exit_code == 0);
  CHECK(team.out.find("already in CAS as certform-") != std::string::npos);
  // Renewed here: the CDN moves to a new upload, the first is this workspace's candidate.
  f.RenewWeb();
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  REQUIRE(f.State().entries.at("www.example.com").cert_id != id);
  f.SkipUnlistable();
  ProcessResult r = f.Run({"prune", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find(fmt::format("= keep CertId {} (account main): live domain {} serves it", id,
                               kOssWww)) != std::string::npos);
  CHECK(CasIds(f).count(id) == 1);
  CHECK(Calls(f, "DeleteUserCertificate") == 0);
}

TEST_CASE(
    "cli prune: when OSS refuses the listing nothing is deleted, naming OSS and the "
    "permission, skip_products lets it proceed and says what was not checked",
    "[cli][prune][cas][oss]") {
  emulator::EmulatorConfig config = WithBucket();
  config.oss_list_denied = {"u1"};  // the RAM user has no oss:ListBuckets
  ApplyFixture f(config);
  const int64_t old_id = RenewedCdnWorkspace(f);

  f.SkipUnlistable();
  ProcessResult r = f.Run({"prune", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("account \"main\": nothing will be deleted: cannot list the user's OSS "
                   "domains") != std::string::npos);
  CHECK(r.out.find("AccessDenied") != std::string::npos);
  CHECK(r.out.find("the user needs oss:ListBuckets and oss:ListCname") != std::string::npos);
  CHECK(r.out.find("[prune] skip_products = [\"oss\"]") != std::string::npos);
  CHECK(CasIds(f).count(old_id) == 1);
  CHECK(Calls(f, "DeleteUserCertificate") == 0);

  // The configuration says the user has no OSS: prune goes on, and says OSS went unread.
  f.SkipUnlistable({"oss"});
  r = f.Run({"prune", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("every CDN, DCDN, ") != std::string::npos);  // and the listeners certform lists
  CHECK(r.out.find("DCDN, OSS") == std::string::npos);
  CHECK(r.out.find("OSS was not checked (skip_products): a certificate bound there would be "
                   "deleted") != std::string::npos);
  CHECK(r.out.find(fmt::format(": deleted (CertId {}", old_id)) != std::string::npos);
  CHECK(CasIds(f).count(old_id) == 0);
}

TEST_CASE("cli prune: skip_products is checked with file and line", "[cli][prune][config]") {
  ApplyFixture f(WithBucket());
  WriteSiteWorkspace(f, ".", "oss");
  f.cli.dir.Write("prune.toml", "[prune]\nskip_products = [\"os\"]\n");
  ProcessResult typo = f.Run({"validate"});
  INFO(typo.out << typo.err);
  CHECK(typo.exit_code == 1);
  CHECK(typo.err.find("prune.toml:2") != std::string::npos);
  CHECK(typo.err.find("unknown product \"os\" in skip_products") != std::string::npos);
  CHECK(typo.err.find("did you mean \"oss\"?") != std::string::npos);
  // Skipping a product the configuration binds on is a contradiction.
  f.cli.dir.Write("prune.toml", "[prune]\nskip_products = [\"oss\"]\n");
  ProcessResult bound = f.Run({"validate"});
  INFO(bound.out << bound.err);
  CHECK(bound.exit_code == 1);
  CHECK(bound.err.find("skip_products names OSS, yet the configuration binds " +
                       std::string(kOssWww) + " there") != std::string::npos);
}
