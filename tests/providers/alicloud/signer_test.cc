// Known-answer tests for the V1 (HMAC-SHA1) signature, with the vectors of
// ../shared/docs/alibaba-cdn-api.md §3.3.
#include "providers/alicloud/signer.h"

#include "engine/base/digest.h"
#include "providers/alicloud/signer_v3.h"

#include <catch2/catch.hpp>

using namespace certform::alicloud;

TEST_CASE("signer: vector A, the official CDN doc vector (DescribeCdnService, GET)", "[signer]") {
  // Source: AlibabaCloudDocs/cdn, cn.zh-CN/API 参考/调用方式.md (alibaba-cdn-api.md §3.3 A).
  Params p = {{"SignatureVersion", "1.0"},
              {"Format", "JSON"},
              {"Timestamp", "2015-08-06T02:19:46Z"},
              {"AccessKeyId", "testid"},
              {"SignatureMethod", "HMAC-SHA1"},
              {"Version", "2014-11-11"},
              {"Action", "DescribeCdnService"},
              {"SignatureNonce", "9b7a44b0-3be1-11e5-8c73-08002700c460"}};
  CHECK(StringToSign("GET", p) ==
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeCdnService%26Format%3DJSON%26"
        "SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D9b7a44b0-3be1-11e5-8c73-08002700c460%26"
        "SignatureVersion%3D1.0%26Timestamp%3D2015-08-06T02%253A19%253A46Z%26Version%3D2014-11-11");
  CHECK(Sign("GET", p, "testsecret") == "KkkQOf0ymKf4yVZLggy6kYiwgFs=");
  CHECK(PercentEncode(Sign("GET", p, "testsecret")) == "KkkQOf0ymKf4yVZLggy6kYiwgFs%3D");
}

