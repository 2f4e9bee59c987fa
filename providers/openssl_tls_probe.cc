#include "providers/openssl_tls_probe.h"

#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <memory>

#include <fmt/format.h>

#include "engine/base/digest.h"
#include "engine/config/certificate.h"

namespace certform::providers {

namespace {

using Deadline = std::chrono::steady_clock::time_point;
using engine::Status;

int MillisLeft(Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

std::string Seconds(engine::Clock::Duration d) {
  return fmt::format("{}s",
                     std::chrono::duration_cast<std::chrono::milliseconds>(d).count() / 1000.0);
}

// Waits until `fd` is ready for `events`; false at the deadline.
bool Wait(int fd, short events, Deadline deadline) {
  pollfd p{fd, events, 0};
  for (;;) {
    const int n = poll(&p, 1, MillisLeft(deadline));
    if (n > 0) return true;
    if (n == 0 || errno != EINTR) return false;
  }
}

// A connected non-blocking socket to host:port, or -1 with `*error`.
int Connect(const engine::TlsProbeRequest& r, Deadline deadline, Status* error) {
  std::string host = r.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(r.port);
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    *error = Status::Unavailable(fmt::format("cannot resolve {}: {}", r.host, gai_strerror(rc)));
    return -1;
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, freeaddrinfo);
  *error = Status::Unavailable(fmt::format("cannot connect to {}:{}", r.host, r.port));
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    int rc = connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      if (!Wait(fd, POLLOUT, deadline)) {
        close(fd);
        *error = Status::Unavailable(fmt::format("connecting to {}:{} timed out after {}", r.host,
                                                 r.port, Seconds(r.timeout)));
        return -1;
      }
      int so_error = 0;
      socklen_t len = sizeof so_error;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
      rc = so_error == 0 ? 0 : -1;
      errno = so_error;
    }
    if (rc == 0) return fd;
    *error = Status::Unavailable(
        fmt::format("cannot connect to {}:{}: {}", r.host, r.port, std::strerror(errno)));
    close(fd);
  }
  return -1;
}

// The reason at the front of this thread's OpenSSL error queue, e.g. "tlsv1 unrecognized name".
std::string OpensslReason() {
  const unsigned long e = ERR_peek_last_error();
  const char* reason = e == 0 ? nullptr : ERR_reason_error_string(e);
  ERR_clear_error();
  return reason == nullptr ? "the connection was closed" : reason;
}

int64_t UnixSeconds(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

std::string Rfc2253(X509_NAME* name) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return "";
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n > 0 ? n : 0)).substr(0, 1024);
}

// What a server sends is input from outside: the chain read is bounded.
constexpr int kMaxCertificates = 16;

engine::ServedChain ChainOf(SSL* ssl) {
  engine::ServedChain out;
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);  // the client's includes the leaf
  const int n = chain == nullptr ? 0 : sk_X509_num(chain);
  std::vector<std::string> ders;
  for (int i = 0; i < n && i < kMaxCertificates; ++i) {
    X509* cert = sk_X509_value(chain, i);
    unsigned char* der = nullptr;
    const int len = i2d_X509(cert, &der);
    if (len <= 0) break;  // the rest would not be in order
    ders.emplace_back(reinterpret_cast<char*>(der), len);
    OPENSSL_free(der);
    out.fingerprints.push_back(engine::Sha256Hex(ders.back()));
    if (i == 0) {
      out.leaf_not_after = UnixSeconds(X509_get0_notAfter(cert));
      out.leaf_subject = Rfc2253(X509_get_subject_name(cert));
    }
  }
  if (!ders.empty()) out.chain_digest = engine::ChainDigestOf(ders);
  return out;
}

}  // namespace

OpensslTlsProbe::OpensslTlsProbe() {
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (ctx_ != nullptr) {
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);  // judged by fingerprint, not trust
  }
}

OpensslTlsProbe::~OpensslTlsProbe() {
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
}

engine::TlsProbeResult OpensslTlsProbe::Handshake(const engine::TlsProbeRequest& r) {
  engine::TlsProbeResult out;
  if (ctx_ == nullptr) {
    out.status = Status::Failed("cannot make a TLS context: " + OpensslReason());
    return out;
  }
  const Deadline deadline = std::chrono::steady_clock::now() + r.timeout;
  const int fd = Connect(r, deadline, &out.status);
  if (fd < 0) return out;
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx_), SSL_free);
  if (!ssl || SSL_set_fd(ssl.get(), fd) != 1 ||
      SSL_set_tlsext_host_name(ssl.get(), r.server_name.c_str()) != 1) {
    close(fd);
    out.status = Status::Failed("cannot start a TLS handshake: " + OpensslReason());
    return out;
  }
  out.status = Status::OK();
  for (;;) {
    const int rc = SSL_connect(ssl.get());
    if (rc == 1) break;
    const int err = SSL_get_error(ssl.get(), rc);
    const short events = err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
    if ((err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) && Wait(fd, events, deadline)) {
      continue;
    }
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      out.status = Status::Unavailable(fmt::format(
          "the TLS handshake with {}:{} timed out after {}", r.host, r.port, Seconds(r.timeout)));
    } else {
      out.status = Status::Failed(
          fmt::format("the TLS handshake with {}:{} failed: {}", r.host, r.port, OpensslReason()));
    }
    break;
  }
  if (out.status.ok()) {
    out.chain = ChainOf(ssl.get());
    SSL_shutdown(ssl.get());
  }
  ERR_clear_error();
  ssl.reset();
  close(fd);
  return out;
}

}  // namespace certform::providers
