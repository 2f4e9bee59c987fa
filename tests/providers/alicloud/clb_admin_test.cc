// The emulator's CLB admin API (clb_admin.h): each route's door checks, the state document and
// the reset. The calls themselves: clb_service_test.cc.
#include <catch2/catch.hpp>

#include "tests/providers/alicloud/clb_harness.h"

using namespace certform;
using namespace certform::testing;

TEST_CASE("clb admin: a load balancer's id, region, user and fields are checked at the door",
          "[emulator][clb]") {
  ClbHarness h;
  CHECK(h.AdminError("load_balancers", "alb-1", {{"region", "cn-hangzhou"}}).find("lb-") !=
        std::string::npos);
  CHECK(!h.AdminError("load_balancers", "lb-UPPER", {{"region", "cn-hangzhou"}}).empty());
  CHECK(!h.AdminError("load_balancers", "lb-", {{"region", "cn-hangzhou"}}).empty());
  CHECK(!h.AdminError("load_balancers", "lb-" + std::string(62, 'a'), {{"region", "cn-hangzhou"}})
             .empty());
  CHECK(!h.AdminError("load_balancers", "lb-x", {}).empty());  // no region
  CHECK(!h.AdminError("load_balancers", "lb-x", {{"region", 7}}).empty());
  CHECK(!h.AdminError("load_balancers", "lb-x", {{"region", "cn-hangzhou"}, {"user", ""}}).empty());
  CHECK(h.AdminError("load_balancers", "lb-x", {{"region", "cn-hangzhou"}, {"edition", "x"}}) ==
        "unknown field edition");
  CHECK(h.AdminError("load_balancers", "lb-x", nlohmann::json::array()) ==
        "body must be a JSON object");
  CHECK(h.AdminError("nonsense", "", nlohmann::json::object()) == "unknown CLB resource nonsense");
  h.Admin("load_balancers", "lb-x9", {{"region", "cn-beijing"}, {"user", "u2"}});
  // Put again, a load balancer forgets its listeners and extensions.
  h.Admin("load_balancers", "lb-hz1", {{"region", "cn-hangzhou"}});
  emulator::ApiResponse r = h.Call("DescribeLoadBalancerHTTPSListenerAttribute",
                                   {{"LoadBalancerId", "lb-hz1"}, {"ListenerPort", "443"}});
  CHECK(ClbHarness::Code(r) == "ListenerNotFound");
}

TEST_CASE("clb admin: a listener's port, protocol and certificate are checked at the door",
          "[emulator][clb]") {
  ClbHarness h;
  auto error = [&](nlohmann::json body) { return h.AdminError("listeners", "", body); };
  CHECK(!error({{"load_balancer_id", "lb-hz2"}}).empty());  // no port
  CHECK(!error({{"load_balancer_id", "lb-hz2"}, {"port", 0}}).empty());
  CHECK(!error({{"load_balancer_id", "lb-hz2"}, {"port", 65536}}).empty());
  CHECK(!error({{"load_balancer_id", "lb-hz2"}, {"port", "443"}}).empty());
  CHECK(!error({{"load_balancer_id", "lb-hz2"}, {"port", 443}, {"protocol", "HTTPS"}}).empty());
  CHECK(!error({{"load_balancer_id", "lb-nope"}, {"port", 443}}).empty());
  CHECK(!error({{"load_balancer_id", "lb-hz2"},
                {"port", 8080},
                {"protocol", "tcp"},
                {"server_certificate_id", h.seeded_}})
             .empty());
  CHECK(!error({{"load_balancer_id", "lb-hz2"}, {"port", 443}, {"server_certificate_id", "1_2"}})
             .empty());
  // The store of the load balancer's region: lb-sh (cn-shanghai) cannot take cn-hangzhou's.
  CHECK(!error({{"load_balancer_id", "lb-sh"}, {"port", 443}, {"server_certificate_id", h.seeded_}})
             .empty());
  CHECK(!error({{"load_balancer_id", "lb-hz2"}, {"port", 443}, {"bandwidth", 5}}).empty());
  h.Admin("listeners", "", {{"load_balancer_id", "lb-hz2"}, {"port", 8080}, {"protocol", "tcp"}});
}

