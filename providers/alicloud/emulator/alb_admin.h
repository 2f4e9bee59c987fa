// The admin API's ALB part (under /_emulator/alb/), and NLB's (under /_emulator/nlb/, the same
// bodies by NLB's dialect, listener_dialect.h), parsed at the door (types checked, sizes bounded):
//   PUT /_emulator/alb/load_balancers/ID {"region", "user" (default u1), "edition" (Basic |
//       Standard | StandardWithWaf, default Standard; NLB: none), "ack_managed" (default false),
//       "quota" (0..1000 additional certificates over its listeners; default the edition's)}
//   PUT /_emulator/alb/listeners/ID {"load_balancer_id", "protocol" (HTTPS | QUIC | HTTP, default
//       HTTPS; NLB: TCPSSL | TCP | UDP, default TCPSSL), "default_certificate" ("CASID-REGION";
//       a listener that takes no certificates has none), "additional_certificates" (ids, each
//       Associated, as another party put them: any shape, at most 400)}
//   PUT /_emulator/alb/jobs {"duration_ms" (0..3600000), "fail_next" (0..1000): the next N jobs
//       end Failed}
// Each answers {"ok": true}, or 400 {"error"}. /_emulator/reset forgets every ALB and NLB
// resource.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "providers/alicloud/emulator/alb_service.h"

namespace httplib {
class Server;
}

namespace certform::emulator {

// Applies one admin request to `alb` (ALB's or NLB's, by its dialect): `kind` "load_balancers",
// "listeners" or "jobs"; `id` the resource's ("" for jobs). Returns the HTTP status (200, 400)
// and the document to answer in `answer`.
int AlbAdmin(AlbService& alb, const std::string& kind, const std::string& id,
             const nlohmann::json& body, nlohmann::json* answer);

// Adds the routes above to `server`, under /_emulator/NAME/ (NAME `alb`'s dialect's: alb, nlb).
void RouteAlbAdmin(httplib::Server& server, AlbService& alb);

}  // namespace certform::emulator
