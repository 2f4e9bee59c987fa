// The CLB tests' harness: the emulator in-process on a fake clock, with V1-signed requests
// (testid/testsecret, user u1) to slb.aliyuncs.com naming Version 2014-05-15. Seeds: CAS
// certificate 7000001 ("cas-shop") of u1; load balancers lb-hz1 and lb-hz2 (cn-hangzhou) and
// lb-sh (cn-shanghai); in cn-hangzhou's store the certificate `seeded_` (shop.example.com), bound
// to lb-hz1's HTTPS listener 443 and to its domain extension `extension_` (api.example.com);
// lb-hz1 also has an HTTP listener on 80, lb-hz2 an HTTPS listener 443 with no certificate.
#pragma once

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "providers/alicloud/emulator/cdn_emulator.h"
#include "providers/alicloud/emulator/clb_admin.h"
#include "providers/alicloud/signer.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"
#include "tests/support/test_pki.h"

namespace certform::testing {

class ClbHarness {
 public:
  explicit ClbHarness(emulator::EmulatorConfig config = StandardEmulatorConfig(Shop().CertPem()))
      : emulator_(std::move(config), clock_) {
    emulator_.PutCasCertificate({"cas-shop", 7000001, "u1", Shop().CertPem(), false});
    Admin("load_balancers", "lb-hz1", {{"region", "cn-hangzhou"}});
    Admin("load_balancers", "lb-hz2", {{"region", "cn-hangzhou"}});
    Admin("load_balancers", "lb-sh", {{"region", "cn-shanghai"}});
    seeded_ = Admin("server_certificates", "",
                    {{"region", "cn-hangzhou"},
                     {"name", "seeded"},
                     {"cert_pem", Shop().CertPem()},
                     {"key_pem", Shop().KeyPem()}})["server_certificate_id"];
    Admin("listeners", "",
          {{"load_balancer_id", "lb-hz1"}, {"port", 443}, {"server_certificate_id", seeded_}});
    Admin("listeners", "", {{"load_balancer_id", "lb-hz1"}, {"port", 80}, {"protocol", "http"}});
    Admin("listeners", "", {{"load_balancer_id", "lb-hz2"}, {"port", 443}});
    extension_ = Admin("domain_extensions", "",
                       {{"load_balancer_id", "lb-hz1"},
                        {"port", 443},
                        {"domain", "api.example.com"},
                        {"server_certificate_id", seeded_}})["domain_extension_id"];
  }

  static const TestCert& Shop() {
    static const TestCert cert =
        IssueCert({.cn = "shop.example.com", .sans = {"shop.example.com", "www.example.com"}});
    return cert;
  }
  static const TestCert& Api() {
    static const TestCert cert = IssueCert({.cn = "api.example.com", .sans = {"api.example.com"}});
    return cert;
  }

  // A PUT of the admin API that must succeed; its answer.
  nlohmann::json Admin(const std::string& kind, const std::string& id, const nlohmann::json& body) {
    nlohmann::json answer;
    INFO(kind << " " << id << " " << body.dump().substr(0, 300));
    REQUIRE(emulator::ClbAdmin(emulator_.clb(), kind, id, body, &answer) == 200);
    return answer;
  }
  // Its error, when it must fail with 400.
  std::string AdminError(const std::string& kind, const std::string& id,
                         const nlohmann::json& body) {
    nlohmann::json answer;
    INFO(kind << " " << id << " " << body.dump().substr(0, 300));
    REQUIRE(emulator::ClbAdmin(emulator_.clb(), kind, id, body, &answer) == 400);
    return answer.value("error", "");
  }

  // A V1-signed call (JSON); RegionId `region` unless it is empty.
  emulator::ApiResponse Call(const std::string& action, alicloud::Params params,
                             const std::string& region = "cn-hangzhou",
                             const std::string& key = "testid",
                             const std::string& secret = "testsecret",
                             const std::string& host = "slb.aliyuncs.com",
                             const std::string& version = "2014-05-15") {
    alicloud::Params all = {{"Action", action},
                            {"Version", version},
                            {"AccessKeyId", key},
                            {"SignatureMethod", "HMAC-SHA1"},
                            {"SignatureVersion", "1.0"},
                            {"SignatureNonce", std::to_string(++nonce_)},
                            {"Timestamp", engine::FormatUtc(engine::ToUnixSeconds(clock_.Now()))},
                            {"Format", "JSON"}};
    if (!region.empty()) all.emplace_back("RegionId", region);
    all.insert(all.end(), params.begin(), params.end());
    all.emplace_back("Signature", alicloud::Sign("POST", all, secret));
    emulator::ApiRequest r;
    r.method = "POST";
    r.target = "/";
    r.headers["content-type"] = "application/x-www-form-urlencoded";
    r.headers["host"] = host;
    r.body = alicloud::EncodeForm(all);
    engine::Clock::Duration latency{};
    return emulator_.Handle(r, &latency);
  }

  nlohmann::json Get(const std::string& action, const alicloud::Params& params,
                     const std::string& region = "cn-hangzhou") {
    emulator::ApiResponse r = Call(action, params, region);
    INFO(action << ": " << r.body);
    REQUIRE(r.status == 200);
    return nlohmann::json::parse(r.body);
  }

  // UploadServerCertificate by content, which must succeed: its answer.
  nlohmann::json Upload(const TestCert& cert, const std::string& region = "cn-hangzhou") {
    return Get("UploadServerCertificate",
               {{"ServerCertificate", cert.CertPem()}, {"PrivateKey", cert.KeyPem()}}, region);
  }

  // The certificate ids DescribeServerCertificates lists in `region`.
  std::vector<std::string> StoreIds(const std::string& region = "cn-hangzhou") {
    const nlohmann::json listed = Get("DescribeServerCertificates", {}, region);
    std::vector<std::string> ids;
    for (const auto& c : listed["ServerCertificates"]["ServerCertificate"]) {
      ids.push_back(c["ServerCertificateId"]);
    }
    return ids;
  }

  static std::string Code(const emulator::ApiResponse& r) {
    return nlohmann::json::parse(r.body).value("Code", "");
  }

  FakeClock clock_;
  emulator::CdnEmulator emulator_;
  std::string seeded_, extension_;
  int nonce_ = 0;
};

}  // namespace certform::testing
