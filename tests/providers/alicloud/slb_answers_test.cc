// SlbCertificates (providers/alicloud/slb_certificates.h) given answers the emulator never gives:
// each is outside input, checked at the door. A field of the wrong type or shape fails the call
// (Corruption); an AliCloudCertificateId that is no CAS id as certform writes one, or a copy not
// under certform's name, is never taken for certform's copy of a CAS certificate.
#include "providers/alicloud/slb_certificates.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"
#include "tests/support/scripted_transport.h"

using namespace certform;
using namespace certform::testing;

namespace {

struct Answers {
  alicloud::SlbCertificates Client() {
    return alicloud::SlbCertificates(
        alicloud::RpcClient(transport, clock, random,
                            alicloud::Credentials{"testid", "testsecret", "", "test"},
                            "https://slb.cn-hangzhou.aliyuncs.com", alicloud::kSlbApiVersion),
        "cn-hangzhou");
  }
  // The store's answer with `certificates`.
  engine::Status Store(const nlohmann::json& certificates,
                       std::vector<alicloud::ServerCertificate>* all) {
    transport.Answer(200,
                     nlohmann::json{{"RequestId", "R"},
                                    {"ServerCertificates", {{"ServerCertificate", certificates}}}}
                         .dump());
    engine::CallResult r;
    return Client().ListStore(all, &r);
  }
  static nlohmann::json Copy(const std::string& name, const nlohmann::json& cas_id,
                             const nlohmann::json& is_cas = 1) {
    return {{"ServerCertificateId", "1231579_166f8204689_1714763408_709981430"},
            {"ServerCertificateName", name},
            {"IsAliCloudCertificate", is_cas},
            {"AliCloudCertificateId", cas_id}};
  }

  ScriptedTransport transport;
  FakeClock clock;
  SeededRandom random;
};

}  // namespace

TEST_CASE("slb answers: only certform's named copy of a CAS id as certform writes it is one",
          "[clb][provider]") {
  Answers a;
  std::vector<alicloud::ServerCertificate> all;
  REQUIRE(a.Store({Answers::Copy("cas-123-cn-hangzhou", "123"), Answers::Copy("theirs", "123"),
                   Answers::Copy("cas-123-cn-hangzhou", "0123"),
                   Answers::Copy("cas-123-cn-hangzhou",
                                 "7309xxxxxxxx_15d97e7709a_71445759hr_789289731"),
                   Answers::Copy("cas-123-not a region", "123"),
                   Answers::Copy("cas-123-cn-hangzhou", "123", 0)},
                  &all)
              .ok());
  REQUIRE(all.size() == 6);
  CHECK(all[0].cas_id == 123);
  CHECK(all[0].copy_region == "cn-hangzhou");
  CHECK(all[1].cas_id == 123);  // a copy of 123, but someone else's
  CHECK(all[1].copy_region.empty());
  for (size_t i = 2; i < all.size(); ++i) {
    INFO(i);
    CHECK(all[i].copy_region.empty());
  }
  CHECK(all[2].cas_id == 0);
  CHECK(all[3].cas_id == 0);
  CHECK(all[5].cas_id == 0);  // not a CAS copy at all
}

TEST_CASE("slb answers: a store answer of the wrong type or shape fails the listing",
          "[clb][provider]") {
  Answers a;
  std::vector<alicloud::ServerCertificate> all;
  CHECK(a.Store({Answers::Copy("x", "123", "1")}, &all).code() ==
        engine::Status::Code::kCorruption);
  CHECK(a.Store({Answers::Copy("x", "123", 2)}, &all).code() == engine::Status::Code::kCorruption);
  nlohmann::json bad_id = Answers::Copy("x", "123");
  bad_id["ServerCertificateId"] = "../evil";
  CHECK(a.Store({bad_id}, &all).code() == engine::Status::Code::kCorruption);
  CHECK(a.Store(nlohmann::json::object(), &all).code() == engine::Status::Code::kCorruption);
  nlohmann::json many = nlohmann::json::array();
  for (size_t i = 0; i <= alicloud::SlbCertificates::kMaxStoreCertificates; ++i) {
    many.push_back(Answers::Copy("x", "1"));
  }
  CHECK(a.Store(many, &all).code() == engine::Status::Code::kCorruption);
  CHECK(all.empty());
  // A bad entry after good ones: nothing of the listing is kept.
  CHECK(a.Store({Answers::Copy("cas-1-cn-hangzhou", "1"), bad_id}, &all).code() ==
        engine::Status::Code::kCorruption);
  CHECK(all.empty());
}

TEST_CASE("slb answers: extensions and listeners are checked at the door", "[clb][provider]") {
  Answers a;
  const auto extensions = [&](const nlohmann::json& list,
                              std::vector<alicloud::DomainExtension>* all) {
    a.transport.Answer(200,
                       nlohmann::json{{"DomainExtensions", {{"DomainExtension", list}}}}.dump());
    engine::CallResult r;
    return a.Client().ListExtensions("lb-a", 443, all, &r);
  };
  std::vector<alicloud::DomainExtension> all;
  REQUIRE(extensions({{{"DomainExtensionId", "de-1"},
                       {"Domain", "*.Example.com"},
                       {"ServerCertificateId", "abc_1"}}},
                     &all)
              .ok());
  REQUIRE(all.size() == 1);
  CHECK(all[0].domain == "*.example.com");
  CHECK(extensions({{{"DomainExtensionId", "de-1"}, {"Domain", "ex ample.com"}}}, &all).code() ==
        engine::Status::Code::kCorruption);
  CHECK(extensions({{{"DomainExtensionId", "de 1"}, {"Domain", "a.example.com"}}}, &all).code() ==
        engine::Status::Code::kCorruption);
  CHECK(extensions({{{"DomainExtensionId", "de-1"}, {"Domain", ".example.com"}}}, &all).code() ==
        engine::Status::Code::kCorruption);

  // Another listener's answer, or a certificate id of no known shape.
  std::string id;
  engine::CallResult r;
  a.transport.Answer(200, R"({"ListenerPort": 80, "ServerCertificateId": "abc_1"})");
  CHECK(a.Client().ReadListener("lb-a", 443, &id, &r).code() == engine::Status::Code::kCorruption);
  a.transport.Answer(200, R"({"ListenerPort": 443, "ServerCertificateId": "a\nb"})");
  CHECK(a.Client().ReadListener("lb-a", 443, &id, &r).code() == engine::Status::Code::kCorruption);
  CHECK(id.empty());
  // And nothing is sent for a load balancer or port the door refuses.
  const size_t sent = a.transport.sent.size();
  CHECK(a.Client().ReadListener("lb-A", 443, &id, &r).code() ==
        engine::Status::Code::kInvalidArgument);
  CHECK(a.Client().ReadListener("lb-a", 0, &id, &r).code() ==
        engine::Status::Code::kInvalidArgument);
  CHECK(a.transport.sent.size() == sent);
}
