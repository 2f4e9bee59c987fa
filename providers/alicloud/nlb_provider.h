// The NLB product row: Network Load Balancer TCPSSL listeners (API 2022-04-30,
// nlb.REGION.aliyuncs.com), served by ListenerProvider (listener_provider.h) as ALB's are.
// nlb_provider.cc gives NLB's names and limits with their sources, and what is not documented.
#pragma once

#include <memory>
#include <string>

#include "engine/calls/provider.h"
#include "providers/alicloud/listener_certificates.h"
#include "providers/alicloud/product_wiring.h"

namespace certform::alicloud {

struct NlbProvider {
  static const engine::ProductRules& Rules();
  static const ListenerApi& Api();
  static std::unique_ptr<engine::Provider> Make(const ProductWiring& wiring);
};

// True for an NLB listener id: "lsn-", lower-case letters and digits, and "@PORT" (1 to 65535),
// as the NLB reference's current examples write it ("lsn-j49ht1jxxqyg45****@80").
bool IsNlbListenerId(const std::string& id);

}  // namespace certform::alicloud
