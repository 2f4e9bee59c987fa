// EmulatorServer: the CdnEmulator behind an HTTP or HTTPS server (cpp-httplib) on 127.0.0.1,
// with the admin API under /_emulator/.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "engine/base/status.h"
#include "providers/alicloud/emulator/cdn_emulator.h"

namespace httplib {
class Server;
}

namespace certform::emulator {

struct ServerOptions {
  int port = 0;          // 0: any free port
  std::string tls_cert;  // PEM files; both set: HTTPS, else HTTP
  std::string tls_key;
};

class EmulatorServer {
 public:
  explicit EmulatorServer(CdnEmulator& emulator);
  ~EmulatorServer();

  // Binds 127.0.0.1 (never another address) and serves on a background thread.
  engine::Status Start(const ServerOptions& options, int* bound_port);
  // Stops accepting, finishes the calls in flight, joins the thread.
  void Stop();

 private:
  void Route();
  void RouteMetadata();

  CdnEmulator& emulator_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace certform::emulator
