// The emulator's CLB (SLB 2014-05-15) in-process on a fake clock: the per-region certificate
// store (UploadServerCertificate, DescribeServerCertificates, DeleteServerCertificate), HTTPS
// listeners and domain extensions, the configuring window, RAM and rate limits. The admin API's
// door checks: clb_admin_test.cc.
#include <regex>

#include <catch2/catch.hpp>

#include "tests/providers/alicloud/clb_harness.h"

using namespace certform;
using namespace certform::testing;
using std::chrono::milliseconds;

TEST_CASE("clb: an upload by content answers the documented fields and the store lists it",
          "[emulator][clb]") {
  ClbHarness h;
  nlohmann::json up = h.Get("UploadServerCertificate", {{"ServerCertificate", h.Api().CertPem()},
                                                        {"PrivateKey", h.Api().KeyPem()},
                                                        {"ServerCertificateName", "api-2026"}});
  const std::string id = up["ServerCertificateId"];
  // The docs' shape: ACCOUNT_HEXMILLIS_DIGITS_DIGITS.
  CHECK(std::regex_match(id, std::regex("[1-9][0-9]{15}_[0-9a-f]+_[0-9]{10}_[0-9]{9}")));
  CHECK(up["ServerCertificateName"] == "api-2026");
  CHECK(up["IsAliCloudCertificate"] == 0);
  CHECK(up["AliCloudCertificateId"] == "0");
  CHECK(up["CommonName"] == "api.example.com");
  CHECK(up["RegionId"] == "cn-hangzhou");
  CHECK(up["SubjectAlternativeNames"]["SubjectAlternativeName"] ==
        std::vector<std::string>{"api.example.com"});
  // SHA-1 of the leaf as colon-separated pairs, as the samples show.
  const std::string fp = up["Fingerprint"];
  CHECK(std::regex_match(fp, std::regex("([0-9a-f]{2}:){19}[0-9a-f]{2}")));
  CHECK(up["ExpireTimeStamp"].get<int64_t>() > 0);
  CHECK(up["ExpireTime"].get<std::string>().ends_with("Z"));
  CHECK(h.emulator_.CountersJson()["keys_received"] == 1);  // the seed's admin PUT is no call

  nlohmann::json listed = h.Get("DescribeServerCertificates", {{"ServerCertificateId", id}});
  REQUIRE(listed["ServerCertificates"]["ServerCertificate"].size() == 1);
  const nlohmann::json& entry = listed["ServerCertificates"]["ServerCertificate"][0];
  CHECK(entry["Fingerprint"] == fp);
  CHECK(entry["ServerCertificateName"] == "api-2026");
  CHECK(h.StoreIds() == std::vector<std::string>{h.seeded_, id});
  // Per region: cn-shanghai's store is empty, another user's certificates are not listed.
  CHECK(h.StoreIds("cn-shanghai").empty());
  emulator::ApiResponse other =
      h.Call("DescribeServerCertificates", {}, "cn-hangzhou", "otherid", "othersecret");
  CHECK(nlohmann::json::parse(other.body)["ServerCertificates"]["ServerCertificate"].empty());
  // An id the store does not hold lists none.
  CHECK(h.Get("DescribeServerCertificates",
              {{"ServerCertificateId", "1_2_3_4"}})["ServerCertificates"]["ServerCertificate"]
            .empty());
}

