// ClbService's admin side (what clb_admin.h's routes put), its reset and its state. Sources as in
// clb_service.cc.
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "engine/base/digest.h"
#include "providers/alicloud/emulator/clb_service.h"
#include "providers/alicloud/oss_names.h"

namespace certform::emulator {

namespace {

bool LowerAlnum(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isdigit(c) || (c >= 'a' && c <= 'z');
  });
}

std::string Describe(const ApiError& e) { return e.code + ": " + e.message; }

}  // namespace

// Load balancer ids: "lb-" and lower-case letters or digits (D: the pages' examples,
// "lb-bp1mxu5r8laukr35n1k5r"). Putting one again forgets its listeners and extensions.
bool ClbService::PutLoadBalancer(const ClbLoadBalancer& lb, std::string* error) {
  if (!lb.id.starts_with("lb-") || lb.id.size() > 64 || !LowerAlnum(lb.id.substr(3))) {
    *error = "a load balancer's id is \"lb-\" and lower-case letters or digits (at most 64)";
    return false;
  }
  if (!alicloud::RegionProblem(lb.region).empty() || lb.user.empty()) {
    *error = "a load balancer needs a region (e.g. cn-hangzhou) and a user";
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(listeners_, [&](const auto& l) { return l.second.load_balancer_id == lb.id; });
  std::erase_if(extensions_, [&](const auto& d) { return d.second.load_balancer_id == lb.id; });
  ClbLoadBalancer fresh = lb;
  fresh.configuring_until = {};
  load_balancers_[lb.id] = fresh;
  return true;
}

// A listener per load balancer and port; only an HTTPS one takes a certificate, which must be in
// the store of the load balancer's user and region. Putting one again forgets its extensions.
bool ClbService::PutListener(const ClbListener& listener, std::string* error) {
  if (listener.port < 1 || listener.port > 65535) {
    *error = "port is an integer from 1 to 65535";
    return false;
  }
  if (listener.protocol != "https" && listener.protocol != "http" && listener.protocol != "tcp") {
    *error = "protocol is one of https, http, tcp";
    return false;
  }
  if (listener.protocol != "https" && !listener.server_certificate_id.empty()) {
    *error = "an http or tcp listener takes no server_certificate_id";
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto lb = load_balancers_.find(listener.load_balancer_id);
  if (lb == load_balancers_.end()) {
    *error = "no load balancer " + listener.load_balancer_id + " was put";
    return false;
  }
  if (!listener.server_certificate_id.empty() &&
      store_.Find(lb->second.user, lb->second.region, listener.server_certificate_id) == nullptr) {
    *error = "no server certificate " + listener.server_certificate_id + " in the store of " +
             lb->second.user + " in " + lb->second.region;
    return false;
  }
  std::erase_if(extensions_, [&](const auto& d) {
    return d.second.load_balancer_id == listener.load_balancer_id && d.second.port == listener.port;
  });
  listeners_[ListenerKey(listener.load_balancer_id, listener.port)] = listener;
  return true;
}

// Domain extensions, on HTTPS listeners only, at most extension_quota_ a listener (D: CLB quotas
// page, 3 by default); ids "de-" and lower-case letters or digits (D: the pages' examples,
// "de-bp1rp7ta191dv").
bool ClbService::PutDomainExtension(ClbDomainExtension extension, std::string* id,
                                    std::string* error) {
  if (extension.domain.empty() || extension.domain.size() > 80) {
    *error = "domain is a name of 1 to 80 characters";
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto lb = load_balancers_.find(extension.load_balancer_id);
  auto listener = listeners_.find(ListenerKey(extension.load_balancer_id, extension.port));
  if (lb == load_balancers_.end() || listener == listeners_.end() ||
      listener->second.protocol != "https") {
    *error =
        fmt::format("no https listener {}:{} was put", extension.load_balancer_id, extension.port);
    return false;
  }
  if (store_.Find(lb->second.user, lb->second.region, extension.server_certificate_id) == nullptr) {
    *error = "server_certificate_id must name a certificate of the load balancer's store";
    return false;
  }
  const auto count = std::count_if(extensions_.begin(), extensions_.end(), [&](const auto& d) {
    return d.second.load_balancer_id == extension.load_balancer_id &&
           d.second.port == extension.port;
  });
  if (count >= extension_quota_) {
    *error = fmt::format("the listener has its {} domain extensions (the quota)", extension_quota_);
    return false;
  }
  const std::string digest = engine::Sha256Hex(fmt::format("de/{}", ++extension_sequence_));
  std::string suffix = "bp1";
  for (size_t i = 0; suffix.size() < 13; ++i) {
    const unsigned char c = static_cast<unsigned char>(digest[i]);
    suffix += static_cast<char>(std::isdigit(c) ? c : 'a' + (c - 'a' + i) % 26);
  }
  extension.id = "de-" + suffix;
  *id = extension.id;
  extensions_[extension.id] = extension;
  return true;
}

bool ClbService::SeedCertificate(const ClbCertificateSeed& seed, std::string* id,
                                 std::string* error) {
  if (!alicloud::RegionProblem(seed.region).empty() || seed.user.empty()) {
    *error = "a server certificate needs a region (e.g. cn-hangzhou) and a user";
    return false;
  }
  ClbServerCertificate c;
  c.region = seed.region;
  c.user = seed.user;
  c.name = seed.name;
  if (seed.cas_id > 0) {
    const std::optional<CasCertificate> found =
        cas_.FindById(seed.user, std::to_string(seed.cas_id));
    if (!found || !ReadCertificate(found->pem, &c)) {
      *error = fmt::format("no CAS certificate {} of {}", seed.cas_id, seed.user);
      return false;
    }
    c.cas_id = found->id;
    c.cas_name = found->name;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (c.cas_id != 0) c.cas_region = cas_region_;
  ClbServerCertificate stored;
  if (auto e = AddCertificate(std::move(c), seed.cert_pem, seed.key_pem, &stored)) {
    *error = Describe(*e);
    return false;
  }
  *id = stored.id;
  return true;
}

void ClbService::SetConfiguring(engine::Clock::Duration duration) {
  std::lock_guard<std::mutex> lock(mu_);
  configuring_ = duration;
}

void ClbService::SetExtensionQuota(int quota) {
  std::lock_guard<std::mutex> lock(mu_);
  extension_quota_ = quota;
}

bool ClbService::SetCasRegion(const std::string& region, std::string* error) {
  if (!alicloud::RegionProblem(region).empty()) {
    *error = "cas_region must be a region id, e.g. cn-hangzhou";
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  cas_region_ = region;
  return true;
}

void ClbService::SetCasIdShape(ClbCasIdShape shape) {
  std::lock_guard<std::mutex> lock(mu_);
  cas_id_shape_ = shape;
}

nlohmann::json ClbService::CertificatesJson(const std::string& region) const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json list = nlohmann::json::array();
  for (const ClbServerCertificate* c : store_.Of("", region)) {
    nlohmann::json j = c->Json(cas_id_shape_);
    j["User"] = c->user;
    list.push_back(j);
  }
  return list;
}

// Back to nothing: CLB has no seeds in the configuration file, only the admin's.
void ClbService::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  store_.Reset();
  load_balancers_.clear();
  listeners_.clear();
  extensions_.clear();
  tokens_.clear();
  token_order_.clear();
  configuring_ = {};
  extension_quota_ = kClbDefaultExtensionQuota;
  cas_region_ = kClbDefaultCasRegion;
  cas_id_shape_ = ClbCasIdShape::kDecimal;
}

// /_emulator/state's "clb": load balancers (configuring or not), listeners, extensions and the
// store (no key: the store keeps none).
void ClbService::AddState(nlohmann::json* state) const {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = context_.clock.Monotonic();
  nlohmann::json lbs = nlohmann::json::array(), listeners = nlohmann::json::array(),
                 extensions = nlohmann::json::array(), certificates = nlohmann::json::array();
  for (const auto& [id, lb] : load_balancers_) {
    lbs.push_back({{"id", id},
                   {"region", lb.region},
                   {"user", lb.user},
                   {"configuring", now < lb.configuring_until}});
  }
  for (const auto& [key, l] : listeners_) {
    listeners.push_back({{"load_balancer_id", l.load_balancer_id},
                         {"port", l.port},
                         {"protocol", l.protocol},
                         {"server_certificate_id", l.server_certificate_id}});
  }
  for (const auto& [id, d] : extensions_) {
    extensions.push_back({{"id", id},
                          {"load_balancer_id", d.load_balancer_id},
                          {"port", d.port},
                          {"domain", d.domain},
                          {"server_certificate_id", d.server_certificate_id}});
  }
  for (const ClbServerCertificate& c : store_.All()) {
    certificates.push_back({{"id", c.id},
                            {"name", c.name},
                            {"region", c.region},
                            {"user", c.user},
                            {"fingerprint", c.fingerprint},
                            {"cas_id", c.cas_id},
                            {"cas_region", c.cas_region}});
  }
  (*state)["clb"] = {{"configuring_ms",
                      std::chrono::duration_cast<std::chrono::milliseconds>(configuring_).count()},
                     {"domain_extension_quota", extension_quota_},
                     {"cas_region", cas_region_},
                     {"cas_id_shape", ClbCasIdShapeName(cas_id_shape_)},
                     {"load_balancers", lbs},
                     {"listeners", listeners},
                     {"domain_extensions", extensions},
                     {"server_certificates", certificates}};
}

}  // namespace certform::emulator
