// What the Classic Load Balancer's calls (clb_service.h) take and refuse, parsed at the door: the
// region a request is for, a listener port, and the errors SLB answers with. clb_requests.cc
// cites the source of each rule and code.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "providers/alicloud/emulator/service_handler.h"

namespace certform::emulator {

// One request being answered by ClbService.
struct ClbCall {
  const ServiceRequest& r;
  const std::string& user;
  std::string region;

  ApiResponse Error(const ApiError& e) const { return RenderError(e, r.request_id, r.json); }
  ApiResponse Ok(nlohmann::json doc) const;
  std::string Param(const std::string& name) const;
};

// RegionId, required by every call; a Host "slb.REGION.aliyuncs.com" naming another region is
// refused.
std::optional<ApiError> ClbRegion(const ServiceRequest& request, std::string* region);
// ListenerPort (required): an integer 1..65535.
std::optional<ApiError> ClbPort(const ClbCall& call, int* port);
// A required parameter `name`, non-empty and at most 256 characters.
std::optional<ApiError> ClbRequired(const ClbCall& call, const std::string& name,
                                    std::string* value);

ApiError LoadBalancerNotFound(const std::string& id);
ApiError ClbListenerNotFound();
ApiError ServerCertificateNotFound(const std::string& id);
ApiError DomainExtensionNotFound(const std::string& id);
ApiError CertificateInUse();
ApiError ServiceIsConfiguring();
ApiError DomainExtensionProcessing();
ApiError ClbInvalid(const std::string& message);

}  // namespace certform::emulator
