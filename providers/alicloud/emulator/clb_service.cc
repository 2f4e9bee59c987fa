// The emulator's CLB (SLB 2014-05-15). Sources: shared/docs/load-balancers.md §1.2 (D documented,
// S seen in peers' code, U unconfirmed), the SLB API reference pages (D: alibabacloud.com/help/en/
// slb/classic-load-balancer/developer-reference/api-slb-2014-05-15-<action>, their Chinese
// originals in AlibabaCloudDocs/slb cn.zh-CN/API参考/), SLB's common error codes (D: "Common error
// codes", CLB Developer Guide) and the CLB quotas (D: "Manage CLB quotas"; 使用限制). Each
// behaviour cites its source; "U" marks the harsher reading taken where the pages are silent.
// This file: routing, limits and the store's calls; clb_listeners.cc: the listeners' and domain
// extensions'; clb_seeds.cc: the admin side and the state.
#include "providers/alicloud/emulator/clb_service.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "providers/alicloud/emulator/ram_policy.h"
#include "providers/alicloud/oss_names.h"

namespace certform::emulator {

namespace {

const std::set<std::string>& Writes() {
  static const std::set<std::string> writes = {"UploadServerCertificate", "DeleteServerCertificate",
                                               "SetLoadBalancerHTTPSListenerAttribute",
                                               "SetDomainExtensionAttribute"};
  return writes;
}

const std::set<std::string>& Reads() {
  static const std::set<std::string> reads = {
      "DescribeServerCertificates", "DescribeLoadBalancerHTTPSListenerAttribute",
      "DescribeDomainExtensions", "DescribeRegions", "DescribeLoadBalancerListeners"};
  return reads;
}

// ServerCertificateName: 1 to 80 characters, starting with a letter, then letters, digits, '.',
// '_' and '-' (D: UploadServerCertificate's page; its "or Chinese characters" is not emulated:
// harsher).
bool NameOk(const std::string& name) {
  if (name.empty() || name.size() > 80 || !std::isalpha(static_cast<unsigned char>(name[0]))) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '-';
  });
}

}  // namespace

ClbService::ClbService(ServiceContext context, const CasDirectory& cas)
    : RpcService(context), cas_(cas) {}

// SLB's actions are told from others of the same names (none today) by their version too.
bool ClbService::Accepts(const ServiceRequest& request) const {
  return Serves(request.action) && Param(request.params, "Version") == kClbVersion;
}

bool ClbService::Serves(const std::string& action) const {
  return Writes().contains(action) || Reads().contains(action);
}

// SLB documents no API rate limits for these calls (U): each write 90 per 60 s and each read 20
// per second, per region, API and user (the harsher end of what load-balancers.md §1.2 noted,
// "listener 90/60 s", applied to every write; reads as ALB's and NLB's documented 20 a second).
std::pair<std::string, int> ClbService::Window(const std::string& action) const {
  return {"clb//" + action, Writes().contains(action) ? 90 : 20};
}

std::pair<std::string, int> ClbService::WindowFor(const ServiceRequest& request,
                                                  engine::Clock::Duration* period) const {
  const bool write = Writes().contains(request.action);
  if (write) *period = std::chrono::seconds(60);
  return {"clb/" + Param(request.params, "RegionId") + "/" + request.action, write ? 90 : 20};
}

ApiResponse ClbService::Dispatch(const std::string&, const Params&, const std::string&,
                                 const std::string& request_id, bool json) {
  return RenderError({500, "InternalError", "CLB answers through DispatchFor."}, request_id, json);
}

