// A CDN API emulator served on a free 127.0.0.1 port inside the test process, with a standard
// configuration: AccessKey testid/testsecret for user "u1", a few domains in various states and
// one CAS certificate.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "engine/base/clock.h"
#include "engine/base/random.h"
#include "providers/alicloud/cdn_provider.h"
#include "providers/alicloud/emulator/cdn_emulator.h"
#include "providers/alicloud/emulator/emulator_server.h"
#include "providers/alicloud/emulator/tls_server.h"
#include "providers/curl_transport.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace certform::testing {

// Deterministic randomness for nonces and lineages in tests.
class SeededRandom final : public engine::RandomSource {
 public:
  explicit SeededRandom(uint64_t seed = 42) : state_(seed) {}
  uint64_t Next64() override;  // thread-safe

 private:
  std::mutex mu_;
  uint64_t state_;
};

emulator::EmulatorConfig StandardEmulatorConfig(const std::string& cas_pem);

class EmulatorFixture {
 public:
  // Starts serving at once; with `tls`, over HTTPS with a certificate from `ca` (CaBundle()).
  // The emulator reads the time from `clock` when given (a fake clock, for expiry), else from
  // the system's.
  explicit EmulatorFixture(emulator::EmulatorConfig config, bool tls = false,
                           engine::Clock* clock = nullptr);
  ~EmulatorFixture();

  std::string Endpoint() const;
  // The edge's TLS port (emulator/tls_server.h), started at the first call.
  int TlsPort();
  std::string CaBundle() const { return dir_.Path("ca.pem"); }
  emulator::CdnEmulator& emulator() { return *emulator_; }

  // A provider for AccessKey testid with `secret`, signing with `clock`.
  std::unique_ptr<alicloud::CdnProvider> Provider(
      const std::string& api = "SetDomainServerCertificate",
      const std::string& secret = "testsecret", engine::Clock* clock = nullptr,
      providers::CurlOptions options = {});

 private:
  TempDir dir_;
  bool tls_;
  engine::SystemClock clock_;
  SeededRandom random_;
  std::unique_ptr<emulator::CdnEmulator> emulator_;
  std::unique_ptr<emulator::EmulatorServer> server_;
  std::unique_ptr<emulator::TlsServer> tls_server_;
  int tls_port_ = 0;
  std::vector<std::unique_ptr<providers::CurlTransport>> transports_;
  int port_ = 0;
};

}  // namespace certform::testing
