// The CDN provider against the emulator on 127.0.0.1: real HTTP, real signatures.
#include "providers/alicloud/cdn_provider.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"

using namespace certform;
using namespace certform::testing;

namespace {

struct Pki {
  TestCert ca = IssueCert({.cn = "Provider CA", .ca = true});
  TestCert web = IssueCert({.cn = "*.example.com", .sans = {"*.example.com"}}, &ca);
  TestCert shop = IssueCert({.cn = "shop.example.com", .sans = {"shop.example.com"}}, &ca);
};

engine::BindingRequest Upload(const std::string& domain, const TestCert& cert,
                              const std::string& name = "web-cert") {
  engine::BindingRequest r;
  r.address = {"cdn", {}, domain};
  r.cert_type = "upload";
  r.cert_name = name;
  r.cert_pem = cert.CertPem();
  r.key_pem = cert.KeyPem();
  return r;
}

}  // namespace

TEST_CASE("provider: an upload binds, and DescribeDomainCertificateInfo reads it back",
          "[provider][emulator]") {
  Pki pki;
  EmulatorFixture emu(StandardEmulatorConfig(pki.shop.CertPem()));
  auto provider = emu.Provider();
  engine::CallResult result;
  engine::Status s = provider->SetBinding(Upload("www.example.com", pki.web), &result);
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(result.request_id.size() == 36);
  CHECK(result.http_status == 200);

  engine::LiveBinding live;
  REQUIRE(provider->ReadBinding({"cdn", {}, "www.example.com"}, &live, &result).ok());
  CHECK(live.exists);
  CHECK(live.https);
  CHECK(live.cert_type == "upload");
  CHECK(live.cert_name == "web-cert");
  CHECK(live.fingerprint == pki.web.Fingerprint());
  CHECK(live.not_after > 0);
  // The emulator never keeps the key.
  CHECK(emu.emulator().StateJson().dump().find("PRIVATE KEY") == std::string::npos);
}

TEST_CASE("provider: HTTPS off, and a CAS certificate by name or by id", "[provider][emulator]") {
  Pki pki;
  EmulatorFixture emu(StandardEmulatorConfig(pki.shop.CertPem()));
  engine::CallResult result;
  engine::LiveBinding live;
  auto v1 = emu.Provider();
  engine::BindingRequest cas{
      .address = {"cdn", {}, "api.example.com"}, .cert_type = "cas", .cert_name = "shop-cert"};
  REQUIRE(v1->SetBinding(cas, &result).ok());
  REQUIRE(v1->ReadBinding({"cdn", {}, "api.example.com"}, &live, &result).ok());
  CHECK(live.cert_type == "cas");
  CHECK(live.cert_id == 8089870);
  CHECK(live.fingerprint == pki.shop.Fingerprint());

  auto v2 = emu.Provider("SetCdnDomainSSLCertificate");
  engine::BindingRequest by_id{
      .address = {"cdn", {}, "img.example.com"}, .cert_type = "cas", .cert_id = 8089870};
  REQUIRE(v2->SetBinding(by_id, &result).ok());
  REQUIRE(v2->SetBinding(Upload("www.example.com", pki.web), &result).ok());

  engine::BindingRequest off{.address = {"cdn", {}, "api.example.com"}, .https = false};
  REQUIRE(v1->SetBinding(off, &result).ok());
  REQUIRE(v1->ReadBinding({"cdn", {}, "api.example.com"}, &live, &result).ok());
  CHECK(live.exists);
  CHECK_FALSE(live.https);
  CHECK(live.fingerprint.empty());
}

