// The emulator's logic in-process (no HTTP server), with a fake clock.
#include "providers/alicloud/emulator/cdn_emulator.h"

#include <set>

#include <catch2/catch.hpp>

#include "engine/base/digest.h"
#include "providers/alicloud/emulator/rate_window.h"
#include "providers/alicloud/oss_cnames.h"
#include "providers/alicloud/oss_signer.h"
#include "providers/alicloud/signer.h"
#include "providers/alicloud/signer_v3.h"
#include "providers/alicloud/xml_text.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"
#include "tests/support/test_pki.h"
#include "tests/support/toy_service.h"

using namespace certform;
using namespace certform::testing;
using alicloud::Params;

namespace {

class Harness {
 public:
  Harness() : emulator_(StandardEmulatorConfig(""), clock_) {}

  // A V1-signed request for testid/testsecret, sent as `method` with everything in the query
  // (GET, pop-core style: Signature appended last) or in a form body (POST).
  emulator::ApiResponse Call(const std::string& action, Params params,
                             const std::string& method = "POST", const std::string& format = "JSON",
                             const std::string& nonce = "",
                             const std::string& version = "2018-05-10") {
    Params all = {{"Action", action},
                  {"Version", version},
                  {"AccessKeyId", "testid"},
                  {"SignatureMethod", "HMAC-SHA1"},
                  {"SignatureVersion", "1.0"},
                  {"SignatureNonce", nonce.empty() ? std::to_string(++nonce_) : nonce},
                  {"Timestamp", engine::FormatUtc(engine::ToUnixSeconds(clock_.Now()))}};
    if (!format.empty()) all.emplace_back("Format", format);
    all.insert(all.end(), params.begin(), params.end());
    all.emplace_back("Signature", alicloud::Sign(method, all, "testsecret"));
    emulator::ApiRequest r;
    r.method = method;
    if (method == "GET") {
      r.target = "/?" + alicloud::EncodeForm(all);
    } else {
      r.target = "/";
      r.headers["content-type"] = "application/x-www-form-urlencoded";
      r.body = alicloud::EncodeForm(all);
    }
    engine::Clock::Duration latency{};
    return emulator_.Handle(r, &latency);
  }

  FakeClock clock_;
  emulator::CdnEmulator emulator_;
  int nonce_ = 0;
};

nlohmann::json Json(const emulator::ApiResponse& r) { return nlohmann::json::parse(r.body); }

// The emulator's OSS side in-process: bucket static-site (cn-hangzhou) of u1 with a verified
// static.example.com, and requests signed with OSS V1 whatever their body says (no Force where
// certform would send one, as another client might).
class OssHarness {
 public:
  OssHarness() : emulator_(Config(), clock_) {
    TestCert other = IssueCert({.cn = "static.example.com", .sans = {"static.example.com"}});
    second_ = emulator_.PutCasCertificate({"second", 0, "u1", other.CertPem(), false});
  }

  static emulator::EmulatorConfig Config() {
    TestCert shop = IssueCert({.cn = "static.example.com", .sans = {"static.example.com"}});
    emulator::EmulatorConfig c = StandardEmulatorConfig(shop.CertPem());
    c.buckets = {{"static-site", "cn-hangzhou", "u1", {"static.example.com"}}};
    return c;
  }

  emulator::ApiResponse Oss(const std::string& method, const std::string& query,
                            const std::string& body = "") {
    const std::string host = "static-site.oss-cn-hangzhou.aliyuncs.com";
    const std::string date = engine::FormatHttpDate(engine::ToUnixSeconds(clock_.Now()));
    const std::string type = body.empty() ? "" : "application/xml";
    const alicloud::Headers headers = {{"Host", host}, {"Date", date}};
    emulator::ApiRequest r;
    r.method = method;
    r.target = "/?" + query;
    r.body = body;
    r.headers = {{"host", host}, {"date", date}};
    if (!type.empty()) r.headers["content-type"] = type;
    r.headers["authorization"] = alicloud::OssAuthorization(
        "testid", "testsecret",
        alicloud::OssStringToSign(method, "", type, date, headers,
                                  alicloud::OssCanonicalResource("static-site", "", query)));
    engine::Clock::Duration latency{};
    return emulator_.Handle(r, &latency);
  }