ApiResponse ClbService::DispatchFor(const ServiceRequest& r, const AccountKey& caller,
                                    const std::string& user) {
  ClbCall call{r, user, {}};
  // RAM: each page names its action "slb:ACTION" (D: the pages' RAM authorization tables); a
  // policy of the emulator may deny either spelling (the bare one is checked by RpcService).
  if (RamDenies(context_.config, caller, "slb:" + r.action)) {
    context_.flow.CountRejected();
    return call.Error(RamDenialError());
  }
  // DescribeRegions takes RegionId as optional (D: its page); every other call requires it.
  if (r.action == "DescribeRegions" && Param(r.params, "RegionId").empty()) {
    return DescribeRegions(call);
  }
  if (auto e = ClbRegion(r, &call.region)) return call.Error(*e);
  if (r.action == "DescribeRegions") return DescribeRegions(call);
  if (r.action == "DescribeLoadBalancerListeners") return ListListeners(call);
  if (r.action == "UploadServerCertificate") return Upload(call);
  if (r.action == "DescribeServerCertificates") return DescribeCertificates(call);
  if (r.action == "DeleteServerCertificate") return DeleteCertificate(call);
  if (r.action == "DescribeLoadBalancerHTTPSListenerAttribute") return DescribeListener(call);
  if (r.action == "SetLoadBalancerHTTPSListenerAttribute") return SetListener(call);
  if (r.action == "DescribeDomainExtensions") return DescribeExtensions(call);
  return SetExtension(call);
}

// UploadServerCertificate (D: its page; doc-detail 34181): a certificate and its key
// (ServerCertificate + PrivateKey: "required if you use a third-party certificate"), or a
// certificate of CAS (AliCloudCertificateId: "required if you use a certificate from the Alibaba
// Cloud certificate service"; AliCloudCertificateName and AliCloudCertificateRegionId optional).
// Both, or half of the content: refused with SLB's MissingParameter, "The combination of some
// parameters violates the spec." (D: common table; U: that it is this call's). Neither: "The
// specified parameter ServerCertificate or Key is empty." (D: common table). The same CAS
// certificate uploaded twice is a second copy under a new id (U: the page is silent; harsher).
ApiResponse ClbService::Upload(const ClbCall& call) {
  const std::string cert = call.Param("ServerCertificate"), key = call.Param("PrivateKey");
  const std::string cas_id = call.Param("AliCloudCertificateId");
  const std::string name = call.Param("ServerCertificateName");
  const bool content = !cert.empty() || !key.empty();
  if ((content && !cas_id.empty()) || (content && (cert.empty() || key.empty()))) {
    return call.Error(
        {400, "MissingParameter", "The combination of some parameters violates the spec."});
  }
  if (!content && cas_id.empty()) {
    return call.Error(ClbInvalid("The specified parameter ServerCertificate or Key is empty."));
  }
  if (!name.empty() && !NameOk(name)) {
    return call.Error(ClbInvalid("The specified parameter ServerCertificateName is not valid."));
  }
  ClbServerCertificate c;
  c.region = call.region;
  c.user = call.user;
  c.name = name;
  if (!content) {
    // A CAS id is decimal (D: the samples' AliCloudCertificateId "1501739"); another, one of
    // another user, or a name that is not the certificate's: refused as not found (U: code and
    // message; harsher than ignoring the name). AliCloudCertificateRegionId ("the region of the
    // CAS certificate", D) must be a region, else InvalidRegionId.NotFound (U); the emulator's
    // CAS lives in one region (cas_region_, cn-hangzhou unless the admin sets another), and a
    // certificate asked for in another region is not there: refused as not found, as an unknown
    // id (U: the pages give no code for it; harsher than a code of its own, which a client could
    // tell from a wrong id). Absent, the CAS region is taken (U: the zh page marks it required
    // with a CAS certificate, the en page optional; the laxer one kept).
    const std::string cas_region = call.Param("AliCloudCertificateRegionId");
    if (!cas_region.empty() && !alicloud::RegionProblem(cas_region).empty()) {
      return call.Error(
          {404, "InvalidRegionId.NotFound", "The specified RegionId does not exist."});
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      c.cas_region = cas_region_;
    }
    if (!cas_region.empty() && cas_region != c.cas_region) {
      return call.Error(ClbInvalid("The specified AliCloudCertificateId does not exist."));
    }
    const bool digits =
        cas_id.size() <= 18 && std::all_of(cas_id.begin(), cas_id.end(),
                                           [](unsigned char ch) { return std::isdigit(ch); });
    const std::optional<CasCertificate> found =
        digits ? cas_.FindById(call.user, cas_id) : std::nullopt;
    const std::string cas_name = call.Param("AliCloudCertificateName");
    if (!found || (!cas_name.empty() && cas_name != found->name)) {
      return call.Error(ClbInvalid("The specified AliCloudCertificateId does not exist."));
    }
    c.cas_id = found->id;
    c.cas_name = found->name;
    if (!ReadCertificate(found->pem, &c)) {
      return call.Error(
          {400, "KeyFormatError", "The specified ServerCertificate is incorrectly formatted."});
    }
  }
  ClbServerCertificate stored;
  ClbCasIdShape shape = ClbCasIdShape::kDecimal;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto e = AddCertificate(std::move(c), cert, key, &stored)) return call.Error(*e);
    shape = cas_id_shape_;
  }
  // The answer: the stored certificate's fields (D: the page's response table and sample).
  return call.Ok(stored.Json(shape));
}