TEST_CASE("clb: a CAS certificate uploaded twice is two store copies", "[emulator][clb]") {
  ClbHarness h;
  const alicloud::Params cas = {{"AliCloudCertificateId", "7000001"},
                                {"AliCloudCertificateName", "cas-shop"},
                                {"AliCloudCertificateRegionId", "cn-hangzhou"}};
  nlohmann::json first = h.Get("UploadServerCertificate", cas);
  nlohmann::json second = h.Get("UploadServerCertificate", cas);
  CHECK(first["ServerCertificateId"] != second["ServerCertificateId"]);
  CHECK(first["IsAliCloudCertificate"] == 1);
  CHECK(first["AliCloudCertificateId"] == "7000001");
  CHECK(first["AliCloudCertificateName"] == "cas-shop");
  CHECK(first["ServerCertificateName"] == "cas-shop");
  CHECK(first["CommonName"] == "shop.example.com");
  CHECK(h.StoreIds().size() == 3);
  // Another user's CAS certificate, an unknown id, a name that is not the certificate's.
  for (const alicloud::Params& p : {alicloud::Params{{"AliCloudCertificateId", "7000002"}},
                                    alicloud::Params{{"AliCloudCertificateId", "abc"}},
                                    alicloud::Params{{"AliCloudCertificateId", "7000001"},
                                                     {"AliCloudCertificateName", "other"}}}) {
    emulator::ApiResponse r = h.Call("UploadServerCertificate", p);
    CHECK(r.status == 400);
    CHECK(ClbHarness::Code(r) == "InvalidParameter");
  }
  emulator::ApiResponse r =
      h.Call("UploadServerCertificate", cas, "cn-hangzhou", "otherid", "othersecret");
  CHECK(ClbHarness::Code(r) == "InvalidParameter");
  r = h.Call("UploadServerCertificate",
             {{"AliCloudCertificateId", "7000001"}, {"AliCloudCertificateRegionId", "Mars!"}});
  CHECK(ClbHarness::Code(r) == "InvalidRegionId.NotFound");
}

TEST_CASE("clb: a CAS certificate is copied only from the region the emulator's CAS is in",
          "[emulator][clb]") {
  ClbHarness h;
  auto upload = [&](const std::string& cas_region) {
    alicloud::Params p = {{"AliCloudCertificateId", "7000001"},
                          {"AliCloudCertificateName", "cas-shop"}};
    if (!cas_region.empty()) p.emplace_back("AliCloudCertificateRegionId", cas_region);
    return h.Call("UploadServerCertificate", p);
  };
  // CAS is in cn-hangzhou unless the admin says otherwise: a certificate asked for in another
  // region is not there, whatever region the store is (U: refused as an unknown id).
  for (const char* elsewhere : {"cn-shanghai", "ap-southeast-1"}) {
    emulator::ApiResponse r = upload(elsewhere);
    CHECK(r.status == 400);
    CHECK(ClbHarness::Code(r) == "InvalidParameter");
    CHECK(r.body.find("AliCloudCertificateId does not exist") != std::string::npos);
  }
  CHECK(h.StoreIds().size() == 1);  // nothing copied
  CHECK(upload("cn-hangzhou").status == 200);
  CHECK(upload("").status == 200);  // absent: CAS's own region

  h.Admin("config", "", {{"cas_region", "ap-southeast-1"}});
  CHECK(ClbHarness::Code(upload("cn-hangzhou")) == "InvalidParameter");
  CHECK(upload("ap-southeast-1").status == 200);
  // The store's region is the call's, not CAS's.
  emulator::ApiResponse r = h.Call(
      "UploadServerCertificate",
      {{"AliCloudCertificateId", "7000001"}, {"AliCloudCertificateRegionId", "ap-southeast-1"}},
      "cn-shanghai");
  REQUIRE(r.status == 200);
  CHECK(nlohmann::json::parse(r.body)["RegionId"] == "cn-shanghai");
  CHECK(h.StoreIds().size() == 4);
  CHECK(h.emulator_.StateJson()["clb"]["cas_region"] == "ap-southeast-1");
  h.emulator_.Reset();
  CHECK(h.emulator_.StateJson()["clb"]["cas_region"] == "cn-hangzhou");
}