  // PutCname with `config` inside CertificateConfiguration.
  emulator::ApiResponse Put(const std::string& config) {
    return Oss("POST", "cname&comp=add",
               "<BucketCnameConfiguration><Cname><Domain>static.example.com</Domain>"
               "<CertificateConfiguration>" +
                   config + "</CertificateConfiguration></Cname></BucketCnameConfiguration>");
  }

  // The listed Certificate element of static.example.com, "" without one.
  std::string Listed() {
    emulator::ApiResponse r = Oss("GET", "cname");
    REQUIRE(r.status == 200);
    const std::vector<std::string> c = alicloud::XmlElements(r.body, "Certificate");
    return c.empty() ? "" : c.front();
  }

  FakeClock clock_;
  emulator::CdnEmulator emulator_;
  int64_t second_ = 0;
};

}  // namespace

TEST_CASE("emulator: GET with parameters in the query is verified like POST", "[emulator]") {
  Harness h;
  emulator::ApiResponse r =
      h.Call("DescribeDomainCertificateInfo", {{"DomainName", "www.example.com"}}, "GET");
  INFO(r.body);
  CHECK(r.status == 200);
  CHECK(Json(r)["CertInfos"]["CertInfo"][0]["ServerCertificateStatus"] == "off");
}

TEST_CASE("emulator: a reused nonce is refused", "[emulator]") {
  Harness h;
  CHECK(h.Call("DescribeDomainCertificateInfo", {{"DomainName", "www.example.com"}}, "POST", "JSON",
               "same")
            .status == 200);
  emulator::ApiResponse again = h.Call("DescribeDomainCertificateInfo",
                                       {{"DomainName", "www.example.com"}}, "POST", "JSON", "same");
  CHECK(again.status == 400);
  CHECK(Json(again)["Code"] == "SignatureNonceUsed");
}

