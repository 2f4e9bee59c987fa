// ClbProvider (providers/alicloud/clb_provider.h) against the emulator's CLB service over HTTP:
// a slot is set to certform's own copy of a CAS certificate in the region's SLB store (copied
// once, never someone else's copy), read back before it counts, and read as the CAS id of the
// copy it serves; an extension certform would have to create, a certificate it would have to
// remove and a load balancer that is gone are refused or reported, never guessed.
#include "providers/alicloud/clb_provider.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "providers/alicloud/emulator/clb_admin.h"
#include "providers/curl_transport.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"
#include "tests/support/test_pki.h"

using namespace certform;
using namespace certform::testing;

namespace {

constexpr int64_t kCas = 9200001;  // CAS certificates kCas, kCas + 1 of u1
constexpr char kLb[] = "lb-hz1";   // cn-hangzhou: HTTPS 443, extension api.example.com
constexpr char kRegion[] = "cn-hangzhou";

struct ClbProviderHarness {
  ClbProviderHarness()
      : emu(StandardEmulatorConfig(""), false, &clock), provider([this](const std::string& region) {
          return alicloud::SlbCertificates(
              alicloud::RpcClient(transport, clock, random,
                                  alicloud::Credentials{"testid", "testsecret", "", "test"},
                                  emu.Endpoint(), alicloud::kSlbApiVersion),
              region);
        }) {
    for (int64_t id : {kCas, kCas + 1}) {
      emu.emulator().PutCasCertificate({"c" + std::to_string(id), id, "u1", Pem(), false});
    }
    Admin("load_balancers", kLb, {{"region", kRegion}});
    seeded = Admin("server_certificates", "",
                   {{"region", kRegion},
                    {"name", "by-hand"},
                    {"cert_pem", Pem()},
                    {"key_pem", Key()}})["server_certificate_id"];
    Admin("listeners", "",
          {{"load_balancer_id", kLb}, {"port", 443}, {"server_certificate_id", seeded}});
    Admin("domain_extensions", "",
          {{"load_balancer_id", kLb},
           {"port", 443},
           {"domain", "api.example.com"},
           {"server_certificate_id", seeded}});
  }

  // Covers every domain extension the cases bind it to (the emulator refuses one it does not).
  static const TestCert& Cert() {
    static const TestCert cert =
        IssueCert({.cn = "shop.example.com",
                   .sans = {"shop.example.com", "api.example.com", "*.example.com"}});
    return cert;
  }
  static std::string Pem() { return Cert().CertPem(); }
  static std::string Key() { return Cert().KeyPem(); }

  nlohmann::json Admin(const std::string& kind, const std::string& id, const nlohmann::json& body) {
    nlohmann::json answer;
    INFO(kind << " " << body.dump().substr(0, 200) << " -> " << answer.dump());
    REQUIRE(emulator::ClbAdmin(emu.emulator().clb(), kind, id, body, &answer) == 200);
    return answer;
  }

  // The region's store, as the admin lists it.
  nlohmann::json Store() {
    nlohmann::json answer;
    REQUIRE(emulator::ClbAdminCertificates(emu.emulator().clb(), kRegion, &answer) == 200);
    return answer["server_certificates"];
  }

  static engine::Address At(const std::string& slot, const std::string& lb = kLb) {
    return {"clb", {kRegion, lb, "443"}, slot};
  }

  engine::BindingRequest Request(const std::string& slot, int64_t cas) {
    engine::BindingRequest r;
    r.address = At(slot);
    r.cert_type = "cas";
    r.cert_id = cas;
    r.cert_region = kRegion;
    r.cert_name = "c" + std::to_string(cas);
    return r;
  }

  // Each step's write and its read-back, as the engine sends them.
  void Change(engine::BindingRequest request) {
    for (int step = 0; step < provider.Steps(request); ++step) {
      request.step = step;
      engine::CallResult result;
      engine::Status s = provider.SetBinding(request, &result);
      INFO("step " << step << ": " << s.ToString() << " " << result.error_code << " "
                   << result.error_message);
      REQUIRE(s.ok());
      s = provider.ConfirmStep(request, &result);
      INFO(s.ToString());
      REQUIRE(s.ok());
    }
  }

  engine::LiveBinding Read(const std::string& slot, const std::string& lb = kLb) {
    engine::LiveBinding live;
    engine::CallResult result;
    const engine::Status s = provider.ReadBinding(At(slot, lb), &live, &result);
    INFO(s.ToString() << " " << result.error_code);
    REQUIRE(s.ok());
    return live;
  }

  int Calls(const std::string& action) {
    const nlohmann::json calls = emu.emulator().CountersJson()["calls"];
    return calls.contains(action) ? calls[action].value("u1", 0) : 0;
  }

  FakeClock clock;
  EmulatorFixture emu;
  providers::CurlTransport transport{providers::CurlOptions{}};
  SeededRandom random;
  alicloud::ClbProvider provider;
  std::string seeded;
};

}  // namespace

