// The emulator's own signature verification (signature_check.h, request_auth.h) against the
// official test vectors of alibaba-cdn-api.md §3.3 and §3.4 and the OSS developer reference
// (doc 31951): the emulator must accept exactly what the documentation signs, independently of
// certform's client signers.
#include "providers/alicloud/emulator/signature_check.h"

#include <catch2/catch.hpp>

#include "engine/base/clock.h"
#include "providers/alicloud/emulator/request_auth.h"

using namespace certform;
using namespace certform::emulator;

namespace {

int64_t Utc(const std::string& text) {
  int64_t t = 0;
  REQUIRE(engine::ParseUtc(text, &t));
  return t;
}

// Vector A (official CDN doc vector, alibaba-cdn-api.md §3.3).
Params VectorA() {
  return {{"SignatureVersion", "1.0"},
          {"Format", "JSON"},
          {"Timestamp", "2015-08-06T02:19:46Z"},
          {"AccessKeyId", "testid"},
          {"SignatureMethod", "HMAC-SHA1"},
          {"Version", "2014-11-11"},
          {"Action", "DescribeCdnService"},
          {"SignatureNonce", "9b7a44b0-3be1-11e5-8c73-08002700c460"}};
}

}  // namespace

TEST_CASE("emulator signature: RPC V1, the official CDN vector (A)", "[emulator][signature]") {
  const std::string sts = signature::RpcStringToSign("GET", VectorA());
  CHECK(sts ==
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeCdnService%26Format%3DJSON%26"
        "SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D9b7a44b0-3be1-11e5-8c73-08002700c460%26"
        "SignatureVersion%3D1.0%26Timestamp%3D2015-08-06T02%253A19%253A46Z%26Version%3D2014-11-11");
  CHECK(signature::RpcSignature("testsecret", sts) == "KkkQOf0ymKf4yVZLggy6kYiwgFs=");
  // The doc's rendering error (literal '&' between pairs) signs to another value.
  CHECK(signature::RpcSignature("testsecret", "GET&%2F&AccessKeyId%3Dtestid&Action") !=
        "KkkQOf0ymKf4yVZLggy6kYiwgFs=");
}

