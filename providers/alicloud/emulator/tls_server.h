// TlsServer: the emulated edge's HTTPS port. Answers TLS handshakes on 127.0.0.1 by SNI with
// the certificate a lookup gives (CdnEmulator::EdgeHandshake), then closes the connection: it
// serves handshakes, not content. A name the lookup does not know is refused with the
// unrecognized_name alert, a domain with HTTPS off (or whose key the edge lacks) with
// handshake_failure, a ClientHello without SNI with unrecognized_name. OpenSSL directly (an
// SSL_CTX with a servername callback), one thread per connection, each with a 5 s timeout.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "engine/base/status.h"

namespace certform::emulator {

// What a handshake for one server name is answered with.
struct EdgeAnswer {
  enum class Kind { kUnknown, kRefused, kServe };
  Kind kind = Kind::kUnknown;
  std::string cert_pem;  // kServe: the chain, leaf first
  std::string key_pem;   // kServe: the leaf's key
};

class TlsServer {
 public:
  using Lookup = std::function<EdgeAnswer(const std::string& server_name)>;
  explicit TlsServer(Lookup lookup);
  ~TlsServer();
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;

  // Binds 127.0.0.1:`port` (0: a free port) and serves on a background thread.
  engine::Status Start(int port, int* bound_port);
  // Stops accepting and waits for the connections in flight.
  void Stop();

  int handshakes() const { return handshakes_.load(); }  // completed ones

 private:
  void AcceptLoop();
  void Serve(int fd);

  Lookup lookup_;
  void* ctx_ = nullptr;  // SSL_CTX
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<int> handshakes_{0};
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable idle_;
  int active_ = 0;
};

}  // namespace certform::emulator
