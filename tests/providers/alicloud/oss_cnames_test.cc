// OSS custom domains' certificates against the emulator: PutCname and ListCname with OSS
// signature V1, XML both ways, the domain-ownership and bucket errors, STS tokens, limits.
#include "providers/alicloud/oss_cnames.h"

#include "providers/alicloud/sts_credentials.h"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "providers/curl_transport.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"

using namespace certform;
using namespace certform::testing;

namespace {

struct OssHarness {
  explicit OssHarness(int write_limit = 10) : emu(Config(write_limit)) {}

  static emulator::EmulatorConfig Config(int write_limit) {
    TestCert shop = IssueCert({.cn = "shop.example.com", .sans = {"shop.example.com"}});
    emulator::EmulatorConfig c = StandardEmulatorConfig(shop.CertPem());
    c.buckets = {{"static-site", "cn-hangzhou", "u1", {"static.example.com", "files.example.com"}},
                 {"theirs", "cn-shanghai", "u2", {"x.example.com"}}};
    c.oss_write_limit = write_limit;
    c.roles.push_back({"acs:ram::1:role/oss", "u1", {"testid"}, "", "", 3600, ""});
    return c;
  }

  alicloud::OssCnames Cnames(const std::string& secret = "testsecret",
                             engine::Clock* signing_clock = nullptr) {
    return alicloud::OssCnames(transport, signing_clock ? *signing_clock : clock,
                               std::make_shared<alicloud::StaticCredentialSource>(
                                   alicloud::Credentials{"testid", secret, "", "test"}),
                               emu.Endpoint());
  }

  nlohmann::json Live() { return emu.emulator().StateJson()["oss_cnames"]; }

  EmulatorFixture emu;
  providers::CurlTransport transport{providers::CurlOptions{}};
  engine::SystemClock clock;
  TestCert ca = IssueCert({.cn = "OSS CA", .ca = true});
  TestCert site = IssueCert({.cn = "static.example.com", .sans = {"static.example.com"}}, &ca);
};

const alicloud::OssBucket kSite{"static-site", "cn-hangzhou"};

}  // namespace

TEST_CASE("oss: a certificate by content, then by CAS id, then deleted; ListCname reads each",
          "[oss][provider][emulator]") {
  OssHarness h;
  alicloud::OssCnames oss = h.Cnames();
  engine::CallResult result;
  engine::LiveBinding live;
  REQUIRE(oss.Read(kSite, "static.example.com", &live, &result).ok());
  CHECK(live.exists);  // attached and verified, no certificate yet
  CHECK_FALSE(live.https);
  REQUIRE(oss.Read(kSite, "unattached.example.com", &live, &result).ok());
  CHECK_FALSE(live.exists);
  engine::BindingRequest upload{.domain = "static.example.com",
                                .cert_type = "upload",
                                .cert_pem = h.site.CertPem(),
                                .key_pem = h.site.KeyPem()};
  engine::Status s = oss.Put(kSite, upload, &result);
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(result.request_id.size() == 36);  // x-oss-request-id
  CHECK(h.Live()["static.example.com"]["fingerprint"] == h.site.Fingerprint());
  CHECK(h.emu.emulator().CountersJson()["keys_received"] == 1);
  CHECK(h.emu.emulator().StateJson().dump().find("PRIVATE KEY") == std::string::npos);
  REQUIRE(oss.Read(kSite, "static.example.com", &live, &result).ok());
  CHECK(live.exists);
  CHECK(live.https);
  CHECK(live.cert_type == "cas");
  CHECK(live.cert_id == h.Live()["static.example.com"]["cert_id"].get<int64_t>());
  // ValidEndDate (an HTTP date) is the served certificate's expiry, 90 days out.
  const int64_t in_90_days = engine::ToUnixSeconds(std::chrono::system_clock::now()) + 90 * 86400;
  CHECK(live.not_after > in_90_days - 300);
  CHECK(live.not_after < in_90_days + 300);

  engine::BindingRequest cas{.domain = "static.example.com",
                             .cert_type = "cas",
                             .cert_id = 8089870,
                             .cert_region = "cn-hangzhou"};
  REQUIRE(oss.Put(kSite, cas, &result).ok());
  REQUIRE(oss.Read(kSite, "static.example.com", &live, &result).ok());
  CHECK(live.cert_id == 8089870);
  REQUIRE(oss.Put(kSite, {.domain = "static.example.com", .https = false}, &result).ok());
  REQUIRE(oss.Read(kSite, "static.example.com", &live, &result).ok());
  CHECK(live.exists);
  CHECK_FALSE(live.https);
  nlohmann::json calls = h.emu.emulator().CountersJson()["calls"];
  CHECK(calls["PutCname"]["u1"] == 3);
  CHECK(calls["ListCname"]["u1"] == 5);
}

