#include "engine/config/config_loader.h"

#include <catch2/catch.hpp>

#include "tests/engine/config_test_support.h"
#include "tests/support/temp_dir.h"

using namespace certform::engine;
using certform::testing::ErrorWith;
using certform::testing::Load;
using certform::testing::Loaded;
using certform::testing::LoadText;
using certform::testing::TempDir;

namespace {

const char* kCertificate = R"(
[certificate.web]
cert_file = "certs/web.pem"
key_file = "certs/web.key"
)";

}  // namespace

TEST_CASE("config: the DESIGN.md example schema loads", "[config]") {
  TempDir dir;
  Loaded l = LoadText(dir, R"(
expiry_warning_days = 14

[account.main]
credentials = "env"
endpoint = "http://127.0.0.1:8080/"
api = "SetCdnDomainSSLCertificate"
rate_limit = 5.5

[certificate.wildcard]
type = "upload"
cert_file = "certs/wildcard.pem"
key_env = "WILDCARD_KEY"
name = "wildcard-2026"

[certificate.shop]
type = "cas"
name = "shop-cert"
cert_id = 8089870

[[binding]]
certificate = "wildcard"
domains = ["WWW.example.com", "img.example.com", ".example.org"]
account = "main"

[[binding]]
https = false
domains = ["legacy.example.com"]

[[binding]]
certificate = "shop"
domains = ["shop.example.com"]
)");
  for (const Diagnostic& d : l.diags.items()) UNSCOPED_INFO(d.ToString());
  REQUIRE_FALSE(l.diags.HasErrors());
  const Config& c = l.config;
  CHECK(c.expiry_warning_days == 14);
  REQUIRE(c.accounts.count("main"));
  CHECK(c.accounts.at("main").Settings("cdn").endpoint == "http://127.0.0.1:8080");
  CHECK(c.accounts.at("main").Settings("cdn").api == "SetCdnDomainSSLCertificate");
  CHECK(c.accounts.at("main").Settings("cdn").rate_limit == 5.5);
  CHECK(c.certificates.at("wildcard").cert_file == dir.Path("certs/wildcard.pem"));
  CHECK(c.certificates.at("wildcard").key_env == "WILDCARD_KEY");
  CHECK(c.certificates.at("shop").type == CertType::kCas);
  CHECK(c.certificates.at("shop").cert_id == 8089870);
  REQUIRE(c.bindings.size() == 5);
  // Sorted by account then domain, names lower-cased, the single account implied.
  CHECK(c.bindings[0].address.Key() == ".example.org");
  CHECK(c.bindings[4].address.Key() == "www.example.com");
  CHECK(c.FindBinding("legacy.example.com")->https == false);
  CHECK(c.FindBinding("shop.example.com")->account == "main");
}

TEST_CASE("config: without [account] tables an implicit default account is used", "[config]") {
  TempDir dir;
  Loaded l =
      LoadText(dir, std::string(kCertificate) +
                        "[[binding]]\ncertificate = \"web\"\ndomains = [\"a.example.com\"]\n");
  REQUIRE_FALSE(l.diags.HasErrors());
  CHECK(l.config.accounts.count("default") == 1);
  CHECK(l.config.bindings[0].account == "default");
  CHECK(l.config.accounts.at("default").Settings("cdn").rate_limit == 0);  // the provider's limit
}

TEST_CASE("config: a TOML syntax error names file, line and column", "[config]") {
  TempDir dir;
  Loaded l = LoadText(dir, "[account.main]\ncredentials = \"env\nrate_limit = 3\n");
  const Diagnostic& d = ErrorWith(l.diags, "TOML syntax error");
  CHECK(d.where.file == dir.Path("main.toml"));
  CHECK(d.where.line == 2);
  CHECK(d.where.column > 0);
}

