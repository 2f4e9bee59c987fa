#include "tests/support/emulator_fixture.h"

#include <stdexcept>

namespace certform::testing {

uint64_t SeededRandom::Next64() {
  // splitmix64
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

emulator::EmulatorConfig StandardEmulatorConfig(const std::string& cas_pem) {
  emulator::EmulatorConfig c;
  c.accounts = {{"testid", "testsecret", "u1"}, {"otherid", "othersecret", "u2"}};
  c.domains = {{"www.example.com", "u1", "online"},   {"img.example.com", "u1", "online"},
               {"api.example.com", "u1", "online"},   {".example.org", "u1", "online"},
               {"off.example.com", "u1", "offline"},  {"busy.example.com", "u1", "configuring"},
               {"theirs.example.com", "u2", "online"}};
  c.cas_certificates = {{"shop-cert", 8089870, "u1", cas_pem}};
  return c;
}

EmulatorFixture::EmulatorFixture(emulator::EmulatorConfig config, bool tls, engine::Clock* clock)
    : tls_(tls) {
  emulator::ServerOptions options;
  if (tls) {
    TestCert ca = IssueCert({.cn = "Emulator Test CA", .ca = true});
    TestCert server = IssueCert({.cn = "127.0.0.1", .sans = {"IP:127.0.0.1", "localhost"}}, &ca);
    dir_.Write("ca.pem", ca.CertPem());
    options.tls_cert = dir_.Write("server.pem", server.CertPem());
    options.tls_key = dir_.Write("server.key", server.KeyPem(), 0600);
  }
  emulator_ = std::make_unique<emulator::CdnEmulator>(std::move(config), clock ? *clock : clock_);
  server_ = std::make_unique<emulator::EmulatorServer>(*emulator_);
  engine::Status s = server_->Start(options, &port_);
  if (!s.ok()) throw std::runtime_error("emulator did not start: " + s.ToString());
}

EmulatorFixture::~EmulatorFixture() {
  if (tls_server_) tls_server_->Stop();
  server_->Stop();
}

int EmulatorFixture::TlsPort() {
  if (!tls_server_) {
    tls_server_ = std::make_unique<emulator::TlsServer>(
        [this](const std::string& name) { return emulator_->EdgeHandshake(name); });
    engine::Status s = tls_server_->Start(0, &tls_port_);
    if (!s.ok()) throw std::runtime_error(s.message());
  }
  return tls_port_;
}

std::string EmulatorFixture::Endpoint() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

std::unique_ptr<alicloud::CdnProvider> EmulatorFixture::Provider(const std::string& api,
                                                                 const std::string& secret,
                                                                 engine::Clock* clock,
                                                                 providers::CurlOptions options) {
  transports_.push_back(std::make_unique<providers::CurlTransport>(options));
  alicloud::Credentials creds{"testid", secret, "", "test"};
  alicloud::RpcClient client(*transports_.back(), clock ? *clock : clock_, random_, creds,
                             Endpoint());
  return std::make_unique<alicloud::CdnProvider>(std::move(client), api);
}

}  // namespace certform::testing
