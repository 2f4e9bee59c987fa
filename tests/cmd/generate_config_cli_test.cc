// End-to-end tests of `certform import --generate-config DIR` against the emulator: an estate of
// 500 domains over the CDN, DCDN and OSS of two accounts, bound by CAS id to several
// certificates, some with HTTPS off and some bound by content, is adopted in one command; the
// next plan says "No changes."; a renewal through the generated files (a new CAS certificate in
// place of one) applies and plans clean again; an existing file is never overwritten; the filters
// narrow what is written; and hostile names in API answers are escaped or refused, never written
// raw.
#include <functional>
#include <set>

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "providers/alicloud/oss_cnames.h"
#include "providers/curl_transport.h"
#include "tests/cmd/apply_fixture.h"

using namespace certform;
using namespace certform::testing;

namespace {

constexpr char kShopSecret[] = "shop-secret-DO-NOT-PRINT";

constexpr char kAccounts[] = R"([account.main]
access_key_id_env = "MAIN_AK_ID"
access_key_secret_env = "MAIN_AK_SECRET"

[account.shop]
access_key_id_env = "SHOP_AK_ID"
access_key_secret_env = "SHOP_AK_SECRET"
)";

// The CAS certificates of the estate: two per account, wildcards over the account's domains.
struct CasCert {
  const char* name;
  int64_t id;
  const char* user;
  const char* zone;
};
constexpr CasCert kCas[] = {{"main-a", 7100001, "u1", "main.example.com"},
                            {"main-b", 7100002, "u1", "main.example.com"},
                            {"shop-a", 7200001, "u2", "shop.example.net"},
                            {"shop-b", 7200002, "u2", "shop.example.net"}};

// Where each of the estate's domains is and what it serves.
struct Estate {
  std::vector<std::string> cdn, dcdn, oss;  // addresses
  std::string content;                      // the PEM bound by content on two CDN domains of main
  std::map<std::string, std::string> cas;   // the CAS certificates' PEMs, by name
};

class Adopt {
 public:
  explicit Adopt(int per_account = 250,
                 const std::function<void(emulator::EmulatorConfig&)>& tweak = {})
      : emu_config_(Tweaked(Config(per_account), tweak)), emu(emu_config_) {
    cli.dir.Write("accounts.toml", kAccounts);
    Seed(per_account);
  }

  std::map<std::string, std::string> Env() const {
    return {{"MAIN_AK_ID", "testid"},
            {"MAIN_AK_SECRET", kSecret},
            {"SHOP_AK_ID", "shopid"},
            {"SHOP_AK_SECRET", kShopSecret},
            {"HOME", cli.dir.path()}};
  }

  ProcessResult Run(std::vector<std::string> args, bool online = true) {
    if (online) {
      args.push_back("--endpoint");
      args.push_back(emu.Endpoint());
    }
    return cli.Run(args, Env());
  }

  int Calls() { return CallsTo(emu); }

  emulator::EmulatorConfig emu_config_;
  CliFixture cli;
  EmulatorFixture emu;
  Estate estate;

 private:
  static emulator::EmulatorConfig Tweaked(
      emulator::EmulatorConfig c, const std::function<void(emulator::EmulatorConfig&)>& tweak) {
    if (tweak) tweak(c);
    return c;
  }

