// End-to-end tests of what certform trusts (issue "trust only the configuration"): a saved plan is
// an approval of the changes the configuration and the state give, never a list of instructions;
// every address, wherever it comes from (state file, journal, plan file, import, --target,
// state show/rm, state push), passes the configuration's rules and takes one canonical form. In
// each refused case nothing reaches the emulator.
#include <sys/stat.h>

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cmd/apply_fixture.h"

using namespace certform;
using namespace certform::testing;

namespace {

// An address that would send a signed request (and, for a PutCname by content, the key) to a
// host of the attacker's choosing if certform built a URL from it.
constexpr char kHostileOss[] = "oss:cn-hangzhou/evil.example.net:8443#/www.example.com";

emulator::EmulatorConfig WithBucket() {
  emulator::EmulatorConfig c = EmulatorWith();
  c.buckets = {{"static-site", "cn-hangzhou", "u1", {"www.example.com", "files.example.com"}},
               {"other-site", "cn-hangzhou", "u1", {"www.example.com"}}};
  return c;
}

void AddOssBinding(ApplyFixture& f) {
  f.cli.UploadViaCas();
  f.cli.dir.Write("oss.toml",
                  "[[binding]]\nproduct = \"oss\"\nbucket = \"static-site\"\nregion = "
                  "\"cn-hangzhou\"\ncertificate = \"web\"\ndomains = [\"files.example.com\"]\n");
}

// Saves a plan, lets `edit` change its JSON, writes it back, applies it: the apply must be
// refused with `expected` in its message and send nothing.
void ExpectEditedPlanRefused(ApplyFixture& f, const std::function<void(nlohmann::json&)>& edit,
                             const std::string& expected) {
  ProcessResult plan = f.Run({"plan", "--out", "p.cfp"});
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  nlohmann::json doc = nlohmann::json::parse(f.cli.dir.Read("p.cfp"));
  edit(doc);
  f.cli.dir.Write("p.cfp", doc.dump(2), 0600);
  const int calls = f.Calls();
  const std::string state = f.cli.dir.Exists("certform.state.json")
                                ? f.cli.dir.Read("certform.state.json")
                                : std::string();
  ProcessResult apply = f.Run({"apply", "p.cfp"});
  INFO(apply.out << apply.err);
  CHECK(apply.exit_code == 1);
  CHECK(apply.err.find(expected) != std::string::npos);
  CHECK(f.Calls() == calls);  // nothing was sent: no upload, no bind, no read
  if (!state.empty()) CHECK(f.cli.dir.Read("certform.state.json") == state);
}

nlohmann::json& ChangeFor(nlohmann::json& doc, const std::string& domain) {
  for (auto& c : doc["changes"]) {
    if (c["domain"] == domain) return c;
  }
  FAIL("no change for " << domain);
  return doc;
}

}  // namespace

TEST_CASE("cli trust: an edited saved plan is refused and nothing is sent", "[cli][trust]") {
  ApplyFixture f(WithBucket());

  SECTION("an extra domain in neither the configuration nor the state") {
    ExpectEditedPlanRefused(
        f,
        [](nlohmann::json& doc) {
          nlohmann::json extra = ChangeFor(doc, "www.example.com");
          extra["domain"] = "victim.example.com";
          doc["changes"].push_back(extra);
        },
        "has a change for \"victim.example.com\" that they do not give");
  }
  SECTION("a change's action turned into switching HTTPS off") {
    ExpectEditedPlanRefused(
        f,
        [](nlohmann::json& doc) {
          nlohmann::json& c = ChangeFor(doc, "www.example.com");
          c["after"]["https"] = false;
        },
        "the change for www.example.com differs in \"after\"");
  }
  SECTION("cert_type changed") {
    ExpectEditedPlanRefused(
        f,
        [](nlohmann::json& doc) {
          ChangeFor(doc, "www.example.com")["after"]["cert_type"] = "cas";
        },
        "differs in \"after\"");
  }
  SECTION("another account") {
    ExpectEditedPlanRefused(
        f, [](nlohmann::json& doc) { ChangeFor(doc, "api.example.com")["account"] = "other"; },
        "the change for api.example.com differs in \"account\"");
  }
  SECTION("the file's targets narrowed to one domain") {
    ExpectEditedPlanRefused(
        f, [](nlohmann::json& doc) { doc["targets"] = {"www.example.com"}; },
        "does not match the plan the configuration and the state give now");
  }
}

