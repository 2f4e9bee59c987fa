// The DCDN provider against the emulator on 127.0.0.1: its own domain table, actions, field names
// and limits, the CAS certificates shared with the CDN.
#include "providers/alicloud/dcdn_provider.h"

#include <catch2/catch.hpp>

#include "providers/curl_transport.h"
#include "tests/support/emulator_fixture.h"

using namespace certform;
using namespace certform::testing;

namespace {

struct DcdnHarness {
  explicit DcdnHarness(int write_limit = 10) : emu(Config(write_limit)) {}

  static emulator::EmulatorConfig Config(int write_limit) {
    TestCert shop = IssueCert({.cn = "shop.example.com", .sans = {"shop.example.com"}});
    emulator::EmulatorConfig c = StandardEmulatorConfig(shop.CertPem());
    c.dcdn_domains = {{"www.example.com", "u1", "online"},
                      {"dyn.example.com", "u1", "online"},
                      {"theirs.example.com", "u2", "online"}};
    c.dcdn_write_limit = write_limit;
    return c;
  }

  alicloud::DcdnProvider Provider(const std::string& version = alicloud::kDcdnApiVersion) {
    return alicloud::DcdnProvider(alicloud::RpcClient(transport, clock, random,
                                                      alicloud::Credentials{"testid", "testsecret"},
                                                      emu.Endpoint(), version));
  }

  nlohmann::json Dcdn() { return emu.emulator().StateJson()["dcdn_domains"]; }
  nlohmann::json Cdn() { return emu.emulator().StateJson()["domains"]; }

  EmulatorFixture emu;
  providers::CurlTransport transport{providers::CurlOptions{}};
  engine::SystemClock clock;
  SeededRandom random{7};  // not the fixture's seed: the nonces must differ
  TestCert ca = IssueCert({.cn = "DCDN CA", .ca = true});
  TestCert web = IssueCert({.cn = "*.example.com", .sans = {"*.example.com"}}, &ca);
};

}  // namespace

TEST_CASE("dcdn: an upload binds on DCDN only, and DescribeDcdnDomainCertificateInfo reads it",
          "[dcdn][provider][emulator]") {
  DcdnHarness h;
  alicloud::DcdnProvider dcdn = h.Provider();
  engine::BindingRequest r{.address = {"dcdn", {}, "www.example.com"},
                           .cert_type = "upload",
                           .cert_name = "web-cert",
                           .cert_pem = h.web.CertPem(),
                           .key_pem = h.web.KeyPem()};
  engine::CallResult result;
  engine::Status s = dcdn.SetBinding(r, &result);
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(h.Dcdn()["www.example.com"]["fingerprint"] == h.web.Fingerprint());
  CHECK(h.Cdn()["www.example.com"]["https"] == false);  // the same name on the CDN: untouched
  engine::LiveBinding live;
  REQUIRE(dcdn.ReadBinding({"dcdn", {}, "www.example.com"}, &live, &result).ok());
  CHECK(live.exists);
  CHECK(live.https);
  CHECK(live.cert_type == "upload");
  CHECK(live.cert_name == "web-cert");
  CHECK(live.fingerprint == h.web.Fingerprint());
  CHECK(live.not_after > 0);
  nlohmann::json calls = h.emu.emulator().CountersJson()["calls"];
  CHECK(calls["SetDcdnDomainSSLCertificate"]["u1"] == 1);
  CHECK(calls["DescribeDcdnDomainCertificateInfo"]["u1"] == 1);
  CHECK(h.emu.emulator().StateJson().dump().find("PRIVATE KEY") == std::string::npos);

  // A CAS certificate by id (shared with the CDN), then HTTPS off.
  engine::BindingRequest cas{.address = {"dcdn", {}, "dyn.example.com"},
                             .cert_type = "cas",
                             .cert_id = 8089870,
                             .cert_region = "cn"};
  REQUIRE(dcdn.SetBinding(cas, &result).ok());
  REQUIRE(dcdn.ReadBinding({"dcdn", {}, "dyn.example.com"}, &live, &result).ok());
  CHECK(live.cert_type == "cas");
  CHECK(live.cert_id == 8089870);
  REQUIRE(
      dcdn.SetBinding({.address = {"dcdn", {}, "dyn.example.com"}, .https = false}, &result).ok());
  REQUIRE(dcdn.ReadBinding({"dcdn", {}, "dyn.example.com"}, &live, &result).ok());
  CHECK_FALSE(live.https);
  CHECK(live.fingerprint.empty());
}

TEST_CASE("dcdn: unknown and foreign domains, the wrong version, and the domain listing",
          "[dcdn][provider][emulator]") {
  DcdnHarness h;
  alicloud::DcdnProvider dcdn = h.Provider();
  engine::CallResult result;
  engine::LiveBinding live;
  // img.example.com is a CDN domain, not a DCDN one.
  REQUIRE(dcdn.ReadBinding({"dcdn", {}, "img.example.com"}, &live, &result).ok());
  CHECK_FALSE(live.exists);
  REQUIRE(dcdn.ReadBinding({"dcdn", {}, "theirs.example.com"}, &live, &result).ok());
  CHECK_FALSE(live.exists);
  engine::Status s =
      dcdn.SetBinding({.address = {"dcdn", {}, "img.example.com"}, .https = false}, &result);
  CHECK(s.IsNotFound());
  CHECK(result.error_code == "InvalidDomain.NotFound");
  std::vector<engine::Address> domains;
  int64_t total = 0;
  REQUIRE(dcdn.ListDomainsPage(1, &domains, &total, &result).ok());
  CHECK(total == 2);
  CHECK(domains == std::vector<engine::Address>{{"dcdn", {}, "dyn.example.com"},
                                                {"dcdn", {}, "www.example.com"}});
  alicloud::DcdnProvider wrong = h.Provider("2018-05-10");  // the CDN's version
  CHECK_FALSE(wrong.ReadBinding({"dcdn", {}, "www.example.com"}, &live, &result).ok());
  CHECK(result.error_code == "InvalidVersion");
}

TEST_CASE("dcdn: its own limits, apart from the CDN's", "[dcdn][provider][emulator]") {
  DcdnHarness h(2);
  alicloud::DcdnProvider dcdn = h.Provider();
  CHECK(dcdn.Limit(engine::CallKind::kSetBinding).api == "SetDcdnDomainSSLCertificate");
  CHECK(dcdn.Limit(engine::CallKind::kSetBinding).rate == 10);
  CHECK(dcdn.Limit(engine::CallKind::kReadBinding).rate == 100);
  CHECK(dcdn.Limit(engine::CallKind::kListDomains).api == "DescribeDcdnUserDomains");
  engine::CallResult result;
  engine::BindingRequest off{.address = {"dcdn", {}, "www.example.com"}, .https = false};
  CHECK(dcdn.SetBinding(off, &result).ok());
  CHECK(dcdn.SetBinding(off, &result).ok());
  engine::Status s = dcdn.SetBinding(off, &result);
  CHECK(s.IsThrottled());
  CHECK(result.error_code == "Throttling.User");
  // The CDN's write window is another one: its calls still pass.
  auto cdn = h.emu.Provider();
  CHECK(cdn->SetBinding(off, &result).ok());
  CHECK(h.emu.emulator().CountersJson()["peak_per_second"]["u1/dcdn-write"] == 3);
}