TEST_CASE("config: an unknown key is reported with a suggestion", "[config]") {
  TempDir dir;
  Loaded l = LoadText(dir, "[account.main]\nrate_limt = 3\n");
  const Diagnostic& d = ErrorWith(l.diags, "unknown key \"rate_limt\"");
  CHECK(d.where.line == 2);
  CHECK(d.where.column == 1);
  CHECK(d.detail == "did you mean \"rate_limit\"?");
}

TEST_CASE("config: a wrong type names the key, the expected and the found type", "[config]") {
  TempDir dir;
  Loaded l = LoadText(dir, "[account.main]\nrate_limit = \"fast\"\n");
  const Diagnostic& d = ErrorWith(l.diags, "\"rate_limit\" must be a number");
  CHECK(d.summary.find("not a string") != std::string::npos);
  CHECK(d.where.line == 2);
}

TEST_CASE("config: a domain bound twice names both places, across files", "[config]") {
  TempDir dir;
  dir.Write("a.toml", std::string(kCertificate) +
                          "[[binding]]\ncertificate = \"web\"\ndomains = [\"a.example.com\"]\n");
  dir.Write("b.toml", "\n[[binding]]\ncertificate = \"web\"\ndomains = [\"A.example.com\"]\n");
  Loaded l = Load(dir);
  const Diagnostic& d = ErrorWith(l.diags, "domain \"a.example.com\" is bound twice");
  CHECK(d.where.file == dir.Path("b.toml"));
  CHECK(d.where.line == 4);
  CHECK(d.detail.find(dir.Path("a.toml") + ":7:12") != std::string::npos);
}

TEST_CASE("config: references to undefined certificates and accounts are errors with hints",
          "[config]") {
  TempDir dir;
  Loaded l = LoadText(dir, std::string(kCertificate) + R"(
[account.main]
[account.other]

[[binding]]
certificate = "wep"
account = "mian"
domains = ["a.example.com"]
)");
  const Diagnostic& cert = ErrorWith(l.diags, "certificate \"wep\" is not defined");
  CHECK(cert.detail == "did you mean \"web\"?");
  CHECK(cert.where.line == 10);
  const Diagnostic& acct = ErrorWith(l.diags, "account \"mian\" is not defined");
  CHECK(acct.detail == "did you mean \"main\"?");
  CHECK(acct.where.line == 11);
}

// Found by the config fuzzer: certificate = "" passed every check and crashed the planner.
TEST_CASE("config: an empty certificate reference is an error at its line, not a crash",
          "[config]") {
  TempDir dir;
  Loaded l = LoadText(dir, R"(
[certificate.shop]
type = "cas"
name = "shop"
cert_id = 1

[[binding]]
certificate = ""
domains = ["a.example.com"]
)");
  const Diagnostic& d = ErrorWith(l.diags, "\"certificate\" is empty");
  CHECK(d.where.line == 8);
  CHECK(l.diags.ErrorCount() == 1);
}

TEST_CASE("config: certificate and account names are 1 to 64 plain characters", "[config]") {
  TempDir dir;
  Loaded l = LoadText(dir, R"(
[certificate.""]
type = "cas"
name = "x"
cert_id = 1

[account."main\u001b[31m"]

[certificate."shop.example.com"]
type = "cas"
name = "shop"
cert_id = 2
)");
  CHECK(ErrorWith(l.diags, "certificate name \"\" is empty").where.line == 2);
  CHECK(ErrorWith(l.diags, "account name").where.line == 7);
  CHECK(l.diags.ErrorCount() == 2);
  CHECK(l.config.certificates.count("shop.example.com") == 1);
  CHECK(l.config.certificates.count("") == 0);
}

TEST_CASE("config: with several accounts a binding must name one", "[config]") {
  TempDir dir;
  Loaded l = LoadText(dir, std::string(kCertificate) +
                               "[account.a]\n[account.b]\n[[binding]]\ncertificate = \"web\"\n"
                               "domains = [\"x.example.com\"]\n");
  ErrorWith(l.diags, "needs \"account\"");
}