TEST_CASE("clb admin: domain extensions: 3 per HTTPS listener unless the quota is raised",
          "[emulator][clb]") {
  ClbHarness h;
  auto put = [&](const std::string& domain) {
    nlohmann::json answer;
    return emulator::ClbAdmin(h.emulator_.clb(), "domain_extensions", "",
                              {{"load_balancer_id", "lb-hz1"},
                               {"port", 443},
                               {"domain", domain},
                               {"server_certificate_id", h.seeded_}},
                              &answer);
  };
  CHECK(put("b.example.com") == 200);
  CHECK(put("c.example.com") == 200);  // the harness put the first
  CHECK(put("d.example.com") == 400);
  CHECK(h.AdminError("config", "", {{"domain_extension_quota", 11}}).find("1 to 10") !=
        std::string::npos);
  CHECK(!h.AdminError("config", "", {{"domain_extension_quota", 0}}).empty());
  h.Admin("config", "", {{"domain_extension_quota", 10}});
  CHECK(put("d.example.com") == 200);
  // Only on an HTTPS listener, with a certificate of the store, a domain given.
  auto error = [&](nlohmann::json body) { return h.AdminError("domain_extensions", "", body); };
  CHECK(!error({{"load_balancer_id", "lb-hz1"},
                {"port", 80},
                {"domain", "e.example.com"},
                {"server_certificate_id", h.seeded_}})
             .empty());
  CHECK(
      !error({{"load_balancer_id", "lb-hz1"}, {"port", 443}, {"domain", "e.example.com"}}).empty());
  CHECK(
      !error({{"load_balancer_id", "lb-hz1"}, {"port", 443}, {"server_certificate_id", h.seeded_}})
           .empty());
  CHECK(!error({{"load_balancer_id", "lb-hz1"},
                {"port", 443},
                {"domain", std::string(81, 'a')},
                {"server_certificate_id", h.seeded_}})
             .empty());
}

TEST_CASE("clb admin: a store certificate is seeded by content or from CAS, never both",
          "[emulator][clb]") {
  ClbHarness h;
  auto error = [&](nlohmann::json body) { return h.AdminError("server_certificates", "", body); };
  const std::string cert = h.Api().CertPem(), key = h.Api().KeyPem();
  CHECK(!error({{"region", "cn-hangzhou"}}).empty());  // neither
  CHECK(!error({{"region", "cn-hangzhou"}, {"cert_pem", cert}}).empty());
  CHECK(
      !error({{"region", "cn-hangzhou"}, {"cert_pem", cert}, {"key_pem", key}, {"cas_id", 7000001}})
           .empty());
  CHECK(!error({{"region", "nowhere!"}, {"cas_id", 7000001}}).empty());
  CHECK(!error({{"region", "cn-hangzhou"}, {"cas_id", 123}}).empty());
  CHECK(!error({{"region", "cn-hangzhou"}, {"cas_id", "7000001"}}).empty());
  CHECK(!error({{"region", "cn-hangzhou"}, {"cas_id", 0}}).empty());
  CHECK(!error({{"region", "cn-hangzhou"}, {"cert_pem", std::string(70000, 'a')}, {"key_pem", key}})
             .empty());
  CHECK(error({{"region", "cn-hangzhou"}, {"cert_pem", cert}, {"key_pem", h.Shop().KeyPem()}})
            .starts_with("CertificateNotMatchPrivateKey"));
  CHECK(error({{"region", "cn-hangzhou"}, {"cas_id", 7000001}, {"key", "x"}}) ==
        "unknown field key");
  const std::string id = h.Admin(
      "server_certificates", "",
      {{"region", "cn-shanghai"}, {"cas_id", 7000001}, {"name", "copy"}})["server_certificate_id"];
  nlohmann::json answer;
  REQUIRE(emulator::ClbAdminCertificates(h.emulator_.clb(), "cn-shanghai", &answer) == 200);
  REQUIRE(answer["server_certificates"].size() == 1);
  CHECK(answer["server_certificates"][0]["ServerCertificateId"] == id);
  CHECK(answer["server_certificates"][0]["IsAliCloudCertificate"] == 1);
  CHECK(answer["server_certificates"][0]["User"] == "u1");
  CHECK(answer.dump().find("PRIVATE KEY") == std::string::npos);
  CHECK(emulator::ClbAdminCertificates(h.emulator_.clb(), "", &answer) == 400);
}

