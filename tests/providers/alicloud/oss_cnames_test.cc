// OSS custom domains' certificates against the emulator: PutCname and ListCname with OSS
// signature V1, XML both ways, the domain-ownership and bucket errors, STS tokens, limits; a
// disabled certificate read as HTTPS off.
#include "providers/alicloud/oss_cnames.h"

#include <catch2/catch.hpp>

#include "tests/providers/alicloud/oss_harness.h"

using namespace certform;
using namespace certform::testing;

TEST_CASE("oss: a certificate by content, then by CAS id, then deleted, ListCname reads each",
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
  engine::BindingRequest upload{
      .address = {"oss", {"cn-hangzhou", "static-site"}, "static.example.com"},
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

  engine::BindingRequest cas{
      .address = {"oss", {"cn-hangzhou", "static-site"}, "static.example.com"},
      .cert_type = "cas",
      .cert_id = 8089870,
      .cert_region = "cn-hangzhou"};
  REQUIRE(oss.Put(kSite, cas, &result).ok());
  REQUIRE(oss.Read(kSite, "static.example.com", &live, &result).ok());
  CHECK(live.cert_id == 8089870);
  REQUIRE(oss.Put(kSite,
                  {.address = {"oss", {"cn-hangzhou", "static-site"}, "static.example.com"},
                   .https = false},
                  &result)
              .ok());
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
      .address = {"oss", {"cn-hangzhou", "static-site"}, "unverified.example.com"},
      .cert_type = "cas",
      .cert_id = 8089870};
  engine::Status s = oss.Put(kSite, r, &result);
  CHECK(result.error_code == "NeedVerifyDomainOwnership");
  CHECK(result.http_status == 409);
  CHECK_FALSE(s.IsAccountWide());
  CHECK(s.message().find("verify it with its CNAME token first") != std::string::npos);
  r.address = {"oss", {"cn-hangzhou", "static-site"}, ".example.com"};
  CHECK_FALSE(oss.Put(kSite, r, &result).ok());
  CHECK(result.error_code == "InvalidArgument");
  r.address = {"oss", {"cn-hangzhou", "static-site"}, "x.example.com"};
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
  r.address = {"oss", {"cn-hangzhou", "static-site"}, "files.example.com"};
  r.cert_id = 42;
  s = oss.Put(kSite, r, &result);
  CHECK(s.IsNotFound());
  CHECK(result.error_code == "NoSuchCertificate");
  engine::BindingRequest bad{
      .address = {"oss", {"cn-hangzhou", "static-site"}, "files.example.com"},
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
  engine::BindingRequest off{
      .address = {"oss", {"cn-hangzhou", "static-site"}, "static.example.com"}, .https = false};
  CHECK(oss.Put(kSite, off, &result).ok());
  CHECK(oss.Put(kSite, off, &result).ok());
  engine::Status s = oss.Put(kSite, off, &result);
  CHECK(s.IsThrottled());
  CHECK(result.error_code == "SlowDown");
  CHECK(h.emu.emulator().CountersJson()["peak_per_second"]["u1/oss-write"] == 3);
}

TEST_CASE("oss: a certificate disabled behind certform's back reads as HTTPS off",
          "[oss][provider][emulator]") {
  OssHarness h;
  alicloud::OssCnames oss = h.Cnames();
  engine::CallResult result;
  REQUIRE(oss.Put(kSite,
                  {.address = {"oss", {"cn-hangzhou", "static-site"}, "static.example.com"},
                   .cert_type = "cas",
                   .cert_id = 8089870,
                   .cert_region = "cn-hangzhou"},
                  &result)
              .ok());
  alicloud::OssCname cname;
  REQUIRE(oss.ReadCname(kSite, "static.example.com", &cname, &result).ok());
  CHECK(cname.live.https);
  CHECK(cname.cert_status == "Enabled");
  CHECK(cname.cert_id == "8089870-cn-hangzhou");
  std::string error;
  REQUIRE(h.emu.emulator().SetCnameCertificateStatus("static.example.com", "Disabled", &error));
  REQUIRE(oss.ReadCname(kSite, "static.example.com", &cname, &result).ok());
  CHECK(cname.live.exists);
  CHECK_FALSE(cname.live.https);  // ListCname's Certificate/Status "Disabled": nothing is served
  // Still attached: the id stays, with HTTPS off, so that prune keeps the certificate.
  CHECK(cname.live.cert_id == 8089870);
  CHECK(cname.cert_status == "Disabled");
  CHECK(cname.cert_id == "8089870-cn-hangzhou");  // still the domain's certificate for OSS
  engine::LiveBinding live;
  REQUIRE(oss.Read(kSite, "static.example.com", &live, &result).ok());
  CHECK_FALSE(live.https);
  // The admin refuses what it cannot do.
  CHECK_FALSE(h.emu.emulator().SetCnameCertificateStatus("files.example.com", "Disabled", &error));
  CHECK(error.find("has no certificate") != std::string::npos);
  CHECK_FALSE(h.emu.emulator().SetCnameCertificateStatus("static.example.com", "Off", &error));
}
