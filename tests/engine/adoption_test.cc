#include "engine/plan/adoption.h"

#include <catch2/catch.hpp>

#include "engine/config/toml_format.h"
#include "engine/plan/adoption_toml.h"
#include "engine/plan/import.h"
#include "engine/plan/planner.h"

using namespace certform::engine;

namespace {

LiveRead Cas(const std::string& address, const std::string& account, int64_t id,
             const std::string& name) {
  LiveRead r;
  r.address = SplitAddress(address);
  r.account = account;
  r.ok = true;
  r.live = {.exists = true, .https = true, .cert_name = name, .cert_type = "cas", .cert_id = id};
  return r;
}

LiveRead Off(const std::string& address, const std::string& account) {
  LiveRead r = Cas(address, account, 0, "");
  r.live = {.exists = true, .https = false};
  return r;
}

const std::string kFingerprint(64, 'a');

}  // namespace

TEST_CASE(
    "adoption: domains are grouped by CAS id per account, across products, one binding per "
    "certificate, product and location",
    "[adoption]") {
  LiveRead oss = Cas("oss:cn-hangzhou/site/o1.example.com", "main", 11, "");
  const std::vector<LiveRead> reads = {
      Cas("b.example.com", "main", 11, "web"),      Cas("a.example.com", "main", 11, "web"),
      Cas("dcdn:a.example.com", "main", 11, "web"), oss,
      Cas("c.example.com", "shop", 22, "web"),      Off("d.example.com", "main")};
  Config config;
  const Adoption a = GroupByCertificate(reads, config);
  REQUIRE(a.certificates.size() == 2);
  CHECK(a.certificates[0].key == "web");
  CHECK(a.certificates[0].cert_id == 11);
  CHECK(a.certificates[0].name == "web");  // OSS reports no name: the CDN's
  CHECK(a.certificates[0].domains == 4);
  CHECK(a.certificates[1].key == "web-22");  // same CAS name on another account: its own key
  CHECK(a.bindings.size() == 5);             // cdn, dcdn, oss, off on main; cdn on shop
  bool cdn_seen = false;
  for (const AdoptedBinding& b : a.bindings) {
    if (b.account == "main" && b.where.product == DefaultProductName() && b.https) {
      CHECK(b.domains == std::vector<std::string>{"a.example.com", "b.example.com"});
      cdn_seen = true;
    }
  }
  CHECK(cdn_seen);
  CHECK(a.adopted.size() == reads.size());
  CHECK(a.skipped.empty());
  CHECK(a.Accounts() == std::vector<std::string>{"main", "shop"});
}

TEST_CASE(
    "adoption: a certificate without a CAS id is a placeholder, its domains not adopted: "
    "a failed read, a gone domain and a hostile name are skipped",
    "[adoption]") {
  LiveRead content = Cas("a.example.com", "main", 0, "hand-made");
  content.live.cert_type = "upload";
  content.live.fingerprint = kFingerprint;
  LiveRead failed = Cas("b.example.com", "main", 1, "x");
  failed.ok = false;
  failed.error = "Forbidden.RAM";
  LiveRead gone = Cas("c.example.com", "main", 1, "x");
  gone.live.exists = false;
  LiveRead hostile = Cas("d.example.com", "main", 2, "x\"\n[account.evil]");
  const Adoption a = GroupByCertificate({content, failed, gone, hostile}, Config{});
  REQUIRE(a.placeholders.size() == 1);
  CHECK(a.placeholders[0].key == "hand-made");
  CHECK(a.adopted.empty());
  REQUIRE(a.skipped.size() == 3);
  CHECK(a.skipped[0].failed);
  CHECK(!a.skipped[1].failed);
  CHECK(a.skipped[2].why.find("control character") != std::string::npos);
  const std::string text = AdoptionToml(a, "main", "2026-12-03T00:00:00Z");
  CHECK(text.find("# [certificate.hand-made]\n# cert_file = \"certs/hand-made.pem\"\n"
                  "# key_env = \"HAND_MADE_KEY\"") != std::string::npos);
  CHECK(text.find("# [[binding]]") != std::string::npos);
  CHECK(text.find("\n[[binding]]") == std::string::npos);
}

TEST_CASE(
    "adoption: a CAS certificate the configuration already has keeps its key and is not "
    "written again",
    "[adoption]") {
  Config config;
  CertificateConfig known;
  known.key = "shop";
  known.type = CertType::kCas;
  known.cert_id = 11;
  known.cert_name = "shop-cert";
  config.certificates["shop"] = known;
  const Adoption a = GroupByCertificate({Cas("a.example.com", "main", 11, "shop-cert")}, config);
  REQUIRE(a.certificates.size() == 1);
  CHECK(a.certificates[0].existing);
  CHECK(a.certificates[0].key == "shop");
  const std::string text = AdoptionToml(a, "main", "now");
  CHECK(text.find("[certificate.") == std::string::npos);
  CHECK(text.find("certificate = \"shop\"") != std::string::npos);
}

