// TlsProbe: one TLS handshake with a server name, and what the server presented (the way out
// for `certform verify`, as Provider is for API calls). The real one is OpenSSL's
// (providers/openssl_tls_probe.h); tests use a scripted fake. Thread-safe: verify runs several
// handshakes at once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/status.h"

namespace certform::engine {

struct TlsProbeRequest {
  std::string host;         // where to connect: a DNS name, IPv4, or [IPv6]
  int port = 443;           // 1 to 65535
  std::string server_name;  // sent as SNI
  Clock::Duration timeout = std::chrono::seconds(10);  // connect and handshake together
};

// What the server presented. Nothing here is secret.
struct ServedChain {
  // SHA-256 of each certificate's DER, lower-case hex, in the order sent (leaf first).
  // At most 16: a longer chain is cut there (and then differs from any configured one).
  std::vector<std::string> fingerprints;
  // engine::ChainDigestOf the certificates presented (SHA-256 of those after the leaf): compared
  // with the configured chain's CertificateInfo::chain_digest. Empty: not known.
  std::string chain_digest;
  int64_t leaf_not_after = 0;  // Unix seconds
  std::string leaf_subject;    // RFC 2253
};

struct TlsProbeResult {
  // OK with `chain` when the handshake completed. Otherwise what failed, in words a user reads
  // ("cannot resolve edge.example.net", "connection refused", "timed out after 10s", "the
  // server refused the handshake: unrecognized name"): Unavailable for a name that does not
  // resolve, a refused or timed-out connection; Failed for a handshake the server refused or
  // broke off.
  Status status;
  ServedChain chain;
};

class TlsProbe {
 public:
  virtual ~TlsProbe() = default;
  // Connects, handshakes (without judging the certificate: verify compares fingerprints, and
  // reports a chain that does not verify as what it is), and closes. Never throws.
  virtual TlsProbeResult Handshake(const TlsProbeRequest& request) = 0;
};

}  // namespace certform::engine