TEST_CASE("config: invalid domain names are errors at the domain's position", "[config]") {
  TempDir dir;
  Loaded l = LoadText(dir, std::string(kCertificate) +
                               "[[binding]]\ncertificate = \"web\"\n"
                               "domains = [\"ok.example.com\", \"bad_name.example.com\", "
                               "\"*.example.com\"]\n");
  const Diagnostic& bad = ErrorWith(l.diags, "invalid domain \"bad_name.example.com\"");
  CHECK(bad.where.line == 7);
  CHECK(bad.where.column == 30);
  ErrorWith(l.diags, "invalid domain \"*.example.com\"");
  CHECK(l.config.bindings.size() == 1);
}

TEST_CASE("config: upload certificates need a key source, exactly one", "[config]") {
  TempDir dir;
  Loaded l = LoadText(dir, R"(
[certificate.nokey]
cert_file = "a.pem"

[certificate.both]
cert_file = "a.pem"
key_file = "a.key"
key_env = "A_KEY"

[certificate.cas]
type = "cas"
key_file = "x.key"
)");
  ErrorWith(l.diags, "certificate \"nokey\" needs \"key_file\" or \"key_env\"");
  ErrorWith(l.diags, "sets both \"key_file\" and \"key_env\"");
  ErrorWith(l.diags, "of type \"cas\" needs \"name\"");
  ErrorWith(l.diags, "\"key_file\" does not apply to type = \"cas\"");
}

TEST_CASE("config: bad values are reported, all in one run", "[config]") {
  TempDir dir;
  Loaded l = LoadText(dir, R"(
expiry_warning_days = -1
[account.main]
credentials = "vault"
endpoint = "cdn.aliyuncs.com"
sts_endpoint = "http://sts.aliyuncs.com"
api = "SetDomainServerCertificat"
rate_limit = 0

[[binding]]
https = false
certificate = "x"
domains = []
)");
  ErrorWith(l.diags, "\"expiry_warning_days\" must be between");
  ErrorWith(l.diags, "\"credentials\" must be \"env\", \"oidc\", \"ecs-ram-role\"");
  ErrorWith(l.diags, "the endpoint must start with https://");
  const Diagnostic& sts = ErrorWith(l.diags, "\"sts_endpoint\" \"http://sts.aliyuncs.com\"");
  CHECK(sts.where.line == 6);
  const Diagnostic& api = ErrorWith(l.diags, "\"api\" \"SetDomainServerCertificat\"");
  CHECK(api.detail == "did you mean \"SetDomainServerCertificate\"?");
  ErrorWith(l.diags, "\"rate_limit\" must be greater than 0");
  ErrorWith(l.diags, "https = false takes no \"certificate\"");
  ErrorWith(l.diags, "\"domains\" is empty");
  CHECK(l.diags.ErrorCount() == 8);
}

TEST_CASE("config: a CAS certificate used through SetCdnDomainSSLCertificate needs cert_id",
          "[config]") {
  TempDir dir;
  Loaded l = LoadText(dir, R"(
[account.main]
api = "SetCdnDomainSSLCertificate"
[certificate.shop]
type = "cas"
name = "shop-cert"
[[binding]]
certificate = "shop"
domains = ["shop.example.com"]
)");
  ErrorWith(l.diags, "needs \"cert_id\"");
}

TEST_CASE("config: an account defined in two files is an error naming both", "[config]") {
  TempDir dir;
  dir.Write("a.toml", "[account.main]\n");
  dir.Write("b.toml", "[account.main]\n");
  Loaded l = Load(dir);
  const Diagnostic& d = ErrorWith(l.diags, "account \"main\" is defined twice");
  CHECK(d.detail.find("a.toml") != std::string::npos);
}

TEST_CASE("config: an empty directory says where to point --config", "[config]") {
  TempDir dir;
  Loaded l = Load(dir);
  const Diagnostic& d = ErrorWith(l.diags, "no *.toml configuration files");
  CHECK(d.detail.find("--config") != std::string::npos);
}

