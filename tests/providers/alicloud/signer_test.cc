// Known-answer tests for the V1 (HMAC-SHA1) signature, with the vectors of
// ../shared/docs/alibaba-cdn-api.md §3.3.
#include "providers/alicloud/signer.h"

#include "engine/base/digest.h"
#include "providers/alicloud/signer_v3.h"

#include <algorithm>

#include <catch2/catch.hpp>

#include "tests/support/signature_vectors.h"

using namespace certform::alicloud;
namespace vectors = certform::testing::vectors;

TEST_CASE("signer: vector A, the official CDN doc vector (DescribeCdnService, GET)", "[signer]") {
  const Params p = vectors::VectorA();
  CHECK(StringToSign("GET", p) == vectors::kVectorAStringToSign);
  CHECK(Sign("GET", p, vectors::kSecret) == vectors::kVectorASignature);
  CHECK(PercentEncode(Sign("GET", p, vectors::kSecret)) == "KkkQOf0ymKf4yVZLggy6kYiwgFs%3D");
}

TEST_CASE("signer: vector B, the official ECS vector (DescribeRegions), GET and POST", "[signer]") {
  const Params p = vectors::VectorB();
  CHECK(StringToSign("GET", p) == vectors::kVectorBStringToSign);
  CHECK(Sign("GET", p, vectors::kSecret) == vectors::kVectorBGet);
  CHECK(Sign("POST", p, vectors::kSecret) == vectors::kVectorBPost);
  Params old = p;
  old[6].first = "TimeStamp";  // an older revision's spelling sorts differently
  CHECK(Sign("GET", old, vectors::kSecret) == vectors::kVectorBTimeStampGet);
}

TEST_CASE("signer: vector C, a certificate call with newlines, spaces, '*', '~' and '+'",
          "[signer]") {
  const Params p = vectors::VectorC();
  CHECK(CanonicalQuery(p) ==
        "AccessKeyId=testid&Action=SetDomainServerCertificate&CertName=my%20cert%2A1%20%28v2%29%21"
        "&CertType=upload&DomainName=example.com&ForceSet=1&Format=JSON&PrivateKey=-----BEGIN%"
        "20PRIVATE%20KEY-----%0AABC%2B%2F%3D%0A-----END%20PRIVATE%20KEY-----%0A&ServerCertificate="
        "-----BEGIN%20CERTIFICATE-----%0AMIIB%2Bx%2Fy%3D~%0A-----END%20CERTIFICATE-----%0A&"
        "ServerCertificateStatus=on&SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-"
        "a94f-4e0ad82fd6cf&SignatureVersion=1.0&Timestamp=2024-01-01T00%3A00%3A00Z&Version=2018-"
        "05-10");
  CHECK(Sign("GET", p, vectors::kSecret) == vectors::kVectorCGet);
  CHECK(Sign("POST", p, vectors::kSecret) == vectors::kVectorCPost);
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
  std::vector<std::pair<std::string, std::string>> headers = vectors::V3Headers();
  std::reverse(headers.begin(), headers.end());  // in any order: the signer sorts them
  std::string canonical =
      CanonicalRequestV3("POST", "/", vectors::V3Query(), headers, vectors::kEmptySha256);
  CHECK(certform::engine::Sha256Hex(canonical) == vectors::kV3CanonicalRequestSha256);
  CHECK(SignedHeaderNames(headers) ==
        "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version");
  CHECK(SignV3(vectors::kV3Secret, canonical) == vectors::kV3Signature);
}
