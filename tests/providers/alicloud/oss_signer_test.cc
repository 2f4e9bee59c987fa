// OSS signature V1 against the official example (OSS developer reference, "Include a V1 signature
// in the Authorization header": PUT /nelson in bucket oss-example, signature
// 26NBxoKdsyly4EDv6inkoDft/yA=, reproduced by the OSS SDKs' own tests).
#include "providers/alicloud/oss_signer.h"

#include <catch2/catch.hpp>

using namespace certform::alicloud;

TEST_CASE("oss signer: the official V1 example", "[signer][oss]") {
  const Headers headers = {{"Content-Md5", "ODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM="},
                           {"Content-Type", "text/html"},
                           {"Date", "Thu, 17 Nov 2005 18:49:58 GMT"},
                           {"X-OSS-Meta-Author", "foo@bar.com"},
                           {"X-OSS-Magic", " abracadabra "},
                           {"Host", "oss-example.oss-cn-hangzhou.aliyuncs.com"}};
  CHECK(OssCanonicalHeaders(headers) == "x-oss-magic:abracadabra\nx-oss-meta-author:foo@bar.com\n");
  const std::string resource = OssCanonicalResource("oss-example", "nelson", "");
  CHECK(resource == "/oss-example/nelson");
  const std::string sts =
      OssStringToSign("PUT", "ODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=", "text/html",
                      "Thu, 17 Nov 2005 18:49:58 GMT", headers, resource);
  CHECK(sts ==
        "PUT\nODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=\ntext/html\nThu, 17 Nov 2005 18:49:58 "
        "GMT\nx-oss-magic:abracadabra\nx-oss-meta-author:foo@bar.com\n/oss-example/nelson");
  CHECK(OssAuthorization("44CF9590006BF252F707", "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV", sts) ==
        "OSS 44CF9590006BF252F707:26NBxoKdsyly4EDv6inkoDft/yA=");
}

TEST_CASE("oss signer: the cname sub-resources are signed, sorted, others are not",
          "[signer][oss]") {
  // PutCname: POST /?cname&comp=add; ListCname: GET /?cname.
  CHECK(OssCanonicalResource("examplebucket", "", "comp=add&cname") ==
        "/examplebucket/?cname&comp=add");
  CHECK(OssCanonicalResource("examplebucket", "", "cname") == "/examplebucket/?cname");
  CHECK(OssCanonicalResource("examplebucket", "", "cname&max-keys=10") == "/examplebucket/?cname");
  // With STS credentials the token is one of the signed x-oss- headers.
  CHECK(OssCanonicalHeaders({{"x-oss-security-token", "CAIS-token"}, {"x-oss-date", "d"}}) ==
        "x-oss-date:d\nx-oss-security-token:CAIS-token\n");
}
