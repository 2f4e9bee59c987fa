#include "engine/config/trusted_roots.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace certform::engine {

namespace {

class StoreRoots final : public TrustedRoots {
 public:
  StoreRoots(X509_STORE* store, bool available) : store_(store), available_(available) {}
  ~StoreRoots() override { X509_STORE_free(store_); }
  StoreRoots(const StoreRoots&) = delete;
  StoreRoots& operator=(const StoreRoots&) = delete;

  bool Available() const override { return available_; }

  bool Issued(x509_st* cert) const override {
    if (!available_) return false;
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    bool issued = false;
    if (ctx != nullptr && X509_STORE_CTX_init(ctx, store_, cert, nullptr) == 1) {
      X509* issuer = nullptr;
      // Finds a certificate whose subject is `cert`'s issuer and that X509_check_issued accepts.
      // Only a root counts: a bundle that also holds intermediates must not make a chain
      // missing one look complete.
      if (X509_STORE_CTX_get1_issuer(&issuer, ctx, cert) == 1 && issuer != nullptr) {
        issued = X509_verify(cert, X509_get0_pubkey(issuer)) == 1 &&
                 X509_check_issued(issuer, issuer) == X509_V_OK;
        X509_free(issuer);
      }
    }
    X509_STORE_CTX_free(ctx);
    ERR_clear_error();
    return issued;
  }

 private:
  X509_STORE* store_;
  bool available_;
};

std::string FromEnv(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

bool NonEmptyFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

// True when `dir` holds a certificate as OpenSSL looks them up there: by subject hash, HHHHHHHH.N.
bool HasHashedEntries(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return false;
  bool any = false;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() >= 10 && name[8] == '.' &&
        std::all_of(name.begin(), name.begin() + 8,
                    [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }) &&
        std::all_of(name.begin() + 9, name.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      any = true;
      break;
    }
  }
  ::closedir(d);
  return any;
}

}  // namespace

std::unique_ptr<TrustedRoots> SystemTrustedRoots() {
  X509_STORE* store = X509_STORE_new();
  const bool loaded = store != nullptr && X509_STORE_set_default_paths(store) == 1;
  ERR_clear_error();
  // OpenSSL reads the hashed directory lazily: whether it holds anything is seen here.
  const bool available =
      loaded &&
      (NonEmptyFile(FromEnv(X509_get_default_cert_file_env(), X509_get_default_cert_file())) ||
       HasHashedEntries(FromEnv(X509_get_default_cert_dir_env(), X509_get_default_cert_dir())));
  return std::make_unique<StoreRoots>(store, available);
}

std::unique_ptr<TrustedRoots> TrustedRootsFromPem(std::string_view pem) {
  X509_STORE* store = X509_STORE_new();
  int added = 0;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  while (bio != nullptr && store != nullptr) {
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    if (cert == nullptr) break;
    if (X509_STORE_add_cert(store, cert) == 1) ++added;
    X509_free(cert);
  }
  BIO_free(bio);
  ERR_clear_error();
  return std::make_unique<StoreRoots>(store, added > 0);
}

}  // namespace certform::engine