  // Per account: 60% CDN, 30% DCDN, 10% OSS (over two buckets); main domains under
  // main.example.com, shop's under shop.example.net.
  static emulator::EmulatorConfig Config(int per_account) {
    emulator::EmulatorConfig c = StandardEmulatorConfig("");
    c.accounts = {{"testid", kSecret, "u1"}, {"shopid", kShopSecret, "u2"}};
    c.domains.clear();
    c.cas_certificates.clear();
    c.oss_write_limit = 1000;  // the estate is seeded through PutCname, unpaced
    for (const auto& [user, zone] :
         {std::pair{"u1", "main.example.com"}, std::pair{"u2", "shop.example.net"}}) {
      const int cdn = per_account * 6 / 10, dcdn = per_account * 3 / 10;
      const int oss = per_account - cdn - dcdn;
      for (int i = 0; i < cdn; ++i) c.domains.push_back({fmt::format("c{}.{}", i, zone), user});
      for (int i = 0; i < dcdn; ++i) {
        c.dcdn_domains.push_back({fmt::format("d{}.{}", i, zone), user});
      }
      for (int b = 0; b < 2; ++b) {
        emulator::BucketSeed bucket{
            fmt::format("{}-site-{}", user, b), b == 0 ? "cn-hangzhou" : "cn-shanghai", user, {}};
        for (int i = b; i < oss; i += 2) {
          bucket.verified_domains.push_back(fmt::format("o{}.{}", i, zone));
        }
        c.buckets.push_back(bucket);
      }
    }
    return c;
  }

  // Binds the estate: domain i serves certificate a when i % 5 == 0 or 1, b when 2 or 3, HTTPS
  // off when 4; main's CDN domains c1 and c2 serve a certificate bound by content instead.
  void Seed(int per_account) {
    for (const CasCert& c : kCas) {
      TestCert cert =
          IssueCert({.cn = std::string("*.") + c.zone, .sans = {std::string("*.") + c.zone}});
      emu.emulator().PutCasCertificate({c.name, c.id, c.user, cert.CertPem()});
      estate.cas[c.name] = cert.CertPem();
    }
    estate.content =
        IssueCert({.cn = "*.main.example.com", .sans = {"*.main.example.com"}}).CertPem();
    std::string error;
    for (const emulator::DomainSeed& d : emu_config_.domains) estate.cdn.push_back(d.name);
    for (const emulator::DomainSeed& d : emu_config_.dcdn_domains) {
      estate.dcdn.push_back("dcdn:" + d.name);
    }
    auto bind = [&](const std::string& name, const std::string& user, int i,
                    const std::string& product) {
      const std::string who = user == "u1" ? "main" : "shop";
      if (i % 5 == 4) return;  // HTTPS off
      const CasCert& c = kCas[(who == "main" ? 0 : 2) + (i % 5 < 2 ? 0 : 1)];
      if (product == "cdn" && who == "main" && (i == 1 || i == 2)) {
        REQUIRE(emu.emulator().PutDomain(name,
                                         {{"https", true},
                                          {"cert_type", "upload"},
                                          {"cert_name", "hand-made"},
                                          {"cert_id", 0},
                                          {"cert_pem", estate.content}},
                                         &error, product));
        return;
      }
      INFO(error);
      REQUIRE(emu.emulator().PutDomain(name,
                                       {{"https", true},
                                        {"cert_type", "cas"},
                                        {"cert_name", c.name},
                                        {"cert_id", c.id},
                                        {"cert_pem", estate.cas.at(c.name)}},
                                       &error, product));
    };
    auto index = [](const std::string& name) {
      return std::stoi(name.substr(1, name.find('.') - 1));
    };
    for (const emulator::DomainSeed& d : emu_config_.domains)
      bind(d.name, d.user, index(d.name), "cdn");
    for (const emulator::DomainSeed& d : emu_config_.dcdn_domains) {
      bind(d.name, d.user, index(d.name), "dcdn");
    }
    // OSS: bound through the API as anyone would (PutCname with the CAS id).
    providers::CurlTransport transport{providers::CurlOptions{}};
    engine::SystemClock clock;
    for (const emulator::BucketSeed& b : emu_config_.buckets) {
      const bool main = b.user == "u1";
      alicloud::OssCnames oss(
          transport, clock,
          std::make_shared<alicloud::StaticCredentialSource>(alicloud::Credentials{
              main ? "testid" : "shopid", main ? kSecret : kShopSecret, "", "test"}),
          emu.Endpoint());
      for (const std::string& d : b.verified_domains) {
        estate.oss.push_back(fmt::format("oss:{}/{}/{}", b.region, b.name, d));
        const int i = index(d);
        if (i % 5 == 4) continue;
        const CasCert& c = kCas[(main ? 0 : 2) + (i % 5 < 2 ? 0 : 1)];
        engine::BindingRequest request;
        request.address = {"oss", {b.region, b.name}, d};
        request.cert_type = "cas";
        request.cert_id = c.id;
        request.cert_name = c.name;
        engine::CallResult result;
        engine::Status s = oss.Put({b.name, b.region}, request, &result);
        INFO(s.message() << " " << result.error_message);
        REQUIRE(s.ok());
      }
    }
    (void)per_account;
  }
};

