// CdnEmulator: the local API emulator without any HTTP server, so that tests can drive it
// in-process. A facade over a router (service_router.h) and one handler per service: CDN, DCDN,
// CAS, STS, ECS metadata, OSS, ALB, NLB and CLB, each with its own state and mutex, sharing
// authentication (request_auth.h) and flow control (flow_control.h). A test can plug in a product
// of its own (AddService) without editing the emulator.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/base/clock.h"
#include "providers/alicloud/emulator/alb_service.h"
#include "providers/alicloud/emulator/api_response.h"
#include "providers/alicloud/emulator/cas_service.h"
#include "providers/alicloud/emulator/cdn_service.h"
#include "providers/alicloud/emulator/clb_service.h"
#include "providers/alicloud/emulator/dcdn_service.h"
#include "providers/alicloud/emulator/emulator_config.h"
#include "providers/alicloud/emulator/flow_control.h"
#include "providers/alicloud/emulator/metadata_service.h"
#include "providers/alicloud/emulator/oss_service.h"
#include "providers/alicloud/emulator/request_auth.h"
#include "providers/alicloud/emulator/service_handler.h"
#include "providers/alicloud/emulator/service_router.h"
#include "providers/alicloud/emulator/sts_service.h"
#include "providers/alicloud/emulator/tls_edge.h"
#include "providers/alicloud/emulator/tls_server.h"

namespace certform::emulator {

class CdnEmulator {
 public:
  CdnEmulator(EmulatorConfig config, engine::Clock& clock);

  // Answers one API request: faults, then the service it is for (authentication, flow control
  // and the action). The returned latency is how long the server should wait before answering.
  ApiResponse Handle(const ApiRequest& request, engine::Clock::Duration* latency);

  // Plugs in another product's handler, asked after the built-in ones (a test's own product,
  // tests/support/toy_service.h). It shares context() and may bind by CAS id through cas().
  void AddService(std::unique_ptr<ServiceHandler> handler);
  ServiceContext context() { return {config_, clock_, auth_, flow_, edge_}; }
  CasDirectory& cas() { return *cas_; }
  // ALB and NLB (alb_service.h, one handler each by its dialect): load balancers and listeners,
  // seeded by the admin (alb_admin.h).
  AlbService& alb() { return *alb_; }
  AlbService& nlb() { return *nlb_; }
  // CLB (SLB 2014-05-15, clb_service.h): its certificate store, load balancers, HTTPS listeners
  // and domain extensions, seeded by the admin (clb_admin.h).
  ClbService& clb() { return *clb_; }

  // Admin: every domain's state (no key), the counters, and changes behind certform's back.
  nlohmann::json StateJson() const;
  nlohmann::json CountersJson() const;
  // Admin: adds (or, with an id already used, replaces) a CAS certificate; returns its id.
  int64_t PutCasCertificate(CasCertificate certificate);
  bool RemoveCasCertificate(int64_t id);
  // Creates or modifies a domain of `product` ("cdn" or "dcdn") from {"user","status","https",
  // "cert_pem","cert_name","cert_type","cert_id"}; InvalidArgument-style message in `error` on
  // bad input.
  bool PutDomain(const std::string& name, const nlohmann::json& changes, std::string* error,
                 const std::string& product = "cdn");
  bool RemoveDomain(const std::string& name, const std::string& product = "cdn");
  // OSS: detaches a custom domain from its bucket (as DeleteCname would).
  void DetachCname(const std::string& domain);
  // OSS: sets the Status ListCname reports for a custom domain's certificate ("Enabled" or
  // "Disabled"), as when its certificate is disabled in the console behind certform's back; false
  // with `error` when the domain has no certificate or the status is neither.
  bool SetCnameCertificateStatus(const std::string& domain, const std::string& status,
                                 std::string* error);
  void SetFaults(const Faults& faults);
  // A random transit time (Faults::transit_ms) for the next request, to spend before Handle().
  engine::Clock::Duration TransitDelay();
  void Reset();  // back to the initial configuration, counters zeroed

  // The edge (tls_edge.h): propagation settings, keys, and what a handshake for `server_name`
  // is answered with (a CDN or DCDN domain, or an OSS custom domain; a wildcard domain answers
  // the names one label under it). For TlsServer.
  TlsEdge& edge() { return edge_; }
  EdgeAnswer EdgeHandshake(const std::string& server_name);

  // The ECS metadata service (metadata_service.h): a session token valid `ttl_seconds` (""
  // when the ttl is out of range), and with it the role's name (`role_name` empty) or
  // credentials. Returns the HTTP status: 200, 401 without a valid token, 404 for an unknown role.
  std::string MetadataToken(int ttl_seconds);
  int MetadataCredentials(const std::string& token, const std::string& role_name,
                          std::string* body);

 private:
  const EmulatorConfig config_;
  engine::Clock& clock_;
  TlsEdge edge_;
  RequestAuth auth_;
  FlowControl flow_;
  ServiceRouter router_;
  // The built-in handlers, owned by router_.
  OssService* oss_ = nullptr;
  DomainService* cdn_ = nullptr;
  DomainService* dcdn_ = nullptr;
  CasService* cas_ = nullptr;
  MetadataService* metadata_ = nullptr;
  AlbService* alb_ = nullptr;
  AlbService* nlb_ = nullptr;
  ClbService* clb_ = nullptr;
};

}  // namespace certform::emulator
