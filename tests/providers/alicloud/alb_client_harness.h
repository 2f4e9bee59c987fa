// The listener client tests' harness, for one listener product (ALB unless told): the emulator
// over HTTP on a fake clock that ends the jobs, a load balancer (alb-std, or nlb-std) in
// cn-hangzhou with a listener taking certificates (lsn-std, or NLB's lsn-std@443) serving CAS
// certificate 0 of user u1 as its default, and CAS certificates 0 to 20 of u1.
#pragma once

#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "providers/alicloud/alb_provider.h"
#include "providers/alicloud/emulator/alb_admin.h"
#include "providers/alicloud/listener_certificates.h"
#include "providers/curl_transport.h"
#include "tests/providers/alicloud/listener_products.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"
#include "tests/support/test_pki.h"

namespace certform::testing {

struct AlbClientHarness {
  // CAS certificate i of u1 (0 to 20) as ALB names it; lsn-std serves 0 as its default.
  static std::string Cert(int i) { return std::to_string(9100000 + i) + "-cn-hangzhou"; }

  explicit AlbClientHarness(const ListenerProduct& p = ListenerProducts()[0])
      : product(p), listener(p.listener_of("std")), emu(StandardEmulatorConfig(""), false, &clock) {
    Admin("load_balancers", p.load_balancer + "std", p.LoadBalancerSeed());
    Admin("listeners", listener, p.ListenerSeed(p.load_balancer + "std", Cert(0)));
    for (int i = 0; i <= 20; ++i) {
      emu.emulator().PutCasCertificate({"c" + std::to_string(i), 9100000 + i, "u1", Pem(), false});
    }
  }

  static const std::string& Pem() {
    static const std::string pem =
        IssueCert({.cn = "shop.example.com", .sans = {"shop.example.com"}}).CertPem();
    return pem;
  }

  void Admin(const std::string& kind, const std::string& id, const nlohmann::json& body) {
    nlohmann::json answer;
    REQUIRE(emulator::AlbAdmin(product.service(emu.emulator()), kind, id, body, &answer) == 200);
  }

  alicloud::ListenerCertificates Client(const std::string& region = "cn-hangzhou") {
    return alicloud::ListenerCertificates(
        alicloud::RpcClient(transport, clock, random,
                            alicloud::Credentials{"testid", "testsecret", "", "test"},
                            emu.Endpoint(), product.api.version),
        region, product.api);
  }

  // Every page of the listener's certificates, "ID:Status" with "*" before the default.
  std::vector<std::string> All(alicloud::ListenerCertificates& alb,
                               const std::string& listener_id) {
    std::vector<std::string> out;
    std::string token;
    for (int pages = 0; pages < 10; ++pages) {
      std::vector<alicloud::ListenerCertificate> page;
      std::string next;
      engine::CallResult r;
      REQUIRE(alb.ListPage(listener_id, token, &page, &next, &r).ok());
      for (const auto& c : page) out.push_back((c.is_default ? "*" : "") + c.id + ":" + c.status);
      if (next.empty()) break;
      token = next;
    }
    return out;
  }

  // Polls the job as a caller would, the fake clock moving on between polls.
  alicloud::ListenerJob Wait(alicloud::ListenerCertificates& alb, const std::string& job_id) {
    alicloud::ListenerJob job;
    for (int i = 0; i < 20; ++i) {
      engine::CallResult r;
      REQUIRE(alb.Job(job_id, &job, &r).ok());
      if (job.Done()) break;
      clock.Advance(std::chrono::seconds(1));
    }
    return job;
  }

  const ListenerProduct& product;
  const std::string listener;  // lsn-std, as the product writes it
  FakeClock clock;
  EmulatorFixture emu;
  providers::CurlTransport transport{providers::CurlOptions{}};
  SeededRandom random;
};

}  // namespace certform::testing