nlohmann::json PlanJson(Adopt& a) {
  ProcessResult r = a.Run({"plan", "--json"}, false);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE(
    "cli generate-config: 500 domains over CDN, DCDN and OSS of two accounts are adopted in one "
    "command, and the next plan says No changes",
    "[cli][generate-config]") {
  Adopt a;
  REQUIRE(a.estate.cdn.size() + a.estate.dcdn.size() + a.estate.oss.size() == 500);
  ProcessResult gen = a.Run({"import", "--generate-config", "."});
  INFO(gen.out << gen.err);
  REQUIRE(gen.exit_code == 0);
  CHECK(gen.out.find("Adopted 498 domain(s) into the state") != std::string::npos);
  CHECK(gen.out.find("Not adopted: 2 domain(s) of account \"main\" serve a certificate with no "
                     "CAS id") != std::string::npos);
  // One file per account, in the layout fmt keeps, valid, with no key anywhere.
  const std::string main = a.cli.dir.Read("adopted_main.toml");
  const std::string shop = a.cli.dir.Read("adopted_shop.toml");
  CHECK(main.find("[certificate.main-a]\ntype = \"cas\"\ncert_id = 7100001\nname = \"main-a\"") !=
        std::string::npos);
  CHECK(shop.find("[certificate.shop-b]") != std::string::npos);
  CHECK(main.find("shop-a") == std::string::npos);
  CHECK(main.find("# [certificate.hand-made]") != std::string::npos);
  CHECK(main.find("PRIVATE KEY") == std::string::npos);
  CHECK(main.find("https = false") != std::string::npos);
  CHECK(main.find("bucket = \"u1-site-1\"") != std::string::npos);
  ProcessResult fmt = a.Run({"fmt", "--check"}, false);
  INFO(fmt.out << fmt.err);
  CHECK(fmt.exit_code == 0);
  ProcessResult validate = a.Run({"validate"}, false);
  INFO(validate.out << validate.err);
  CHECK(validate.exit_code == 0);
  // The next plan changes nothing, and says so.
  ProcessResult plan = a.Run({"plan", "--detailed-exitcode"}, false);
  INFO(plan.out << plan.err);
  CHECK(plan.exit_code == 0);
  CHECK(plan.out.find("No changes.") != std::string::npos);
  // Every adopted domain is in the state, on its product and account.
  const nlohmann::json doc = PlanJson(a);
  size_t noop = 0;
  for (const auto& c : doc["changes"]) noop += c["action"] == "no-op";
  CHECK(noop == 498);
  // drift agrees with the state just written.
  ProcessResult drift = a.Run({"drift"});
  INFO(drift.out << drift.err);
  CHECK(drift.exit_code == 0);
}

TEST_CASE(
    "cli generate-config: a renewal through the generated files (a new CAS certificate in place "
    "of one) applies on every product, then plans clean",
    "[cli][generate-config]") {
  Adopt a(50);
  REQUIRE(a.Run({"import", "--generate-config", "."}).exit_code == 0);
  TestCert renewed = IssueCert({.cn = "*.main.example.com", .sans = {"*.main.example.com"}});
  a.emu.emulator().PutCasCertificate({"main-a-2027", 7100009, "u1", renewed.CertPem()});
  std::string main = a.cli.dir.Read("adopted_main.toml");
  const std::string old_table = "cert_id = 7100001\nname = \"main-a\"";
  REQUIRE(main.find(old_table) != std::string::npos);
  main.replace(main.find(old_table), old_table.size(), "cert_id = 7100009\nname = \"main-a-2027\"");
  a.cli.dir.Write("adopted_main.toml", main);
  ProcessResult plan = a.Run({"plan", "--detailed-exitcode"}, false);
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 2);
  // main-a serves i % 5 in {0, 1} of 30 CDN (less c1, bound by content), 15 DCDN, 5 OSS domains.
  const nlohmann::json doc = PlanJson(a);
  std::set<std::string> products;
  int updates = 0;
  for (const auto& c : doc["changes"]) {
    if (c["action"] != "update") continue;
    ++updates;
    const std::string d = c["domain"];
    products.insert(d.starts_with("dcdn:") ? "dcdn" : d.starts_with("oss:") ? "oss" : "cdn");
  }
  CHECK(updates == 11 + 6 + 2);
  CHECK(products == std::set<std::string>{"cdn", "dcdn", "oss"});
  ProcessResult apply = a.Run({"apply", "--auto-approve"});
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_code == 0);
  const nlohmann::json live = a.emu.emulator().StateJson();
  CHECK(live["domains"]["c0.main.example.com"]["cert_id"] == 7100009);
  CHECK(live["dcdn_domains"]["d0.main.example.com"]["cert_id"] == 7100009);
  ProcessResult again = a.Run({"plan", "--detailed-exitcode"}, false);
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  ProcessResult drift = a.Run({"drift"});
  INFO(drift.out << drift.err);
  CHECK(drift.exit_code == 0);
}