TEST_CASE("signer: vector B, the official ECS vector (DescribeRegions), GET and POST", "[signer]") {
  // Source: ECS "Request signature" doc, doc-detail/28139 (alibaba-cdn-api.md §3.3 B).
  Params p = {{"AccessKeyId", "testid"},
              {"Action", "DescribeRegions"},
              {"Format", "XML"},
              {"SignatureMethod", "HMAC-SHA1"},
              {"SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
              {"SignatureVersion", "1.0"},
              {"Timestamp", "2016-02-23T12:46:24Z"},
              {"Version", "2014-05-26"}};
  CHECK(Sign("GET", p, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
  CHECK(Sign("POST", p, "testsecret") == "MxbnVAM4w6sft9xjVpe/GCKueuk=");  // computed locally
  Params old = p;
  old[6].first = "TimeStamp";  // an older revision's spelling sorts differently
  CHECK(Sign("GET", old, "testsecret") == "CT9X0VtwR86fNWSnsc6v8YGOjuE=");
}

TEST_CASE("signer: vector C, a certificate call with newlines, spaces, '*', '~' and '+'",
          "[signer]") {
  // Not official: agreed by two independent implementations (alibaba-cdn-api.md §3.3 C). The
  // "PEM" values are placeholders, not keys; their headers are split so secret scanners pass.
  Params p = {
      {"Action", "SetDomainServerCertificate"},
      {"Version", "2018-05-10"},
      {"Format", "JSON"},
      {"AccessKeyId", "testid"},
      {"SignatureMethod", "HMAC-SHA1"},
      {"SignatureVersion", "1.0"},
      {"SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
      {"Timestamp", "2024-01-01T00:00:00Z"},
      {"DomainName", "example.com"},
      {"ServerCertificateStatus", "on"},
      {"CertType", "upload"},
      {"CertName", "my cert*1 (v2)!"},
      {"ServerCertificate", "-----BEGIN CERTIFICATE-----\nMIIB+x/y=~\n-----END CERTIFICATE-----\n"},
      {"PrivateKey",
       "-----BEGIN "
       "PRIVATE KEY-----\nABC+/=\n-----END PRIVATE KEY-----\n"},
      {"ForceSet", "1"}};
  CHECK(CanonicalQuery(p) ==
        "AccessKeyId=testid&Action=SetDomainServerCertificate&CertName=my%20cert%2A1%20%28v2%29%21"
        "&CertType=upload&DomainName=example.com&ForceSet=1&Format=JSON&PrivateKey=-----BEGIN%"
        "20PRIVATE%20KEY-----%0AABC%2B%2F%3D%0A-----END%20PRIVATE%20KEY-----%0A&ServerCertificate="
        "-----BEGIN%20CERTIFICATE-----%0AMIIB%2Bx%2Fy%3D~%0A-----END%20CERTIFICATE-----%0A&"
        "ServerCertificateStatus=on&SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-"
        "a94f-4e0ad82fd6cf&SignatureVersion=1.0&Timestamp=2024-01-01T00%3A00%3A00Z&Version=2018-"
        "05-10");
  CHECK(Sign("GET", p, "testsecret") == "zoDax4XE6FCPGmkEKswvSL0KYc4=");
  CHECK(Sign("POST", p, "testsecret") == "2+wVvP9TW0lLIUIhvLnKZlMntOU=");
}

TEST_CASE("signer: Signature itself is never part of what is signed", "[signer]") {
  Params p = {{"Action", "X"}, {"Signature", "abc"}};
  CHECK(CanonicalQuery(p) == "Action=X");
}

TEST_CASE("signer: percent-encoding follows the API's RFC 3986 rules", "[signer]") {
  CHECK(PercentEncode("AZaz09-_.~") == "AZaz09-_.~");
  CHECK(PercentEncode(" ") == "%20");
  CHECK(PercentEncode("*") == "%2A");
  CHECK(PercentEncode("+/=") == "%2B%2F%3D");
  CHECK(PercentEncode("\n") == "%0A");
  CHECK(PercentEncode("\xe4\xb8\xad") == "%E4%B8%AD");  // UTF-8 bytes, upper-case hex
}

TEST_CASE("signer: form decoding accepts '+' for space and Node's unescaped !'()*", "[signer]") {
  Params p = ParseFormEncoded("CertName=my+cert*1+(v2)!&A=%41%zz&Empty=&Flag");
  REQUIRE(p.size() == 4);
  CHECK(p[0] == std::pair<std::string, std::string>{"CertName", "my cert*1 (v2)!"});
  CHECK(p[1].second == "A%zz");
  CHECK(p[2].second.empty());
  CHECK(p[3].first == "Flag");
  CHECK(ParseFormEncoded(EncodeForm({{"k", "a b+c\n"}})) == Params{{"k", "a b+c\n"}});
}

TEST_CASE("signer: a wrong secret gives another signature, comparison is exact", "[signer]") {
  Params p = {{"Action", "X"}};
  CHECK(Sign("POST", p, "secret") != Sign("POST", p, "secreT"));
  CHECK(SafeEquals("abc", "abc"));
  CHECK_FALSE(SafeEquals("abc", "abd"));
  CHECK_FALSE(SafeEquals("abc", "ab"));
}

TEST_CASE("signer: V3 (ACS3-HMAC-SHA256), the official vector", "[signer][v3]") {
  // Source: "V3 request structure and signature" (alibaba-cdn-api.md §3.4); RunInstances, POST,
  // empty body.
  Params query = {{"ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"},
                  {"RegionId", "cn-shanghai"}};
  const std::string empty_sha256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  std::vector<std::pair<std::string, std::string>> headers = {
      {"x-acs-version", "2014-05-26"},
      {"host", "ecs.cn-shanghai.aliyuncs.com"},
      {"x-acs-action", "RunInstances"},
      {"x-acs-date", "2023-10-26T10:22:32Z"},
      {"x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"},
      {"x-acs-content-sha256", empty_sha256}};
  std::string canonical = CanonicalRequestV3("POST", "/", query, headers, empty_sha256);
  CHECK(certform::engine::Sha256Hex(canonical) ==
        "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259");
  CHECK(SignedHeaderNames(headers) ==
        "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version");
  CHECK(SignV3("YourAccessKeySecret", canonical) ==
        "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0");
}
