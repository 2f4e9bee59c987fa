// The emulator's own signature verification (signature_check.h, request_auth.h) against the
// official test vectors of alibaba-cdn-api.md §3.3 and §3.4 and the OSS developer reference
// (doc 31951): the emulator must accept exactly what the documentation signs, independently of
// certform's client signers.
#include "providers/alicloud/emulator/signature_check.h"

#include <catch2/catch.hpp>

#include "engine/base/clock.h"
#include "providers/alicloud/emulator/request_auth.h"
#include "tests/support/signature_vectors.h"

using namespace certform;
using namespace certform::emulator;
namespace vectors = certform::testing::vectors;

namespace {

int64_t Utc(const std::string& text) {
  int64_t t = 0;
  REQUIRE(engine::ParseUtc(text, &t));
  return t;
}

}  // namespace

TEST_CASE("emulator signature: RPC V1, the official CDN vector (A)", "[emulator][signature]") {
  const std::string sts = signature::RpcStringToSign("GET", vectors::VectorA());
  CHECK(sts == vectors::kVectorAStringToSign);
  CHECK(signature::RpcSignature(vectors::kSecret, sts) == vectors::kVectorASignature);
  // The doc's rendering error (literal '&' between pairs) signs to another value.
  CHECK(signature::RpcSignature(vectors::kSecret, "GET&%2F&AccessKeyId%3Dtestid&Action") !=
        vectors::kVectorASignature);
}

TEST_CASE("emulator signature: RPC V1, the official ECS vector (B) and its variants",
          "[emulator][signature]") {
  Params b = vectors::VectorB();
  CHECK(signature::RpcStringToSign("GET", b) == vectors::kVectorBStringToSign);
  CHECK(signature::RpcSignature(vectors::kSecret, signature::RpcStringToSign("GET", b)) ==
        vectors::kVectorBGet);
  CHECK(signature::RpcSignature(vectors::kSecret, signature::RpcStringToSign("POST", b)) ==
        vectors::kVectorBPost);
  for (auto& [name, value] : b) {
    if (name == "Timestamp") name = "TimeStamp";
  }
  CHECK(signature::RpcSignature(vectors::kSecret, signature::RpcStringToSign("GET", b)) ==
        vectors::kVectorBTimeStampGet);
}

TEST_CASE("emulator signature: RPC V1 encodes awkward characters as documented (vector C)",
          "[emulator][signature]") {
  Params c = vectors::VectorC();
  CHECK(signature::Encode("my cert*1 (v2)!") == "my%20cert%2A1%20%28v2%29%21");
  CHECK(signature::RpcSignature(vectors::kSecret, signature::RpcStringToSign("GET", c)) ==
        vectors::kVectorCGet);
  CHECK(signature::RpcSignature(vectors::kSecret, signature::RpcStringToSign("POST", c)) ==
        vectors::kVectorCPost);
  // Signature itself is never signed, wherever it comes.
  c.emplace_back("Signature", "anything");
  CHECK(signature::RpcSignature(vectors::kSecret, signature::RpcStringToSign("GET", c)) ==
        vectors::kVectorCGet);
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
  CHECK(empty == vectors::kEmptySha256);
  const std::vector<std::pair<std::string, std::string>> headers = vectors::V3Headers();
  const Params query = vectors::V3Query();
  const std::string canonical = signature::V3CanonicalRequest("POST", "/", query, headers, empty);
  CHECK(signature::Sha256Hex(canonical) == vectors::kV3CanonicalRequestSha256);
  CHECK(signature::V3Signature(vectors::kV3Secret, canonical) == vectors::kV3Signature);

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