TEST_CASE("config: a binding names its product, one name may be bound on several", "[config]") {
  TempDir dir;
  Loaded l = LoadText(dir, std::string(kCertificate) + R"(
[certificate.shop]
type = "cas"
name = "shop-cert"

[[binding]]
certificate = "web"
domains = ["www.example.com"]

[[binding]]
product = "dcdn"
certificate = "web"
domains = ["WWW.example.com", "api.example.com"]

[[binding]]
product = "dcdn"
https = false
domains = ["api.example.com"]

[[binding]]
product = "dcnd"
certificate = "web"
domains = ["x.example.com"]

[[binding]]
product = "dcdn"
certificate = "shop"
domains = ["shop.example.com"]
)");
  const Diagnostic& twice =
      ErrorWith(l.diags, "domain \"dcdn:api.example.com\" is bound twice on DCDN");
  CHECK(twice.where.line == 22);
  const Diagnostic& typo = ErrorWith(l.diags, "\"product\" \"dcnd\" is not supported");
  CHECK(typo.detail == "did you mean \"dcdn\"?");
  ErrorWith(l.diags, "certificate \"shop\" needs \"cert_id\": shop.example.com is bound on DCDN");
  std::vector<std::string> addresses;
  for (const DesiredBinding& b : l.config.bindings) addresses.push_back(b.address.Key());
  // Grouped by product (CDN first), then by domain (the misspelt product's domain stays CDN's,
  // the configuration being in error anyway).
  CHECK(addresses == std::vector<std::string>{"www.example.com", "x.example.com",
                                              "dcdn:api.example.com", "dcdn:shop.example.com",
                                              "dcdn:www.example.com"});
  CHECK(l.config.bindings[2].address.product == "dcdn");
  CHECK(SplitAddress("dcdn:www.example.com").domain == "www.example.com");
  CHECK(SplitAddress("www.example.com").product == "cdn");
  CHECK(SplitAddress("waf:x.example.com").domain == "waf:x.example.com");  // not a product
}

TEST_CASE("config: on_removal is \"forget\" by default, \"disable\" when asked, checked",
          "[config][removal]") {
  TempDir dir;
  CHECK(LoadText(dir, std::string(kCertificate)).config.on_removal == OnRemoval::kForget);
  Loaded disable = LoadText(dir, "on_removal = \"disable\"\n" + std::string(kCertificate));
  CHECK_FALSE(disable.diags.HasErrors());
  CHECK(disable.config.on_removal == OnRemoval::kDisable);
  Loaded forget = LoadText(dir, "on_removal = \"forget\"\n" + std::string(kCertificate));
  CHECK_FALSE(forget.diags.HasErrors());
  CHECK(forget.config.on_removal == OnRemoval::kForget);

  Loaded typo =
      LoadText(dir, "# top-level keys come before the tables\n\non_removal = \"disabel\"\n" +
                        std::string(kCertificate));
  const Diagnostic& bad = ErrorWith(typo.diags, "\"on_removal\" must be \"forget\" or \"disable\"");
  CHECK(bad.summary == "\"on_removal\" must be \"forget\" or \"disable\", not \"disabel\"");
  CHECK(bad.where.file == dir.Path("main.toml"));
  CHECK(bad.where.line == 3);
  CHECK(bad.where.column == 14);
  CHECK(bad.detail == "did you mean \"disable\"?");
  CHECK(typo.config.on_removal == OnRemoval::kForget);  // an error never switches anything off
  const Loaded boolean = LoadText(dir, "on_removal = true\n");
  const Diagnostic& type = ErrorWith(boolean.diags, "on_removal");
  CHECK(type.summary == "\"on_removal\" must be a string, not a boolean");
  CHECK(type.where.line == 1);
  const Loaded misspelt = LoadText(dir, "on_remove = \"forget\"\n");
  CHECK(ErrorWith(misspelt.diags, "on_remove").detail == "did you mean \"on_removal\"?");
  // Once per configuration, in whichever file.
  dir.Write("more.toml", "on_removal = \"forget\"\n");
  const Loaded two = LoadText(dir, "on_removal = \"disable\"\n");
  CHECK(ErrorWith(two.diags, "on_removal is defined twice").detail.find("first defined at") == 0);
}

