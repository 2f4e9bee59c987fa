#include "providers/alicloud/emulator/emulator_server.h"

#include <httplib.h>

#include <thread>

#include "providers/alicloud/emulator/alb_admin.h"
#include "providers/alicloud/emulator/clb_admin.h"

namespace certform::emulator {

namespace {

constexpr char kLoopback[] = "127.0.0.1";

void SendJson(httplib::Response& res, const nlohmann::json& doc, int status = 200) {
  res.status = status;
  res.set_content(doc.dump(2), "application/json");
}

nlohmann::json ParseBody(const httplib::Request& req) {
  if (req.body.empty()) return nlohmann::json::object();
  return nlohmann::json::parse(req.body, nullptr, false);
}

}  // namespace

EmulatorServer::EmulatorServer(CdnEmulator& emulator) : emulator_(emulator) {}

EmulatorServer::~EmulatorServer() { Stop(); }

// The ECS instance metadata service's credential paths (sts_action.cc says what is modelled).
void EmulatorServer::RouteMetadata() {
  server_->Put("/latest/api/token", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string ttl = req.get_header_value("X-aliyun-ecs-metadata-token-ttl-seconds");
    const std::string token = emulator_.MetadataToken(ttl.empty() ? 0 : std::atoi(ttl.c_str()));
    res.status = token.empty() ? 400 : 200;
    res.set_content(token, "text/plain");
  });
  auto credentials = [this](const httplib::Request& req, httplib::Response& res) {
    std::string body;
    res.status =
        emulator_.MetadataCredentials(req.get_header_value("X-aliyun-ecs-metadata-token"),
                                      req.matches.size() > 1 ? req.matches[1].str() : "", &body);
    res.set_content(body, "text/plain");
  };
  server_->Get("/latest/meta-data/ram/security-credentials/", credentials);
  server_->Get(R"(/latest/meta-data/ram/security-credentials/([^/]+))", credentials);
}

