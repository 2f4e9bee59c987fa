#include "providers/alicloud/emulator/tls_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

namespace certform::emulator {

namespace {

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

BioPtr MemBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
}

// Puts `answer`'s chain and key on `ssl`; false when either cannot be read or they differ.
bool UseCertificate(SSL* ssl, const EdgeAnswer& answer) {
  BioPtr certs = MemBio(answer.cert_pem);
  X509* leaf = PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr);
  if (leaf == nullptr) return false;
  const bool leaf_ok = SSL_use_certificate(ssl, leaf) == 1;
  X509_free(leaf);
  if (!leaf_ok) return false;
  while (X509* extra = PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr)) {
    SSL_add0_chain_cert(ssl, extra);  // owned by ssl from here
  }
  ERR_clear_error();  // the end of the PEM stream
  BioPtr key_bio = MemBio(answer.key_pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, const_cast<char*>(""));
  if (key == nullptr) return false;
  const bool key_ok = SSL_use_PrivateKey(ssl, key) == 1 && SSL_check_private_key(ssl) == 1;
  EVP_PKEY_free(key);
  return key_ok;
}

int OnServerName(SSL* ssl, int* alert, void* arg) {
  auto* lookup = static_cast<TlsServer::Lookup*>(arg);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr) {
    *alert = SSL_AD_UNRECOGNIZED_NAME;
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  const EdgeAnswer answer = (*lookup)(name);
  if (answer.kind == EdgeAnswer::Kind::kUnknown) {
    *alert = SSL_AD_UNRECOGNIZED_NAME;
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  if (answer.kind == EdgeAnswer::Kind::kRefused || !UseCertificate(ssl, answer)) {
    *alert = SSL_AD_HANDSHAKE_FAILURE;
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

TlsServer::TlsServer(Lookup lookup) : lookup_(std::move(lookup)) {}

TlsServer::~TlsServer() {
  Stop();
  if (ctx_ != nullptr) SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
}

engine::Status TlsServer::Start(int port, int* bound_port) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return engine::Status::IoError("cannot make a TLS context");
  ctx_ = ctx;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_tlsext_servername_callback(ctx, OnServerName);
  SSL_CTX_set_tlsext_servername_arg(ctx, &lookup_);

  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return engine::Status::IoError("cannot open a socket");
  const int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // 127.0.0.1, never another address
  socklen_t len = sizeof addr;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listen_fd_, 128) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(listen_fd_);
    listen_fd_ = -1;
    return engine::Status::IoError("cannot bind 127.0.0.1:" + std::to_string(port) + " for TLS");
  }
  *bound_port = ntohs(addr.sin_port);
  thread_ = std::thread([this] { AcceptLoop(); });
  return engine::Status::OK();
}

void TlsServer::AcceptLoop() {
  while (!stopping_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;  // wakes to see stopping_
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++active_;
    }
    std::thread([this, fd] {
      Serve(fd);
      std::lock_guard<std::mutex> lock(mu_);
      if (--active_ == 0) idle_.notify_all();
    }).detach();
  }
}

void TlsServer::Serve(int fd) {
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  SSL* ssl = SSL_new(static_cast<SSL_CTX*>(ctx_));
  if (ssl != nullptr) {
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
      handshakes_.fetch_add(1);
      SSL_shutdown(ssl);
    }
    SSL_free(ssl);
  }
  ERR_clear_error();
  close(fd);
}

void TlsServer::Stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true);
  thread_.join();
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return active_ == 0; });
  close(listen_fd_);
  listen_fd_ = -1;
}

}  // namespace certform::emulator