TEST_CASE("config: a region written without its prefix is an error with a did-you-mean",
          "[config][removal]") {
  TempDir dir;
  Loaded l = LoadText(dir, std::string(kCertificate) + R"(
[account.main]
upload_via = "cas"
api = "SetCdnDomainSSLCertificate"

[[binding]]
product = "oss"
bucket = "static-site"
region = "hangzhou"
certificate = "web"
domains = ["www.example.com"]
)");
  const Diagnostic& d = ErrorWith(l.diags, "invalid region \"hangzhou\"");
  CHECK(d.where.file == dir.Path("main.toml"));
  CHECK(d.where.line == 13);
  CHECK(d.summary.find("did you mean \"cn-hangzhou\"?") != std::string::npos);
  // No binding at a made-up address: nothing a plan could "move" there.
  for (const DesiredBinding& b : l.config.bindings) {
    CHECK(b.address.Key().find("oss:hangzhou/") == std::string::npos);
  }
}

TEST_CASE(
    "config: a syntax error is reported alone, in plain words, and its file's names unchecked",
    "[config]") {
  TempDir dir;
  dir.Write("a.toml",
            "[account.main]\n\n[certificate.web]\ntype = \"cas\"\ncert_id = 42\nname = \"web\n");
  dir.Write("b.toml", R"([[binding]]
domains = ["www.example.com", "api.example.com", "cdn.example.com"]
certificate = "web"
account = "main"
)");
  Loaded l = Load(dir);
  INFO(l.diags.items().size());
  for (const Diagnostic& d : l.diags.items()) UNSCOPED_INFO(d.ToString());
  REQUIRE(l.diags.ErrorCount() == 1);  // not one "certificate is not defined" per domain
  const Diagnostic& e = ErrorWith(l.diags, "TOML syntax error");
  CHECK(e.where.file.ends_with("a.toml"));
  CHECK(e.where.line == 6);
  CHECK(e.summary.find("unterminated string") != std::string::npos);
  CHECK(e.summary.find("control characters") == std::string::npos);
  CHECK(e.detail.find("nothing else of this file was read") != std::string::npos);

  // Another syntax error keeps toml++'s words.
  dir.Write("a.toml", "[account.main]\nx = = 1\n");
  Loaded other = Load(dir);
  CHECK(ErrorWith(other.diags, "TOML syntax error").summary.find("unterminated") ==
        std::string::npos);
}

TEST_CASE("config: an undefined certificate is reported once per binding, not per domain",
          "[config]") {
  TempDir dir;
  Loaded l = LoadText(dir, R"([account.main]
[[binding]]
domains = ["www.example.com", "api.example.com"]
certificate = "wbe"
)");
  CHECK(l.diags.ErrorCount() == 1);
  CHECK(ErrorWith(l.diags, "certificate \"wbe\" is not defined").where.line == 4);
}

TEST_CASE("config: a misspelt key is one error with its did-you-mean, not two", "[config]") {
  TempDir dir;
  Loaded l = LoadText(dir, std::string(kCertificate) + R"(
[[binding]]
domain = ["www.example.com"]
certificat = "web"
)");
  for (const Diagnostic& d : l.diags.items()) UNSCOPED_INFO(d.ToString());
  CHECK(l.diags.ErrorCount() == 2);
  CHECK(ErrorWith(l.diags, "unknown key \"domain\"").detail == "did you mean \"domains\"?");
  CHECK(ErrorWith(l.diags, "unknown key \"certificat\"").detail == "did you mean \"certificate\"?");
}