TEST_CASE("oss: ListBuckets pages through the user's buckets of every region",
          "[oss][provider][emulator]") {
  emulator::EmulatorConfig c = OssHarness::Config(10);
  for (int i = 0; i < 1005; ++i)
    c.buckets.push_back({fmt::format("b{:04}", i), "cn-beijing", "u1", {}});
  OssHarness h;
  EmulatorFixture emu(c);
  alicloud::OssCnames oss(h.transport, h.clock,
                          std::make_shared<alicloud::StaticCredentialSource>(
                              alicloud::Credentials{"testid", "testsecret", "", "test"}),
                          emu.Endpoint());
  engine::CallResult result;
  std::vector<alicloud::OssBucket> page;
  std::string next;
  REQUIRE(oss.ListBuckets("cn-hangzhou", "", &page, &next, &result).ok());
  CHECK(page.size() == 1000);  // at most 1000 a page
  CHECK(page.front().name == "b0000");
  CHECK(page.front().region == "cn-beijing");
  CHECK(next == "b0999");
  REQUIRE(oss.ListBuckets("cn-hangzhou", next, &page, &next, &result).ok());
  REQUIRE(page.size() == 6);  // b1000..b1004 and static-site; not u2's bucket
  CHECK(page.back().name == "static-site");
  CHECK(page.back().region == "cn-hangzhou");
  CHECK(next.empty());
  std::vector<alicloud::OssCname> cnames;
  REQUIRE(oss.List(page.back(), &cnames, &result).ok());
  CHECK(cnames.size() == 2);  // the verified (attached) domains
}

TEST_CASE("oss: ownership, wildcard, bucket and certificate errors concern one binding",
          "[oss][provider][emulator]") {
  OssHarness h;
  alicloud::OssCnames oss = h.Cnames();
  engine::CallResult result;
  engine::BindingRequest r{
      .domain = "unverified.example.com", .cert_type = "cas", .cert_id = 8089870};
  engine::Status s = oss.Put(kSite, r, &result);
  CHECK(result.error_code == "NeedVerifyDomainOwnership");
  CHECK(result.http_status == 409);
  CHECK_FALSE(s.IsAccountWide());
  CHECK(s.message().find("verify it with its CNAME token first") != std::string::npos);
  r.domain = ".example.com";
  CHECK_FALSE(oss.Put(kSite, r, &result).ok());
  CHECK(result.error_code == "InvalidArgument");
  r.domain = "x.example.com";
  s = oss.Put({"theirs", "cn-shanghai"}, r, &result);
  CHECK(result.error_code == "AccessDenied");
  CHECK_FALSE(s.IsAccountWide());  // one bucket's policy, not the account's key
  s = oss.Put({"static-site", "cn-beijing"}, r, &result);  // the wrong region
  CHECK(result.error_code == "AccessDenied");
  CHECK(result.http_status == 403);
  CHECK_FALSE(s.IsNotFound());  // never read as "no such bucket" (a refresh would forget it)
  CHECK(s.message().find("the bucket's endpoint is oss-cn-hangzhou.aliyuncs.com: check the "
                         "binding's region") != std::string::npos);
  s = oss.Put({"no-such-bucket", "cn-hangzhou"}, r, &result);
  CHECK(s.IsNotFound());
  CHECK(result.error_code == "NoSuchBucket");
  r.domain = "files.example.com";
  r.cert_id = 42;
  s = oss.Put(kSite, r, &result);
  CHECK(s.IsNotFound());
  CHECK(result.error_code == "NoSuchCertificate");
  engine::BindingRequest bad{.domain = "files.example.com",
                             .cert_type = "upload",
                             .cert_pem = h.site.CertPem(),
                             .key_pem = h.ca.KeyPem()};  // not the certificate's key
  s = oss.Put(kSite, bad, &result);
  CHECK(result.error_code == "InvalidArgument");
  CHECK(s.message().find("PRIVATE KEY") == std::string::npos);
}