TEST_CASE(
    "clb provider: the default certificate becomes certform's copy of the CAS certificate, "
    "copied once",
    "[clb][provider]") {
  ClbProviderHarness p;
  engine::LiveBinding before = p.Read("default");
  CHECK(before.exists);
  CHECK(before.https);
  CHECK(before.cert_id == 0);  // uploaded by content: no CAS certificate certform can name
  CHECK(before.cert_ref == p.seeded);

  p.Change(p.Request("default", kCas));
  engine::LiveBinding after = p.Read("default");
  CHECK(after.cert_id == kCas);
  CHECK(after.cert_ref != p.seeded);
  const nlohmann::json store = p.Store();
  REQUIRE(store.size() == 2);
  CHECK(p.Calls("UploadServerCertificate") == 1);

  // The same certificate on the extension, and again on the default: the copy is found, not
  // made again; the extension's slot reads its own certificate, the default keeps its.
  p.Change(p.Request("sni:api.example.com", kCas));
  p.Change(p.Request("default", kCas));
  CHECK(p.Calls("UploadServerCertificate") == 1);
  CHECK(p.Store().size() == 2);
  engine::LiveBinding sni = p.Read("sni:api.example.com");
  CHECK(sni.https);
  CHECK(sni.cert_id == kCas);
  CHECK(sni.additional_ids == std::vector<int64_t>{kCas});
}

TEST_CASE(
    "clb provider: a renewal of one slot leaves the others as they are, and deletes "
    "certform's old copy once nothing serves it",
    "[clb][provider]") {
  ClbProviderHarness p;
  p.Change(p.Request("sni:api.example.com", kCas));
  REQUIRE(p.Store().size() == 2);
  engine::BindingRequest renewal = p.Request("sni:api.example.com", kCas + 1);
  renewal.previous_cert_id = kCas;
  renewal.previous_cert_region = kRegion;
  CHECK(p.provider.Steps(renewal) == 2);
  p.Change(renewal);
  CHECK(p.Store().size() == 2);  // the new copy in, the old one out
  CHECK(p.Calls("DeleteServerCertificate") == 1);
  CHECK(p.Read("sni:api.example.com").cert_id == kCas + 1);
  // The default is still the certificate uploaded by hand, untouched.
  CHECK(p.Read("default").cert_ref == p.seeded);
  CHECK(p.Calls("SetLoadBalancerHTTPSListenerAttribute") == 0);
}

TEST_CASE("clb provider: someone else's copy of the CAS certificate is not taken for certform's",
          "[clb][provider]") {
  ClbProviderHarness p;
  const std::string theirs =
      p.Admin("server_certificates", "",
              {{"region", kRegion}, {"name", "theirs"}, {"cas_id", kCas}})["server_certificate_id"];
  p.Change(p.Request("default", kCas));
  const engine::LiveBinding live = p.Read("default");
  CHECK(live.cert_id == kCas);
  CHECK(live.cert_ref != theirs);
  CHECK(p.Calls("UploadServerCertificate") == 1);
}

TEST_CASE("clb provider: what certform would have to create or remove is refused before any write",
          "[clb][provider]") {
  ClbProviderHarness p;
  engine::CallResult result;
  // No extension for the domain: nothing is copied into the store, nothing is set.
  engine::Status s = p.provider.SetBinding(p.Request("sni:www.example.com", kCas), &result);
  CHECK(s.code() == engine::Status::Code::kFailed);
  CHECK_THAT(s.message(), Catch::Contains("has no domain extension for www.example.com"));
  CHECK_THAT(s.message(), Catch::Contains("never creates one"));
  // Switching a slot off.
  engine::BindingRequest off = p.Request("sni:api.example.com", kCas);
  off.https = false;
  s = p.provider.SetBinding(off, &result);
  CHECK(s.code() == engine::Status::Code::kFailed);
  CHECK_THAT(s.message(), Catch::Contains("does not remove a certificate"));
  // A certificate without a CAS id.
  s = p.provider.SetBinding(p.Request("default", 0), &result);
  CHECK(s.code() == engine::Status::Code::kInvalidArgument);
  CHECK(p.Calls("UploadServerCertificate") == 0);
  CHECK(p.Calls("SetDomainExtensionAttribute") == 0);
  CHECK(p.Calls("SetLoadBalancerHTTPSListenerAttribute") == 0);
  CHECK(p.Store().size() == 1);
}

TEST_CASE("clb provider: the read-back fails when the slot does not serve certform's copy",
          "[clb][provider]") {
  ClbProviderHarness p;
  // The write has not been made: the default still serves the certificate uploaded by hand.
  engine::CallResult result;
  const engine::Status s = p.provider.ConfirmStep(p.Request("default", kCas), &result);
  CHECK(s.code() == engine::Status::Code::kFailed);
  CHECK_THAT(s.message(), Catch::Contains(p.seeded));
  CHECK_THAT(s.message(), Catch::Contains("not certform's copy of CAS certificate 9200001"));
}

