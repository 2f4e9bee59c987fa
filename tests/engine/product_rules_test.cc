// Products are data: the configuration, the address door, the planner and the wiring read the
// installed products' rules, so a product defined here (a "shelf" whose domains live on an aisle)
// is configured, addressed and checked without any code that names it.
#include <catch2/catch.hpp>

#include "cmd/certform/product_table.h"
#include "engine/base/file_system.h"
#include "engine/config/config_loader.h"
#include "engine/plan/planner.h"
#include "engine/product/product_catalog.h"
#include "providers/alicloud/dcdn_provider.h"
#include "providers/alicloud/oss_provider.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/temp_dir.h"

using namespace certform;
using namespace certform::engine;
using certform::testing::TempDir;

namespace {

std::string AisleProblem(const std::string& v) {
  return v.starts_with("aisle-") ? "" : "an aisle is written aisle-N";
}

// The standard products plus "shelf", for the length of a test.
struct WithShelf {
  WithShelf() {
    std::vector<ProductRules> products = Products();
    ProductRules shelf;
    shelf.name = "shelf";
    shelf.title = "SHELF";
    shelf.what = "a shelf domain";
    shelf.location = {{"aisle", AisleProblem, "aisle-1"}};
    shelf.wildcards = false;
    shelf.write_calls = {{{"PutShelfCertificate", 4}, false, false, true, false}};
    products.push_back(shelf);
    InstallProducts(products);
  }
  ~WithShelf() { cli::InstallProductTable(); }
};

struct Loaded {
  Config config;
  Diagnostics diags;
};

Loaded LoadText(const TempDir& dir, const std::string& toml) {
  dir.Write("main.toml", toml);
  PosixFileSystem fs;
  Loaded l;
  l.config = LoadConfig(fs, dir.path(), &l.diags);
  return l;
}

bool HasError(const Diagnostics& diags, const std::string& needle) {
  for (const Diagnostic& d : diags.items()) {
    if (d.severity == Severity::kError &&
        (d.summary + " " + d.detail).find(needle) != std::string::npos) {
      return true;
    }
  }
  return false;
}

constexpr char kCas[] =
    "[account.main]\nupload_via = \"cas\"\n[certificate.c]\ntype = \"cas\"\n"
    "name = \"c\"\ncert_id = 7\n";

}  // namespace

TEST_CASE("products: a product the engine has never heard of is configured from its rules alone",
          "[product][config]") {
  WithShelf shelf;
  TempDir dir;
  Loaded l = LoadText(dir, std::string(kCas) +
                               "[[binding]]\nproduct = \"shelf\"\naisle = \"aisle-3\"\n"
                               "certificate = \"c\"\ndomains = [\"Www.Example.com\"]\n");
  for (const Diagnostic& d : l.diags.items()) INFO(d.ToString());
  REQUIRE_FALSE(l.diags.HasErrors());
  REQUIRE(l.config.bindings.size() == 1);
  CHECK(l.config.bindings[0].address.Key() == "shelf:aisle-3/www.example.com");
  const Address a = l.config.bindings[0].address;
  CHECK(a.product == "shelf");
  CHECK(a.Field("aisle") == "aisle-3");
  CHECK(a.domain == "www.example.com");
  // Its write call takes no ForceSet: a named upload would get a content suffix; a cas one binds
  // by id.
  StateEntry e = DesiredEntry(l.config, l.config.bindings[0]);
  CHECK(e.cert_id == 7);

  // Its location field is checked by its own rule, required, and refused on other products.
  Loaded bad = LoadText(dir, std::string(kCas) +
                                 "[[binding]]\nproduct = \"shelf\"\naisle = \"row-3\"\n"
                                 "certificate = \"c\"\ndomains = [\"www.example.com\"]\n");
  CHECK(HasError(bad.diags, "invalid aisle \"row-3\": an aisle is written aisle-N"));
  Loaded missing = LoadText(dir, std::string(kCas) +
                                     "[[binding]]\nproduct = \"shelf\"\n"
                                     "certificate = \"c\"\ndomains = [\"www.example.com\"]\n");
  CHECK(HasError(missing.diags, "a binding with product = \"shelf\" needs \"aisle\""));
  Loaded elsewhere = LoadText(dir, std::string(kCas) +
                                       "[[binding]]\naisle = \"aisle-1\"\n"
                                       "certificate = \"c\"\ndomains = [\"www.example.com\"]\n");
  CHECK(HasError(elsewhere.diags, "\"aisle\" is only for product = \"shelf\""));
  // No wildcards, as its rules say.
  Loaded wild = LoadText(dir, std::string(kCas) +
                                  "[[binding]]\nproduct = \"shelf\"\naisle = \"aisle-1\"\n"
                                  "certificate = \"c\"\ndomains = [\"*.example.com\"]\n");
  CHECK(HasError(wild.diags, "SHELF does not support wildcard domains"));
}

