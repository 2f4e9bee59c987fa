#include "providers/alicloud/emulator/alb_admin.h"

#include <httplib.h>

namespace certform::emulator {

namespace {

constexpr size_t kMaxField = 256;

// A string field, `fallback` when absent; false with `error` when not a string or too long.
bool Text(const nlohmann::json& body, const char* name, const std::string& fallback,
          std::string* out, std::string* error) {
  if (!body.contains(name)) {
    *out = fallback;
    return true;
  }
  if (!body[name].is_string() || body[name].get<std::string>().size() > kMaxField) {
    *error = std::string(name) + " must be a string of at most 256 characters";
    return false;
  }
  *out = body[name].get<std::string>();
  return true;
}

// An array of at most 400 strings (absent: none); false with `error` otherwise.
bool TextList(const nlohmann::json& body, const char* name, std::vector<std::string>* out,
              std::string* error) {
  if (!body.contains(name)) return true;
  const nlohmann::json& list = body[name];
  bool ok = list.is_array() && list.size() <= 400;
  for (size_t i = 0; ok && i < list.size(); ++i) {
    ok = list[i].is_string() && !list[i].get<std::string>().empty() &&
         list[i].get<std::string>().size() <= kMaxField;
    if (ok) out->push_back(list[i].get<std::string>());
  }
  if (!ok) {
    *error = std::string(name) + " must be an array of at most 400 strings of 1 to 256 characters";
  }
  return ok;
}

bool Count(const nlohmann::json& body, const char* name, int64_t most, int64_t* out,
           std::string* error) {
  if (!body.contains(name)) return true;
  if (!body[name].is_number_integer() || body[name].get<int64_t>() < 0 ||
      body[name].get<int64_t>() > most) {
    *error = std::string(name) + " must be an integer from 0 to " + std::to_string(most);
    return false;
  }
  *out = body[name].get<int64_t>();
  return true;
}

}  // namespace

int AlbAdmin(AlbService& alb, const std::string& kind, const std::string& id,
             const nlohmann::json& body, nlohmann::json* answer) {
  std::string error = "body must be a JSON object";
  bool ok = body.is_object();
  if (ok && kind == "load_balancers") {
    AlbLoadBalancerSeed seed;
    seed.id = id;
    ok = Text(body, "region", "", &seed.region, &error) &&
         Text(body, "user", "u1", &seed.user, &error) &&
         Text(body, "edition", alb.dialect().default_edition, &seed.edition, &error);
    int64_t quota = -1;
    ok = ok && Count(body, "quota", 1000, &quota, &error);
    seed.quota = static_cast<int>(quota);
    if (ok && body.contains("ack_managed")) {
      ok = body["ack_managed"].is_boolean();
      if (ok)
        seed.ack_managed = body["ack_managed"].get<bool>();
      else
        error = "ack_managed must be true or false";
    }
    ok = ok && alb.PutLoadBalancer(seed, &error);
  } else if (ok && kind == "listeners") {
    AlbListenerSeed seed;
    seed.id = id;
    ok = Text(body, "load_balancer_id", "", &seed.load_balancer_id, &error) &&
         Text(body, "protocol", alb.dialect().certificate_protocols.front(), &seed.protocol,
              &error) &&
         Text(body, "default_certificate", "", &seed.default_certificate, &error) &&
         TextList(body, "additional_certificates", &seed.additional_certificates, &error);
    int64_t port = -1;
    ok = ok && Count(body, "port", 65535, &port, &error);
    if (ok && port == 0) {
      ok = false;
      error = "port is 1 to 65535";
    }
    if (ok && port > 0) seed.port = static_cast<int>(port);
    ok = ok && alb.PutListener(seed, &error);
  } else if (ok && kind == "jobs") {
    int64_t duration_ms = -1, fail_next = -1;
    ok = Count(body, "duration_ms", 3'600'000, &duration_ms, &error) &&
         Count(body, "fail_next", 1000, &fail_next, &error);
    if (ok && duration_ms >= 0) alb.SetJobDuration(std::chrono::milliseconds(duration_ms));
    if (ok && fail_next >= 0) alb.FailNextJobs(static_cast<int>(fail_next));
    if (ok && body.contains("forget_ended")) {
      ok = body["forget_ended"] == true;
      if (ok)
        alb.ForgetEndedJobs();
      else
        error = "forget_ended must be true";
    }
  } else if (ok) {
    ok = false;
    error = "unknown " + alb.dialect().title + " resource " + kind;
  }
  *answer = ok ? nlohmann::json{{"ok", true}} : nlohmann::json{{"error", error}};
  return ok ? 200 : 400;
}

void RouteAlbAdmin(httplib::Server& server, AlbService& alb) {
  auto put = [&alb](const httplib::Request& req, httplib::Response& res) {
    const nlohmann::json body = req.body.empty() ? nlohmann::json::object()
                                                 : nlohmann::json::parse(req.body, nullptr, false);
    nlohmann::json answer;
    const std::string kind = req.matches[1];
    res.status =
        AlbAdmin(alb, kind, req.matches.size() > 2 ? req.matches[2].str() : "", body, &answer);
    res.set_content(answer.dump(2), "application/json");
  };
  const std::string root = "/_emulator/" + alb.dialect().name + "/";
  server.Put(root + R"((load_balancers|listeners)/([^/]+))", put);
  server.Put(root + "(jobs)", put);
}

}  // namespace certform::emulator