TEST_CASE("clb: AliCloudCertificateId is answered in the shape the admin sets", "[emulator][clb]") {
  ClbHarness h;
  const alicloud::Params cas = {{"AliCloudCertificateId", "7000001"},
                                {"AliCloudCertificateRegionId", "cn-hangzhou"}};
  const std::string copy = h.Get("UploadServerCertificate", cas)["ServerCertificateId"];
  auto listed = [&](const std::string& id) {
    const nlohmann::json all = h.Get("DescribeServerCertificates", {{"ServerCertificateId", id}});
    REQUIRE(all["ServerCertificates"]["ServerCertificate"].size() == 1);
    return all["ServerCertificates"]["ServerCertificate"][0];
  };
  // Decimal by default, the current sample's shape (doc 34181: "1501739").
  CHECK(listed(copy)["AliCloudCertificateId"] == "7000001");
  // The id and CAS's region, as other products write CAS ids ("ID-REGION").
  h.Admin("config", "", {{"cas_id_shape", "id-region"}});
  CHECK(listed(copy)["AliCloudCertificateId"] == "7000001-cn-hangzhou");
  CHECK(listed(copy)["IsAliCloudCertificate"] == 1);
  CHECK(listed(h.seeded_)["AliCloudCertificateId"] == "0");  // by content: still "0"
  nlohmann::json up = h.Get("UploadServerCertificate", cas);
  CHECK(up["AliCloudCertificateId"] == "7000001-cn-hangzhou");  // the upload's answer too
  // The older examples' shape (doc 34183: "7309xxxxxxxx_15d97e7709a_71445759hr_789289731").
  h.Admin("config", "", {{"cas_id_shape", "legacy"}});
  const std::string legacy = listed(copy)["AliCloudCertificateId"];
  CHECK(std::regex_match(legacy, std::regex("[1-9][0-9]{11}_[0-9a-f]+_[0-9]{8}hr_7000001")));
  CHECK(h.emulator_.StateJson()["clb"]["cas_id_shape"] == "legacy");
  h.Admin("config", "", {{"cas_id_shape", "decimal"}});
  CHECK(listed(copy)["AliCloudCertificateId"] == "7000001");
}

TEST_CASE("clb: SetDomainExtensionAttribute refuses a certificate not covering the domain",
          "[emulator][clb]") {
  ClbHarness h;
  auto refused = [&](const std::string& extension, const std::string& cert) {
    emulator::ApiResponse r =
        h.Call("SetDomainExtensionAttribute",
               {{"DomainExtensionId", extension}, {"ServerCertificateId", cert}});
    return std::to_string(r.status) + " " + ClbHarness::Code(r);
  };
  auto serves = [&](const std::string& extension) {
    const nlohmann::json one = h.Get(
        "DescribeDomainExtensions",
        {{"LoadBalancerId", "lb-hz1"}, {"ListenerPort", "443"}, {"DomainExtensionId", extension}});
    return one["DomainExtensions"]["DomainExtension"][0]["ServerCertificateId"].get<std::string>();
  };
  // The harness's extension is api.example.com; the seed covers shop. and www.example.com only.
  const std::string shop = h.Upload(h.Shop())["ServerCertificateId"];
  const std::string api = h.Upload(h.Api())["ServerCertificateId"];
  CHECK(refused(h.extension_, shop) == "400 InvalidParameter.ServerCertificateId");
  CHECK(serves(h.extension_) == h.seeded_);  // unchanged
  h.Get("SetDomainExtensionAttribute",
        {{"DomainExtensionId", h.extension_}, {"ServerCertificateId", api}});
  CHECK(serves(h.extension_) == api);

  // A wildcard certificate covers one label more, not the bare name, not two labels more.
  h.Admin("config", "", {{"domain_extension_quota", 5}});
  static const TestCert wild = IssueCert({.cn = "*.example.com", .sans = {"*.example.com"}});
  const std::string star = h.Upload(wild)["ServerCertificateId"];
  auto extension = [&](const std::string& domain) {
    return h
        .Admin("domain_extensions", "",
               {{"load_balancer_id", "lb-hz2"},
                {"port", 443},
                {"domain", domain},
                {"server_certificate_id", h.seeded_}})["domain_extension_id"]
        .get<std::string>();
  };
  h.Get("SetDomainExtensionAttribute",
        {{"DomainExtensionId", h.extension_}, {"ServerCertificateId", star}});
  const std::string bare = extension("example.com"), deep = extension("a.b.example.com"),
                    wildcard = extension("*.example.com");
  CHECK(refused(bare, star) == "400 InvalidParameter.ServerCertificateId");
  CHECK(refused(deep, star) == "400 InvalidParameter.ServerCertificateId");
  // A wildcard extension takes the same wildcard only, not a certificate of one name under it.
  CHECK(refused(wildcard, api) == "400 InvalidParameter.ServerCertificateId");
  h.Get("SetDomainExtensionAttribute",
        {{"DomainExtensionId", wildcard}, {"ServerCertificateId", star}});
  // Names compare case-insensitively.
  const std::string upper = extension("API.Example.COM");
  h.Get("SetDomainExtensionAttribute",
        {{"DomainExtensionId", upper}, {"ServerCertificateId", api}});
}