TEST_CASE(
    "clb provider: a load balancer the API does not know is gone, an unknown listener is an "
    "error, an extension slot whose domain has no extension is not there",
    "[clb][provider]") {
  ClbProviderHarness p;
  CHECK_FALSE(p.Read("default", "lb-nosuch").exists);
  // import refuses it, drift says it is gone (it was recorded once as "https off").
  const engine::LiveBinding none = p.Read("sni:nope.example.com");
  CHECK_FALSE(none.exists);
  CHECK_FALSE(none.https);
  CHECK(p.Read("default").exists);
  engine::LiveBinding live;
  engine::CallResult result;
  const engine::Status s =
      p.provider.ReadBinding({"clb", {kRegion, kLb, "8443"}, "default"}, &live, &result);
  CHECK_FALSE(s.ok());
  CHECK_FALSE(live.exists);
}

TEST_CASE(
    "clb provider: a slot serving someone else's copy of the CAS certificate is not "
    "certform's, and a store certificate under certform's name it cannot tie stops the write",
    "[clb][provider]") {
  ClbProviderHarness p;
  const std::string theirs =
      p.Admin("server_certificates", "",
              {{"region", kRegion}, {"name", "theirs"}, {"cas_id", kCas}})["server_certificate_id"];
  // Someone points the extension at their copy: it reads as no CAS id, and a read-back of a
  // write of kCas there does not pass.
  alicloud::SlbCertificates slb(
      alicloud::RpcClient(p.transport, p.clock, p.random,
                          alicloud::Credentials{"testid", "testsecret", "", "test"},
                          p.emu.Endpoint(), alicloud::kSlbApiVersion),
      kRegion);
  std::vector<alicloud::DomainExtension> extensions;
  engine::CallResult r;
  REQUIRE(slb.ListExtensions(kLb, 443, &extensions, &r).ok());
  REQUIRE(extensions.size() == 1);
  REQUIRE(slb.SetExtension(extensions[0].id, theirs, &r).ok());
  const engine::LiveBinding live = p.Read("sni:api.example.com");
  CHECK(live.https);
  CHECK(live.cert_id == 0);
  CHECK(live.cert_ref == theirs);
  const engine::Status s = p.provider.ConfirmStep(p.Request("sni:api.example.com", kCas), &r);
  CHECK(s.code() == engine::Status::Code::kFailed);

  // A certificate uploaded by content under the name certform gives its copy of kCas + 1.
  p.Admin("server_certificates", "",
          {{"region", kRegion},
           {"name", alicloud::StoreCopyName(kCas + 1, kRegion)},
           {"cert_pem", ClbProviderHarness::Pem()},
           {"key_pem", ClbProviderHarness::Key()}});
  const int uploads = p.Calls("UploadServerCertificate");
  const engine::Status refused = p.provider.SetBinding(p.Request("default", kCas + 1), &r);
  CHECK(refused.code() == engine::Status::Code::kFailed);
  CHECK_THAT(refused.message(), Catch::Contains("does not upload another copy"));
  CHECK(p.Calls("UploadServerCertificate") == uploads);
  CHECK(p.Calls("SetLoadBalancerHTTPSListenerAttribute") == 0);
}

TEST_CASE("clb provider: a wildcard domain extension is read and set by its own name",
          "[clb][provider]") {
  ClbProviderHarness p;
  p.Admin("domain_extensions", "",
          {{"load_balancer_id", kLb},
           {"port", 443},
           {"domain", "*.example.com"},
           {"server_certificate_id", p.seeded}});
  p.Change(p.Request("sni:*.example.com", kCas));
  CHECK(p.Read("sni:*.example.com").cert_id == kCas);
  CHECK(p.Read("sni:api.example.com").cert_ref == p.seeded);
  CHECK(p.Read("default").cert_ref == p.seeded);
}

TEST_CASE("clb provider: a renewal keeps the old copy while another slot serves it",
          "[clb][provider]") {
  ClbProviderHarness p;
  p.Change(p.Request("default", kCas));
  p.Change(p.Request("sni:api.example.com", kCas));
  engine::BindingRequest renewal = p.Request("sni:api.example.com", kCas + 1);
  renewal.previous_cert_id = kCas;
  renewal.previous_cert_region = kRegion;
  p.Change(renewal);  // the delete is refused (CertificateAndPrivateKeyIsRefered): done
  CHECK(p.Calls("DeleteServerCertificate") == 1);
  CHECK(p.Store().size() == 3);
  CHECK(p.Read("default").cert_id == kCas);
  CHECK(p.Read("sni:api.example.com").cert_id == kCas + 1);
  // The same certificate again is one step: nothing to delete.
  engine::BindingRequest same = p.Request("default", kCas);
  same.previous_cert_id = kCas;
  CHECK(p.provider.Steps(same) == 1);
}