TEST_CASE("clb admin: the configuring window is bounded", "[emulator][clb]") {
  ClbHarness h;
  CHECK(!h.AdminError("config", "", {{"configuring_ms", -1}}).empty());
  CHECK(!h.AdminError("config", "", {{"configuring_ms", 3600001}}).empty());
  CHECK(!h.AdminError("config", "", {{"configuring_ms", 1.5}}).empty());
  CHECK(h.AdminError("config", "", {{"duration_ms", 5}}) == "unknown field duration_ms");
  h.Admin("config", "", {{"configuring_ms", 3600000}});
  CHECK(h.emulator_.StateJson()["clb"]["configuring_ms"] == 3600000);
}

TEST_CASE("clb admin: the CAS region and the AliCloudCertificateId shape are checked at the door",
          "[emulator][clb]") {
  ClbHarness h;
  CHECK(h.AdminError("config", "", {{"cas_region", "Mars!"}}) ==
        "cas_region must be a region id, e.g. cn-hangzhou");
  CHECK(!h.AdminError("config", "", {{"cas_region", 7}}).empty());
  CHECK(h.AdminError("config", "", {{"cas_id_shape", "hex"}}) ==
        "cas_id_shape is one of decimal, id-region, legacy");
  CHECK(!h.AdminError("config", "", {{"cas_id_shape", true}}).empty());
  // A refused body changes nothing, not even its good fields.
  CHECK(!h.AdminError("config", "", {{"configuring_ms", 5}, {"cas_id_shape", "hex"}}).empty());
  nlohmann::json clb = h.emulator_.StateJson()["clb"];
  CHECK(clb["configuring_ms"] == 0);
  CHECK(clb["cas_region"] == "cn-hangzhou");
  CHECK(clb["cas_id_shape"] == "decimal");
  h.Admin("config", "", {{"cas_region", "ap-southeast-1"}, {"cas_id_shape", "id-region"}});
  clb = h.emulator_.StateJson()["clb"];
  CHECK(clb["cas_region"] == "ap-southeast-1");
  CHECK(clb["cas_id_shape"] == "id-region");
  // The admin's copies of a CAS certificate come from CAS's region too.
  h.Admin("server_certificates", "", {{"region", "cn-hangzhou"}, {"cas_id", 7000001}});
  nlohmann::json answer;
  REQUIRE(emulator::ClbAdminCertificates(h.emulator_.clb(), "cn-hangzhou", &answer) == 200);
  REQUIRE(answer["server_certificates"].size() == 2);
  CHECK(answer["server_certificates"][1]["AliCloudCertificateId"] == "7000001-ap-southeast-1");
}

TEST_CASE("clb admin: the state shows every CLB resource and a reset forgets them",
          "[emulator][clb]") {
  ClbHarness h;
  h.Admin("config", "", {{"configuring_ms", 500}, {"domain_extension_quota", 5}});
  nlohmann::json clb = h.emulator_.StateJson()["clb"];
  CHECK(clb["load_balancers"].size() == 3);
  CHECK(clb["listeners"].size() == 3);
  CHECK(clb["domain_extensions"].size() == 1);
  REQUIRE(clb["server_certificates"].size() == 1);
  CHECK(clb["server_certificates"][0]["id"] == h.seeded_);
  CHECK(clb["domain_extension_quota"] == 5);
  CHECK(clb.dump().find("PRIVATE KEY") == std::string::npos);
  h.emulator_.Reset();
  clb = h.emulator_.StateJson()["clb"];
  CHECK(clb["load_balancers"].empty());
  CHECK(clb["listeners"].empty());
  CHECK(clb["domain_extensions"].empty());
  CHECK(clb["server_certificates"].empty());
  CHECK(clb["configuring_ms"] == 0);
  CHECK(clb["domain_extension_quota"] == 3);
  CHECK(h.StoreIds().empty());
}
