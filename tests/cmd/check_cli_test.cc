// End-to-end tests of `certform check` against the emulator: three accounts, each with its own
// credentials named in TOML (two AccessKeys' variables, one OIDC role), their identities, and the
// permissions their products and prune need, one of them refused by a RAM policy
// (EmulatorConfig::ram_denied).
#include <algorithm>

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cmd/apply_fixture.h"

using namespace certform;
using namespace certform::testing;

namespace {

constexpr char kRole[] = "acs:ram::1234567890123456:role/certform-ci";
constexpr char kProvider[] = "acs:ram::1234567890123456:oidc-provider/github";
constexpr char kOidcToken[] = "eyJhbGciOiJSUzI1NiJ9.check-token.sig";
constexpr char kShopSecret[] = "shop-secret-DO-NOT-PRINT";

// u1 (testid) has CDN and DCDN domains and uploads through CAS; u2 (shopid) a CDN domain; u3 is
// reached only through an OIDC role.
emulator::EmulatorConfig ThreeUsers() {
  emulator::EmulatorConfig c = EmulatorWith();
  c.accounts.push_back({"shopid", kShopSecret, "u2", "shop-deployer"});
  c.domains.push_back({"shop.example.net", "u2", "online"});
  c.domains.push_back({"ci.example.net", "u3", "online"});
  c.dcdn_domains.push_back({"www.example.com", "u1", "online"});
  c.roles.push_back({kRole, "u3", {}, kProvider, kOidcToken, 3600, ""});
  // An earlier upload of u1's, for the read by CertId that drift and prune make.
  const TestCert old = IssueCert({.cn = "old.example.com", .sans = {"old.example.com"}});
  c.cas_certificates.push_back({"certform-0123456789abcdef", 9000001, "u1", old.CertPem(), true});
  return c;
}

// Three accounts, each naming where its own credentials are, and a [prune] table.
void WriteThreeAccounts(ApplyFixture& f) {
  f.cli.dir.Write("token", kOidcToken);
  f.cli.dir.Write("certform.toml", R"(
[account.web]
access_key_id_env = "WEB_AK_ID"
access_key_secret_env = "WEB_AK_SECRET"
upload_via = "cas"

[account.shop]
access_key_id_env = "SHOP_AK_ID"
access_key_secret_env = "SHOP_AK_SECRET"

[account.ci]
role_arn = "acs:ram::1234567890123456:role/certform-ci"
oidc_provider_arn = "acs:ram::1234567890123456:oidc-provider/github"
oidc_token_file = "token"
role_session_name = "github-run"

[[binding]]
account = "web"
https = false
domains = ["www.example.com"]

[[binding]]
account = "web"
product = "dcdn"
https = false
domains = ["www.example.com"]

[[binding]]
account = "shop"
https = false
domains = ["shop.example.net"]

[[binding]]
account = "ci"
https = false
domains = ["ci.example.net"]

[prune]
)");
}

struct CheckFixture {
  explicit CheckFixture(emulator::EmulatorConfig config) : f(std::move(config)) {
    WriteThreeAccounts(f);
  }

  // No variable of the shared conventions: each account names its own.
  ProcessResult Run(std::vector<std::string> args,
                    std::map<std::string, std::string> env = {{"WEB_AK_ID", "testid"},
                                                              {"WEB_AK_SECRET", kSecret},
                                                              {"SHOP_AK_ID", "shopid"},
                                                              {"SHOP_AK_SECRET", kShopSecret}}) {
    args.insert(args.begin(), "check");
    args.push_back("--endpoint");
    args.push_back(f.emu.Endpoint());
    env["HOME"] = f.cli.dir.path();
    ProcessResult r = f.cli.Run(args, env);
    transcript += r.out + r.err;
    return r;
  }

  int Calls(const char* action, const char* user) {
    nlohmann::json calls = f.emu.emulator().CountersJson()["calls"];
    return calls.contains(action) && calls[action].contains(user) ? calls[action][user].get<int>()
                                                                  : 0;
  }