TEST_CASE("provider: the API's certificate errors come back with code and RequestId",
          "[provider][emulator]") {
  Pki pki;
  EmulatorFixture emu(StandardEmulatorConfig(pki.shop.CertPem()));
  auto provider = emu.Provider();
  engine::CallResult result;

  engine::BindingRequest garbage = Upload("www.example.com", pki.web);
  garbage.cert_pem = "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n";
  CHECK(provider->SetBinding(garbage, &result).code() == engine::Status::Code::kInvalidArgument);
  CHECK(result.error_code == "Certificate.FormatError");
  CHECK(result.http_status == 400);
  CHECK_FALSE(result.request_id.empty());

  engine::BindingRequest mismatch = Upload("www.example.com", pki.web);
  mismatch.key_pem = pki.shop.KeyPem();
  CHECK_FALSE(provider->SetBinding(mismatch, &result).ok());
  CHECK(result.error_code == "Certificate.MissMatch");

  engine::BindingRequest unknown_cas{
      .address = {"cdn", {}, "www.example.com"}, .cert_type = "cas", .cert_name = "nope"};
  CHECK_FALSE(provider->SetBinding(unknown_cas, &result).ok());
  CHECK(result.error_code == "Certificate.NotFind");

  REQUIRE(provider->SetBinding(Upload("www.example.com", pki.web, "same-name"), &result).ok());
  CHECK_FALSE(provider->SetBinding(Upload("img.example.com", pki.shop, "same-name"), &result).ok());
  CHECK(result.error_code == "Certificate.Duplicated");
  engine::BindingRequest forced = Upload("img.example.com", pki.shop, "same-name");
  forced.force_set = true;
  CHECK(provider->SetBinding(forced, &result).ok());
}

TEST_CASE("provider: unknown, foreign, offline and configuring domains", "[provider][emulator]") {
  Pki pki;
  EmulatorFixture emu(StandardEmulatorConfig(pki.shop.CertPem()));
  auto provider = emu.Provider();
  engine::CallResult result;
  engine::Status s = provider->SetBinding(Upload("nope.example.com", pki.web), &result);
  CHECK(s.IsNotFound());
  CHECK(result.error_code == "InvalidDomain.NotFound");
  CHECK(result.http_status == 404);
  CHECK(provider->SetBinding(Upload("theirs.example.com", pki.web), &result).IsNotFound());
  CHECK_FALSE(provider->SetBinding(Upload("off.example.com", pki.web), &result).IsRetryable());
  CHECK(result.error_code == "InvalidDomain.Offline");
  CHECK(provider->SetBinding(Upload("busy.example.com", pki.web), &result).IsRetryable());
  CHECK(result.error_code == "ServiceBusy");
  CHECK(result.http_status == 403);

  engine::LiveBinding live{.exists = true};
  REQUIRE(provider->ReadBinding({"cdn", {}, "nope.example.com"}, &live, &result).ok());
  CHECK_FALSE(live.exists);
}

TEST_CASE("provider: throttling beyond the per-user window is retryable with a hint",
          "[provider][emulator]") {
  Pki pki;
  emulator::EmulatorConfig config = StandardEmulatorConfig(pki.shop.CertPem());
  config.write_limit = 2;
  EmulatorFixture emu(config);
  auto provider = emu.Provider();
  engine::CallResult result;
  engine::BindingRequest off{.address = {"cdn", {}, "www.example.com"}, .https = false};
  CHECK(provider->SetBinding(off, &result).ok());
  CHECK(provider->SetBinding(off, &result).ok());
  engine::Status s = provider->SetBinding(off, &result);
  CHECK(s.IsRetryable());
  CHECK(result.error_code == "Throttling.User");
  CHECK(result.retry_after > std::chrono::milliseconds(0));
  CHECK(result.retry_after <= std::chrono::seconds(1));
  nlohmann::json counters = emu.emulator().CountersJson();
  CHECK(counters["throttled"] == 1);
  CHECK(counters["peak_per_second"]["u1/write"] == 3);
  // Reads have their own, larger, window.
  engine::LiveBinding live;
  CHECK(provider->ReadBinding({"cdn", {}, "www.example.com"}, &live, &result).ok());
}

