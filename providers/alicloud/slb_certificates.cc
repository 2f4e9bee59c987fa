#include "providers/alicloud/slb_certificates.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/base/domain_name.h"
#include "engine/base/text_escape.h"
#include "providers/alicloud/oss_cnames.h"
#include "providers/alicloud/oss_names.h"

namespace certform::alicloud {

namespace {

using engine::Status;

Status Malformed(const std::string& action, const std::string& what) {
  return Status::Corruption(fmt::format("{} answered {}", action, what));
}

std::string StringField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// SLB wraps each list in an object named by its item ({"ServerCertificates":
// {"ServerCertificate": [...]}}: D, the references' sample answers). An absent list is empty.
Status ListOf(const nlohmann::json& body, const char* outer, const char* inner,
              const std::string& action, size_t max, const nlohmann::json** items) {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  *items = &kEmpty;
  auto o = body.find(outer);
  if (o == body.end()) return Status::OK();
  if (!o->is_object()) return Malformed(action, fmt::format("a {} that is not an object", outer));
  auto i = o->find(inner);
  if (i == o->end()) return Status::OK();
  if (!i->is_array()) return Malformed(action, fmt::format("a {} that is not a list", inner));
  if (i->size() > max) return Malformed(action, fmt::format("more than {} {}", max, outer));
  *items = &*i;
  return Status::OK();
}

// AliCloudCertificateId as a CAS id, when it is one exactly as certform writes CAS ids (the
// rules of the configuration's and OSS's "ID-REGION" door); 0 otherwise.
int64_t CasIdOf(const std::string& text) {
  int64_t id = 0;
  return ParseCasId(text, &id) ? id : 0;
}

Status CheckPort(int port) {
  if (port >= 1 && port <= 65535) return Status::OK();
  return Status::InvalidArgument(fmt::format("a listener port is 1 to 65535, not {}", port));
}

Status CheckLoadBalancer(const std::string& id) {
  if (IsLoadBalancerId(id)) return Status::OK();
  return Status::InvalidArgument(
      fmt::format("not a CLB instance id (\"lb-\" and lower-case letters and digits): \"{}\"",
                  engine::ForTerminal(id)));
}

Status CheckCertificate(const std::string& id) {
  if (IsServerCertificateId(id)) return Status::OK();
  return Status::InvalidArgument(
      fmt::format("not an SLB server certificate id: \"{}\"", engine::ForTerminal(id)));
}

}  // namespace

bool IsServerCertificateId(const std::string& id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

bool IsLoadBalancerId(const std::string& id) {
  return id.size() > 3 && id.size() <= 64 && id.starts_with("lb-") &&
         std::all_of(id.begin() + 3, id.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

bool IsListToken(const std::string& token) {
  return !token.empty() && token.size() <= 256 &&
         std::all_of(token.begin(), token.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.' || c == '+' || c == '/' || c == '=';
         });
}

std::string StoreCopyName(int64_t cas_id, const std::string& cas_region) {
  return fmt::format("cas-{}-{}", cas_id, cas_region);
}

Status SlbCertificates::ListStore(std::vector<ServerCertificate>* all, engine::CallResult* result) {
  constexpr char kAction[] = "DescribeServerCertificates";
  all->clear();
  nlohmann::json body;
  if (Status s = client_.Call(kAction, {{"RegionId", region_}}, &body, result); !s.ok()) return s;
  const nlohmann::json* items = nullptr;
  if (Status s = ListOf(body, "ServerCertificates", "ServerCertificate", kAction,
                        kMaxStoreCertificates, &items);
      !s.ok()) {
    return s;
  }
  std::vector<ServerCertificate> out;
  for (const nlohmann::json& item : *items) {
    if (!item.is_object()) return Malformed(kAction, "a certificate that is not an object");
    ServerCertificate c;
    c.id = StringField(item, "ServerCertificateId");
    if (!IsServerCertificateId(c.id)) {
      return Malformed(kAction, fmt::format("a ServerCertificateId of no known shape: \"{}\"",
                                            engine::ForTerminal(c.id.substr(0, 80))));
    }
    c.name = StringField(item, "ServerCertificateName").substr(0, 256);
    // IsAliCloudCertificate: an Integer, 1 for a copy of a CAS certificate (D: doc 34183).
    auto cas = item.find("IsAliCloudCertificate");
    if (cas != item.end() && !cas->is_null()) {
      if (!cas->is_number_integer() || (cas->get<int64_t>() != 0 && cas->get<int64_t>() != 1)) {
        return Malformed(kAction,
                         fmt::format("an IsAliCloudCertificate that is not 0 or 1 for {}", c.id));
      }
      c.from_cas = cas->get<int64_t>() == 1;
    }
    if (c.from_cas) c.cas_id = CasIdOf(StringField(item, "AliCloudCertificateId"));
    const std::string prefix = c.cas_id == 0 ? "" : StoreCopyName(c.cas_id, "");
    if (!prefix.empty() && c.name.starts_with(prefix) &&
        RegionProblem(c.name.substr(prefix.size())).empty()) {
      c.copy_region = c.name.substr(prefix.size());
    }
    out.push_back(std::move(c));
  }
  *all = std::move(out);  // only a listing that passed the door whole
  return Status::OK();
}

Status SlbCertificates::ListRegions(std::vector<std::string>* regions, engine::CallResult* result) {
  constexpr char kAction[] = "DescribeRegions";
  regions->clear();
  nlohmann::json body;
  if (Status s = client_.Call(kAction, {{"RegionId", region_}}, &body, result); !s.ok()) return s;
  const nlohmann::json* items = nullptr;
  if (Status s = ListOf(body, "Regions", "Region", kAction, kMaxRegions, &items); !s.ok()) return s;
  std::vector<std::string> out;
  for (const nlohmann::json& item : *items) {
    if (!item.is_object()) return Malformed(kAction, "a region that is not an object");
    const std::string id = StringField(item, "RegionId");
    if (!RegionProblem(id).empty()) {
      return Malformed(kAction, fmt::format("a RegionId of no region's shape: \"{}\"",
                                            engine::ForTerminal(id.substr(0, 80))));
    }
    if (std::find(out.begin(), out.end(), id) != out.end()) {
      return Malformed(kAction, fmt::format("region {} twice", id));
    }
    out.push_back(id);
  }
  *regions = std::move(out);  // only a list that passed the door whole
  return Status::OK();
}

Status SlbCertificates::ListHttpsListeners(const std::string& token, int max_results,
                                           std::vector<HttpsListener>* listeners, std::string* next,
                                           engine::CallResult* result) {
  constexpr char kAction[] = "DescribeLoadBalancerListeners";
  listeners->clear();
  next->clear();
  if (max_results < 1 || max_results > 100) {
    return Status::InvalidArgument("MaxResults is 1 to 100");
  }
  if (!token.empty() && !IsListToken(token)) {
    return Status::InvalidArgument("not a NextToken certform sends back");
  }
  Params params = {{"RegionId", region_},
                   {"ListenerProtocol", "https"},
                   {"MaxResults", std::to_string(max_results)}};
  if (!token.empty()) params.emplace_back("NextToken", token);
  nlohmann::json body;
  if (Status s = client_.Call(kAction, params, &body, result); !s.ok()) return s;
  // Listeners is a plain list (D: the reference's response table and the SDKs' models; absent
  // when there is none).
  static const nlohmann::json kNone = nlohmann::json::array();
  auto found = body.find("Listeners");
  const nlohmann::json& items = found == body.end() || found->is_null() ? kNone : *found;
  if (!items.is_array()) return Malformed(kAction, "a Listeners that is not a list");
  if (items.size() > static_cast<size_t>(max_results)) {
    return Malformed(kAction, fmt::format("more than the {} listeners asked for", max_results));
  }
  std::vector<HttpsListener> out;
  for (const nlohmann::json& item : items) {
    if (!item.is_object()) return Malformed(kAction, "a listener that is not an object");
    HttpsListener l{StringField(item, "LoadBalancerId"), 0};
    if (!IsLoadBalancerId(l.load_balancer)) {
      return Malformed(kAction, fmt::format("a LoadBalancerId of no known shape: \"{}\"",
                                            engine::ForTerminal(l.load_balancer.substr(0, 80))));
    }
    auto port = item.find("ListenerPort");
    if (port == item.end() || !port->is_number_integer() || port->get<int64_t>() < 1 ||
        port->get<int64_t>() > 65535) {
      return Malformed(kAction,
                       fmt::format("a ListenerPort that is no port for {}", l.load_balancer));
    }
    l.port = static_cast<int>(port->get<int64_t>());
    // tcp, udp, http or https (D); anything else is no listener certform knows.
    const std::string protocol = StringField(item, "ListenerProtocol");
    if (protocol != "https" && protocol != "http" && protocol != "tcp" && protocol != "udp") {
      return Malformed(kAction, fmt::format("a ListenerProtocol of no known kind for {}:{}",
                                            l.load_balancer, l.port));
    }
    if (protocol == "https") out.push_back(std::move(l));
  }
  auto more = body.find("NextToken");
  if (more != body.end() && !more->is_null()) {
    if (!more->is_string()) return Malformed(kAction, "a NextToken that is not a string");
    const std::string text = more->get<std::string>();
    if (!text.empty() && !IsListToken(text)) {
      return Malformed(kAction, "a NextToken of no known shape");
    }
    if (!text.empty() && text == token) {
      return Malformed(kAction, "the NextToken it was sent: the listing would never end");
    }
    *next = text;
  }
  *listeners = std::move(out);
  return Status::OK();
}

Status SlbCertificates::CopyFromCas(int64_t cas_id, const std::string& cas_region,
                                    const std::string& cas_name, const std::string& name,
                                    std::string* id, engine::CallResult* result) {
  constexpr char kAction[] = "UploadServerCertificate";
  id->clear();
  if (cas_id <= 0 || !RegionProblem(cas_region).empty() || name.empty() || name.size() > 80) {
    return Status::InvalidArgument("a store copy names a CAS id, its region and a name");
  }
  Params params = {{"RegionId", region_},
                   {"AliCloudCertificateId", std::to_string(cas_id)},
                   {"AliCloudCertificateRegionId", cas_region},
                   {"ServerCertificateName", name}};
  if (!cas_name.empty()) params.emplace_back("AliCloudCertificateName", cas_name);
  nlohmann::json body;
  if (Status s = client_.Call(kAction, params, &body, result); !s.ok()) return s;
  *id = StringField(body, "ServerCertificateId");
  if (!IsServerCertificateId(*id)) return Malformed(kAction, "without a ServerCertificateId");
  return Status::OK();
}

Status SlbCertificates::ReadListener(const std::string& load_balancer, int port,
                                     std::string* certificate_id, engine::CallResult* result) {
  constexpr char kAction[] = "DescribeLoadBalancerHTTPSListenerAttribute";
  certificate_id->clear();
  nlohmann::json body;
  if (Status s = CallListener(kAction, load_balancer, port, {}, &body, result); !s.ok()) return s;
  auto answered = body.find("ListenerPort");
  if (answered != body.end() &&
      (!answered->is_number_integer() || answered->get<int64_t>() != port)) {
    return Malformed(kAction, fmt::format("another listener than port {}", port));
  }
  const std::string id = StringField(body, "ServerCertificateId");
  if (!id.empty() && !IsServerCertificateId(id)) {
    return Malformed(kAction, fmt::format("a ServerCertificateId of no known shape: \"{}\"",
                                          engine::ForTerminal(id.substr(0, 80))));
  }
  *certificate_id = id;  // only what passed the door
  return Status::OK();
}

Status SlbCertificates::SetListener(const std::string& load_balancer, int port,
                                    const std::string& certificate_id, engine::CallResult* result) {
  if (Status s = CheckCertificate(certificate_id); !s.ok()) return s;
  nlohmann::json body;
  return CallListener("SetLoadBalancerHTTPSListenerAttribute", load_balancer, port,
                      {{"ServerCertificateId", certificate_id}}, &body, result);
}

Status SlbCertificates::ListExtensions(const std::string& load_balancer, int port,
                                       std::vector<DomainExtension>* all,
                                       engine::CallResult* result) {
  constexpr char kAction[] = "DescribeDomainExtensions";
  all->clear();
  nlohmann::json body;
  Status s = CallListener(kAction, load_balancer, port, {}, &body, result);
  if (!s.ok()) return s;
  const nlohmann::json* items = nullptr;
  if (s = ListOf(body, "DomainExtensions", "DomainExtension", kAction, kMaxDomainExtensions,
                 &items);
      !s.ok()) {
    return s;
  }
  std::vector<DomainExtension> out;
  for (const nlohmann::json& item : *items) {
    if (!item.is_object()) return Malformed(kAction, "an extension that is not an object");
    DomainExtension e{StringField(item, "DomainExtensionId"), StringField(item, "Domain"),
                      StringField(item, "ServerCertificateId")};
    if (!IsServerCertificateId(e.id)) {
      return Malformed(kAction, fmt::format("a DomainExtensionId of no known shape: \"{}\"",
                                            engine::ForTerminal(e.id.substr(0, 80))));
    }
    e.domain = engine::NormalizeDomain(e.domain);
    if (!engine::SniDomainProblem(e.domain).empty()) {
      return Malformed(kAction, fmt::format("a Domain that is none for {}: \"{}\"", e.id,
                                            engine::ForTerminal(e.domain.substr(0, 80))));
    }
    if (!e.certificate_id.empty() && !IsServerCertificateId(e.certificate_id)) {
      return Malformed(kAction,
                       fmt::format("a ServerCertificateId of no known shape for {}", e.id));
    }
    out.push_back(std::move(e));
  }
  *all = std::move(out);
  return Status::OK();
}

Status SlbCertificates::SetExtension(const std::string& extension_id,
                                     const std::string& certificate_id,
                                     engine::CallResult* result) {
  if (!IsServerCertificateId(extension_id)) {
    return Status::InvalidArgument(
        fmt::format("not a domain extension id: \"{}\"", engine::ForTerminal(extension_id)));
  }
  if (Status s = CheckCertificate(certificate_id); !s.ok()) return s;
  nlohmann::json body;
  return client_.Call("SetDomainExtensionAttribute",
                      {{"RegionId", region_},
                       {"DomainExtensionId", extension_id},
                       {"ServerCertificateId", certificate_id}},
                      &body, result);
}

Status SlbCertificates::Delete(const std::string& certificate_id, engine::CallResult* result) {
  if (Status s = CheckCertificate(certificate_id); !s.ok()) return s;
  nlohmann::json body;
  return client_.Call("DeleteServerCertificate",
                      {{"RegionId", region_}, {"ServerCertificateId", certificate_id}}, &body,
                      result);
}

Status SlbCertificates::CallListener(const std::string& action, const std::string& load_balancer,
                                     int port, const Params& more, nlohmann::json* body,
                                     engine::CallResult* result) {
  if (Status s = CheckLoadBalancer(load_balancer); !s.ok()) return s;
  if (Status s = CheckPort(port); !s.ok()) return s;
  Params params = {{"RegionId", region_},
                   {"LoadBalancerId", load_balancer},
                   {"ListenerPort", std::to_string(port)}};
  params.insert(params.end(), more.begin(), more.end());
  return client_.Call(action, params, body, result);
}

}  // namespace certform::alicloud