TEST_CASE("clb: an upload is refused as the documented codes say", "[emulator][clb]") {
  ClbHarness h;
  auto code = [&](const alicloud::Params& p) {
    emulator::ApiResponse r = h.Call("UploadServerCertificate", p);
    CHECK(r.status == 400);
    return ClbHarness::Code(r);
  };
  const std::string cert = h.Api().CertPem(), key = h.Api().KeyPem();
  CHECK(code({}) == "InvalidParameter");  // neither content nor CAS
  CHECK(code({{"ServerCertificate", cert}}) == "MissingParameter");
  CHECK(code({{"ServerCertificate", cert}, {"PrivateKey", key}, {"AliCloudCertificateId", "1"}}) ==
        "MissingParameter");
  CHECK(code({{"ServerCertificate", "test"}, {"PrivateKey", key}}) == "KeyFormatError");
  CHECK(code({{"ServerCertificate", cert}, {"PrivateKey", "wmsad!q23"}}) == "InvalidParameter");
  CHECK(code({{"ServerCertificate", cert},
              {"PrivateKey", h.Api().KeyPem(KeyFormat::kEncryptedPkcs8)}}) ==
        "PrivateKeyEncryption");
  CHECK(code({{"ServerCertificate", cert}, {"PrivateKey", h.Shop().KeyPem()}}) ==
        "CertificateNotMatchPrivateKey");
  CHECK(code({{"ServerCertificate", cert}, {"PrivateKey", key}, {"ServerCertificateName", "1x"}}) ==
        "InvalidParameter");
  CHECK(code({{"ServerCertificate", cert},
              {"PrivateKey", key},
              {"ServerCertificateName", std::string(81, 'a')}}) == "InvalidParameter");
  CHECK(h.StoreIds().size() == 1);
}

TEST_CASE("clb: a region's store holds 100 certificates, the 101st is OverQuota",
          "[emulator][clb]") {
  ClbHarness h;
  for (int i = 1; i < 100; ++i) {  // the seed is the first
    h.Admin("server_certificates", "",
            {{"region", "cn-hangzhou"}, {"cas_id", 7000001}, {"name", "c" + std::to_string(i)}});
  }
  emulator::ApiResponse r =
      h.Call("UploadServerCertificate",
             {{"ServerCertificate", h.Api().CertPem()}, {"PrivateKey", h.Api().KeyPem()}});
  CHECK(r.status == 400);
  CHECK(ClbHarness::Code(r) == "OverQuota");
  CHECK(h.AdminError("server_certificates", "", {{"region", "cn-hangzhou"}, {"cas_id", 7000001}})
            .starts_with("OverQuota"));
  // Another region's store, and another user's, are not full.
  h.Upload(h.Api(), "cn-shanghai");
  h.Admin("server_certificates", "",
          {{"region", "cn-hangzhou"},
           {"user", "u2"},
           {"cert_pem", h.Api().CertPem()},
           {"key_pem", h.Api().KeyPem()}});
  // A deletion makes room.
  const std::string last = h.StoreIds().back();
  h.Get("DeleteServerCertificate", {{"ServerCertificateId", last}});
  h.Upload(h.Api());
}

