// The root certificates a chain may end at without including them: the machine's trust store
// (OpenSSL's default paths, which SSL_CERT_FILE and SSL_CERT_DIR override), or certificates given
// as PEM. Behind an interface so that the resolver's checks do not depend on what a machine has
// installed.
#pragma once

#include <memory>
#include <string_view>

struct x509_st;

namespace certform::engine {

class TrustedRoots {
 public:
  virtual ~TrustedRoots() = default;
  // False when there are no roots to check against (no trust store installed): a chain's
  // completeness then cannot be judged.
  virtual bool Available() const = 0;
  // True when `cert` is issued (name and signature) by one of the roots.
  virtual bool Issued(x509_st* cert) const = 0;
};

// The machine's trust store, as OpenSSL finds it (X509_STORE_set_default_paths): the default
// bundle file and hashed directory, or SSL_CERT_FILE / SSL_CERT_DIR when set. Not Available()
// when neither holds a certificate.
std::unique_ptr<TrustedRoots> SystemTrustedRoots();

// The CERTIFICATE blocks of `pem` (blocks that do not parse are skipped); none: not Available().
std::unique_ptr<TrustedRoots> TrustedRootsFromPem(std::string_view pem);

}  // namespace certform::engine
