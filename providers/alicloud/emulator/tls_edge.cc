#include "providers/alicloud/emulator/tls_edge.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "engine/base/digest.h"

namespace certform::emulator {

namespace {

// SHA-256 of `key`'s SubjectPublicKeyInfo DER, hex; "" when it cannot be encoded.
std::string PublicKeyDigest(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key, &der);
  if (n <= 0) return "";
  std::string digest = engine::Sha256Hex(std::string_view(reinterpret_cast<char*>(der), n));
  OPENSSL_free(der);
  return digest;
}

std::string KeyDigest(const std::string& key_pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())), BIO_free);
  if (!bio) return "";
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, const_cast<char*>("")), EVP_PKEY_free);
  return key ? PublicKeyDigest(key.get()) : "";
}

std::string LeafKeyDigest(const std::string& cert_pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())), BIO_free);
  if (!bio) return "";
  std::unique_ptr<X509, decltype(&X509_free)> leaf(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
  if (!leaf) return "";
  EVP_PKEY* key = X509_get0_pubkey(leaf.get());  // owned by the certificate
  return key ? PublicKeyDigest(key) : "";
}

}  // namespace

void TlsEdge::SetPropagation(const Propagation& propagation) {
  std::lock_guard<std::mutex> lock(mu_);
  propagation_ = propagation;
}

Propagation TlsEdge::propagation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return propagation_;
}

void TlsEdge::Changed(const std::string& domain, const ServedCertificate& before) {
  std::lock_guard<std::mutex> lock(mu_);
  if (propagation_.delay.count() <= 0 && propagation_.stale_handshakes <= 0) return;
  auto [it, inserted] = pending_.try_emplace(domain, Change{before, clock_.Monotonic(), 0});
  if (!inserted) {
    it->second.changed_at = clock_.Monotonic();
    it->second.handshakes = 0;
  }
}

void TlsEdge::PropagateAll() {
  std::lock_guard<std::mutex> lock(mu_);
  pending_.clear();
}

int TlsEdge::Pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(pending_.size());
}

ServedCertificate TlsEdge::Serve(const std::string& domain, const ServedCertificate& current) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pending_.find(domain);
  if (it == pending_.end()) return current;
  Change& p = it->second;
  const bool delayed = clock_.Monotonic() < p.changed_at + propagation_.delay;
  const bool counted = p.handshakes < propagation_.stale_handshakes;
  if (!delayed && !counted) {
    pending_.erase(it);
    return current;
  }
  ++p.handshakes;
  return p.before;
}

void TlsEdge::Keep(const std::string& key_pem, bool always) {
  const std::string digest = KeyDigest(key_pem);
  if (digest.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  keys_[digest] = key_pem;
  if (always) kept_keys_[digest] = key_pem;
}

void TlsEdge::KeepKey(const std::string& key_pem) { Keep(key_pem, false); }

void TlsEdge::KeepKeyAlways(const std::string& key_pem) { Keep(key_pem, true); }

std::string TlsEdge::KeyFor(const std::string& cert_pem) const {
  const std::string digest = LeafKeyDigest(cert_pem);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = keys_.find(digest);
  return it == keys_.end() ? "" : it->second;
}

void TlsEdge::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  pending_.clear();
  keys_ = kept_keys_;
}

}  // namespace certform::emulator