TEST_CASE("clb: a certificate bound to a listener or an extension cannot be deleted",
          "[emulator][clb]") {
  ClbHarness h;
  emulator::ApiResponse r = h.Call("DeleteServerCertificate", {{"ServerCertificateId", h.seeded_}});
  CHECK(r.status == 400);
  CHECK(ClbHarness::Code(r) == "CertificateAndPrivateKeyIsRefered");
  // Moved off the listener, it is still the extension's.
  const std::string fresh = h.Upload(h.Api())["ServerCertificateId"];
  h.Get("SetLoadBalancerHTTPSListenerAttribute",
        {{"LoadBalancerId", "lb-hz1"}, {"ListenerPort", "443"}, {"ServerCertificateId", fresh}});
  r = h.Call("DeleteServerCertificate", {{"ServerCertificateId", h.seeded_}});
  CHECK(ClbHarness::Code(r) == "CertificateAndPrivateKeyIsRefered");
  h.Get("SetDomainExtensionAttribute",
        {{"DomainExtensionId", h.extension_}, {"ServerCertificateId", fresh}});
  h.Get("DeleteServerCertificate", {{"ServerCertificateId", h.seeded_}});
  CHECK(h.StoreIds() == std::vector<std::string>{fresh});
  // Gone, unknown, or in another region: not found.
  for (const char* region : {"cn-hangzhou", "cn-shanghai"}) {
    r = h.Call("DeleteServerCertificate", {{"ServerCertificateId", h.seeded_}}, region);
    CHECK(r.status == 404);
    CHECK(ClbHarness::Code(r) == "ServerCertificateId.NotFound");
  }
  r = h.Call("DeleteServerCertificate", {{"ServerCertificateId", fresh}}, "cn-shanghai");
  CHECK(ClbHarness::Code(r) == "ServerCertificateId.NotFound");
  r = h.Call("DeleteServerCertificate", {});
  CHECK(ClbHarness::Code(r) == "MissingServerCertificateId");
}

TEST_CASE("clb: the HTTPS listener's attribute names its certificate and domain extensions",
          "[emulator][clb]") {
  ClbHarness h;
  nlohmann::json a = h.Get("DescribeLoadBalancerHTTPSListenerAttribute",
                           {{"LoadBalancerId", "lb-hz1"}, {"ListenerPort", "443"}});
  CHECK(a["ServerCertificateId"] == h.seeded_);
  CHECK(a["Status"] == "running");
  CHECK(a["ListenerPort"] == 443);
  REQUIRE(a["DomainExtensions"]["DomainExtension"].size() == 1);
  CHECK(a["DomainExtensions"]["DomainExtension"][0]["Domain"] == "api.example.com");
  CHECK(a["DomainExtensions"]["DomainExtension"][0]["DomainExtensionId"] == h.extension_);
  CHECK(a["DomainExtensions"]["DomainExtension"][0]["ServerCertificateId"] == h.seeded_);
  CHECK(h.Get("DescribeLoadBalancerHTTPSListenerAttribute",
              {{"LoadBalancerId", "lb-hz2"}, {"ListenerPort", "443"}})["ServerCertificateId"] ==
        "");

  auto refused = [&](const alicloud::Params& p, const std::string& region = "cn-hangzhou") {
    emulator::ApiResponse r = h.Call("DescribeLoadBalancerHTTPSListenerAttribute", p, region);
    return std::to_string(r.status) + " " + ClbHarness::Code(r);
  };
  CHECK(refused({{"LoadBalancerId", "lb-nope"}, {"ListenerPort", "443"}}) ==
        "404 InvalidLoadBalancerId.NotFound");
  CHECK(refused({{"LoadBalancerId", "lb-hz1"}, {"ListenerPort", "443"}}, "cn-shanghai") ==
        "404 InvalidLoadBalancerId.NotFound");
  CHECK(refused({{"LoadBalancerId", "lb-hz1"}, {"ListenerPort", "8443"}}) ==
        "404 ListenerNotFound");
  CHECK(refused({{"LoadBalancerId", "lb-hz1"}, {"ListenerPort", "80"}}) == "404 ListenerNotFound");
  CHECK(refused({{"LoadBalancerId", "lb-hz1"}, {"ListenerPort", "0"}}) == "400 InvalidParameter");
  CHECK(refused({{"LoadBalancerId", "lb-hz1"}, {"ListenerPort", "x"}}) == "400 InvalidParameter");
  CHECK(refused({{"LoadBalancerId", "lb-hz1"}}) == "400 MissingListenerPort");
  CHECK(refused({{"ListenerPort", "443"}}) == "400 MissingLoadBalancerId");
  CHECK(refused({{"LoadBalancerId", "lb-hz1"}, {"ListenerPort", "443"}}, "") ==
        "400 MissingRegionId");
  emulator::ApiResponse r = h.Call("DescribeLoadBalancerHTTPSListenerAttribute",
                                   {{"LoadBalancerId", "lb-hz1"}, {"ListenerPort", "443"}},
                                   "cn-hangzhou", "otherid", "othersecret");
  CHECK(ClbHarness::Code(r) == "InvalidLoadBalancerId.NotFound");
  // A regional endpoint naming another region than RegionId.
  r = h.Call("DescribeLoadBalancerHTTPSListenerAttribute",
             {{"LoadBalancerId", "lb-hz1"}, {"ListenerPort", "443"}}, "cn-hangzhou", "testid",
             "testsecret", "slb.cn-shanghai.aliyuncs.com");
  CHECK(ClbHarness::Code(r) == "InvalidParameter");
}

