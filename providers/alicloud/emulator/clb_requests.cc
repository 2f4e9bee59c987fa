// Sources: the SLB API reference pages (D: alibabacloud.com/help/en/slb/classic-load-balancer/
// developer-reference/api-slb-2014-05-15-<action>; their Chinese originals in AlibabaCloudDocs/
// slb, cn.zh-CN/API参考/) and SLB's common error codes (D: "Common error codes", CLB Developer
// Guide; https://error-center.alibabacloud.com/status/product/Slb). S: seen in peers' code
// (Terraform's alicloud provider, certimate); U: a reading of ours, the harsher one.
#include "providers/alicloud/emulator/clb_requests.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "providers/alicloud/oss_names.h"

namespace certform::emulator {

ApiResponse ClbCall::Ok(nlohmann::json doc) const {
  doc["RequestId"] = r.request_id;
  return RenderSuccess(r.action, doc, r.json);
}

std::string ClbCall::Param(const std::string& name) const {
  return emulator::Param(r.params, name);
}

// Every call of the five pages lists RegionId as required (D), so it is required even when the
// Host names a region (harsher than taking the endpoint's). DescribeLoadBalancerListeners' page
// makes it required only on slb.aliyuncs.com (D); the emulator requires it there too (U:
// harsher). DescribeRegions, where it is optional (D), is let through without one
// (ClbService::DispatchFor). SLB's endpoint is slb.aliyuncs.com or
// slb.REGION.aliyuncs.com (D: the pages' "[Endpoint]"; U: the regional form); a Host of the
// regional form naming another region is refused (harsher). A region of a bad shape:
// InvalidRegionId.NotFound, 404 (D: SLB's common table, "The specified RegionId does not
// exist.").
std::optional<ApiError> ClbRegion(const ServiceRequest& request, std::string* region) {
  *region = Param(request.params, "RegionId");
  if (region->empty()) return MissingParam("RegionId");
  if (!alicloud::RegionProblem(*region).empty()) {
    return ApiError{404, "InvalidRegionId.NotFound", "The specified RegionId does not exist."};
  }
  std::string host = HeaderValue(request.http.headers, "host");
  if (const size_t colon = host.rfind(':'); colon != std::string::npos) host.erase(colon);
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  constexpr std::string_view kPrefix = "slb.", kSuffix = ".aliyuncs.com";
  if (host.starts_with(kPrefix) && host.ends_with(kSuffix) &&
      host.size() > kPrefix.size() + kSuffix.size()) {
    const std::string named =
        host.substr(kPrefix.size(), host.size() - kPrefix.size() - kSuffix.size());
    if (named != *region) {
      return ApiError{400, "InvalidParameter",
                      "The specified RegionId does not match the endpoint's region."};
    }
  }
  return std::nullopt;
}

// ListenerPort: Integer, required, 1-65535 (D: each listener page). Anything else is SLB's
// "The specified port is not valid." (D: common table, InvalidParameter, 400).
std::optional<ApiError> ClbPort(const ClbCall& call, int* port) {
  const std::string text = call.Param("ListenerPort");
  if (text.empty()) return MissingParam("ListenerPort");
  if (text.size() > 5 ||
      !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return ClbInvalid("The specified port is not valid.");
  }
  *port = std::stoi(text);
  if (*port < 1 || *port > 65535) return ClbInvalid("The specified port is not valid.");
  return std::nullopt;
}

std::optional<ApiError> ClbRequired(const ClbCall& call, const std::string& name,
                                    std::string* value) {
  *value = call.Param(name);
  if (value->empty()) return MissingParam(name);
  // SLB's common table: InvalidParameterLength, "The specified parameter length is not valid."
  // (D); the bound is ours (U).
  if (value->size() > 256) {
    return ApiError{400, "InvalidParameterLength", "The specified parameter length is not valid."};
  }
  return std::nullopt;
}

// Another user's load balancer, or one of another region, is none (harsher: no hint). The code
// and message are those Terraform and ACK's cloud controller match (S); the status is 404, as
// SLB's common table gives its other *.NotFound codes (U).
ApiError LoadBalancerNotFound(const std::string& id) {
  return {404, "InvalidLoadBalancerId.NotFound",
          fmt::format("The specified LoadBalancerId does not exist. ({})", id)};
}

// D: SLB's common table, 404 ListenerNotFound. Also answered for a listener of that port whose
// protocol is not HTTPS (U: the HTTPS calls know no other).
ApiError ClbListenerNotFound() {
  return {404, "ListenerNotFound",
          "You have not created a listener for the specified port of the load balancer."};
}

// S: the code Terraform's slb_server_certificate resource and certimate treat as gone; no page
// documents it (U: its status, 404 as the other *.NotFound codes; its message).
ApiError ServerCertificateNotFound(const std::string& id) {
  return {404, "ServerCertificateId.NotFound",
          fmt::format("The specified ServerCertificateId does not exist. ({})", id)};
}

// S: Terraform's InvalidDomainExtensionIdNotFound = "InvalidParameter.DomainExtensionId"; U: its
// status (400) and message.
ApiError DomainExtensionNotFound(const std::string& id) {
  return {400, "InvalidParameter.DomainExtensionId",
          fmt::format("The specified DomainExtensionId does not exist. ({})", id)};
}

// D: DeleteServerCertificate's error table (doc-detail 34182), 400.
ApiError CertificateInUse() {
  return {400, "CertificateAndPrivateKeyIsRefered",
          "The specified certificate is bound to listeners. You cannot delete it."};
}

// D: SLB's common table, 400 ServiceIsConfiguring.
ApiError ServiceIsConfiguring() {
  return {400, "ServiceIsConfiguring",
          "A previous configuration is pending; please try again later."};
}

// S: the code Terraform's slb_domain_extension resource retries; U: its status (400) and message.
ApiError DomainExtensionProcessing() {
  return {400, "DomainExtensionProcessing",
          "A previous configuration of the domain extension is pending; please try again later."};
}

ApiError ClbInvalid(const std::string& message) { return {400, "InvalidParameter", message}; }

}  // namespace certform::emulator