TEST_CASE("emulator signature: RPC V1, the official ECS vector (B) and its variants",
          "[emulator][signature]") {
  Params b = {{"AccessKeyId", "testid"},
              {"Action", "DescribeRegions"},
              {"Format", "XML"},
              {"SignatureMethod", "HMAC-SHA1"},
              {"SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
              {"SignatureVersion", "1.0"},
              {"Timestamp", "2016-02-23T12:46:24Z"},
              {"Version", "2014-05-26"}};
  CHECK(signature::RpcStringToSign("GET", b) ==
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26"
        "SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26"
        "SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26");
  CHECK(signature::RpcSignature("testsecret", signature::RpcStringToSign("GET", b)) ==
        "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
  CHECK(signature::RpcSignature("testsecret", signature::RpcStringToSign("POST", b)) ==
        "MxbnVAM4w6sft9xjVpe/GCKueuk=");
  // The older spelling TimeStamp sorts elsewhere (published at developer.aliyun.com/ask/210168).
  for (auto& [name, value] : b) {
    if (name == "Timestamp") name = "TimeStamp";
  }
  CHECK(signature::RpcSignature("testsecret", signature::RpcStringToSign("GET", b)) ==
        "CT9X0VtwR86fNWSnsc6v8YGOjuE=");
}

TEST_CASE("emulator signature: RPC V1 encodes awkward characters as documented (vector C)",
          "[emulator][signature]") {
  Params c = {
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
      {"PrivateKey", "-----BEGIN PRIVATE KEY-----\nABC+/=\n-----END PRIVATE KEY-----\n"},
      {"ForceSet", "1"}};
  CHECK(signature::Encode("my cert*1 (v2)!") == "my%20cert%2A1%20%28v2%29%21");
  CHECK(signature::RpcSignature("testsecret", signature::RpcStringToSign("GET", c)) ==
        "zoDax4XE6FCPGmkEKswvSL0KYc4=");
  CHECK(signature::RpcSignature("testsecret", signature::RpcStringToSign("POST", c)) ==
        "2+wVvP9TW0lLIUIhvLnKZlMntOU=");
  // Signature itself is never signed, wherever it comes.
  c.emplace_back("Signature", "anything");
  CHECK(signature::RpcSignature("testsecret", signature::RpcStringToSign("GET", c)) ==
        "zoDax4XE6FCPGmkEKswvSL0KYc4=");
}

TEST_CASE("emulator signature: the verifier accepts vector A as sent, and nothing else",
          "[emulator][signature]") {
  RequestAuth auth({{"testid", "testsecret", "u1"}});
  const int64_t now = Utc("2015-08-06T02:19:46Z");
  // As on the wire: percent-encoded, Signature last, then decoded by the gateway.
  Params sent = signature::ParseForm(
      "SignatureVersion=1.0&Format=JSON&Timestamp=2015-08-06T02%3A19%3A46Z&AccessKeyId=testid&"
      "SignatureMethod=HMAC-SHA1&Version=2014-11-11&Action=DescribeCdnService&"
      "SignatureNonce=9b7a44b0-3be1-11e5-8c73-08002700c460&Signature=KkkQOf0ymKf4yVZLggy6kYiwgFs%"
      "3D");
  std::string user;
  auto ok = auth.Check("GET", sent, now, &user);
  CHECK_FALSE(ok.has_value());
  CHECK(user == "u1");
  // The same request again: the nonce was used.
  auto replay = auth.Check("GET", sent, now, &user);
  REQUIRE(replay.has_value());
  CHECK(replay->code == "SignatureNonceUsed");
  // Signed for GET, sent as POST: the method is part of the signature.
  auto post = RequestAuth({{"testid", "testsecret", "u1"}}).Check("POST", sent, now, &user);
  REQUIRE(post.has_value());
  CHECK(post->code == "SignatureDoesNotMatch");
  // Another secret for the same id.
  auto wrong = RequestAuth({{"testid", "othersecret", "u1"}}).Check("GET", sent, now, &user);
  REQUIRE(wrong.has_value());
  CHECK(wrong->code == "SignatureDoesNotMatch");
  // Sixteen minutes later the timestamp is stale.
  auto stale =
      RequestAuth({{"testid", "testsecret", "u1"}}).Check("GET", sent, now + 16 * 60, &user);
  REQUIRE(stale.has_value());
  CHECK(stale->code == "InvalidTimeStamp.Expired");
}

TEST_CASE("emulator signature: V3, the official vector", "[emulator][signature]") {
  const std::string empty = signature::Sha256Hex("");
  CHECK(empty == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"host", "ecs.cn-shanghai.aliyuncs.com"},
      {"x-acs-action", "RunInstances"},
      {"x-acs-version", "2014-05-26"},
      {"x-acs-date", "2023-10-26T10:22:32Z"},
      {"x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"},
      {"x-acs-content-sha256", empty}};
  const Params query = {{"ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"},
                        {"RegionId", "cn-shanghai"}};
  const std::string canonical = signature::V3CanonicalRequest("POST", "/", query, headers, empty);
  CHECK(signature::Sha256Hex(canonical) ==
        "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259");
  CHECK(signature::V3Signature("YourAccessKeySecret", canonical) ==
        "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0");

  // The verifier, fed the request as received.
  std::map<std::string, std::string> received(headers.begin(), headers.end());
  received["authorization"] =
      "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;"
      "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,"
      "Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0";
  const std::string target =
      "/?ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai";
  const int64_t now = Utc("2023-10-26T10:22:32Z");
  std::string user;
  RequestAuth auth({{"YourAccessKeyId", "YourAccessKeySecret", "u1"}});
  auto ok = auth.CheckV3("POST", target, received, "", now, &user);
  CHECK_FALSE(ok.has_value());
  CHECK(user == "u1");
  // A body the hash does not describe, and a changed query, are refused.
  RequestAuth fresh({{"YourAccessKeyId", "YourAccessKeySecret", "u1"}});
  auto body = fresh.CheckV3("POST", target, received, "x", now, &user);
  REQUIRE(body.has_value());
  CHECK(body->code == "SignatureDoesNotMatch");
  auto query_changed = fresh.CheckV3("POST", target + "&Extra=1", received, "", now, &user);
  REQUIRE(query_changed.has_value());
  CHECK(query_changed->code == "SignatureDoesNotMatch");
}

TEST_CASE("emulator signature: OSS V1, the official example", "[emulator][signature]") {
  const std::map<std::string, std::string> headers = {
      {"content-md5", "ODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM="},
      {"content-type", "text/html"},
      {"date", "Thu, 17 Nov 2005 18:49:58 GMT"},
      {"x-oss-meta-author", "foo@bar.com"},
      {"x-oss-magic", " abracadabra "},
      {"host", "oss-example.oss-cn-hangzhou.aliyuncs.com"}};
  const std::string resource = signature::OssCanonicalResource("oss-example", "nelson", "");
  CHECK(resource == "/oss-example/nelson");
  const std::string sts =
      signature::OssStringToSign("PUT", "ODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=", "text/html",
                                 "Thu, 17 Nov 2005 18:49:58 GMT", headers, resource);
  CHECK(sts ==
        "PUT\nODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=\ntext/html\nThu, 17 Nov 2005 18:49:58 "
        "GMT\nx-oss-magic:abracadabra\nx-oss-meta-author:foo@bar.com\n/oss-example/nelson");
  CHECK(signature::OssSignature("OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV", sts) ==
        "26NBxoKdsyly4EDv6inkoDft/yA=");
  // Only the documented sub-resources are signed, sorted.
  CHECK(signature::OssCanonicalResource("b", "", "comp=add&cname&max-keys=5") ==
        "/b/?cname&comp=add");
  CHECK(signature::OssCanonicalResource("", "", "marker=x") == "/");

  // The verifier, fed the example as received.
  std::map<std::string, std::string> received = headers;
  received["authorization"] = "OSS 44CF9590006BF252F707:26NBxoKdsyly4EDv6inkoDft/yA=";
  int64_t now = 0;
  REQUIRE(engine::ParseHttpDate("Thu, 17 Nov 2005 18:49:58 GMT", &now));
  RequestAuth auth({{"44CF9590006BF252F707", "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV", "u1"}});
  std::string user;
  CHECK_FALSE(auth.CheckOss("PUT", "/nelson", received, "oss-example", now, &user).has_value());
  CHECK(user == "u1");
  auto other_object = auth.CheckOss("PUT", "/other", received, "oss-example", now, &user);
  REQUIRE(other_object.has_value());
  CHECK(other_object->code == "SignatureDoesNotMatch");
  auto skewed = auth.CheckOss("PUT", "/nelson", received, "oss-example", now + 16 * 60, &user);
  REQUIRE(skewed.has_value());
  CHECK(skewed->code == "RequestTimeTooSkewed");
}

TEST_CASE("emulator signature: form decoding and constant-time comparison",
          "[emulator][signature]") {
  const Params p = signature::ParseForm("a=1+2&b=%2B%3D&c&=x&d=%zz");
  REQUIRE(p.size() == 5);
  CHECK(p[0] == std::pair<std::string, std::string>{"a", "1 2"});
  CHECK(p[1].second == "+=");
  CHECK(p[2] == std::pair<std::string, std::string>{"c", ""});
  CHECK(p[3] == std::pair<std::string, std::string>{"", "x"});
  CHECK(p[4].second == "%zz");
  CHECK(signature::SafeEquals("abc", "abc"));
  CHECK_FALSE(signature::SafeEquals("abc", "abd"));
  CHECK_FALSE(signature::SafeEquals("abc", "ab"));
  CHECK_FALSE(signature::SafeEquals("", "a"));
}