TEST_CASE("products: the address door applies each product's rules", "[product][address]") {
  WithShelf shelf;
  std::string canonical;
  CHECK(AddressProblem("shelf:aisle-2/WWW.example.com", &canonical).empty());
  CHECK(canonical == "shelf:aisle-2/www.example.com");
  CHECK(AddressProblem("shelf:www.example.com", &canonical) ==
        "a SHELF address is shelf:AISLE/DOMAIN");
  CHECK(AddressProblem("shelf:x/www.example.com", &canonical) ==
        "aisle \"x\": an aisle is written aisle-N");
  CHECK(AddressProblem("shelf:aisle-2/.example.com", &canonical) ==
        "SHELF has no wildcard domains");
  // Without the row, the same address names no product.
  cli::InstallProductTable();
  CHECK(AddressProblem("shelf:aisle-2/www.example.com", &canonical).find("is not a product") !=
        std::string::npos);
}

TEST_CASE("products: each product's account settings reach its provider", "[product][config]") {
  TempDir dir;
  Loaded l = LoadText(dir,
                      "[account.main]\nrate_limit = 4\n"
                      "[account.main.dcdn]\nendpoint = \"http://127.0.0.1:9\"\nrate_limit = 3\n"
                      "[account.main.oss]\nrate_limit = 2\n");
  for (const Diagnostic& d : l.diags.items()) INFO(d.ToString());
  REQUIRE_FALSE(l.diags.HasErrors());
  const AccountConfig& a = l.config.accounts.at("main");
  CHECK(a.Settings("cdn").rate_limit == 4);
  CHECK(a.EndpointOf(*FindProduct("dcdn")) == "http://127.0.0.1:9");
  CHECK(a.EndpointOf(*FindProduct("cdn")) == "https://cdn.aliyuncs.com");

  providers::CurlTransport transport{providers::CurlOptions{}};
  SystemClock clock;
  certform::testing::SeededRandom random;
  alicloud::ProductWiring w;
  w.config = &l.config;
  w.account = &a;
  w.transport = &transport;
  w.clock = &clock;
  w.random = &random;
  w.credentials = nullptr;
  // rate_limit once never reached DCDN or OSS: now each product's own setting does, and the
  // default is the provider's documented limit.
  CHECK(alicloud::DcdnProvider::Make(w)->Limit(CallKind::kSetBinding).rate == 3);
  CHECK(alicloud::OssProvider::Make(w)->Limit(CallKind::kSetBinding).rate == 2);
  Loaded plain = LoadText(dir, "[account.main]\n");
  w.account = &plain.config.accounts.at("main");
  CHECK(alicloud::DcdnProvider::Make(w)->Limit(CallKind::kSetBinding).rate == 10);

  // A setting a product's rules do not offer is refused, naming the table.
  Loaded bad = LoadText(dir, "[account.main.oss]\nendpoint = \"http://127.0.0.1:9\"\n");
  CHECK(HasError(bad.diags, "[account.main.oss]"));
  Loaded api = LoadText(dir, "[account.main.cdn]\napi = \"SetCdnDomainSSLCertificat\"\n");
  CHECK(HasError(api.diags, "did you mean \"SetCdnDomainSSLCertificate\"?"));
}

TEST_CASE("products: a setting written twice, and a digest that setting nothing keeps",
          "[product][config]") {
  TempDir dir;
  Loaded twice = LoadText(dir,
                          "[account.main]\nrate_limit = 4\ndcdn_endpoint = \"http://127.0.0.1:8\"\n"
                          "[account.main.cdn]\nrate_limit = 3\n"
                          "[account.main.dcdn]\nendpoint = \"http://127.0.0.1:9\"\n");
  CHECK(HasError(twice.diags, "\"rate_limit\" of CDN is set twice"));
  CHECK(HasError(twice.diags, "\"endpoint\" of DCDN is set twice"));

  // An account that sets no product's settings has the digest of the implicit account, and
  // setting a product's default changes nothing; another endpoint does.
  const std::string binding = "[[binding]]\nhttps = false\ndomains = [\"www.example.com\"]\n";
  const std::string implicit = ConfigDigest(LoadText(dir, binding).config);
  CHECK(ConfigDigest(LoadText(dir, "[account.default]\n" + binding).config) == implicit);
  CHECK(ConfigDigest(LoadText(dir,
                              "[account.default.dcdn]\nendpoint = "
                              "\"https://dcdn.aliyuncs.com\"\n" +
                                  binding)
                         .config) == implicit);
  CHECK(ConfigDigest(
            LoadText(dir, "[account.default.dcdn]\nendpoint = \"http://127.0.0.1:9\"\n" + binding)
                .config) != implicit);
}

TEST_CASE("products: a product that cannot bind by CertId refuses an account that uploads to CAS",
          "[product][config]") {
  std::vector<ProductRules> products = Products();
  ProductRules direct;
  direct.name = "direct";
  direct.title = "DIRECT";
  direct.write_calls = {{{"PutDirect", 4}, false, false, /*cas_by_id=*/false, /*by_content=*/true}};
  products.push_back(direct);
  InstallProducts(products);
  TempDir dir;
  dir.Write("certs/web.pem", "");
  Loaded l = LoadText(dir,
                      "[account.main]\nupload_via = \"cas\"\n[certificate.web]\n"
                      "cert_file = \"certs/web.pem\"\nkey_file = \"certs/web.key\"\n"
                      "[[binding]]\nproduct = \"direct\"\ncertificate = \"web\"\n"
                      "domains = [\"www.example.com\"]\n");
  cli::InstallProductTable();
  CHECK(HasError(l.diags, "which cannot bind a certificate by CertId"));
}