TEST_CASE("emulator: XML is the default format, with the documented error body", "[emulator]") {
  Harness h;
  emulator::ApiResponse ok =
      h.Call("DescribeDomainCertificateInfo", {{"DomainName", "www.example.com"}}, "POST", "");
  CHECK(ok.content_type.find("xml") != std::string::npos);
  CHECK(ok.body.find(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeDomainCertificateInfoResponse>") ==
        0);
  CHECK(ok.body.find("<RequestId>") != std::string::npos);
  emulator::ApiResponse err =
      h.Call("DescribeDomainCertificateInfo", {{"DomainName", "nope.example.com"}}, "POST", "XML");
  CHECK(err.status == 404);
  CHECK(err.body.find("<Error><RequestId>") != std::string::npos);
  CHECK(err.body.find("<Code>InvalidDomain.NotFound</Code>") != std::string::npos);
  CHECK(err.body.find("<Recommend>") != std::string::npos);
}

TEST_CASE("emulator: every error body has RequestId, HostId, Code, Message, Recommend",
          "[emulator]") {
  Harness h;
  nlohmann::json e =
      Json(h.Call("SetDomainServerCertificate", {{"DomainName", "www.example.com"}}));
  CHECK(e["Code"] == "ServerCertificateStatus.MissingParameter");
  for (const char* k : {"RequestId", "HostId", "Code", "Message", "Recommend"}) {
    CHECK(e.contains(k));
  }
  CHECK(
      Json(h.Call("SetDomainServerCertificate", {{"DomainName", "www.example.com"},
                                                 {"ServerCertificateStatus", "maybe"}}))["Code"] ==
      "InvalidServerCertificateStatus.ValueNotSupported");
  CHECK(Json(h.Call("SetDomainServerCertificate", {{"DomainName", "www.example.com"},
                                                   {"ServerCertificateStatus", "on"}}))["Code"] ==
        "ServerCertificate.MissingParameter");
  CHECK(Json(h.Call("NoSuchAction", {}))["Code"] == "InvalidApi.NotFound");
}

TEST_CASE("emulator: the per-user window admits 10 calls per sliding second", "[emulator]") {
  Harness h;
  Params off = {{"DomainName", "www.example.com"}, {"ServerCertificateStatus", "off"}};
  for (int i = 0; i < 10; ++i) {
    h.clock_.Advance(std::chrono::milliseconds(50));
    REQUIRE(h.Call("SetDomainServerCertificate", off).status == 200);
  }
  emulator::ApiResponse throttled = h.Call("SetDomainServerCertificate", off);
  CHECK(throttled.status == 400);
  CHECK(Json(throttled)["Code"] == "Throttling.User");
  // The first call was at 50 ms and the window is one second: it frees at 1050 ms.
  CHECK(throttled.headers.at("x-acs-retry-after") == "550");
  h.clock_.Advance(std::chrono::milliseconds(551));
  CHECK(h.Call("SetDomainServerCertificate", off).status == 200);
  nlohmann::json counters = h.emulator_.CountersJson();
  CHECK(counters["throttled"] == 1);
  CHECK(counters["calls"]["SetDomainServerCertificate"]["u1"] == 11);
  CHECK(counters["peak_per_second"]["u1/write"] == 11);
}

TEST_CASE("emulator: evenly spaced calls at the limit are never throttled", "[emulator]") {
  emulator::RateWindow window;
  engine::Clock::Instant t{};
  engine::Clock::Duration wait{};
  for (int i = 0; i < 100; ++i) {
    REQUIRE(window.Admit("u", t, 10, &wait));
    t += std::chrono::milliseconds(100);
  }
  CHECK(window.Peak("u") == 10);
}

TEST_CASE("emulator: admin changes are seen by DescribeDomainCertificateInfo", "[emulator]") {
  Harness h;
  TestCert cert = IssueCert({.sans = {"www.example.com"}});
  std::string error;
  REQUIRE(h.emulator_.PutDomain("www.example.com",
                                {{"https", true},
                                 {"cert_pem", cert.CertPem()},
                                 {"cert_name", "console-upload"},
                                 {"cert_type", "upload"}},
                                &error));
  nlohmann::json info =
      Json(h.Call("DescribeDomainCertificateInfo",
                  {{"DomainName", "www.example.com"}}))["CertInfos"]["CertInfo"][0];
  CHECK(info["ServerCertificateStatus"] == "on");
  CHECK(info["CertName"] == "console-upload");
  CHECK(info["ServerCertificate"] == cert.CertPem());
  CHECK(h.emulator_.StateJson()["domains"]["www.example.com"]["fingerprint"] == cert.Fingerprint());
  REQUIRE(h.emulator_.RemoveDomain("www.example.com"));
  CHECK(Json(h.Call("DescribeDomainCertificateInfo",
                    {{"DomainName", "www.example.com"}}))["Code"] == "InvalidDomain.NotFound");
}

TEST_CASE("emulator: injected faults are seeded and repeatable", "[emulator]") {
  auto run = [] {
    Harness h;
    h.emulator_.SetFaults({.error_rate = 0.3, .drop_rate = 0.2, .seed = 7});
    std::string outcomes;
    for (int i = 0; i < 40; ++i) {
      h.clock_.Advance(std::chrono::milliseconds(200));
      emulator::ApiResponse r =
          h.Call("DescribeDomainCertificateInfo", {{"DomainName", "www.example.com"}});
      outcomes += r.drop ? 'D' : r.status >= 500 ? 'E' : 'o';
    }
    return outcomes;
  };
  std::string first = run();
  CHECK(first == run());
  CHECK(first.find('D') != std::string::npos);
  CHECK(first.find('E') != std::string::npos);
  CHECK(first.find('o') != std::string::npos);
}

namespace {

// A V3-signed request (as @alicloud/cdn20180510 sends it: parameters in the query, empty body).
emulator::ApiResponse CallV3(Harness& h, const std::string& action, const Params& query,
                             const std::string& secret, const std::string& nonce) {
  const std::string empty_sha256 = certform::engine::Sha256Hex("");
  std::vector<std::pair<std::string, std::string>> signed_headers = {
      {"host", "127.0.0.1:8080"},
      {"x-acs-action", action},
      {"x-acs-version", "2018-05-10"},
      {"x-acs-date", engine::FormatUtc(engine::ToUnixSeconds(h.clock_.Now()))},
      {"x-acs-signature-nonce", nonce},
      {"x-acs-content-sha256", empty_sha256}};
  emulator::ApiRequest r;
  r.method = "POST";
  r.target = "/?" + alicloud::EncodeForm(query);
  for (const auto& [k, v] : signed_headers) r.headers[k] = v;
  r.headers["accept"] = "application/json";
  r.headers["authorization"] =
      std::string("ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=") +
      alicloud::SignedHeaderNames(signed_headers) + ",Signature=" +
      alicloud::SignV3(
          secret, alicloud::CanonicalRequestV3("POST", "/", query, signed_headers, empty_sha256));
  engine::Clock::Duration latency{};
  return h.emulator_.Handle(r, &latency);
}

}  // namespace

TEST_CASE("emulator: V3 (ACS3-HMAC-SHA256) requests, as the current SDKs sign, are verified",
          "[emulator][v3]") {
  Harness h;
  emulator::ApiResponse ok = CallV3(
      h, "SetDomainServerCertificate",
      {{"DomainName", "www.example.com"}, {"ServerCertificateStatus", "off"}}, "testsecret", "n1");
  INFO(ok.body);
  CHECK(ok.status == 200);
  emulator::ApiResponse read = CallV3(h, "DescribeDomainCertificateInfo",
                                      {{"DomainName", "www.example.com"}}, "testsecret", "n2");
  CHECK(read.status == 200);
  CHECK(Json(read)["CertInfos"]["CertInfo"][0]["ServerCertificateStatus"] == "off");
  emulator::ApiResponse wrong =
      CallV3(h, "DescribeDomainCertificateInfo", {{"DomainName", "www.example.com"}}, "nope", "n3");
  CHECK(wrong.status == 400);
  CHECK(Json(wrong)["Code"] == "SignatureDoesNotMatch");
  emulator::ApiResponse replay = CallV3(h, "DescribeDomainCertificateInfo",
                                        {{"DomainName", "www.example.com"}}, "testsecret", "n2");
  CHECK(Json(replay)["Code"] == "SignatureNonceUsed");
}

TEST_CASE("emulator: transit time is drawn per request, uniform in 0..transit_ms", "[emulator]") {
  Harness h;
  CHECK(h.emulator_.TransitDelay().count() == 0);  // none by default
  emulator::Faults f;
  f.transit_ms = 50;
  h.emulator_.SetFaults(f);
  engine::Clock::Duration lo = std::chrono::seconds(1), hi{};
  for (int i = 0; i < 500; ++i) {
    const engine::Clock::Duration d = h.emulator_.TransitDelay();
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  CHECK(lo >= engine::Clock::Duration{});
  CHECK(lo < std::chrono::milliseconds(5));
  CHECK(hi <= std::chrono::milliseconds(50));
  CHECK(hi > std::chrono::milliseconds(45));
}

TEST_CASE("emulator: a bad signature echoes the string to sign, under either gateway code",
          "[emulator][secrets]") {
  for (const std::string code : {"SignatureDoesNotMatch", "IncompleteSignature"}) {
    Harness h;
    emulator::Faults f;
    f.signature_error = code;
    h.emulator_.SetFaults(f);
    emulator::ApiRequest r;
    r.method = "POST";
    r.target = "/";
    r.headers["content-type"] = "application/x-www-form-urlencoded";
    Params p = {{"Action", "SetDomainServerCertificate"},
                {"Version", "2018-05-10"},
                {"AccessKeyId", "testid"},
                {"SignatureMethod", "HMAC-SHA1"},
                {"SignatureVersion", "1.0"},
                {"SignatureNonce", "n1"},
                {"Timestamp", engine::FormatUtc(engine::ToUnixSeconds(h.clock_.Now()))},
                {"Format", "JSON"},
                {"PrivateKey", "KEY-MATERIAL-xyz"}};
    p.emplace_back("Signature", alicloud::Sign("POST", p, "wrong-secret"));
    r.body = alicloud::EncodeForm(p);
    engine::Clock::Duration latency{};
    emulator::ApiResponse a = h.emulator_.Handle(r, &latency);
    CHECK(a.status == 400);
    nlohmann::json j = Json(a);
    CHECK(j["Code"] == code);
    const std::string message = j["Message"];
    CHECK(message.find("server string to sign is:POST&%2F&") != std::string::npos);
    CHECK(message.find("PrivateKey%3DKEY-MATERIAL-xyz") != std::string::npos);  // as the gateway
  }
}

TEST_CASE("emulator: ForceSet overwrites a name only with SetDomainServerCertificate",
          "[emulator][rotation]") {
  Harness h;
  TestCert ca = IssueCert({.cn = "CA", .ca = true});
  TestCert a = IssueCert({.cn = "www.example.com", .sans = {"www.example.com"}}, &ca);
  TestCert b = IssueCert({.cn = "www.example.com", .sans = {"www.example.com"}}, &ca);
  auto set = [&](const std::string& action, const TestCert& c, bool force) {
    const bool v2 = action == "SetCdnDomainSSLCertificate";
    Params p = {{"DomainName", "www.example.com"},
                {v2 ? "SSLProtocol" : "ServerCertificateStatus", "on"},
                {"CertType", "upload"},
                {"CertName", "fixed"},
                {v2 ? "SSLPub" : "ServerCertificate", c.CertPem()},
                {v2 ? "SSLPri" : "PrivateKey", c.KeyPem()}};
    if (force) p.emplace_back("ForceSet", "1");
    return h.Call(action, p);
  };
  CHECK(set("SetDomainServerCertificate", a, false).status == 200);
  CHECK(Json(set("SetDomainServerCertificate", b, false))["Code"] == "Certificate.Duplicated");
  CHECK(Json(set("SetCdnDomainSSLCertificate", b, true))["Code"] == "Certificate.Duplicated");
  CHECK(set("SetDomainServerCertificate", b, true).status == 200);
  CHECK(h.emulator_.CountersJson()["keys_received"] == 4);
}

TEST_CASE("emulator: ListUserCertificateOrder's Keyword matches bound domains, not names",
          "[emulator][cas]") {
  Harness h;
  TestCert leaf = IssueCert({.cn = "kw.example.com", .sans = {"www.example.com"}});
  const int64_t id = h.emulator_.PutCasCertificate({"certform-abc", 0, "u1", leaf.CertPem(), true});
  auto list = [&](const std::string& keyword) {
    Params p = {{"OrderType", "UPLOAD"}};
    if (!keyword.empty()) p.emplace_back("Keyword", keyword);
    return Json(h.Call("ListUserCertificateOrder", p, "POST", "JSON", "", "2020-04-07"));
  };
  CHECK(list("")["TotalCount"] == 1);
  CHECK(list("certform-abc")["TotalCount"] == 0);      // a name is not a Keyword
  CHECK(list(std::to_string(id))["TotalCount"] == 1);  // the resource id is
  std::string error;
  REQUIRE(h.emulator_.PutDomain("www.example.com", {{"https", true}, {"cert_id", id}}, &error));
  CHECK(list("www.example")["TotalCount"] == 1);  // a domain bound to it is
}

TEST_CASE("emulator: DescribeUserDomains pages the user's domains (PageSize 1-50)", "[emulator]") {
  Harness h;
  std::set<std::string> seen;
  int64_t total = 0;
  for (int page = 1; page <= 3; ++page) {
    nlohmann::json doc = Json(
        h.Call("DescribeUserDomains", {{"PageNumber", std::to_string(page)}, {"PageSize", "2"}}));
    total = doc["TotalCount"];
    for (const auto& d : doc["Domains"]["PageData"]) seen.insert(d["DomainName"]);
  }
  CHECK(total > 2);
  CHECK(seen.size() == static_cast<size_t>(std::min<int64_t>(total, 6)));
  CHECK(seen.count("www.example.com") == 1);
  CHECK(Json(h.Call("DescribeUserDomains", {{"PageSize", "51"}}))["Code"] == "InvalidParameter");
}

TEST_CASE("emulator: a lost answer is lost after the action was carried out", "[emulator][cas]") {
  Harness h;
  emulator::Faults f;
  f.lose_answers["SetDomainServerCertificate"] = 1;
  h.emulator_.SetFaults(f);
  const Params off = {{"DomainName", "www.example.com"}, {"ServerCertificateStatus", "off"}};
  std::string error;
  REQUIRE(h.emulator_.PutDomain("www.example.com", {{"https", true}}, &error));
  CHECK(h.Call("SetDomainServerCertificate", off).drop);
  CHECK(h.emulator_.StateJson()["domains"]["www.example.com"]["https"] == false);  // done
  CHECK(h.Call("SetDomainServerCertificate", off).status == 200);  // only the first is lost
}

TEST_CASE("emulator: OSS PutCname checks PreviousCertId unless Force, as documented",
          "[emulator][oss]") {
  // https://www.alibabacloud.com/help/en/oss/developer-reference/putcname and
  // https://help.aliyun.com/zh/oss/user-guide/0018-00000209: without Force, a PreviousCertId
  // that is not the domain's current certificate is refused.
  OssHarness h;
  const std::string shop = "8089870-cn-hangzhou";
  const std::string second = std::to_string(h.second_) + "-cn-hangzhou";
  // A domain without a certificate takes one with neither (nothing to overwrite) ...
  emulator::ApiResponse r = h.Put("<CertId>" + shop + "</CertId>");
  INFO(r.body);
  REQUIRE(r.status == 200);
  // ... but replacing one needs the right PreviousCertId or Force (the harsher reading for none).
  r = h.Put("<CertId>" + second + "</CertId>");
  CHECK(r.status == 400);
  CHECK(alicloud::XmlText(r.body, "Code") == "InvalidArgument");
  CHECK(alicloud::XmlText(r.body, "EC") == "0018-00000209");
  CHECK(r.headers["x-oss-ec"] == "0018-00000209");
  r = h.Put("<CertId>" + second + "</CertId><PreviousCertId>" + second + "</PreviousCertId>");
  CHECK(r.status == 400);
  r = h.Put("<CertId>" + second + "</CertId><PreviousCertId>8089870</PreviousCertId>");
  CHECK(r.status == 400);  // compared as the whole "ID-REGION" OSS lists
  CHECK(alicloud::XmlText(h.Listed(), "CertId") == shop);  // nothing changed
  r = h.Put("<CertId>" + second + "</CertId><PreviousCertId>" + shop + "</PreviousCertId>");
  CHECK(r.status == 200);
  CHECK(alicloud::XmlText(h.Listed(), "CertId") == second);
  r = h.Put("<CertId>" + shop + "</CertId><PreviousCertId>" + shop +
            "</PreviousCertId><Force>true</Force>");
  CHECK(r.status == 200);  // Force: no check
  // Deleting is guarded alike.
  r = h.Put("<DeleteCertificate>true</DeleteCertificate><PreviousCertId>" + second +
            "</PreviousCertId>");
  CHECK(r.status == 400);
  CHECK(h.Listed() != "");
  r = h.Put("<DeleteCertificate>true</DeleteCertificate><PreviousCertId>" + shop +
            "</PreviousCertId>");
  CHECK(r.status == 200);
  CHECK(h.Listed() == "");
  // A PreviousCertId for a domain that has no certificate is a mismatch too.
  r = h.Put("<CertId>" + shop + "</CertId><PreviousCertId>" + shop + "</PreviousCertId>");
  CHECK(r.status == 400);
}

TEST_CASE("emulator: OSS ListCname reports the certificate's Status, which the admin can disable",
          "[emulator][oss]") {
  // https://www.alibabacloud.com/help/en/oss/developer-reference/listcname:
  // Cname/Certificate/Status, Enabled or Disabled.
  OssHarness h;
  REQUIRE(h.Put("<CertId>8089870-cn-hangzhou</CertId>").status == 200);
  CHECK(alicloud::XmlText(h.Listed(), "Status") == "Enabled");
  std::string error;
  REQUIRE(h.emulator_.SetCnameCertificateStatus("static.example.com", "Disabled", &error));
  CHECK(alicloud::XmlText(h.Listed(), "Status") == "Disabled");
  CHECK(alicloud::XmlText(h.Listed(), "CertId") == "8089870-cn-hangzhou");
  CHECK(h.emulator_.StateJson()["oss_cnames"]["static.example.com"]["certificate_status"] ==
        "Disabled");
  // A disabled certificate is still the domain's for PreviousCertId; binding one enables it.
  const std::string second = std::to_string(h.second_) + "-cn-hangzhou";
  REQUIRE(h.Put("<CertId>" + second + "</CertId><PreviousCertId>8089870-cn-hangzhou" +
                "</PreviousCertId>")
              .status == 200);
  CHECK(alicloud::XmlText(h.Listed(), "Status") == "Enabled");
}

TEST_CASE("emulator: the admin API disables an OSS domain's certificate over HTTP",
          "[emulator][oss]") {
  EmulatorFixture emu(OssHarness::Config());
  providers::CurlTransport transport{providers::CurlOptions{}};
  auto post = [&](const std::string& body) {
    providers::HttpRequest request;
    request.method = "POST";
    request.url = emu.Endpoint() + "/_emulator/oss_cnames/static.example.com";
    request.headers = {{"Content-Type", "application/json"}};
    request.body = body;
    providers::HttpResponse response;
    REQUIRE(transport.Send(request, &response).ok());
    return response;
  };
  providers::HttpResponse r = post(R"({"certificate_status":"Disabled"})");
  CHECK(r.status == 400);  // no certificate yet
  CHECK(r.body.find("has no certificate") != std::string::npos);
  engine::SystemClock clock;
  alicloud::OssCnames oss(transport, clock,
                          std::make_shared<alicloud::StaticCredentialSource>(
                              alicloud::Credentials{"testid", "testsecret", "", "test"}),
                          emu.Endpoint());
  engine::CallResult result;
  REQUIRE(oss.Put({"static-site", "cn-hangzhou"},
                  {.address = {"oss", {"cn-hangzhou", "static-site"}, "static.example.com"},
                   .cert_type = "cas",
                   .cert_id = 8089870},
                  &result)
              .ok());
  CHECK(post(R"({"certificate_status":1})").status == 400);
  CHECK(post("not json").status == 400);
  CHECK(post(R"({"certificate_status":"Off"})").status == 400);
  r = post(R"({"certificate_status":"Disabled"})");
  INFO(r.body);
  CHECK(r.status == 200);
  CHECK(emu.emulator().StateJson()["oss_cnames"]["static.example.com"]["certificate_status"] ==
        "Disabled");
  engine::LiveBinding live;
  REQUIRE(oss.Read({"static-site", "cn-hangzhou"}, "static.example.com", &live, &result).ok());
  CHECK(live.exists);
  CHECK_FALSE(live.https);
}

// The seam: a product the emulator does not know, plugged in by the test (toy_service.h).
TEST_CASE("emulator: a test's own product plugs in through AddService", "[emulator][toy]") {
  Harness h;
  auto owned = std::make_unique<ToyService>(h.emulator_.context(), h.emulator_.cas());
  ToyService& toy = *owned;
  h.emulator_.AddService(std::move(owned));
  TestCert leaf = IssueCert({.cn = "toy.example.com", .sans = {"toy.example.com"}});
  const int64_t mine = h.emulator_.PutCasCertificate({"toy-cert", 0, "u1", leaf.CertPem(), true});
  const int64_t theirs = h.emulator_.PutCasCertificate({"their", 0, "u2", leaf.CertPem(), true});
  toy.PutToyDomain("toy.example.com", "u1");
  toy.PutToyDomain("b.toy.example.com", "u1");
  toy.PutToyDomain("their.toy.example.com", "u2");
  auto call = [&](const std::string& action, Params p) {
    return h.Call(action, std::move(p), "POST", "JSON", "", kToyVersion);
  };

  SECTION("binding by CAS id, read back, counted") {
    emulator::ApiResponse set = call(
        "SetToyCertificate",
        {{"DomainName", "toy.example.com"}, {"Enabled", "on"}, {"CertId", std::to_string(mine)}});
    INFO(set.body);
    REQUIRE(set.status == 200);
    CHECK(Json(set).contains("RequestId"));
    REQUIRE(toy.Binding("toy.example.com").has_value());
    CHECK(toy.Binding("toy.example.com")->enabled);
    CHECK(toy.Binding("toy.example.com")->cert_id == mine);
    nlohmann::json read = Json(call("DescribeToyCertificate", {{"DomainName", "toy.example.com"}}));
    CHECK(read["DomainName"] == "toy.example.com");
    CHECK(read["Enabled"] == "on");
    CHECK(read["CertId"] == mine);
    CHECK_FALSE(read.contains("Fingerprint"));
    CHECK(
        call("SetToyCertificate", {{"DomainName", "toy.example.com"}, {"Enabled", "off"}}).status ==
        200);
    CHECK(Json(call("DescribeToyCertificate", {{"DomainName", "toy.example.com"}}))["Enabled"] ==
          "off");
    nlohmann::json calls = h.emulator_.CountersJson()["calls"];
    CHECK(calls["SetToyCertificate"]["u1"] == 2);
    CHECK(calls["DescribeToyCertificate"]["u1"] == 2);
    CHECK(h.emulator_.StateJson()["toy_domains"]["toy.example.com"]["enabled"] == false);
  }

  SECTION("unknown domains and certificates are 404") {
    emulator::ApiResponse domain = call(
        "SetToyCertificate",
        {{"DomainName", "nope.example.com"}, {"Enabled", "on"}, {"CertId", std::to_string(mine)}});
    CHECK(domain.status == 404);
    CHECK(Json(domain)["Code"] == "InvalidDomain.NotFound");
    emulator::ApiResponse other =
        call("DescribeToyCertificate", {{"DomainName", "their.toy.example.com"}});  // u2's
    CHECK(other.status == 404);
    CHECK(Json(other)["Code"] == "InvalidDomain.NotFound");
    for (const std::string& id : {std::string("123"), std::to_string(theirs)}) {
      emulator::ApiResponse cert =
          call("SetToyCertificate",
               {{"DomainName", "toy.example.com"}, {"Enabled", "on"}, {"CertId", id}});
      CHECK(cert.status == 404);
      CHECK(Json(cert)["Code"] == "Certificate.NotFound");
    }
    CHECK(toy.Binding("toy.example.com")->enabled == false);
  }

  SECTION("SetToyCertificate is limited to 5 calls per user per second") {
    for (int i = 0; i < 5; ++i) {
      CHECK(call("SetToyCertificate", {{"DomainName", "toy.example.com"}, {"Enabled", "off"}})
                .status == 200);
    }
    emulator::ApiResponse sixth =
        call("SetToyCertificate", {{"DomainName", "toy.example.com"}, {"Enabled", "off"}});
    CHECK(sixth.status == 400);
    CHECK(Json(sixth)["Code"] == "Throttling.User");
    CHECK(h.emulator_.CountersJson()["throttled"] == 1);
    h.clock_.Advance(std::chrono::seconds(1));
    CHECK(
        call("SetToyCertificate", {{"DomainName", "toy.example.com"}, {"Enabled", "off"}}).status ==
        200);
  }

  SECTION("DescribeToyDomains pages the user's own domains") {
    nlohmann::json page =
        Json(call("DescribeToyDomains", {{"PageNumber", "1"}, {"PageSize", "1"}}));
    CHECK(page["TotalCount"] == 2);
    CHECK(page["PageSize"] == 1);
    REQUIRE(page["Domains"]["Domain"].size() == 1);
    CHECK(page["Domains"]["Domain"][0]["DomainName"] == "b.toy.example.com");
    nlohmann::json second =
        Json(call("DescribeToyDomains", {{"PageNumber", "2"}, {"PageSize", "1"}}));
    CHECK(second["Domains"]["Domain"][0]["DomainName"] == "toy.example.com");
    CHECK(call("DescribeToyDomains", {{"PageSize", "51"}}).status == 400);
  }

  SECTION("a binding changed behind certform's back is what the API reads") {
    REQUIRE(toy.SetBinding("toy.example.com", {true, 42}));
    nlohmann::json read = Json(call("DescribeToyCertificate", {{"DomainName", "toy.example.com"}}));
    CHECK(read["Enabled"] == "on");
    CHECK(read["CertId"] == 42);
  }

  SECTION("the shared gateway checks apply: the API version") {
    emulator::ApiResponse version =
        h.Call("DescribeToyCertificate", {{"DomainName", "toy.example.com"}}, "POST", "JSON");
    CHECK(version.status == 400);
    CHECK(Json(version)["Code"] == "InvalidVersion");
    CHECK(h.emulator_.CountersJson()["rejected"] == 1);
  }
}