TEST_CASE("oss: a wrong secret, a stale clock and an expired STS token stop the account",
          "[oss][provider][emulator]") {
  OssHarness h;
  engine::CallResult result;
  engine::LiveBinding live;
  alicloud::OssCnames wrong = h.Cnames("not-the-secret");
  engine::Status s = wrong.Read(kSite, "static.example.com", &live, &result);
  CHECK(s.IsAccountWide());
  CHECK(result.error_code == "SignatureDoesNotMatch");
  CHECK(s.message().find("not-the-secret") == std::string::npos);
  FakeClock stale(std::chrono::system_clock::now() - std::chrono::minutes(20));
  alicloud::OssCnames late = h.Cnames("testsecret", &stale);
  s = late.Read(kSite, "static.example.com", &live, &result);
  CHECK(s.IsAccountWide());
  CHECK(result.error_code == "RequestTimeTooSkewed");
  alicloud::OssCnames missing_token(
      h.transport, h.clock,
      std::make_shared<alicloud::StaticCredentialSource>(
          alicloud::Credentials{"STS.nope", "x", "CAIS-token", "test"}),
      h.emu.Endpoint());
  s = missing_token.Read(kSite, "static.example.com", &live, &result);
  CHECK(s.IsAccountWide());
  CHECK(result.error_code == "InvalidAccessKeyId");
  CHECK(s.message().find("CAIS-token") == std::string::npos);
  // An assumed role's credentials sign with x-oss-security-token, and are accepted.
  SeededRandom random{9};
  engine::PosixFileSystem fs;
  alicloud::CredentialSpec role;
  role.kind = alicloud::CredentialKind::kRamRoleArn;
  role.access_key = {"testid", "testsecret", "", "test"};
  role.role_arn = "acs:ram::1:role/oss";
  alicloud::StsSetup setup{&h.transport, &h.clock, &random, &fs, h.emu.Endpoint(), ""};
  alicloud::OssCnames sts(h.transport, h.clock, alicloud::MakeCredentialSource(role, setup),
                          h.emu.Endpoint());
  s = sts.Read(kSite, "static.example.com", &live, &result);
  INFO(s.ToString());
  CHECK(s.ok());
  CHECK(h.emu.emulator().CountersJson()["calls"]["ListCname"]["u1"] == 1);
}

TEST_CASE("oss: beyond the limit OSS answers SlowDown, which is throttling",
          "[oss][provider][emulator]") {
  OssHarness h(2);
  alicloud::OssCnames oss = h.Cnames();
  engine::CallResult result;
  engine::BindingRequest off{.domain = "static.example.com", .https = false};
  CHECK(oss.Put(kSite, off, &result).ok());
  CHECK(oss.Put(kSite, off, &result).ok());
  engine::Status s = oss.Put(kSite, off, &result);
  CHECK(s.IsThrottled());
  CHECK(result.error_code == "SlowDown");
  CHECK(h.emu.emulator().CountersJson()["peak_per_second"]["u1/oss-write"] == 3);
}
