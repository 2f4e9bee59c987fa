#include "providers/alicloud/emulator/emulator_config.h"

#include <nlohmann/json.hpp>

namespace certform::emulator {

Propagation ParsePropagation(const nlohmann::json& doc) {
  Propagation p;
  const int64_t delay_ms = doc.value("delay_ms", int64_t{0});
  p.stale_handshakes = doc.value("stale_handshakes", 0);
  if (delay_ms < 0 || delay_ms > 86'400'000 || p.stale_handshakes < 0 ||
      p.stale_handshakes > 1'000'000) {
    throw nlohmann::json::other_error::create(
        501, "propagation: delay_ms is 0 to 86400000, stale_handshakes 0 to 1000000", &doc);
  }
  p.delay = std::chrono::milliseconds(delay_ms);
  return p;
}

Faults ParseFaults(const nlohmann::json& doc) {
  Faults f;
  f.error_rate = doc.value("error_rate", f.error_rate);
  f.drop_rate = doc.value("drop_rate", f.drop_rate);
  f.latency_ms = doc.value("latency_ms", f.latency_ms);
  f.jitter_ms = doc.value("jitter_ms", f.jitter_ms);
  f.transit_ms = doc.value("transit_ms", f.transit_ms);
  f.signature_error = doc.value("signature_error", f.signature_error);
  f.seed = doc.value("seed", f.seed);
  f.lose_answers = doc.value("lose_answers", f.lose_answers);
  return f;
}

engine::Status ParseEmulatorConfig(const std::string& json, EmulatorConfig* out) {
  try {
    nlohmann::json doc = nlohmann::json::parse(json);
    EmulatorConfig c;
    for (const auto& a : doc.value("accounts", nlohmann::json::array())) {
      c.accounts.push_back(
          {a.at("access_key_id").get<std::string>(), a.at("access_key_secret").get<std::string>(),
           a.value("user", a.at("access_key_id").get<std::string>()), a.value("ram_user", "")});
    }
    const std::string default_user = c.accounts.empty() ? "" : c.accounts.front().user;
    for (const char* table : {"domains", "dcdn_domains"}) {
      auto& seeds = std::string(table) == "domains" ? c.domains : c.dcdn_domains;
      for (const auto& d : doc.value(table, nlohmann::json::array())) {
        if (d.is_string()) {
          seeds.push_back({d.get<std::string>(), default_user, "online"});
        } else {
          seeds.push_back({d.at("name").get<std::string>(), d.value("user", default_user),
                           d.value("status", "online")});
        }
      }
    }
    for (const auto& k : doc.value("cas_certificates", nlohmann::json::array())) {
      c.cas_certificates.push_back({k.at("name").get<std::string>(), k.at("id").get<int64_t>(),
                                    k.value("user", default_user), k.at("pem").get<std::string>()});
      if (k.contains("key")) c.tls_keys.push_back(k.at("key").get<std::string>());
    }
    for (const auto& r : doc.value("roles", nlohmann::json::array())) {
      RoleSeed role;
      role.arn = r.at("arn").get<std::string>();
      role.user = r.value("user", default_user);
      role.trusted_keys = r.value("trusted_keys", std::vector<std::string>());
      role.oidc_provider_arn = r.value("oidc_provider_arn", "");
      role.oidc_token = r.value("oidc_token", "");
      role.max_session_duration = r.value("max_session_duration", 3600);
      role.ecs_role_name = r.value("ecs_role_name", "");
      c.roles.push_back(std::move(role));
    }
    for (const auto& b : doc.value("buckets", nlohmann::json::array())) {
      c.buckets.push_back({b.at("name").get<std::string>(), b.at("region").get<std::string>(),
                           b.value("user", default_user),
                           b.value("verified_domains", std::vector<std::string>())});
    }
    c.oss_list_denied = doc.value("oss_list_denied", std::vector<std::string>());
    c.ram_denied = doc.value("ram_denied", std::map<std::string, std::vector<std::string>>());
    c.oss_write_limit = doc.value("oss_write_limit", 10);
    c.oss_read_limit = doc.value("oss_read_limit", 10);
    c.write_limit = doc.value("write_limit", 10);
    c.ssl_write_limit = doc.value("ssl_write_limit", 30);
    c.cas_upload_limit = doc.value("cas_upload_limit", 100);
    c.cas_read_limit = doc.value("cas_read_limit", 10);
    c.read_limit = doc.value("read_limit", 100);
    c.list_domains_limit = doc.value("list_domains_limit", 100);
    c.dcdn_write_limit = doc.value("dcdn_write_limit", 10);
    c.dcdn_read_limit = doc.value("dcdn_read_limit", 100);
    c.dcdn_list_limit = doc.value("dcdn_list_limit", 10);
    c.call_limits = doc.value("call_limits", std::map<std::string, int>());
    c.call_limit_period_ms = doc.value("call_limit_period_ms", 1000);
    if (c.call_limit_period_ms < 1 || c.call_limit_period_ms > 3'600'000) {
      return engine::Status::InvalidArgument(
          "emulator configuration: call_limit_period_ms is 1 to 3600000");
    }
    c.faults = ParseFaults(doc);
    if (doc.contains("propagation")) c.propagation = ParsePropagation(doc.at("propagation"));
    c.tls_keys = doc.value("tls_keys", std::vector<std::string>());
    *out = std::move(c);
    return engine::Status::OK();
  } catch (const nlohmann::json::exception& e) {
    return engine::Status::InvalidArgument(std::string("emulator configuration: ") + e.what());
  }
}

}  // namespace certform::emulator