TEST_CASE("clb: SetLoadBalancerHTTPSListenerAttribute takes a certificate of the region's store",
          "[emulator][clb]") {
  ClbHarness h;
  const std::string fresh = h.Upload(h.Api())["ServerCertificateId"];
  h.Get("SetLoadBalancerHTTPSListenerAttribute", {{"LoadBalancerId", "lb-hz2"},
                                                  {"ListenerPort", "443"},
                                                  {"ServerCertificateId", fresh},
                                                  {"Bandwidth", "-1"},
                                                  {"Scheduler", "wrr"}});
  CHECK(h.Get("DescribeLoadBalancerHTTPSListenerAttribute",
              {{"LoadBalancerId", "lb-hz2"}, {"ListenerPort", "443"}})["ServerCertificateId"] ==
        fresh);
  // Bandwidth is optional (the page marks only RegionId, LoadBalancerId and ListenerPort
  // required): without it, and without a certificate, the call changes nothing.
  h.Get("SetLoadBalancerHTTPSListenerAttribute",
        {{"LoadBalancerId", "lb-hz2"}, {"ListenerPort", "443"}});
  CHECK(h.Get("DescribeLoadBalancerHTTPSListenerAttribute",
              {{"LoadBalancerId", "lb-hz2"}, {"ListenerPort", "443"}})["ServerCertificateId"] ==
        fresh);
  auto refused = [&](const alicloud::Params& p) {
    emulator::ApiResponse r = h.Call("SetLoadBalancerHTTPSListenerAttribute", p);
    return std::to_string(r.status) + " " + ClbHarness::Code(r);
  };
  const std::string shanghai = h.Upload(h.Api(), "cn-shanghai")["ServerCertificateId"];
  CHECK(refused({{"LoadBalancerId", "lb-hz2"},
                 {"ListenerPort", "443"},
                 {"ServerCertificateId", shanghai}}) == "404 ServerCertificateId.NotFound");
  CHECK(refused({{"LoadBalancerId", "lb-hz2"},
                 {"ListenerPort", "443"},
                 {"ServerCertificateId", fresh},
                 {"Bandwidth", "5121"}}) == "400 InvalidParameter");
  CHECK(refused({{"LoadBalancerId", "lb-hz1"},
                 {"ListenerPort", "80"},
                 {"ServerCertificateId", fresh}}) == "404 ListenerNotFound");
  CHECK(refused({{"LoadBalancerId", "lb-sh"}, {"ListenerPort", "443"}}) ==
        "404 InvalidLoadBalancerId.NotFound");
  CHECK(refused({{"ListenerPort", "443"}}) == "400 MissingLoadBalancerId");
}