TEST_CASE("adoption: the file is in fmt's layout, every API string escaped", "[adoption]") {
  const Adoption a = GroupByCertificate(
      {Cas("a.example.com", "main", 11, "q\"uo\\te"), Off("b.example.com", "main"),
       Cas("oss:cn-hangzhou/site/o1.example.com", "main", 12, "")},
      Config{});
  const std::string text = AdoptionToml(a, "main", "2026-12-03T00:00:00Z");
  CHECK(text.find("name = \"q\\\"uo\\\\te\"") != std::string::npos);
  CHECK(text.find("name = \"cas-12\"") != std::string::npos);  // no product said its name
  CHECK(text.find("bucket = \"site\"") != std::string::npos);
  const TomlFormat f = FormatToml("adopted_main.toml", text);
  INFO(f.error << "\n" << text);
  REQUIRE(f.ok);
  CHECK(!f.Changed());
}

TEST_CASE("adoption: TomlString escapes quotes, backslashes and control characters", "[adoption]") {
  CHECK(TomlString("plain") == "\"plain\"");
  CHECK(TomlString("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(TomlString("a\nb\x01") == "\"a\\nb\\u0001\"");
  CHECK(TomlString("证书") == "\"证书\"");
}

TEST_CASE("adoption: CertNameProblem refuses empty, long, control and invalid UTF-8 names",
          "[adoption]") {
  CHECK(CertNameProblem("web-2027").empty());
  CHECK(CertNameProblem("证书").empty());
  CHECK(!CertNameProblem("").empty());
  CHECK(!CertNameProblem(std::string(129, 'a')).empty());
  CHECK(!CertNameProblem("a\tb").empty());
  CHECK(!CertNameProblem("a\x7f").empty());
  CHECK(!CertNameProblem("\xc3").empty());       // truncated
  CHECK(!CertNameProblem("\xc0\xaf").empty());   // overlong
  CHECK(!CertNameProblem("\xe4\xb8x").empty());  // bad continuation
}

TEST_CASE(
    "adoption: the state adopted names what the configuration binds, and the plan of the "
    "two changes nothing",
    "[adoption]") {
  Config config;
  config.accounts["main"].name = "main";
  CertificateConfig web;
  web.key = "web-22";
  web.type = CertType::kCas;
  web.cert_id = 22;
  web.cert_name = "web";
  config.certificates["web-22"] = web;
  CertificateConfig other = web;  // same name, another id, sorted first: never the one chosen
  other.key = "web";
  other.cert_id = 11;
  config.certificates["web"] = other;
  LiveRead oss = Cas("oss:cn-hangzhou/site/o1.example.com", "main", 22, "");
  DesiredBinding b{
      .address = oss.address, .account = "main", .https = true, .certificate = "web-22"};
  config.bindings.push_back(b);
  State state;
  State next;
  REQUIRE(AdoptedState(state, config, {oss}, "2026-12-03T00:00:00Z", &next).ok());
  const StateEntry* e = next.Find(oss.address);
  REQUIRE(e != nullptr);
  CHECK(e->certificate == "web-22");
  CHECK(e->cert_name == "web");
  for (const Change& c : MakePlan(config, next).changes) CHECK(c.action == Action::kNoOp);
  State again;
  CHECK(!AdoptedState(next, config, {oss}, "now", &again).ok());  // already in the state
}

TEST_CASE(
    "adoption: a listener's slot that a listing gave is skipped, to be written by hand, even "
    "when it serves a CAS id",
    "[adoption][clb]") {
  const std::vector<LiveRead> reads = {Cas("clb:cn-hangzhou/lb-a/443/default", "main", 11, ""),
                                       Cas("a.example.com", "main", 11, "web")};
  const Adoption a = GroupByCertificate(reads, Config{});
  REQUIRE(a.skipped.size() == 1);
  CHECK(a.skipped[0].address.Key() == "clb:cn-hangzhou/lb-a/443/default");
  CHECK_THAT(a.skipped[0].why, Catch::Contains("write its binding by hand"));
  CHECK_FALSE(a.skipped[0].failed);
  REQUIRE(a.bindings.size() == 1);
  CHECK(a.bindings[0].where.product == DefaultProductName());
  CHECK(a.adopted.size() == 1);
}
