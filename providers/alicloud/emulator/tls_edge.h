// TlsEdge: what the emulated edge serves in a TLS handshake, as against what the API says is
// bound. A real CDN takes minutes to carry a new certificate to its edge nodes (propagation);
// the emulator models that: after the API changes a domain's certificate, the edge serves the
// one before until a delay has passed since the change (on the emulator's clock, so that a fake
// clock drives it), and for a number of handshakes, unless told to finish at once
// (PropagateAll: the admin API's POST /_emulator/propagate). Changes made through the admin API
// reach the edge at once.
//
// The edge also keeps the private keys the API received (uploads, direct binds; and keys the
// admin hands it), in memory only and never shown, since a handshake needs the key of the
// certificate it serves. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "engine/base/clock.h"

namespace certform::emulator {

// What a domain serves: its certificate chain (PEM, leaf first) while HTTPS is on.
struct ServedCertificate {
  bool https = false;
  std::string cert_pem;

  bool operator==(const ServedCertificate&) const = default;
};

struct Propagation {
  engine::Clock::Duration delay{0};  // the old certificate is served this long after a change
  int stale_handshakes = 0;          // ... and for this many handshakes after it
};

class TlsEdge {
 public:
  explicit TlsEdge(engine::Clock& clock) : clock_(clock) {}

  void SetPropagation(const Propagation& propagation);
  Propagation propagation() const;

  // The API changed what `domain` serves; `before` is what it served until now. Until the change
  // has propagated the edge goes on serving `before` (a second change while one propagates
  // keeps the first `before`, and restarts the delay).
  void Changed(const std::string& domain, const ServedCertificate& before);
  // Every change propagated now.
  void PropagateAll();
  // The domains whose change has not propagated yet.
  int Pending() const;

  // What a handshake for `domain` is answered with, `current` being what the API says it
  // serves; counts the handshake against the stale_handshakes of a change propagating.
  ServedCertificate Serve(const std::string& domain, const ServedCertificate& current);

  // Keeps a private key (PEM) for serving the certificates of its public key; ignored when it
  // is not a key. Memory only; never returned but to the TLS server (KeyFor).
  void KeepKey(const std::string& key_pem);
  // The private key (PEM) for the leaf of `cert_pem`, or "" when the edge knows none.
  std::string KeyFor(const std::string& cert_pem) const;

  // Forgets the changes propagating and the keys kept through the API (the admin's keep theirs).
  void Reset();
  // Keeps `key_pem` across Reset() (keys from the emulator's configuration and admin).
  void KeepKeyAlways(const std::string& key_pem);

 private:
  struct Change {
    ServedCertificate before;
    engine::Clock::Instant changed_at;
    int handshakes = 0;
  };
  void Keep(const std::string& key_pem, bool always);

  engine::Clock& clock_;
  mutable std::mutex mu_;
  Propagation propagation_;
  std::map<std::string, Change> pending_;
  // SHA-256 of the public key (SubjectPublicKeyInfo DER) → the private key's PEM.
  std::map<std::string, std::string> keys_;
  std::map<std::string, std::string> kept_keys_;  // the admin's and the configuration's
};

}  // namespace certform::emulator