TEST_CASE(
    "cli generate-config: an existing file is never overwritten: refused by name before any "
    "call, nothing written",
    "[cli][generate-config]") {
  Adopt a(10);
  a.cli.dir.Write("adopted_shop.toml", "# mine\n");
  const int calls_before = a.Calls();
  ProcessResult gen = a.Run({"import", "--generate-config", "."});
  INFO(gen.out << gen.err);
  CHECK(gen.exit_code == 1);
  CHECK(gen.err.find("adopted_shop.toml already exists; certform never overwrites a file") !=
        std::string::npos);
  CHECK(a.cli.dir.Read("adopted_shop.toml") == "# mine\n");
  CHECK(!a.cli.dir.Exists("adopted_main.toml"));
  CHECK(!a.cli.dir.Exists("certform.state.json"));
  // The estate's own set-up made calls (PutCname); the refusal added none.
  CHECK(a.Calls() == calls_before);
}

TEST_CASE(
    "cli generate-config: --product, --domain and --account narrow what is adopted, and a second "
    "run adopts the rest beside it",
    "[cli][generate-config]") {
  Adopt a(50);
  ProcessResult gen = a.Run({"import", "--generate-config", ".", "--product", "dcdn", "--domain",
                             "d1*.main.example.com", "--account", "main"});
  INFO(gen.out << gen.err);
  REQUIRE(gen.exit_code == 0);
  CHECK(!a.cli.dir.Exists("adopted_shop.toml"));
  const std::string main = a.cli.dir.Read("adopted_main.toml");
  // d1 and d10..d14 of 15 DCDN domains; d14 has HTTPS off.
  for (const char* d : {"d1.", "d10.", "d11.", "d12.", "d13.", "d14."}) {
    CHECK(main.find(std::string("\"") + d + "main.example.com\"") != std::string::npos);
  }
  CHECK(main.find("\"d2.main.example.com\"") == std::string::npos);
  CHECK(main.find("c1.main.example.com") == std::string::npos);
  CHECK(gen.out.find("Adopted 6 domain(s)") != std::string::npos);
  CHECK(a.Run({"plan", "--detailed-exitcode"}, false).exit_code == 0);
  // The other account, in a second run: main's file exists, but only shop's is written.
  ProcessResult again = a.Run({"import", "--generate-config", ".", "--account", "shop"});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK(a.Run({"plan", "--detailed-exitcode"}, false).exit_code == 0);
  ProcessResult typo = a.Run({"import", "--generate-config", ".", "--product", "dcnd"});
  CHECK(typo.exit_code == 1);
  CHECK(typo.err.find("did you mean dcdn?") != std::string::npos);
}

