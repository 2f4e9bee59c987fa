// OSS answers and addresses as outside input: a CertId parsed strictly, a ListCname or ListBuckets
// answer that lists what it should not, and no request at all to a host built from a bucket or
// region that breaks the rules (a recording transport proves it).

#include <catch2/catch.hpp>

#include "tests/providers/alicloud/oss_harness.h"

using namespace certform;
using namespace certform::testing;

TEST_CASE("oss: a CertId is parsed strictly, and a ListCname that lists another fails the read",
          "[oss][provider][hostile]") {
  int64_t id = 0;
  std::string region;
  REQUIRE(alicloud::ParseOssCertId("8089870-cn-hangzhou", &id, &region));
  CHECK(id == 8089870);
  CHECK(region == "cn-hangzhou");
  CHECK(alicloud::ParseOssCertId("9223372036854775807-cn-x", &id, &region));
  CHECK(id == INT64_MAX);
  for (const char* bad :
       {"", "8089870", "-cn-hangzhou", "08089870-cn-hangzhou", "9223372036854775808-cn-x",
        "12345678901234567890-cn-x", "80x9-cn-x", " 8089870-cn-hangzhou", "+8089870-cn-hangzhou",
        "8089870-", "8089870-CN-HANGZHOU", "8089870-cn-hangzhou/x", "8089870-cn hangzhou"}) {
    INFO(bad);
    CHECK_FALSE(alicloud::ParseOssCertId(bad, &id, &region));
  }
  CHECK(alicloud::OssCertId(42, "") == "42-cn-hangzhou");
  CHECK(alicloud::OssCertId(42, "cn-shanghai") == "42-cn-shanghai");

  OssHarness h;
  const int64_t second = AddCasCertificate(h, "second");
  engine::CallResult result;
  REQUIRE(h.Cnames().Put(kSite, ByCasId(8089870), &result).ok());
  engine::BindingRequest files = ByCasId(second);
  files.address.domain = "files.example.com";
  REQUIRE(h.Cnames().Put(kSite, files, &result).ok());
  RecordingTransport tampering(&h.transport);
  std::string junk = "8089870junk";
  tampering.rewrite = [&junk](std::string* body) {
    const std::string from = "<CertId>8089870-cn-hangzhou</CertId>";
    if (size_t at = body->find(from); at != std::string::npos) {
      body->replace(at, from.size(), "<CertId>" + junk + "</CertId>");
    }
  };
  alicloud::OssProvider provider = Provider(h, tampering);
  engine::LiveBinding live;
  const engine::Address site{"oss", {"cn-hangzhou", "static-site"}, "static.example.com"};
  engine::Status s = provider.ReadBinding(site, &live, &result);
  CHECK(s.code() == engine::Status::Code::kCorruption);
  CHECK(s.message().find("\"8089870junk\"") != std::string::npos);
  // Only that domain: the bucket's others read, and its listing still lists every domain.
  REQUIRE(
      provider
          .ReadBinding({"oss", {"cn-hangzhou", "static-site"}, "files.example.com"}, &live, &result)
          .ok());
  CHECK(live.cert_id == second);
  std::vector<engine::Address> listed;
  int64_t total = 0;
  for (int page = 1; page < 10; ++page) {
    std::vector<engine::Address> one;
    REQUIRE(provider.ListDomainsPage(page, &one, &total, &result).ok());
    listed.insert(listed.end(), one.begin(), one.end());
    if (total != engine::kMorePages) break;
  }
  CHECK(std::count(listed.begin(), listed.end(), site) == 1);
  // A CertId of any length is refused before it is read far, and shown cut short.
  junk = std::string(1 << 20, '7') + "-cn-hangzhou";
  s = provider.ReadBinding(site, &live, &result);
  CHECK(s.code() == engine::Status::Code::kCorruption);
  CHECK(s.message().size() < 400);

  // The domain listed twice, in another case: no one binding to decide from.
  tampering.rewrite = [](std::string* body) {
    const std::string end = "</ListCnameResult>";
    if (size_t at = body->find(end); at != std::string::npos) {
      body->insert(at,
                   "<Cname><Domain>Static.Example.COM</Domain><Status>Enabled</Status></Cname>");
    }
  };
  s = provider.ReadBinding(site, &live, &result);
  CHECK(s.code() == engine::Status::Code::kCorruption);
  CHECK(s.message().find("more than once") != std::string::npos);
}

TEST_CASE("oss: the emulator refuses a CertId that is not ID-REGION, as the harsher reading",
          "[oss][emulator][hostile]") {
  OssHarness h;
  alicloud::OssCnames oss = h.Cnames();
  engine::CallResult result;
  for (const char* region : {"BAD", "cn_hangzhou", "cn-hangzhou/x", "hangzhou"}) {
    INFO(region);
    engine::BindingRequest r = ByCasId(8089870);
    r.cert_region = region;
    engine::Status s = oss.Put(kSite, r, &result);
    CHECK_FALSE(s.ok());
    CHECK(result.http_status == 400);
    CHECK(result.error_code == "InvalidArgument");
  }
  const nlohmann::json refused = h.Live();
  CHECK_FALSE(refused.contains("static.example.com"));      // nothing was bound
  REQUIRE(oss.Put(kSite, ByCasId(8089870), &result).ok());  // the same, well formed
  CHECK(h.Live()["static.example.com"]["cert_id"] == 8089870);
}