TEST_CASE("cli trust: an OSS plan edited to another bucket or to a host in the bucket is refused",
          "[cli][trust][oss]") {
  ApplyFixture f(WithBucket());
  AddOssBinding(f);
  const std::string files = "oss:cn-hangzhou/static-site/files.example.com";

  SECTION("another bucket") {
    ExpectEditedPlanRefused(
        f,
        [&](nlohmann::json& doc) {
          ChangeFor(doc, files)["domain"] = "oss:cn-hangzhou/other-site/files.example.com";
        },
        "is for \"oss:cn-hangzhou/other-site/files.example.com\" in the file");
  }
  SECTION("an endpoint in the bucket name") {
    ExpectEditedPlanRefused(
        f,
        [&](nlohmann::json& doc) {
          ChangeFor(doc, files)["domain"] = "oss:cn-hangzhou/evil.example.net:8443#/x.example.com";
        },
        "is not a valid address: bucket \"evil.example.net:8443#\"");
  }
}

TEST_CASE("cli trust: an unedited saved plan applies, with --target and --refresh kept",
          "[cli][trust]") {
  ApplyFixture f;
  ProcessResult plan = f.Run({"plan", "--target", "WWW.example.com", "--out", "p.cfp"});
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  CHECK(nlohmann::json::parse(f.cli.dir.Read("p.cfp"))["targets"] ==
        nlohmann::json::array({"www.example.com"}));
  ProcessResult apply = f.Run({"apply", "p.cfp"});
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_code == 0);
  CHECK(f.Live()["www.example.com"]["fingerprint"] == f.cli.web.Fingerprint());
  CHECK(f.Live()["api.example.com"].value("fingerprint", "") !=
        f.cli.api.Fingerprint());  // not targeted: untouched

  // A plan made with --refresh is checked against a second live read at apply time: a change
  // made by hand in between makes it a different plan, refused.
  ProcessResult refreshed = f.Run({"plan", "--refresh", "--out", "r.cfp"});
  INFO(refreshed.out << refreshed.err);
  REQUIRE(refreshed.exit_code == 0);
  CHECK(nlohmann::json::parse(f.cli.dir.Read("r.cfp"))["refreshed"] == true);
  ProcessResult again = f.Run({"apply", "r.cfp"});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
}