std::optional<ApiError> ClbService::AddCertificate(ClbServerCertificate c,
                                                   const std::string& cert_pem,
                                                   const std::string& key_pem,
                                                   ClbServerCertificate* out) {
  if (c.cas_id == 0) {
    if (auto e = CheckContent(cert_pem, key_pem, &c)) return e;
  }
  // No name given: the CAS certificate's, else the common name (U: the page names no default).
  if (c.name.empty()) c.name = c.cas_id != 0 ? c.cas_name : c.common_name;
  c.create_unix = engine::ToUnixSeconds(context_.clock.Now());
  return store_.Add(std::move(c), out);  // OverQuota past slb_quota_certs_num (clb_store.cc)
}

// DescribeServerCertificates (D: its page): the caller's certificates of the region, under
// ServerCertificates.ServerCertificate (D: its JSON sample), ServerCertificateId optionally naming
// one; an id the store does not hold lists none (U). AliCloudCertificateId is written in the
// admin's cas_id_shape (clb_store.cc: the shapes the pages show; decimal unless set).
ApiResponse ClbService::DescribeCertificates(const ClbCall& call) {
  const std::string only = call.Param("ServerCertificateId");
  nlohmann::json list = nlohmann::json::array();
  std::lock_guard<std::mutex> lock(mu_);
  for (const ClbServerCertificate* c : store_.Of(call.user, call.region)) {
    if (only.empty() || c->id == only) list.push_back(c->Json(cas_id_shape_));
  }
  return call.Ok({{"ServerCertificates", {{"ServerCertificate", list}}}});
}

// DeleteServerCertificate (D: its page, doc-detail 34182): RegionId and ServerCertificateId
// required; a certificate in use by a listener or a domain extension is refused with 400
// CertificateAndPrivateKeyIsRefered ("You cannot delete server certificates that are in use").
// One the caller's store of that region does not hold: ServerCertificateId.NotFound (S).
ApiResponse ClbService::DeleteCertificate(const ClbCall& call) {
  std::string id;
  if (auto e = ClbRequired(call, "ServerCertificateId", &id)) return call.Error(*e);
  std::lock_guard<std::mutex> lock(mu_);
  if (store_.Find(call.user, call.region, id) == nullptr) {
    return call.Error(ServerCertificateNotFound(id));
  }
  if (Bound(call.user, call.region, id)) return call.Error(CertificateInUse());
  store_.Remove(call.user, call.region, id);
  return call.Ok(nlohmann::json::object());
}

bool ClbService::Bound(const std::string& user, const std::string& region,
                       const std::string& id) const {
  auto mine = [&](const std::string& lb_id) {
    auto it = load_balancers_.find(lb_id);
    return it != load_balancers_.end() && it->second.user == user && it->second.region == region;
  };
  for (const auto& [key, l] : listeners_) {
    if (l.server_certificate_id == id && mine(l.load_balancer_id)) return true;
  }
  for (const auto& [key, d] : extensions_) {
    if (d.server_certificate_id == id && mine(d.load_balancer_id)) return true;
  }
  return false;
}

ClbLoadBalancer* ClbService::CallersLoadBalancer(const ClbCall& call, const std::string& id) {
  auto it = load_balancers_.find(id);
  if (it == load_balancers_.end() || it->second.user != call.user ||
      it->second.region != call.region) {
    return nullptr;
  }
  return &it->second;
}

std::string ClbService::ListenerKey(const std::string& lb, int port) const {
  return fmt::format("{}/{}", lb, port);
}

}  // namespace certform::emulator