TEST_CASE("clb: domain extensions are listed and take a new certificate", "[emulator][clb]") {
  ClbHarness h;
  const std::string second = h.Admin("domain_extensions", "",
                                     {{"load_balancer_id", "lb-hz1"},
                                      {"port", 443},
                                      {"domain", "*.example.org"},
                                      {"server_certificate_id", h.seeded_}})["domain_extension_id"];
  CHECK(std::regex_match(second, std::regex("de-[0-9a-z]+")));
  nlohmann::json all =
      h.Get("DescribeDomainExtensions", {{"LoadBalancerId", "lb-hz1"}, {"ListenerPort", "443"}});
  CHECK(all["DomainExtensions"]["DomainExtension"].size() == 2);
  nlohmann::json one =
      h.Get("DescribeDomainExtensions",
            {{"LoadBalancerId", "lb-hz1"}, {"ListenerPort", "443"}, {"DomainExtensionId", second}});
  REQUIRE(one["DomainExtensions"]["DomainExtension"].size() == 1);
  CHECK(one["DomainExtensions"]["DomainExtension"][0]["Domain"] == "*.example.org");
  CHECK(h.Get("DescribeDomainExtensions",
              {{"LoadBalancerId", "lb-hz2"},
               {"ListenerPort", "443"}})["DomainExtensions"]["DomainExtension"]
            .empty());

  static const TestCert org = IssueCert({.cn = "*.example.org", .sans = {"*.example.org"}});
  const std::string fresh = h.Upload(org)["ServerCertificateId"];
  h.Get("SetDomainExtensionAttribute",
        {{"DomainExtensionId", second}, {"ServerCertificateId", fresh}});
  one =
      h.Get("DescribeDomainExtensions",
            {{"LoadBalancerId", "lb-hz1"}, {"ListenerPort", "443"}, {"DomainExtensionId", second}});
  CHECK(one["DomainExtensions"]["DomainExtension"][0]["ServerCertificateId"] == fresh);

  auto refused = [&](const std::string& action, const alicloud::Params& p,
                     const std::string& region = "cn-hangzhou") {
    emulator::ApiResponse r = h.Call(action, p, region);
    return std::to_string(r.status) + " " + ClbHarness::Code(r);
  };
  CHECK(refused("SetDomainExtensionAttribute",
                {{"DomainExtensionId", "de-nope"}, {"ServerCertificateId", fresh}}) ==
        "400 InvalidParameter.DomainExtensionId");
  CHECK(refused("SetDomainExtensionAttribute",
                {{"DomainExtensionId", second}, {"ServerCertificateId", fresh}},
                "cn-shanghai") == "400 InvalidParameter.DomainExtensionId");
  CHECK(refused("SetDomainExtensionAttribute",
                {{"DomainExtensionId", second}, {"ServerCertificateId", "1_2_3_4"}}) ==
        "404 ServerCertificateId.NotFound");
  CHECK(refused("SetDomainExtensionAttribute", {{"DomainExtensionId", second}}) ==
        "400 MissingServerCertificateId");
  CHECK(refused("DescribeDomainExtensions",
                {{"LoadBalancerId", "lb-hz1"}, {"ListenerPort", "80"}}) == "404 ListenerNotFound");
  CHECK(
      refused("DescribeDomainExtensions", {{"LoadBalancerId", "lb-x"}, {"ListenerPort", "443"}}) ==
      "404 InvalidLoadBalancerId.NotFound");
  CHECK(refused("DescribeDomainExtensions", {{"LoadBalancerId", "lb-hz1"}}) ==
        "400 MissingListenerPort");
}

TEST_CASE("clb: a write leaves its load balancer configuring, a second write is refused",
          "[emulator][clb]") {
  ClbHarness h;
  const std::string fresh = h.Upload(h.Api())["ServerCertificateId"];
  const alicloud::Params set = {
      {"LoadBalancerId", "lb-hz1"}, {"ListenerPort", "443"}, {"ServerCertificateId", fresh}};
  const alicloud::Params ext = {{"DomainExtensionId", h.extension_},
                                {"ServerCertificateId", fresh}};
  // Without a window (the default), writes follow each other at once.
  h.Get("SetLoadBalancerHTTPSListenerAttribute", set);
  h.Get("SetDomainExtensionAttribute", ext);

  h.Admin("config", "", {{"configuring_ms", 2000}});
  h.Get("SetLoadBalancerHTTPSListenerAttribute", set);
  CHECK(h.Get("DescribeLoadBalancerHTTPSListenerAttribute",
              {{"LoadBalancerId", "lb-hz1"}, {"ListenerPort", "443"}})["Status"] == "configuring");
  emulator::ApiResponse r = h.Call("SetLoadBalancerHTTPSListenerAttribute", set);
  CHECK(r.status == 400);
  CHECK(ClbHarness::Code(r) == "ServiceIsConfiguring");
  r = h.Call("SetDomainExtensionAttribute", ext);
  CHECK(r.status == 400);
  CHECK(ClbHarness::Code(r) == "DomainExtensionProcessing");
  // Another load balancer is not held up; reads and the store are not either.
  h.Get("SetLoadBalancerHTTPSListenerAttribute",
        {{"LoadBalancerId", "lb-hz2"}, {"ListenerPort", "443"}, {"ServerCertificateId", fresh}});
  h.Upload(h.Api());
  h.clock_.Advance(milliseconds(1999));
  CHECK(ClbHarness::Code(h.Call("SetDomainExtensionAttribute", ext)) ==
        "DomainExtensionProcessing");
  h.clock_.Advance(milliseconds(1));
  CHECK(h.Get("DescribeLoadBalancerHTTPSListenerAttribute",
              {{"LoadBalancerId", "lb-hz1"}, {"ListenerPort", "443"}})["Status"] == "running");
  h.Get("SetDomainExtensionAttribute", ext);  // which starts a window again
  CHECK(ClbHarness::Code(h.Call("SetLoadBalancerHTTPSListenerAttribute", set)) ==
        "ServiceIsConfiguring");
}