  ApplyFixture f;
  std::string transcript;
};

// The table's line for `account`'s `check`, or "".
std::string Row(const std::string& table, const std::string& account, const std::string& check) {
  size_t start = 0;
  while (start < table.size()) {
    const size_t end = table.find('\n', start);
    const std::string line = table.substr(start, end - start);
    if (line.starts_with(account + " ") && line.find(" " + check + " ") != std::string::npos) {
      return line;
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return "";
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("cli check: three accounts, one without a permission, exits 1 and names it",
          "[cli][check]") {
  emulator::EmulatorConfig config = ThreeUsers();
  config.ram_denied["shopid"] = {"DescribeDomainCertificateInfo"};
  CheckFixture c(config);
  ProcessResult r = c.Run({"--no-color"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  const std::string denied = Row(r.out, "shop", "CDN read");
  CHECK(denied.find("FAILED") != std::string::npos);
  CHECK(denied.find("Forbidden.RAM") != std::string::npos);
  CHECK(denied.find("lacks cdn:DescribeDomainCertificateInfo") != std::string::npos);
  CHECK(Count(r.out, "FAILED") == 1);
  CHECK(r.out.find("3 accounts checked: 1 check failed.") != std::string::npos);
  // Every other account is checked all the same, each from where its table says.
  CHECK(Row(r.out, "web", "credentials")
            .find("AccessKeyId testid, from environment (WEB_AK_ID, named by [account.web])") !=
        std::string::npos);
  CHECK(Row(r.out, "shop", "identity").find("user/shop-deployer (RAMUser") != std::string::npos);
  CHECK(Row(r.out, "ci", "credentials").find(std::string("OIDC role ") + kRole) !=
        std::string::npos);
  CHECK(Row(r.out, "ci", "identity")
            .find("acs:ram::1234567890123456:assumed-role/certform-ci/github-run "
                  "(AssumedRoleUser") != std::string::npos);
  CHECK(Row(r.out, "ci", "CDN read").find("ok") != std::string::npos);
  // Each product the account binds on, and with [prune] (web uploads through CAS) every
  // product's listing and CAS's.
  for (const char* check :
       {"CDN read", "DCDN read", "CDN list", "DCDN list", "OSS list", "CAS list", "CAS read"}) {
    INFO(check);
    CHECK(Row(r.out, "web", check).find(" ok ") != std::string::npos);
  }
  CHECK(Row(r.out, "web", "OSS read").find("skipped") != std::string::npos);
  CHECK(Row(r.out, "shop", "CDN list").empty());  // shop uploads nothing: prune has none of it
  // One harmless read each, no write: nothing bound, nothing uploaded.
  CHECK(c.Calls("GetCallerIdentity", "u1") == 1);
  CHECK(c.Calls("GetCallerIdentity", "u3") == 1);
  CHECK(c.Calls("AssumeRoleWithOIDC", "anonymous") == 1);
  CHECK(c.Calls("DescribeDomainCertificateInfo", "u1") == 1);
  CHECK(c.Calls("DescribeDcdnDomainCertificateInfo", "u1") == 1);
  CHECK(c.Calls("ListUserCertificateOrder", "u1") == 1);
  CHECK(c.Calls("GetUserCertificateDetail", "u1") == 1);
  CHECK(Row(r.out, "web", "CAS read").find("read certificate 9000001") != std::string::npos);
  // The read by CertId asked for no PEM and no key (CertFilter=true): none was answered.
  CHECK(c.f.emu.emulator().CountersJson()["keys_sent"] == 0);
  CHECK(c.Calls("SetDomainServerCertificate", "u1") == 0);
  CHECK(c.Calls("SetDcdnDomainSSLCertificate", "u1") == 0);
  CHECK(c.Calls("UploadUserCertificate", "u1") == 0);
  CHECK(FindSecret(c.transcript, {kSecret, kShopSecret, kOidcToken}).empty());

  // The same as JSON: the failed check names the call, its code and the RAM action.
  ProcessResult json = c.Run({"--json"});
  INFO(json.out << json.err);
  CHECK(json.exit_code == 1);
  const nlohmann::json doc = nlohmann::json::parse(json.out);
  CHECK(doc["ok"] == false);
  CHECK(doc["accounts"] == 3);
  CHECK(doc["failed"] == 1);
  std::vector<nlohmann::json> failed;
  for (const nlohmann::json& check : doc["checks"]) {
    if (check["result"] == "failed") failed.push_back(check);
  }
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["account"] == "shop");
  CHECK(failed[0]["api"] == "DescribeDomainCertificateInfo");
  CHECK(failed[0]["error_code"] == "Forbidden.RAM");
  CHECK(failed[0]["missing_permission"] == true);
  CHECK(failed[0]["ram_actions"] == nlohmann::json::array({"cdn:DescribeDomainCertificateInfo"}));
  CHECK(FindSecret(c.transcript, {kSecret, kShopSecret, kOidcToken}).empty());
}

TEST_CASE("cli check: every account's credentials, identity and permissions good, exit 0",
          "[cli][check]") {
  CheckFixture c(ThreeUsers());
  ProcessResult r = c.Run({"--no-color"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(Count(r.out, "FAILED") == 0);
  CHECK(r.out.find("3 accounts checked: every check passed.") != std::string::npos);
  CHECK(r.out.starts_with("ACCOUNT"));
  for (const char* account : {"web", "shop", "ci"}) {
    INFO(account);
    CHECK(Row(r.out, account, "credentials").find(" ok ") != std::string::npos);
    CHECK(Row(r.out, account, "identity").find(" ok ") != std::string::npos);
    CHECK(Row(r.out, account, "CDN read").find(" ok ") != std::string::npos);
  }
  CHECK(FindSecret(c.transcript, {kSecret, kShopSecret, kOidcToken}).empty());
}

TEST_CASE("cli check: a variable the account names is unset: that account fails, saying which",
          "[cli][check]") {
  CheckFixture c(ThreeUsers());
  ProcessResult r = c.Run({"--no-color"}, {{"WEB_AK_ID", "testid"},
                                           {"WEB_AK_SECRET", kSecret},
                                           {"SHOP_AK_ID", "shopid"},
                                           // The conventional pair is no fallback.
                                           {"ALIBABA_CLOUD_ACCESS_KEY_ID", "shopid"},
                                           {"ALIBABA_CLOUD_ACCESS_KEY_SECRET", kShopSecret}});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(Row(r.out, "shop", "credentials")
            .find("[account.shop] names SHOP_AK_SECRET for its AccessKey, which is not set") !=
        std::string::npos);
  CHECK(Row(r.out, "shop", "identity").find("skipped") != std::string::npos);
  CHECK(Row(r.out, "web", "identity").find(" ok ") != std::string::npos);
  CHECK(c.Calls("GetCallerIdentity", "u2") == 0);
  CHECK(FindSecret(c.transcript, {kSecret, kShopSecret, kOidcToken}).empty());
}

TEST_CASE("cli check: an OSS read refused by RAM policy names oss:ListCname", "[cli][check]") {
  emulator::EmulatorConfig config = EmulatorWith();
  config.buckets = {{"static-site", "cn-hangzhou", "u1", {"static.example.com"}}};
  config.ram_denied["testid"] = {"ListCname"};
  ApplyFixture f(config);
  f.cli.dir.Write("certform.toml", R"(
[account.main]

[[binding]]
product = "oss"
region = "cn-hangzhou"
bucket = "static-site"
https = false
domains = ["static.example.com"]
)");
  ProcessResult r = f.cli.Run({"check", "--no-color", "--endpoint", f.emu.Endpoint()}, f.Env());
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  const std::string row = Row(r.out, "main", "OSS read");
  CHECK(row.find("FAILED") != std::string::npos);
  CHECK(row.find("AccessDenied: ListCname was refused: the RAM policy lacks oss:ListCname") !=
        std::string::npos);
  CHECK(Row(r.out, "main", "identity").find(" ok ") != std::string::npos);
  CHECK(FindSecret(r.out + r.err, {kSecret}).empty());
}

TEST_CASE("cli check: a wrong secret and a forged STS token fail that account, printing neither",
          "[cli][check]") {
  CheckFixture c(ThreeUsers());
  constexpr char kWrongSecret[] = "wrong-secret-Zq7-DO-NOT-PRINT";
  constexpr char kForgedToken[] = "CAISforged-token-Zq7-DO-NOT-PRINT";
  ProcessResult r = c.Run({"--no-color"}, {{"WEB_AK_ID", "testid"},
                                           {"WEB_AK_SECRET", kWrongSecret},
                                           {"SHOP_AK_ID", "shopid"},
                                           {"SHOP_AK_SECRET", kShopSecret},
                                           {"CERTFORM_LOG", "debug"}});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(Row(r.out, "web", "identity").find("FAILED") != std::string::npos);
  CHECK(Row(r.out, "shop", "identity").find(" ok ") != std::string::npos);
  // A temporary key unknown to STS, with a token: the request carries both, no message does.
  c.f.cli.dir.Write("certform.toml", c.f.cli.dir.Read("certform.toml") +
                                         "\n[account.tok]\n"
                                         "access_key_id_env = \"TOK_ID\"\n"
                                         "access_key_secret_env = \"TOK_SECRET\"\n"
                                         "security_token_env = \"TOK_TOKEN\"\n");
  ProcessResult forged = c.Run({"--no-color"}, {{"WEB_AK_ID", "testid"},
                                                {"WEB_AK_SECRET", kSecret},
                                                {"SHOP_AK_ID", "shopid"},
                                                {"SHOP_AK_SECRET", kShopSecret},
                                                {"TOK_ID", "STS.forgedid"},
                                                {"TOK_SECRET", kWrongSecret},
                                                {"TOK_TOKEN", kForgedToken},
                                                {"CERTFORM_LOG", "debug"}});
  INFO(forged.out << forged.err);
  CHECK(forged.exit_code == 1);
  CHECK(Row(forged.out, "tok", "credentials").find("with an STS token") != std::string::npos);
  CHECK(Row(forged.out, "tok", "identity").find("FAILED") != std::string::npos);
  CHECK(Row(forged.out, "web", "identity").find(" ok ") != std::string::npos);
  CHECK(FindSecret(c.transcript, {kSecret, kShopSecret, kOidcToken, kWrongSecret, kForgedToken})
            .empty());
}

TEST_CASE("cli check: a misconfigured account names the TOML file and line of its table",
          "[cli][check]") {
  CheckFixture c(ThreeUsers());
  // An empty variable, and (the other run) a variable holding what is not an AccessKeyId.
  ProcessResult r = c.Run({"--no-color"}, {{"WEB_AK_ID", "testid"},
                                           {"WEB_AK_SECRET", kSecret},
                                           {"SHOP_AK_ID", ""},
                                           {"SHOP_AK_SECRET", kShopSecret}});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  const std::string toml = "certform.toml";  // as the configuration directory names it
  CHECK(Row(r.out, "shop", "credentials")
            .find(toml + ":7:1: [account.shop] names SHOP_AK_ID for its AccessKey, which is not "
                         "set (or empty)") != std::string::npos);
  ProcessResult pem = c.Run({"--no-color"}, {{"WEB_AK_ID", "testid"},
                                             {"WEB_AK_SECRET", kSecret},
                                             {"SHOP_AK_ID", "-----BEGIN Zq7 KEY-----"},
                                             {"SHOP_AK_SECRET", kShopSecret}});
  INFO(pem.out << pem.err);
  CHECK(pem.exit_code == 1);
  CHECK(Row(pem.out, "shop", "credentials")
            .find(toml + ":7:1: [account.shop] names SHOP_AK_ID for its AccessKeyId, whose value "
                         "(23 characters, not shown)") != std::string::npos);
  CHECK(pem.out.find("Zq7") == std::string::npos);
  CHECK(c.Calls("GetCallerIdentity", "u2") == 0);
  // A role without its token file is the configuration's error, at its line.
  c.f.cli.dir.Write("more.toml", R"(
[account.half]
role_arn = "acs:ram::1234567890123456:role/certform-ci"
oidc_provider_arn = "acs:ram::1234567890123456:oidc-provider/github"
)");
  ProcessResult half = c.Run({"--no-color"});
  INFO(half.out << half.err);
  CHECK(half.exit_code == 1);
  CHECK(half.err.find("more.toml:3") != std::string::npos);
  CHECK(half.err.find("[account.half] needs \"oidc_token_file\" for its OIDC role") !=
        std::string::npos);
  CHECK(FindSecret(c.transcript, {kSecret, kShopSecret, kOidcToken}).empty());
}

TEST_CASE("cli check: the metadata endpoint variable may name only this machine", "[cli][check]") {
  CheckFixture c(ThreeUsers());
  ProcessResult r = c.Run(
      {"--no-color"}, {{"WEB_AK_ID", "testid"},
                       {"WEB_AK_SECRET", kSecret},
                       {"SHOP_AK_ID", "shopid"},
                       {"SHOP_AK_SECRET", kShopSecret},
                       {"CERTFORM_ECS_METADATA_ENDPOINT", "https://metadata.attacker.example"}});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("CERTFORM_ECS_METADATA_ENDPOINT \"https://metadata.attacker.example\": it may "
                   "only name this machine") != std::string::npos);
  CHECK(c.Calls("GetCallerIdentity", "u1") == 0);
}
