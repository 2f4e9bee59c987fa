// The ALB product row: Application Load Balancer listeners (API 2020-06-16,
// alb.REGION.aliyuncs.com), served by ListenerProvider (listener_provider.h). alb_provider.cc
// gives ALB's names and limits with their sources.
#pragma once

#include <memory>

#include "engine/calls/provider.h"
#include "providers/alicloud/listener_certificates.h"
#include "providers/alicloud/product_wiring.h"

namespace certform::alicloud {

struct AlbProvider {
  static const engine::ProductRules& Rules();
  static const ListenerApi& Api();
  static std::unique_ptr<engine::Provider> Make(const ProductWiring& wiring);
};

}  // namespace certform::alicloud