TEST_CASE(
    "cli generate-config: a name from an API answer is escaped (a CAS name) or refused (a domain, "
    "a name with a control character), never written raw",
    "[cli][generate-config]") {
  Adopt a(10);
  // A CAS name that would end the TOML string and add a key, and a domain name that is not one.
  const std::string hostile = "x\" \nkey_file = \"/etc/shadow";
  TestCert cert = IssueCert({.cn = "*.shop.example.net", .sans = {"*.shop.example.net"}});
  a.emu.emulator().PutCasCertificate({"shop-\\\"q", 7200007, "u2", cert.CertPem()});
  std::string error;
  REQUIRE(a.emu.emulator().PutDomain("c0.shop.example.net",
                                     {{"https", true},
                                      {"cert_type", "cas"},
                                      {"cert_name", "shop-\\\"q"},
                                      {"cert_id", 7200007},
                                      {"cert_pem", cert.CertPem()}},
                                     &error, "cdn"));
  REQUIRE(a.emu.emulator().PutDomain("c1.shop.example.net",
                                     {{"https", true},
                                      {"cert_type", "cas"},
                                      {"cert_name", hostile},
                                      {"cert_id", 7200008},
                                      {"cert_pem", cert.CertPem()}},
                                     &error, "cdn"));
  REQUIRE(a.emu.emulator().PutDomain("evil\"]\n[account.x].example.net", {{"user", "u2"}}, &error,
                                     "cdn"));
  ProcessResult gen = a.Run({"import", "--generate-config", "."});
  INFO(gen.out << gen.err);
  CHECK(gen.exit_code == 1);
  CHECK(gen.err.find("which is not a valid address") != std::string::npos);
  CHECK(gen.out.find("c1.shop.example.net (account \"shop\") serves a certificate whose name "
                     "cannot be written (it holds a control character)") != std::string::npos);
  const std::string shop = a.cli.dir.Read("adopted_shop.toml");
  CHECK(shop.find("name = \"shop-\\\\\\\"q\"") != std::string::npos);
  CHECK(shop.find("evil") == std::string::npos);
  CHECK(shop.find("/etc/shadow") == std::string::npos);
  CHECK(a.Run({"validate"}, false).exit_code == 0);
  CHECK(a.Run({"plan", "--detailed-exitcode"}, false).exit_code == 0);
}

TEST_CASE(
    "cli generate-config: a product the user may not list is reported with the permission it "
    "needs, everything else adopted, exit 1",
    "[cli][generate-config]") {
  Adopt a(20, [](emulator::EmulatorConfig& c) { c.oss_list_denied = {"u2"}; });
  ProcessResult gen = a.Run({"import", "--generate-config", "."});
  INFO(gen.out << gen.err);
  CHECK(gen.exit_code == 1);
  CHECK(gen.err.find("OSS of account \"shop\" could not be listed") != std::string::npos);
  CHECK(gen.err.find("the user needs oss:ListBuckets") != std::string::npos);
  CHECK(gen.err.find("1 problem(s); everything else was adopted.") != std::string::npos);
  const std::string shop = a.cli.dir.Read("adopted_shop.toml");
  CHECK(shop.find("c0.shop.example.net") != std::string::npos);
  CHECK(shop.find("o0.shop.example.net") == std::string::npos);
  CHECK(a.cli.dir.Read("adopted_main.toml").find("o0.main.example.com") != std::string::npos);
  CHECK(a.Run({"plan", "--detailed-exitcode"}, false).exit_code == 0);
}