TEST_CASE("clb: a RAM policy denies an action by its name or as slb:ACTION", "[emulator][clb]") {
  emulator::EmulatorConfig config = StandardEmulatorConfig(ClbHarness::Shop().CertPem());
  config.ram_denied["testid"] = {"DeleteServerCertificate",
                                 "slb:SetLoadBalancerHTTPSListenerAttribute"};
  ClbHarness h(config);
  for (const std::string action :
       {"DeleteServerCertificate", "SetLoadBalancerHTTPSListenerAttribute"}) {
    emulator::ApiResponse r = h.Call(action, {{"ServerCertificateId", h.seeded_},
                                              {"LoadBalancerId", "lb-hz1"},
                                              {"ListenerPort", "443"}});
    CHECK(r.status == 403);
    CHECK(ClbHarness::Code(r) == "Forbidden.RAM");
  }
  h.Get("DescribeServerCertificates", {});  // every other action still works
  const std::string api = h.Upload(h.Api())["ServerCertificateId"];
  h.Get("SetDomainExtensionAttribute",
        {{"DomainExtensionId", h.extension_}, {"ServerCertificateId", api}});
}

TEST_CASE("clb: each write is limited to 90 per 60 s per region and user, reads to 20 a second",
          "[emulator][clb]") {
  ClbHarness h;
  const alicloud::Params del = {{"ServerCertificateId", "1_2_3_4"}};
  for (int i = 0; i < 90; ++i) {
    REQUIRE(ClbHarness::Code(h.Call("DeleteServerCertificate", del)) ==
            "ServerCertificateId.NotFound");
  }
  emulator::ApiResponse r = h.Call("DeleteServerCertificate", del);
  CHECK(r.status == 400);
  CHECK(ClbHarness::Code(r) == "Throttling.User");
  CHECK(r.headers.contains("x-acs-retry-after"));
  // Another region's window, another write's, another user's are their own.
  CHECK(ClbHarness::Code(h.Call("DeleteServerCertificate", del, "cn-shanghai")) ==
        "ServerCertificateId.NotFound");
  CHECK(ClbHarness::Code(h.Call("DeleteServerCertificate", del, "cn-hangzhou", "otherid",
                                "othersecret")) == "ServerCertificateId.NotFound");
  h.Upload(h.Api());
  h.clock_.Advance(std::chrono::seconds(60));
  CHECK(ClbHarness::Code(h.Call("DeleteServerCertificate", del)) == "ServerCertificateId.NotFound");

  for (int i = 0; i < 20; ++i) h.Get("DescribeServerCertificates", {});
  CHECK(ClbHarness::Code(h.Call("DescribeServerCertificates", {})) == "Throttling.User");
}

TEST_CASE("clb: only Version 2014-05-15 reaches the CLB", "[emulator][clb]") {
  ClbHarness h;
  emulator::ApiResponse r = h.Call("DescribeServerCertificates", {}, "cn-hangzhou", "testid",
                                   "testsecret", "slb.aliyuncs.com", "2020-06-16");
  CHECK(r.status != 200);
  CHECK(r.body.find("ServerCertificates") == std::string::npos);
}