TEST_CASE("cli trust: a hostile address is refused at every door, naming where it came from",
          "[cli][trust]") {
  ApplyFixture f(WithBucket());
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  const std::string good_state = f.cli.dir.Read("certform.state.json");
  const int calls = f.Calls();

  auto with_key = [&](const std::string& from, const std::string& to) {
    nlohmann::json doc = nlohmann::json::parse(good_state);
    doc["format_version"] = 3;
    doc["domains"][to] = doc["domains"][from];
    doc["domains"].erase(from);
    return doc.dump(2);
  };

  SECTION("the state file") {
    f.cli.dir.Write("certform.state.json", with_key("www.example.com", kHostileOss), 0600);
    for (const char* command : {"plan", "apply", "drift", "refresh"}) {
      std::vector<std::string> args = {command};
      if (std::string(command) != "plan") args.push_back("--auto-approve");
      if (std::string(command) == "drift") args.pop_back();
      ProcessResult r = f.Run(args);
      INFO(command << ": " << r.out << r.err);
      CHECK(r.exit_code != 0);
      CHECK((r.out + r.err).find("state file") != std::string::npos);
      CHECK((r.out + r.err).find("is not a valid address: bucket") != std::string::npos);
    }
    CHECK(f.Calls() == calls);
  }
  SECTION("one domain under two spellings in the state file") {
    nlohmann::json doc = nlohmann::json::parse(good_state);
    doc["domains"]["cdn:www.example.com"] = doc["domains"]["www.example.com"];
    f.cli.dir.Write("certform.state.json", doc.dump(2), 0600);
    ProcessResult r = f.Run({"plan"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("\"www.example.com\" is recorded twice") != std::string::npos);
  }
  SECTION("the journal") {
    nlohmann::json record = {
        {"domain", kHostileOss},
        {"forget", false},
        {"entry", nlohmann::json::parse(good_state)["domains"]["www.example.com"]}};
    f.cli.dir.Write("certform.state.json.journal", record.dump() + "\n", 0600);
    ProcessResult r = f.Run({"plan"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("journal") != std::string::npos);
    CHECK(r.err.find("line 1") != std::string::npos);
    CHECK(r.err.find("is not a valid address") != std::string::npos);
    CHECK(f.Calls() == calls);
  }
  SECTION("import, --target, state show and state rm") {
    for (std::vector<std::string> args : {std::vector<std::string>{"import", kHostileOss},
                                          {"plan", "--target", kHostileOss},
                                          {"apply", "--auto-approve", "--target", kHostileOss},
                                          {"state", "show", kHostileOss},
                                          {"state", "rm", kHostileOss},
                                          {"import", "oss:cn-hangzhou/static-site/a/b.example.com"},
                                          {"import", "waf:www.example.com"}}) {
      ProcessResult r = f.Run(args);
      INFO(args[0] << " " << args[1] << ": " << r.out << r.err);
      CHECK(r.exit_code == 1);
      CHECK(r.err.find("is not a valid address") != std::string::npos);
    }
    CHECK(f.Calls() == calls);
    CHECK(f.cli.dir.Read("certform.state.json") == good_state);
  }
  SECTION("import of another spelling of a domain in the state") {
    ProcessResult r = f.Run({"import", "cdn:WWW.example.com"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("www.example.com is already in the state") != std::string::npos);
    CHECK(f.Calls() == calls);
  }
}

TEST_CASE("cli trust: an upload record pointing at another CAS certificate binds nothing",
          "[cli][trust][cas]") {
  ApplyFixture f;
  f.cli.UploadViaCas();
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  const nlohmann::json before = f.Live()["www.example.com"];
  // The state (outside input) now says the "web" upload is the CertId of the "api" upload (a real
  // certificate in CAS, another one), and forgets www so that the next apply binds it by that id.
  nlohmann::json doc = nlohmann::json::parse(f.cli.dir.Read("certform.state.json"));
  int64_t api_id = 0;
  for (auto& u : doc["uploads"]) {
    if (u["certificate"] == "api") api_id = u["cert_id"].get<int64_t>();
  }
  REQUIRE(api_id != 0);
  for (auto& u : doc["uploads"]) {
    if (u["certificate"] == "web") u["cert_id"] = api_id;
  }
  doc["domains"].erase("www.example.com");
  f.cli.dir.Write("certform.state.json", doc.dump(2), 0600);
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find(fmt::format("CertId {} holds another certificate", api_id)) !=
        std::string::npos);
  CHECK(r.out.find("certform binds nothing by it") != std::string::npos);
  CHECK(f.Live()["www.example.com"] == before);  // nothing was bound by the forged id
}

TEST_CASE(
    "cli trust: text from an answer, an address or a journal cannot move the terminal or "
    "hang a read",
    "[cli][trust]") {
  ApplyFixture f;
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  const int calls = f.Calls();

  SECTION("a CertName from the API, printed by import") {
    std::string error;
    REQUIRE(f.emu.emulator().PutDomain("evil.example.com",
                                       {{"user", "u1"},
                                        {"status", "online"},
                                        {"https", true},
                                        {"cert_type", "upload"},
                                        {"cert_name", "\x1b[2J\x1b[HNo drift\n~ fake.example.com"},
                                        {"cert_pem", f.cli.web.CertPem()}},
                                       &error));
    ProcessResult r = f.Run({"import", "evil.example.com"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find('\x1b') == std::string::npos);
    CHECK(r.out.find("\n~ fake.example.com") == std::string::npos);
    CHECK(r.out.find("\\x1b[2J") != std::string::npos);
  }
  SECTION("an address on the command line") {
    ProcessResult r = f.Run({"import", "x\x1b[31mRED.example.com"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find('\x1b') == std::string::npos);
    ProcessResult bucket =
        f.Run({"state", "show", "oss:cn-hangzhou/ex\x1b[31mample/x.example.com"});
    CHECK(bucket.exit_code == 1);
    CHECK(bucket.err.find('\x1b') == std::string::npos);
    CHECK(f.Calls() == calls);
  }
  SECTION("a FIFO in the journal's place") {
    REQUIRE(::mkfifo(f.cli.dir.Path("certform.state.json.journal").c_str(), 0600) == 0);
    ProcessResult r = f.Run({"plan"});  // returns: a FIFO is refused, never read
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("journal") != std::string::npos);
    CHECK(f.Calls() == calls);
  }
}
