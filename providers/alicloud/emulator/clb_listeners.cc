// ClbService's listener and domain extension calls: DescribeLoadBalancerHTTPSListenerAttribute,
// SetLoadBalancerHTTPSListenerAttribute, DescribeDomainExtensions, SetDomainExtensionAttribute;
// and the listing: DescribeRegions, DescribeLoadBalancerListeners. Sources as in clb_service.cc.
#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "engine/base/digest.h"
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

// DescribeRegions (D: api-slb-2014-05-15-describeregions): RegionId and AcceptLanguage optional
// (the language is ignored: LocalName in English); Regions.Region[] with RegionId, LocalName and
// RegionEndpoint (D: its JSON sample). The regions: kClbRegions, then every other region a load
// balancer or a store certificate was seeded in, whoever's (U: the real list is the same for
// every caller). RegionEndpoint "slb.REGION.aliyuncs.com" (U: the sample shows
// "slb.aliyuncs.com"; a client must not call what an answer names either way).
ApiResponse ClbService::DescribeRegions(const ClbCall& call) {
  std::vector<std::string> ids(std::begin(kClbRegions), std::end(kClbRegions));
  std::set<std::string> seeded;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, lb] : load_balancers_) seeded.insert(lb.region);
    for (const ClbServerCertificate& c : store_.All()) seeded.insert(c.region);
  }
  for (const std::string& r : seeded) {
    if (std::find(ids.begin(), ids.end(), r) == ids.end()) ids.push_back(r);
  }
  static const std::map<std::string, std::string> kNames = {{"cn-hangzhou", "China (Hangzhou)"},
                                                            {"cn-shanghai", "China (Shanghai)"},
                                                            {"ap-southeast-1", "Singapore"}};
  nlohmann::json list = nlohmann::json::array();
  for (const std::string& id : ids) {
    auto name = kNames.find(id);
    list.push_back({{"RegionId", id},
                    {"LocalName", name == kNames.end() ? id : name->second},
                    {"RegionEndpoint", fmt::format("slb.{}.aliyuncs.com", id)}});
  }
  return call.Ok({{"Regions", {{"Region", list}}}});
}

// DescribeLoadBalancerListeners (D: api-slb-2014-05-15-describeloadbalancerlisteners): the
// caller's listeners of the region asked for (RegionId, required here: clb_requests.cc), of
// ListenerProtocol when given (tcp | udp | http | https, D; another value: 400 InvalidParameter,
// U: the page lists no error code), MaxResults of them (1..100, 20 when absent, D; out of range
// or not a number: 400 InvalidParameter, U: the code is not documented; harsher than clamping),
// from NextToken on. NextToken (D: empty when there is no next page): a token of this emulator's,
// for the same user, region and protocol, continuing after the last listener the page listed (in
// a fixed order: load balancer, then port), so that a listener added or removed between pages
// moves no other; it may be sent again (a retry). Another, or a token of another listing: 400
// InvalidParameter (U: harsher than ignoring it). Listeners is left out of an answer that has
// none (D: "not returned if the CLB instance does not have a listener"); TotalCount counts every
// listener of the query, MaxResults echoes the page size (D: the response table). The
// LoadBalancerId.N, ListenerPort and Tag filters are not emulated (certform sends none).
ApiResponse ClbService::ListListeners(const ClbCall& call) {
  const std::string protocol = call.Param("ListenerProtocol");
  if (!protocol.empty() && protocol != "tcp" && protocol != "udp" && protocol != "http" &&
      protocol != "https") {
    return call.Error(ClbInvalid("The specified parameter ListenerProtocol is not valid."));
  }
  int max_results = kClbDefaultListeners;
  const std::string max = call.Param("MaxResults");
  if (!max.empty()) {
    const bool digits = max.size() <= 3 && std::all_of(max.begin(), max.end(), [](unsigned char c) {
                          return std::isdigit(c);
                        });
    max_results = digits ? std::stoi(max) : 0;
    if (max_results < 1 || max_results > kClbMostListeners) {
      return call.Error(ClbInvalid("The specified parameter MaxResults is not valid."));
    }
  }
  const std::string token = call.Param("NextToken");
  std::lock_guard<std::mutex> lock(mu_);
  std::string after;
  if (!token.empty()) {
    auto it = tokens_.find(token);
    if (it == tokens_.end() || it->second.user != call.user || it->second.region != call.region ||
        it->second.protocol != protocol) {
      return call.Error(ClbInvalid("The specified parameter NextToken is not valid."));
    }
    after = it->second.after;
  }
  std::vector<const ClbListener*> all;
  for (const auto& [key, l] : listeners_) {  // ordered by "LBID/PORT"
    auto lb = load_balancers_.find(l.load_balancer_id);
    if (lb == load_balancers_.end() || lb->second.user != call.user ||
        lb->second.region != call.region || (!protocol.empty() && l.protocol != protocol)) {
      continue;
    }
    all.push_back(&l);
  }
  nlohmann::json page = nlohmann::json::array();
  std::string last;
  bool more = false;
  for (const ClbListener* l : all) {
    const std::string key = ListenerKey(l->load_balancer_id, l->port);
    if (!after.empty() && key <= after) continue;
    if (static_cast<int>(page.size()) == max_results) {
      more = true;
      break;
    }
    nlohmann::json j = {{"LoadBalancerId", l->load_balancer_id},
                        {"ListenerPort", l->port},
                        {"ListenerProtocol", l->protocol},
                        {"BackendServerPort", l->port},
                        {"Bandwidth", -1},
                        {"Status", "running"},
                        {"Scheduler", "wrr"}};
    if (l->protocol == "https") {
      j["HTTPSListenerConfig"] = {{"ServerCertificateId", l->server_certificate_id}};
    }
    page.push_back(std::move(j));
    last = key;
  }
  std::string next;
  if (more) {
    next = "FF" + engine::Sha256Hex(fmt::format("clb/token/{}", ++token_sequence_)).substr(0, 24);
    tokens_[next] = {call.user, call.region, protocol, last};
    token_order_.push_back(next);
    while (token_order_.size() > kClbMostTokens) {
      tokens_.erase(token_order_.front());
      token_order_.pop_front();
    }
  }
  nlohmann::json doc = {{"NextToken", next},
                        {"MaxResults", max_results},
                        {"TotalCount", static_cast<int64_t>(all.size())}};
  if (!page.empty()) doc["Listeners"] = std::move(page);
  return call.Ok(std::move(doc));
}

}  // namespace certform::emulator
