// What `certform verify` checks: for each binding of the configuration, the name a handshake is
// made for, where it goes ([verify] connect) and the certificate the edge should present.
// Pure functions of their inputs.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/config/config.h"
#include "engine/state/state.h"

namespace certform::engine {

struct VerifyTarget {
  Address address;
  std::string account;
  std::string server_name;  // sent as SNI: the domain, or a wildcard's [verify] names entry
  std::string host;         // connected to: the [verify] connect rule's host, else the name
  int port = 443;
  std::string certificate;  // the configuration's certificate key
  std::string want;         // SHA-256 of the desired leaf's DER
  int want_chain = 0;       // certificates in the configured chain (leaf included); 0: unknown
  // The configured chain's digests (CertificateInfo::chain_digest, and without its root): the
  // served chain must have one of them. Empty: not known (a CAS certificate named by id).
  std::string want_chain_digest;
  std::string want_chain_digest_without_root;
  int64_t want_not_after = 0;
  // The leaf the edge served before an apply (apply --verify): served again, it is reported as
  // the old certificate still propagating. Empty when unknown.
  std::string old;
  // Why the binding is not checked ("HTTPS is off", "wildcard: no [verify] names entry"); empty:
  // it is checked.
  std::string skipped;
};

// One target per binding of `config`, in its order; with `only` (address keys) not empty, the
// bindings at those addresses alone. The desired leaf is the configured certificate's (upload),
// else the fingerprint the state recorded for the binding (a CAS certificate named by id);
// without either the binding is skipped, saying so. `old` gives, by address key, the fingerprint
// served before.
std::vector<VerifyTarget> VerifyTargets(const Config& config, const State& state,
                                        const std::vector<std::string>& only = {},
                                        const std::map<std::string, std::string>& old = {});

}  // namespace certform::engine