void EmulatorServer::Route() {
  auto api = [this](const httplib::Request& req, httplib::Response& res) {
    ApiRequest r{req.method, req.target, {}, req.body};
    for (const auto& [name, value] : req.headers) {
      std::string lower = name;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[lower] = value;
    }
    // In transit: the request has not arrived yet, so the rate window does not count it.
    const engine::Clock::Duration transit = emulator_.TransitDelay();
    if (transit.count() > 0) std::this_thread::sleep_for(transit);
    engine::Clock::Duration latency{};
    ApiResponse answer = emulator_.Handle(r, &latency);
    if (latency.count() > 0) std::this_thread::sleep_for(latency);  // real time: a real server
    if (answer.drop) {
      // Promise a body and close the connection before sending it: the client sees a broken
      // answer, as when a load balancer drops a connection.
      res.set_content_provider(64, "application/json",
                               [](size_t, size_t, httplib::DataSink&) { return false; });
      return;
    }
    res.status = answer.status;
    for (const auto& [name, value] : answer.headers) res.set_header(name, value);
    res.set_content(answer.body, answer.content_type);
  };
  server_->Get("/", api);
  server_->Post("/", api);
  RouteMetadata();

  server_->Get("/_emulator/state", [this](const httplib::Request&, httplib::Response& res) {
    SendJson(res, emulator_.StateJson());
  });
  server_->Get("/_emulator/counters", [this](const httplib::Request&, httplib::Response& res) {
    SendJson(res, emulator_.CountersJson());
  });
  server_->Post("/_emulator/reset", [this](const httplib::Request&, httplib::Response& res) {
    emulator_.Reset();
    SendJson(res, {{"ok", true}});
  });
  server_->Post("/_emulator/faults", [this](const httplib::Request& req, httplib::Response& res) {
    nlohmann::json j = ParseBody(req);
    if (!j.is_object()) return SendJson(res, {{"error", "body must be a JSON object"}}, 400);
    try {
      emulator_.SetFaults(ParseFaults(j));
    } catch (const nlohmann::json::exception& e) {
      return SendJson(res, {{"error", e.what()}}, 400);
    }
    SendJson(res, {{"ok", true}});
  });
  // /_emulator/domains/NAME (CDN) and /_emulator/dcdn_domains/NAME (DCDN).
  auto put_domain = [this](const httplib::Request& req, httplib::Response& res) {
    nlohmann::json j = ParseBody(req);
    std::string error = "body must be a JSON object";
    const std::string product = req.matches[1] == "dcdn_domains" ? "dcdn" : "cdn";
    if (!j.is_object() || !emulator_.PutDomain(req.matches[2], j, &error, product)) {
      return SendJson(res, {{"error", error}}, 400);
    }
    SendJson(res, {{"ok", true}});
  };
  server_->Put(R"(/_emulator/(domains|dcdn_domains)/([^/]+))", put_domain);
  server_->Post(R"(/_emulator/(domains|dcdn_domains)/([^/]+))", put_domain);
  // CAS certificates: PUT {"name","user","pem"[,"id","key"]} adds or replaces one, DELETE removes
  // it. The "key" goes to the edge only (a handshake for a domain bound to it needs it), as a
  // cas_certificates entry's does: CAS keeps no key the emulator would show.
  server_->Put("/_emulator/cas", [this](const httplib::Request& req, httplib::Response& res) {
    nlohmann::json j = ParseBody(req);
    if (!j.is_object() || !j.contains("name") || !j.contains("pem")) {
      return SendJson(
          res, {{"error", "body must be {\"name\", \"pem\"[, \"user\", \"id\", \"key\"]}"}}, 400);
    }
    try {
      if (j.contains("key")) emulator_.edge().KeepKeyAlways(j["key"].get<std::string>());
      const int64_t id = emulator_.PutCasCertificate(
          {j["name"].get<std::string>(), j.value("id", int64_t{0}), j.value("user", "u1"),
           j["pem"].get<std::string>(), j.value("uploaded", false)});
      SendJson(res, {{"id", id}});
    } catch (const nlohmann::json::exception& e) {
      SendJson(res, {{"error", e.what()}}, 400);
    }
  });
  // OSS: POST {"certificate_status": "Enabled"|"Disabled"} to /_emulator/oss_cnames/DOMAIN sets
  // the Status ListCname reports for the domain's certificate (disabled behind certform's back).
  server_->Post(R"(/_emulator/oss_cnames/([^/]+))",
                [this](const httplib::Request& req, httplib::Response& res) {
                  nlohmann::json j = ParseBody(req);
                  std::string error = "body must be {\"certificate_status\": \"Disabled\"}";
                  if (!j.is_object() || !j.contains("certificate_status") ||
                      !j["certificate_status"].is_string() ||
                      !emulator_.SetCnameCertificateStatus(
                          req.matches[1], j["certificate_status"].get<std::string>(), &error)) {
                    return SendJson(res, {{"error", error}}, 400);
                  }
                  SendJson(res, {{"ok", true}});
                });
  // The edge (tls_edge.h): POST /_emulator/propagate finishes every change propagating; PUT
  // /_emulator/propagation {"delay_ms","stale_handshakes"} sets how changes propagate; POST
  // /_emulator/tls_keys {"pem"} hands the edge a private key to serve its certificates with.
  server_->Post("/_emulator/propagate", [this](const httplib::Request&, httplib::Response& res) {
    const int pending = emulator_.edge().Pending();
    emulator_.edge().PropagateAll();
    SendJson(res, {{"propagated", pending}});
  });
  server_->Put("/_emulator/propagation",
               [this](const httplib::Request& req, httplib::Response& res) {
                 nlohmann::json j = ParseBody(req);
                 if (!j.is_object())
                   return SendJson(res, {{"error", "body must be an object"}}, 400);
                 try {
                   emulator_.edge().SetPropagation(ParsePropagation(j));
                 } catch (const nlohmann::json::exception& e) {
                   return SendJson(res, {{"error", e.what()}}, 400);
                 }
                 SendJson(res, {{"ok", true}});
               });
  server_->Post("/_emulator/tls_keys", [this](const httplib::Request& req, httplib::Response& res) {
    nlohmann::json j = ParseBody(req);
    if (!j.is_object() || !j.contains("pem") || !j["pem"].is_string()) {
      return SendJson(res, {{"error", "body must be {\"pem\": KEY}"}}, 400);
    }
    emulator_.edge().KeepKeyAlways(j["pem"].get<std::string>());
    SendJson(res, {{"ok", true}});
  });
  RouteAlbAdmin(*server_, emulator_.alb());  // /_emulator/alb/... (alb_admin.h)
  RouteAlbAdmin(*server_, emulator_.nlb());  // /_emulator/nlb/...
  RouteClbAdmin(*server_, emulator_.clb());  // /_emulator/clb/... (clb_admin.h)
  server_->Delete(R"(/_emulator/cas/([0-9]+))",
                  [this](const httplib::Request& req, httplib::Response& res) {
                    bool removed = emulator_.RemoveCasCertificate(std::stoll(req.matches[1]));
                    SendJson(res, {{"removed", removed}}, removed ? 200 : 404);
                  });
  server_->Delete(R"(/_emulator/(domains|dcdn_domains)/([^/]+))",
                  [this](const httplib::Request& req, httplib::Response& res) {
                    bool removed = emulator_.RemoveDomain(
                        req.matches[2], req.matches[1] == "dcdn_domains" ? "dcdn" : "cdn");
                    SendJson(res, {{"removed", removed}}, removed ? 200 : 404);
                  });
}

engine::Status EmulatorServer::Start(const ServerOptions& options, int* bound_port) {
  if (!options.tls_cert.empty() && !options.tls_key.empty()) {
    auto tls =
        std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
    if (!tls->is_valid()) {
      return engine::Status::InvalidArgument("cannot load the TLS certificate or key");
    }
    server_ = std::move(tls);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  // Enough workers for several accounts' in-flight calls while latency is injected.
  server_->new_task_queue = [] { return new httplib::ThreadPool(64); };
  server_->set_payload_max_length(1 << 20);
  Route();
  int port = options.port == 0
                 ? server_->bind_to_any_port(kLoopback)
                 : (server_->bind_to_port(kLoopback, options.port) ? options.port : -1);
  if (port <= 0) {
    return engine::Status::IoError("cannot bind 127.0.0.1:" + std::to_string(options.port));
  }
  *bound_port = port;
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // Stop() before the thread entered its accept loop would be lost; wait until it serves.
  for (int i = 0; i < 5000 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return server_->is_running() ? engine::Status::OK()
                               : engine::Status::IoError("the emulator's server did not start");
}

void EmulatorServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace certform::emulator
