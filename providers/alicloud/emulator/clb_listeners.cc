// ClbService's listener and domain extension calls: DescribeLoadBalancerHTTPSListenerAttribute,
// SetLoadBalancerHTTPSListenerAttribute, DescribeDomainExtensions, SetDomainExtensionAttribute.
// Sources as in clb_service.cc.
#include <algorithm>
#include <cctype>

#include "providers/alicloud/emulator/clb_service.h"

namespace certform::emulator {

namespace {

nlohmann::json ExtensionJson(const ClbDomainExtension& d) {
  return {{"DomainExtensionId", d.id},
          {"Domain", d.domain},
          {"ServerCertificateId", d.server_certificate_id}};
}

// Bandwidth: -1 (no limit) or 1-5120 (D: SetLoadBalancerHTTPSListenerAttribute's page); optional.
bool BandwidthOk(const std::string& text) {
  if (text.empty() || text == "-1") return true;
  if (text.size() > 4 ||
      !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return false;
  }
  const int n = std::stoi(text);
  return n >= 1 && n <= 5120;
}

bool SameName(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Whether certificate name `name` (a SAN dNSName, or the CN) covers the extension's `domain`:
// the same name (a wildcard extension "*.example.com" only by the same wildcard), or a wildcard
// "*.example.com" covering exactly one label more ("api.example.com"; not "example.com", not
// "a.b.example.com", and "*.com" nothing). Case-insensitive. The emulator's own reading of RFC
// 6125 §6.4.3 (certform's engine has another: the two are kept apart on purpose).
bool NameCovers(const std::string& name, const std::string& domain) {
  if (SameName(name, domain)) return true;
  if (name.size() < 3 || name.compare(0, 2, "*.") != 0 || domain.starts_with("*.")) return false;
  const std::string suffix = name.substr(2);
  if (suffix.find('.') == std::string::npos) return false;
  const size_t dot = domain.find('.');
  return dot != std::string::npos && dot > 0 && SameName(domain.substr(dot + 1), suffix);
}

// A certificate covers `domain` when one of its SANs does; one without SANs, by its CN.
bool CertificateCovers(const ClbServerCertificate& c, const std::string& domain) {
  if (c.sans.empty()) return NameCovers(c.common_name, domain);
  return std::any_of(c.sans.begin(), c.sans.end(),
                     [&](const std::string& san) { return NameCovers(san, domain); });
}

}  // namespace

// DescribeLoadBalancerHTTPSListenerAttribute (D: its page): RegionId, LoadBalancerId and
// ListenerPort required; the answer's ServerCertificateId, Status (D: starting | running |
// configuring | stopping | stopped: configuring while a write's window lasts, U) and
// DomainExtensions (D: Domain, DomainExtensionId, ServerCertificateId; U: the nesting under
// DomainExtension, as DescribeDomainExtensions' sample nests them), with a few of the page's other
// fields at the sample's values. A listener of another protocol on that port: ListenerNotFound.
ApiResponse ClbService::DescribeListener(const ClbCall& call) {
  std::string lb_id;
  int port = 0;
  if (auto e = ClbRequired(call, "LoadBalancerId", &lb_id)) return call.Error(*e);
  if (auto e = ClbPort(call, &port)) return call.Error(*e);
  std::lock_guard<std::mutex> lock(mu_);
  const ClbLoadBalancer* lb = CallersLoadBalancer(call, lb_id);
  if (lb == nullptr) return call.Error(LoadBalancerNotFound(lb_id));
  auto it = listeners_.find(ListenerKey(lb_id, port));
  if (it == listeners_.end() || it->second.protocol != "https") {
    return call.Error(ClbListenerNotFound());
  }
  nlohmann::json extensions = nlohmann::json::array();
  for (const auto& [id, d] : extensions_) {
    if (d.load_balancer_id == lb_id && d.port == port) extensions.push_back(ExtensionJson(d));
  }
  const bool configuring = context_.clock.Monotonic() < lb->configuring_until;
  return call.Ok({{"ListenerPort", port},
                  {"BackendServerPort", port},
                  {"Bandwidth", -1},
                  {"Status", configuring ? "configuring" : "running"},
                  {"ServerCertificateId", it->second.server_certificate_id},
                  {"Scheduler", "wrr"},
                  {"StickySession", "off"},
                  {"HealthCheck", "on"},
                  {"XForwardedFor", "on"},
                  {"Gzip", "on"},
                  {"DomainExtensions", {{"DomainExtension", extensions}}}});
}

// SetLoadBalancerHTTPSListenerAttribute (D: its page): RegionId, LoadBalancerId and ListenerPort
// are the required parameters (Bandwidth is optional there: -1 or 1-5120 when given); the other
// fields are taken and ignored. ServerCertificateId, when given, must be a certificate of the
// caller's store in the load balancer's region (ServerCertificateId.NotFound, S; U for this call).
// A write while the load balancer is configuring: ServiceIsConfiguring (D: common table; U: that
// a certificate write starts such a window, the admin's configuring_ms, 0 unless set).
ApiResponse ClbService::SetListener(const ClbCall& call) {
  std::string lb_id;
  int port = 0;
  if (auto e = ClbRequired(call, "LoadBalancerId", &lb_id)) return call.Error(*e);
  if (auto e = ClbPort(call, &port)) return call.Error(*e);
  if (!BandwidthOk(call.Param("Bandwidth"))) {
    return call.Error(ClbInvalid("The specified Bandwidth is invalid."));  // D: common table
  }
  const std::string cert_id = call.Param("ServerCertificateId");
  std::lock_guard<std::mutex> lock(mu_);
  ClbLoadBalancer* lb = CallersLoadBalancer(call, lb_id);
  if (lb == nullptr) return call.Error(LoadBalancerNotFound(lb_id));
  auto it = listeners_.find(ListenerKey(lb_id, port));
  if (it == listeners_.end() || it->second.protocol != "https") {
    return call.Error(ClbListenerNotFound());
  }
  const auto now = context_.clock.Monotonic();
  if (now < lb->configuring_until) return call.Error(ServiceIsConfiguring());
  if (!cert_id.empty() && store_.Find(call.user, call.region, cert_id) == nullptr) {
    return call.Error(ServerCertificateNotFound(cert_id));
  }
  if (!cert_id.empty()) it->second.server_certificate_id = cert_id;
  lb->configuring_until = now + configuring_;
  return call.Ok(nlohmann::json::object());
}

// DescribeDomainExtensions (D: its page): RegionId, LoadBalancerId and ListenerPort required,
// DomainExtensionId optional (an id the listener does not have lists none, U); the answer
// nests them under DomainExtensions.DomainExtension (D: its JSON sample). Only an HTTPS listener
// has extensions (ListenerNotFound otherwise, U).
ApiResponse ClbService::DescribeExtensions(const ClbCall& call) {
  std::string lb_id;
  int port = 0;
  if (auto e = ClbRequired(call, "LoadBalancerId", &lb_id)) return call.Error(*e);
  if (auto e = ClbPort(call, &port)) return call.Error(*e);
  const std::string only = call.Param("DomainExtensionId");
  std::lock_guard<std::mutex> lock(mu_);
  if (CallersLoadBalancer(call, lb_id) == nullptr) return call.Error(LoadBalancerNotFound(lb_id));
  auto it = listeners_.find(ListenerKey(lb_id, port));
  if (it == listeners_.end() || it->second.protocol != "https") {
    return call.Error(ClbListenerNotFound());
  }
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [id, d] : extensions_) {
    if (d.load_balancer_id == lb_id && d.port == port && (only.empty() || id == only)) {
      list.push_back(ExtensionJson(d));
    }
  }
  return call.Ok({{"DomainExtensions", {{"DomainExtension", list}}}});
}

// SetDomainExtensionAttribute (D: its page): RegionId, DomainExtensionId and ServerCertificateId
// all required. An extension of another user's or region's load balancer is none
// (InvalidParameter.DomainExtensionId, S); the certificate must be in the caller's store of the
// region (U, as SetLoadBalancerHTTPSListenerAttribute). While its load balancer is configuring:
// DomainExtensionProcessing (S: the code Terraform retries for extension writes; U here). A
// certificate that does not cover the extension's domain is refused with
// 400 InvalidParameter.ServerCertificateId (U: no page says the certificate is checked, nor with
// what code; the harsher reading refuses it, under the one code doc 85913 gives for a bad
// ServerCertificateId, "The specified ServerCertificateId does not exist.", with a message of
// its own). The extension keeps its certificate.
ApiResponse ClbService::SetExtension(const ClbCall& call) {
  std::string id, cert_id;
  if (auto e = ClbRequired(call, "DomainExtensionId", &id)) return call.Error(*e);
  if (auto e = ClbRequired(call, "ServerCertificateId", &cert_id)) return call.Error(*e);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = extensions_.find(id);
  ClbLoadBalancer* lb =
      it == extensions_.end() ? nullptr : CallersLoadBalancer(call, it->second.load_balancer_id);
  if (lb == nullptr) return call.Error(DomainExtensionNotFound(id));
  const auto now = context_.clock.Monotonic();
  if (now < lb->configuring_until) return call.Error(DomainExtensionProcessing());
  const ClbServerCertificate* cert = store_.Find(call.user, call.region, cert_id);
  if (cert == nullptr) return call.Error(ServerCertificateNotFound(cert_id));
  if (!CertificateCovers(*cert, it->second.domain)) {
    return call.Error({400, "InvalidParameter.ServerCertificateId",
                       "The specified ServerCertificateId does not match the domain of the "
                       "DomainExtension."});
  }
  it->second.server_certificate_id = cert_id;
  lb->configuring_until = now + configuring_;
  return call.Ok(nlohmann::json::object());
}

}  // namespace certform::emulator