TEST_CASE("oss: no request leaves for a bucket or region that breaks the rules",
          "[oss][provider][hostile]") {
  RecordingTransport recording;
  engine::SystemClock clock;
  alicloud::OssCnames oss(recording, clock,
                          std::make_shared<alicloud::StaticCredentialSource>(
                              alicloud::Credentials{"testid", "testsecret", "", "test"}));
  engine::CallResult result;
  const engine::BindingRequest key_by_content{
      .address = {"oss", {"cn-hangzhou", "static-site"}, "static.example.com"},
      .cert_type = "upload",
      .cert_pem = "-----BEGIN CERTIFICATE-----",
      .key_pem =
          "-----BEGIN PRIVATE "
          "KEY-----"};  // made up, the marker split for secret scanners
  for (const std::string bad :
       {"HOST:PORT#", "a/b", "x@evil", "evil.com:443/x?", "UPPER", "ab", "a\r\nX-Injected: 1"}) {
    INFO(bad);
    engine::Status s = oss.Put({bad, "cn-hangzhou"}, key_by_content, &result);
    CHECK(s.code() == engine::Status::Code::kInvalidArgument);
    CHECK(s.message().find("nothing was sent") != std::string::npos);
    CHECK(s.message().find("bucket \"") != std::string::npos);
    engine::LiveBinding live;
    CHECK_FALSE(oss.Read({bad, "cn-hangzhou"}, "static.example.com", &live, &result).ok());
  }
  engine::Status s = oss.Put({"x@evil", "cn-hangzhou"}, key_by_content, &result);
  CHECK(s.message().find("bucket \"x@evil\"") != std::string::npos);
  s = oss.Put({"a\r\nX-Injected: 1", "cn-hangzhou"}, key_by_content, &result);
  CHECK(s.message().find("\\r\\n") != std::string::npos);  // shown escaped
  CHECK(s.message().find('\r') == std::string::npos);
  for (const std::string bad :
       {"hangzhou", "cn-hangzhou.evil.com", "cn-hangzhou:8080", "", "cn-hangzhou/x"}) {
    INFO(bad);
    CHECK(oss.Put({"static-site", bad}, key_by_content, &result).code() ==
          engine::Status::Code::kInvalidArgument);
    std::vector<alicloud::OssBucket> buckets;
    std::string next;
    CHECK_FALSE(oss.ListBuckets(bad, "", &buckets, &next, &result).ok());
  }
  CHECK(oss.Put({"static-site", "hangzhou"}, key_by_content, &result)
            .message()
            .find("did you mean \"cn-hangzhou\"") != std::string::npos);
  // Through the provider, from a target as a state file or a plan could carry it.
  alicloud::OssProvider provider(std::make_unique<alicloud::OssCnames>(
      recording, clock,
      std::make_shared<alicloud::StaticCredentialSource>(
          alicloud::Credentials{"testid", "testsecret", "", "test"})));
  s = provider.SetBinding({.address = {"oss", {"cn-hangzhou", "x@evil"}, "www.example.com"},
                           .cert_type = "cas",
                           .cert_id = 1,
                           .previous_cert_id = 2},
                          &result);
  CHECK(s.message().find("bucket \"x@evil\"") != std::string::npos);
  engine::LiveBinding live;
  CHECK_FALSE(
      provider
          .ReadBinding({"oss", {"evil.com:443#", "static-site"}, "www.example.com"}, &live, &result)
          .ok());
  CHECK(recording.requests.empty());  // not one request left

  // A good one goes to the documented host.
  recording.answer.status = 200;
  recording.answer.body = "<ListCnameResult></ListCnameResult>";
  REQUIRE(oss.Read(kSite, "static.example.com", &live, &result).ok());
  REQUIRE(recording.requests.size() == 1);
  CHECK(recording.requests[0].url == "https://static-site.oss-cn-hangzhou.aliyuncs.com/?cname");
  CHECK(HostOf(recording.requests[0]) == "static-site.oss-cn-hangzhou.aliyuncs.com");
}

TEST_CASE("oss: a bucket or region in a ListBuckets answer that breaks the rules is never used",
          "[oss][provider][hostile]") {
  RecordingTransport recording;
  engine::SystemClock clock;
  alicloud::OssProvider provider = Offline(recording, clock);
  engine::CallResult result;
  for (const auto& [name, region] : std::vector<std::pair<std::string, std::string>>{
           {"evil.com:443#", "cn-hangzhou"}, {"good-bucket", "cn-hangzhou.evil.com"}}) {
    INFO(name << " " << region);
    recording.requests.clear();
    recording.answer.status = 200;
    recording.answer.body =
        "<ListAllMyBucketsResult><Buckets><Bucket><Name>static-site</Name><Location>oss-cn-"
        "hangzhou</Location><Region>cn-hangzhou</Region></Bucket><Bucket><Name>" +
        name + "</Name><Location>oss-" + region + "</Location><Region>" + region +
        "</Region></Bucket></Buckets></ListAllMyBucketsResult>";
    std::vector<engine::Address> targets;
    int64_t total = 0;
    engine::Status s = provider.ListDomainsPage(1, &targets, &total, &result);
    CHECK(s.code() == engine::Status::Code::kCorruption);
    CHECK(s.message().find("ListBuckets answered bucket \"" + name + "\"") != std::string::npos);
    CHECK(s.message().find("which certform will not address") != std::string::npos);
    // The listing does not go on as if it were complete: page 2 lists buckets again.
    s = provider.ListDomainsPage(2, &targets, &total, &result);
    for (const auto& request : recording.requests) {
      CHECK(HostOf(request) == "oss-cn-hangzhou.aliyuncs.com");  // ListBuckets only
    }
  }
}
