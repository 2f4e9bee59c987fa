// OpensslTlsProbe: the real TlsProbe (engine/calls/tls_probe.h): resolves the host, connects
// within the timeout and makes one TLS handshake (TLS 1.2 or later) with the server name as SNI,
// accepting whatever certificate is presented (verify compares fingerprints), then closes.
// OpenSSL's and the socket's errors become Status here and nowhere else. Thread-safe.
#pragma once

#include "engine/calls/tls_probe.h"

struct ssl_ctx_st;

namespace certform::providers {

class OpensslTlsProbe final : public engine::TlsProbe {
 public:
  OpensslTlsProbe();
  ~OpensslTlsProbe() override;
  OpensslTlsProbe(const OpensslTlsProbe&) = delete;
  OpensslTlsProbe& operator=(const OpensslTlsProbe&) = delete;

  engine::TlsProbeResult Handshake(const engine::TlsProbeRequest& request) override;

 private:
  ssl_ctx_st* ctx_ = nullptr;
};

}  // namespace certform::providers
