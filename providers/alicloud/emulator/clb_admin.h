// The admin API's CLB part (under /_emulator/clb/), parsed at the door (types checked, sizes
// bounded, unknown fields refused):
//   PUT /_emulator/clb/load_balancers/ID {"region", "user" (default u1)}; ID "lb-" and lower-case
//       letters or digits
//   PUT /_emulator/clb/listeners {"load_balancer_id", "port" (1..65535), "protocol" (https |
//       http | tcp, default https; only https takes a certificate), "server_certificate_id"
//       (optional, in the load balancer's store)}
//   PUT /_emulator/clb/domain_extensions {"load_balancer_id", "port", "domain",
//       "server_certificate_id"} → {"ok": true, "domain_extension_id": "de-..."}
//   PUT /_emulator/clb/server_certificates {"region", "user" (u1), "name", "cert_pem", "key_pem"}
//       or {"region", "user", "name", "cas_id": N} → {"ok": true, "server_certificate_id"}
//   PUT /_emulator/clb/config {"configuring_ms" (0..3600000), "domain_extension_quota" (1..10),
//       "cas_region" (the region CAS certificates live in, cn-hangzhou), "cas_id_shape" (how
//       answers write AliCloudCertificateId: decimal | id-region | legacy, decimal)}
//   GET /_emulator/clb/server_certificates?region=R → {"server_certificates": [...]} (no keys)
// Each PUT answers {"ok": true} (with the new id where said), or 400 {"error"}.
// /_emulator/reset forgets every CLB resource.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "providers/alicloud/emulator/clb_service.h"

namespace httplib {
class Server;
}

namespace certform::emulator {

// Applies one PUT to `clb`: `kind` "load_balancers" (with `id`), "listeners",
// "domain_extensions", "server_certificates" or "config". Returns the HTTP status (200, 400) and
// the document to answer in `answer`.
int ClbAdmin(ClbService& clb, const std::string& kind, const std::string& id,
             const nlohmann::json& body, nlohmann::json* answer);
// The GET of the store of `region`: 200, or 400 for a bad region.
int ClbAdminCertificates(const ClbService& clb, const std::string& region, nlohmann::json* answer);

// Adds the routes above to `server`.
void RouteClbAdmin(httplib::Server& server, ClbService& clb);

}  // namespace certform::emulator
