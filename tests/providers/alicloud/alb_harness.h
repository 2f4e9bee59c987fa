// The ALB and NLB tests' harness: the emulator in-process on a fake clock, with V1-signed requests
// (testid/testsecret, user u1) sent to alb.REGION.aliyuncs.com, and CAS certificates enough for
// the quotas. ALB's: a Standard and a Basic load balancer with HTTPS listeners in cn-hangzhou.
// NLB's (AlbHarness(kNlb)), to nlb.REGION.aliyuncs.com: load balancer nlb-std with the TCPSSL
// listener lsn-tls and the TCP listener lsn-tcp, in cn-hangzhou.
#pragma once

#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "providers/alicloud/emulator/alb_admin.h"
#include "providers/alicloud/emulator/cdn_emulator.h"
#include "providers/alicloud/signer.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"
#include "tests/support/test_pki.h"

namespace certform::testing {

class AlbHarness {
 public:
  enum Product { kAlb, kNlb };

  explicit AlbHarness(Product product = kAlb)
      : emulator_(StandardEmulatorConfig(Pem()), clock_), product_(product) {
    for (int i = 1; i <= 30; ++i) {
      emulator_.PutCasCertificate({"c" + std::to_string(i), 9000000 + i, "u1", Pem(), false});
    }
    if (product == kNlb) {
      Admin("load_balancers", "nlb-std", {{"region", "cn-hangzhou"}});
      Admin("listeners", "lsn-tls",
            {{"load_balancer_id", "nlb-std"}, {"default_certificate", Cert(0)}});
      Admin("listeners", "lsn-tcp", {{"load_balancer_id", "nlb-std"}, {"protocol", "TCP"}});
      return;
    }
    Admin("load_balancers", "alb-std", {{"region", "cn-hangzhou"}, {"edition", "Standard"}});
    Admin("load_balancers", "alb-basic", {{"region", "cn-hangzhou"}, {"edition", "Basic"}});
    Admin("listeners", "lsn-std",
          {{"load_balancer_id", "alb-std"}, {"default_certificate", Cert(0)}});
    Admin("listeners", "lsn-basic1",
          {{"load_balancer_id", "alb-basic"}, {"default_certificate", Cert(0)}});
    Admin("listeners", "lsn-basic2",
          {{"load_balancer_id", "alb-basic"}, {"default_certificate", Cert(0)}});
  }

  static const std::string& Pem() {
    static const std::string pem =
        IssueCert({.cn = "shop.example.com", .sans = {"shop.example.com"}}).CertPem();
    return pem;
  }
  // CAS certificate i of u1 as ALB names it: 0 is the standard configuration's 8089870.
  static std::string Cert(int i) {
    return std::to_string(i == 0 ? 8089870 : 9000000 + i) + "-cn-hangzhou";
  }

  // The product's handler.
  emulator::AlbService& Service() { return product_ == kNlb ? emulator_.nlb() : emulator_.alb(); }

  void Admin(const std::string& kind, const std::string& id, const nlohmann::json& body) {
    nlohmann::json answer;
    INFO(kind << " " << id << " " << body.dump());
    REQUIRE(emulator::AlbAdmin(Service(), kind, id, body, &answer) == 200);
  }

  // A V1-signed call (JSON) to the product's endpoint, alb. or nlb.REGION.aliyuncs.com, naming
  // `version` (the product's unless told: 2020-06-16, 2022-04-30).
  emulator::ApiResponse Call(const std::string& action, alicloud::Params params,
                             const std::string& region = "cn-hangzhou",
                             const std::string& key = "testid",
                             const std::string& secret = "testsecret",
                             const std::string& version = "") {
    alicloud::Params all = {{"Action", action},
                            {"Version", version.empty() ? Service().dialect().version : version},
                            {"AccessKeyId", key},
                            {"SignatureMethod", "HMAC-SHA1"},
                            {"SignatureVersion", "1.0"},
                            {"SignatureNonce", std::to_string(++nonce_)},
                            {"Timestamp", engine::FormatUtc(engine::ToUnixSeconds(clock_.Now()))},
                            {"Format", "JSON"}};
    all.insert(all.end(), params.begin(), params.end());
    all.emplace_back("Signature", alicloud::Sign("POST", all, secret));
    emulator::ApiRequest r;
    r.method = "POST";
    r.target = "/";
    r.headers["content-type"] = "application/x-www-form-urlencoded";
    r.headers["host"] = Service().dialect().name + "." + region + ".aliyuncs.com";
    r.body = alicloud::EncodeForm(all);
    engine::Clock::Duration latency{};
    return emulator_.Handle(r, &latency);
  }

  // Certificates.N.CertificateId of `ids`, after ListenerId (and `extra`).
  static alicloud::Params With(const std::string& listener, const std::vector<std::string>& ids,
                               alicloud::Params extra = {}) {
    alicloud::Params p = {{"ListenerId", listener}};
    for (size_t i = 0; i < ids.size(); ++i) {
      p.emplace_back("Certificates." + std::to_string(i + 1) + ".CertificateId", ids[i]);
    }
    p.insert(p.end(), extra.begin(), extra.end());
    return p;
  }
  // NLB's shape: LIST.N of `ids` (CertificateIds, AdditionalCertificateIds), after ListenerId.
  static alicloud::Params Ids(const std::string& listener, const std::string& list,
                              const std::vector<std::string>& ids, alicloud::Params extra = {}) {
    alicloud::Params p = {{"ListenerId", listener}};
    for (size_t i = 0; i < ids.size(); ++i) {
      p.emplace_back(list + "." + std::to_string(i + 1), ids[i]);
    }
    p.insert(p.end(), extra.begin(), extra.end());
    return p;
  }

  // The JobId of a write that must succeed.
  std::string Job(const std::string& action, const alicloud::Params& params) {
    emulator::ApiResponse r = Call(action, params);
    INFO(action << ": " << r.body);
    REQUIRE(r.status == 200);
    return nlohmann::json::parse(r.body).at("JobId").get<std::string>();
  }

  nlohmann::json Get(const std::string& action, const alicloud::Params& params) {
    emulator::ApiResponse r = Call(action, params);
    INFO(action << ": " << r.body);
    REQUIRE(r.status == 200);
    return nlohmann::json::parse(r.body);
  }

  std::string Status(const std::string& listener) {
    return Get("GetListenerAttribute", {{"ListenerId", listener}})["ListenerStatus"];
  }
  std::string JobStatus(const std::string& job) {
    nlohmann::json j = Get("ListAsynJobs", {{"JobIds.1", job}});
    REQUIRE(j["Jobs"].size() == 1);
    return j["Jobs"][0]["Status"];
  }
  // ListListenerCertificates's entries, "ID:Status" ("*" marks the default), one page of 50 (the
  // most NLB takes).
  std::vector<std::string> Entries(const std::string& listener) {
    std::vector<std::string> out;
    nlohmann::json j =
        Get("ListListenerCertificates", {{"ListenerId", listener}, {"MaxResults", "50"}});
    for (const auto& c : j["Certificates"]) {
      out.push_back((c["IsDefault"].get<bool>() ? "*" : "") +
                    c["CertificateId"].get<std::string>() + ":" + c["Status"].get<std::string>());
    }
    return out;
  }

  static std::string Code(const emulator::ApiResponse& r) {
    return nlohmann::json::parse(r.body).value("Code", "");
  }

  FakeClock clock_;
  emulator::CdnEmulator emulator_;
  Product product_;
  int nonce_ = 0;
};

}  // namespace certform::testing
