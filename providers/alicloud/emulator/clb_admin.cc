#include "providers/alicloud/emulator/clb_admin.h"

#include <set>

#include <httplib.h>

#include "providers/alicloud/oss_names.h"

namespace certform::emulator {

namespace {

constexpr size_t kMaxField = 256;
constexpr size_t kMaxPem = 65536;

// Refuses a body that is not an object or holds a field not in `known`.
bool Fields(const nlohmann::json& body, const std::set<std::string>& known, std::string* error) {
  if (!body.is_object()) {
    *error = "body must be a JSON object";
    return false;
  }
  for (const auto& [name, value] : body.items()) {
    if (!known.contains(name)) {
      *error = "unknown field " + name;
      return false;
    }
  }
  return true;
}

// A string field of at most `most` bytes, `fallback` when absent.
bool Text(const nlohmann::json& body, const char* name, const std::string& fallback,
          std::string* out, std::string* error, size_t most = kMaxField) {
  if (!body.contains(name)) {
    *out = fallback;
    return true;
  }
  if (!body[name].is_string() || body[name].get<std::string>().size() > most) {
    *error = std::string(name) + " must be a string of at most " + std::to_string(most) + " bytes";
    return false;
  }
  *out = body[name].get<std::string>();
  return true;
}

// An integer field from `least` to `most`; `required` or left as it is when absent.
bool Integer(const nlohmann::json& body, const char* name, int64_t least, int64_t most,
             bool required, int64_t* out, std::string* error) {
  if (!body.contains(name) && !required) return true;
  if (!body.contains(name) || !body[name].is_number_integer() ||
      body[name].get<int64_t>() < least || body[name].get<int64_t>() > most) {
    *error = std::string(name) + " must be an integer from " + std::to_string(least) + " to " +
             std::to_string(most);
    return false;
  }
  *out = body[name].get<int64_t>();
  return true;
}

bool PutListener(ClbService& clb, const nlohmann::json& body, std::string* error) {
  ClbListener l;
  int64_t port = 0;
  return Fields(body, {"load_balancer_id", "port", "protocol", "server_certificate_id"}, error) &&
         Text(body, "load_balancer_id", "", &l.load_balancer_id, error) &&
         Integer(body, "port", 1, 65535, true, &port, error) &&
         Text(body, "protocol", "https", &l.protocol, error) &&
         Text(body, "server_certificate_id", "", &l.server_certificate_id, error) &&
         (l.port = static_cast<int>(port), clb.PutListener(l, error));
}

bool PutExtension(ClbService& clb, const nlohmann::json& body, nlohmann::json* answer,
                  std::string* error) {
  ClbDomainExtension d;
  int64_t port = 0;
  std::string id;
  if (!Fields(body, {"load_balancer_id", "port", "domain", "server_certificate_id"}, error) ||
      !Text(body, "load_balancer_id", "", &d.load_balancer_id, error) ||
      !Integer(body, "port", 1, 65535, true, &port, error) ||
      !Text(body, "domain", "", &d.domain, error) ||
      !Text(body, "server_certificate_id", "", &d.server_certificate_id, error)) {
    return false;
  }
  d.port = static_cast<int>(port);
  if (!clb.PutDomainExtension(d, &id, error)) return false;
  (*answer)["domain_extension_id"] = id;
  return true;
}

bool PutCertificate(ClbService& clb, const nlohmann::json& body, nlohmann::json* answer,
                    std::string* error) {
  ClbCertificateSeed seed;
  std::string id;
  if (!Fields(body, {"region", "user", "name", "cert_pem", "key_pem", "cas_id"}, error) ||
      !Text(body, "region", "", &seed.region, error) ||
      !Text(body, "user", "u1", &seed.user, error) || !Text(body, "name", "", &seed.name, error) ||
      !Text(body, "cert_pem", "", &seed.cert_pem, error, kMaxPem) ||
      !Text(body, "key_pem", "", &seed.key_pem, error, kMaxPem) ||
      !Integer(body, "cas_id", 1, INT64_MAX, false, &seed.cas_id, error)) {
    return false;
  }
  const bool content = !seed.cert_pem.empty() || !seed.key_pem.empty();
  if (content == (seed.cas_id > 0) ||
      (content && (seed.cert_pem.empty() || seed.key_pem.empty()))) {
    *error = "a server certificate is cert_pem and key_pem, or cas_id";
    return false;
  }
  if (!clb.SeedCertificate(seed, &id, error)) return false;
  (*answer)["server_certificate_id"] = id;
  return true;
}

// Every field is checked before any is applied: a refused body changes nothing.
bool PutConfig(ClbService& clb, const nlohmann::json& body, std::string* error) {
  int64_t configuring_ms = -1, quota = -1;
  std::string cas_region, shape_name;
  ClbCasIdShape shape = ClbCasIdShape::kDecimal;
  if (!Fields(body, {"configuring_ms", "domain_extension_quota", "cas_region", "cas_id_shape"},
              error) ||
      !Integer(body, "configuring_ms", 0, 3'600'000, false, &configuring_ms, error) ||
      !Integer(body, "domain_extension_quota", 1, kClbMostExtensionQuota, false, &quota, error) ||
      !Text(body, "cas_region", "", &cas_region, error, 64) ||
      !Text(body, "cas_id_shape", "", &shape_name, error, 16)) {
    return false;
  }
  if (body.contains("cas_region") && !alicloud::RegionProblem(cas_region).empty()) {
    *error = "cas_region must be a region id, e.g. cn-hangzhou";
    return false;
  }
  if (body.contains("cas_id_shape") && !ParseClbCasIdShape(shape_name, &shape)) {
    *error = "cas_id_shape is one of decimal, id-region, legacy";
    return false;
  }
  if (configuring_ms >= 0) clb.SetConfiguring(std::chrono::milliseconds(configuring_ms));
  if (quota >= 0) clb.SetExtensionQuota(static_cast<int>(quota));
  if (body.contains("cas_region") && !clb.SetCasRegion(cas_region, error)) return false;
  if (body.contains("cas_id_shape")) clb.SetCasIdShape(shape);
  return true;
}

}  // namespace

int ClbAdmin(ClbService& clb, const std::string& kind, const std::string& id,
             const nlohmann::json& body, nlohmann::json* answer) {
  std::string error;
  nlohmann::json ok = {{"ok", true}};
  bool done = false;
  if (kind == "load_balancers") {
    ClbLoadBalancer lb;
    lb.id = id;
    done = Fields(body, {"region", "user"}, &error) &&
           Text(body, "region", "", &lb.region, &error) &&
           Text(body, "user", "u1", &lb.user, &error) && clb.PutLoadBalancer(lb, &error);
  } else if (kind == "listeners") {
    done = PutListener(clb, body, &error);
  } else if (kind == "domain_extensions") {
    done = PutExtension(clb, body, &ok, &error);
  } else if (kind == "server_certificates") {
    done = PutCertificate(clb, body, &ok, &error);
  } else if (kind == "config") {
    done = PutConfig(clb, body, &error);
  } else {
    error = "unknown CLB resource " + kind;
  }
  *answer = done ? ok : nlohmann::json{{"error", error}};
  return done ? 200 : 400;
}

int ClbAdminCertificates(const ClbService& clb, const std::string& region, nlohmann::json* answer) {
  if (!alicloud::RegionProblem(region).empty()) {
    *answer = {{"error", "region must be a region id, e.g. cn-hangzhou"}};
    return 400;
  }
  *answer = {{"server_certificates", clb.CertificatesJson(region)}};
  return 200;
}

void RouteClbAdmin(httplib::Server& server, ClbService& clb) {
  auto put = [&clb](const httplib::Request& req, httplib::Response& res) {
    const nlohmann::json body = req.body.empty() ? nlohmann::json::object()
                                                 : nlohmann::json::parse(req.body, nullptr, false);
    nlohmann::json answer;
    res.status = ClbAdmin(clb, req.matches[1], req.matches.size() > 2 ? req.matches[2].str() : "",
                          body, &answer);
    res.set_content(answer.dump(2), "application/json");
  };
  server.Put(R"(/_emulator/clb/(load_balancers)/([^/]+))", put);
  server.Put(R"(/_emulator/clb/(listeners|domain_extensions|server_certificates|config))", put);
  server.Get("/_emulator/clb/server_certificates",
             [&clb](const httplib::Request& req, httplib::Response& res) {
               nlohmann::json answer;
               res.status = ClbAdminCertificates(clb, req.get_param_value("region"), &answer);
               res.set_content(answer.dump(2), "application/json");
             });
}

}  // namespace certform::emulator
