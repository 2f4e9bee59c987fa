// CurlTransport's cap on answers: a body past CurlOptions::max_body_bytes stops the transfer with
// a clear error, whether the server announces the size (Content-Length) or not. Against a tiny
// local server: no network.
#include "providers/curl_transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include <catch2/catch.hpp>

using namespace certform;

namespace {

// Serves one connection with `answer` (written whole, however much the client reads).
class OneShotServer {
 public:
  explicit OneShotServer(std::string answer) : answer_(std::move(answer)) {
    sock_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(sock_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(sock_, 1) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~OneShotServer() {
    thread_.join();
    ::close(sock_);
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  void Serve() {
    const int conn = ::accept(sock_, nullptr, nullptr);
    if (conn < 0) return;
    std::string request;
    char buf[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::recv(conn, buf, sizeof buf, 0);
      if (n <= 0) break;
      request.append(buf, static_cast<size_t>(n));
    }
    size_t done = 0;
    while (done < answer_.size()) {
      // MSG_NOSIGNAL: the client hangs up mid-answer, which is the point.
      const ssize_t n = ::send(conn, answer_.data() + done, answer_.size() - done, MSG_NOSIGNAL);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::close(conn);
  }

  std::string answer_;
  int sock_ = -1;
  int port_ = 0;
  std::thread thread_;
};

engine::Status Get(const std::string& url, int64_t cap, providers::HttpResponse* response) {
  providers::CurlOptions options;
  options.max_body_bytes = cap;
  options.total_timeout = std::chrono::milliseconds(10000);
  providers::CurlTransport transport(options);
  providers::HttpRequest request;
  request.method = "GET";
  request.url = url;
  return transport.Send(request, response);
}

}  // namespace

TEST_CASE("curl transport: an answer within the cap is read whole", "[transport]") {
  OneShotServer server("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
  providers::HttpResponse response;
  REQUIRE(Get(server.Url(), 1024, &response).ok());
  CHECK(response.status == 200);
  CHECK(response.body == "hello");
}

TEST_CASE("curl transport: a Content-Length past the cap is refused before the body",
          "[transport]") {
  OneShotServer server("HTTP/1.1 200 OK\r\nContent-Length: 65536\r\nConnection: close\r\n\r\n" +
                       std::string(65536, 'x'));
  providers::HttpResponse response;
  engine::Status s = Get(server.Url(), 1024, &response);
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == engine::Status::Code::kFailed);  // not retried: it would come back as big
  CHECK(s.message().find("is larger than 1024 bytes") != std::string::npos);
  CHECK(s.message().find(server.Url()) != std::string::npos);
  CHECK(response.body.empty());
}

TEST_CASE("curl transport: an endless answer without a length is cut at the cap", "[transport]") {
  OneShotServer server("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + std::string(1 << 20, 'x'));
  providers::HttpResponse response;
  engine::Status s = Get(server.Url(), 4096, &response);
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find("is larger than 4096 bytes") != std::string::npos);
  CHECK(response.body.empty());
}

TEST_CASE("curl transport: the default cap is 16 MiB", "[transport]") {
  CHECK(providers::CurlOptions{}.max_body_bytes == int64_t{16} << 20);
}