TEST_CASE("provider: a wrong secret, an unknown key and a stale clock are refused",
          "[provider][emulator]") {
  Pki pki;
  EmulatorFixture emu(StandardEmulatorConfig(pki.shop.CertPem()));
  engine::CallResult result;
  engine::LiveBinding live;

  auto wrong = emu.Provider("SetDomainServerCertificate", "not-the-secret");
  engine::Status s = wrong->ReadBinding({"cdn", {}, "www.example.com"}, &live, &result);
  CHECK(s.code() == engine::Status::Code::kPermissionDenied);
  CHECK(result.error_code == "SignatureDoesNotMatch");
  CHECK(s.message().find("not-the-secret") == std::string::npos);
  // The gateway's echo of the string to sign (every parameter) never reaches certform's output.
  CHECK(result.error_message.find("POST&%2F&") == std::string::npos);
  CHECK(result.error_message.find("AccessKeyId testid") != std::string::npos);

  providers::CurlTransport transport({});
  engine::SystemClock clock;
  SeededRandom random;
  alicloud::CdnProvider unknown(
      alicloud::RpcClient(transport, clock, random, {"nosuchid", "x", "", "test"}, emu.Endpoint()),
      "SetDomainServerCertificate");
  s = unknown.ReadBinding({"cdn", {}, "www.example.com"}, &live, &result);
  CHECK(s.code() == engine::Status::Code::kPermissionDenied);
  CHECK(result.error_code == "InvalidAccessKeyId.NotFound");
  CHECK(result.http_status == 404);
  CHECK(s.message().find("AccessKeyId nosuchid is unknown or disabled") != std::string::npos);

  FakeClock stale(std::chrono::system_clock::now() - std::chrono::minutes(20));
  auto late = emu.Provider("SetDomainServerCertificate", "testsecret", &stale);
  CHECK_FALSE(late->ReadBinding({"cdn", {}, "www.example.com"}, &live, &result).ok());
  CHECK(result.error_code == "InvalidTimeStamp.Expired");
}

TEST_CASE("provider: TLS to the emulator needs its CA bundle", "[provider][emulator][tls]") {
  Pki pki;
  EmulatorFixture emu(StandardEmulatorConfig(pki.shop.CertPem()), /*tls=*/true);
  engine::CallResult result;
  engine::LiveBinding live;
  auto untrusting = emu.Provider();
  engine::Status s = untrusting->ReadBinding({"cdn", {}, "www.example.com"}, &live, &result);
  CHECK(s.code() == engine::Status::Code::kFailed);
  CHECK(s.message().find("TLS verification failed") != std::string::npos);
  providers::CurlOptions options;
  options.ca_bundle = emu.CaBundle();
  auto trusting = emu.Provider("SetDomainServerCertificate", "testsecret", nullptr, options);
  CHECK(trusting->ReadBinding({"cdn", {}, "www.example.com"}, &live, &result).ok());
  CHECK(live.exists);
}

TEST_CASE("provider: a server that never answers times out as a retryable error",
          "[provider][timeout]") {
  int sock = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(listen(sock, 4) == 0);  // the kernel accepts the connection; nobody ever reads
  socklen_t len = sizeof addr;
  getsockname(sock, reinterpret_cast<sockaddr*>(&addr), &len);
  providers::CurlOptions options;
  options.total_timeout = std::chrono::milliseconds(300);
  providers::CurlTransport transport(options);
  engine::SystemClock clock;
  SeededRandom random;
  alicloud::RpcClient client(transport, clock, random, {"testid", "testsecret", "", "test"},
                             "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)));
  alicloud::CdnProvider provider(std::move(client), "SetDomainServerCertificate");
  engine::CallResult result;
  engine::LiveBinding live;
  engine::Status s = provider.ReadBinding({"cdn", {}, "www.example.com"}, &live, &result);
  close(sock);
  CHECK(s.IsRetryable());
  CHECK(s.message().find("timed out") != std::string::npos);
  CHECK(result.error_code == "NetworkError");
}

TEST_CASE("provider: upload parameters follow each API's names", "[provider]") {
  Pki pki;
  EmulatorFixture emu(StandardEmulatorConfig(pki.shop.CertPem()));
  engine::BindingRequest r = Upload("www.example.com", pki.web);
  alicloud::Params v1 = emu.Provider()->SetBindingParams(r);
  CHECK(emulator::Param(v1, "ServerCertificateStatus") == "on");
  CHECK(emulator::Param(v1, "ServerCertificate") == r.cert_pem);
  CHECK(emulator::Param(v1, "PrivateKey") == r.key_pem);
  alicloud::Params v2 = emu.Provider("SetCdnDomainSSLCertificate")->SetBindingParams(r);
  CHECK(emulator::Param(v2, "SSLProtocol") == "on");
  CHECK(emulator::Param(v2, "SSLPub") == r.cert_pem);
  CHECK(emulator::Param(v2, "SSLPri") == r.key_pem);
  CHECK(emulator::Param(v2, "ForceSet").empty());
}
