// Reading and checking the certificates a Config names, before any plan is shown.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "engine/base/clock.h"
#include "engine/base/diagnostics.h"
#include "engine/base/file_system.h"
#include "engine/config/config.h"

namespace certform::engine {

class TrustedRoots;

// Looks up an environment variable; main() passes getenv, tests pass a map. The engine itself
// reads no environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Whether a command needs the private keys: apply sends them; plan and validate only check them
// when they are there (a pull request from a fork, or a reviewer, has no secrets).
enum class KeyPolicy {
  kRequired,     // a key that cannot be read is an error
  kWhenPresent,  // an absent key (unset key_env, missing key_file) is a warning; present ones
                 // are checked as with kRequired
};

// For every upload certificate of `config`: reads its PEM chain and private key, and checks that
// the PEM parses, the chain is in order (each certificate issued by the next) and complete (it
// ends at a root, or at a certificate one of `roots` issued), the key matches the
// leaf, the leaf is valid at `now`, and it covers every domain bound to it. Fills
// CertificateConfig::info and, when unset, cert_name ("certform-" + 16 fingerprint digits, so new
// content never reuses an old name). Errors and expiry warnings go to `diags` with the position of
// the TOML line that names the file. The key is wiped from memory once checked.
void ResolveCertificates(Config* config, FileSystem& fs, const EnvLookup& env,
                         const TrustedRoots& roots, Clock::WallTime now, Diagnostics* diags,
                         KeyPolicy keys = KeyPolicy::kRequired);

// Reads only the upload certificates' PEM files (never a key) to fill CertificateConfig::info and
// the derived cert_name, for commands that compare with the live CDN without the private keys
// (drift, refresh, import). A certificate that cannot be read is left without a fingerprint.
void FingerprintCertificates(Config* config, FileSystem& fs);

// Reads an upload certificate's private key PEM from key_file or key_env into `pem`. The caller
// owns the secret and must WipeSecret() it when done.
Status ReadPrivateKeyPem(const CertificateConfig& cert, FileSystem& fs, const EnvLookup& env,
                         std::string* pem);

// The CertName certform derives from a fingerprint.
std::string DerivedCertName(const std::string& fingerprint);

}  // namespace certform::engine
