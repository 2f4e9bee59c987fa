// The seam between the emulator's router and the services it serves: one ServiceHandler per
// product (CDN, DCDN, CAS, STS, ECS metadata, OSS, or a test's own), each with its own state and
// mutex, and the shared pieces they all use (ServiceContext).
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/base/clock.h"
#include "providers/alicloud/emulator/api_response.h"
#include "providers/alicloud/emulator/emulator_config.h"
#include "providers/alicloud/emulator/flow_control.h"
#include "providers/alicloud/emulator/request_auth.h"
#include "providers/alicloud/emulator/signature_check.h"
#include "providers/alicloud/emulator/tls_edge.h"

namespace certform::emulator {

struct ApiRequest {
  std::string method;                          // GET or POST
  std::string target;                          // path and raw query, e.g. "/?Action=..."
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// A request as the router hands it on: decoded once, with the id it is answered under.
struct ServiceRequest {
  const ApiRequest& http;
  Params params;       // the query's and a form body's parameters, decoded (RPC)
  std::string action;  // Action, or V3's x-acs-action; "" for OSS and metadata requests
  bool v3 = false;     // signed with ACS3-HMAC-SHA256 (Authorization header)
  bool json = false;   // answer in JSON (Format, or Accept), else XML
  std::string request_id;
};

// What every handler shares: the configuration (read-only after start), the clock, the
// authentication, the flow control and the edge (what TLS handshakes are answered with: a
// service tells it of each certificate change and each private key it receives). Each of these
// is thread-safe on its own.
struct ServiceContext {
  const EmulatorConfig& config;
  engine::Clock& clock;
  RequestAuth& auth;
  FlowControl& flow;
  TlsEdge& edge;
};

class ServiceHandler {
 public:
  virtual ~ServiceHandler() = default;

  // Whether this handler serves `request`: an RPC service by its Action, OSS by its host form
  // and signature, the metadata service by its path. The router asks the handlers in the order
  // they were added; the first that accepts answers.
  virtual bool Accepts(const ServiceRequest& request) const = 0;
  // Answers it, faults already applied (ServiceContext::flow has counted it as arrived).
  virtual ApiResponse Handle(const ServiceRequest& request) = 0;
  // Back to the configured initial state.
  virtual void Reset() = 0;
  // Adds this service's state to the admin's /_emulator/state document.
  virtual void AddState(nlohmann::json* state) const { (void)state; }
};

}  // namespace certform::emulator
