// The listener products (ALB and NLB) as their tests see them: the product's rules and API names,
// and how the emulator seeds one of its load balancers and listeners. The provider, client and
// CLI tests of listeners run each case once per product.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "providers/alicloud/alb_provider.h"
#include "providers/alicloud/emulator/alb_service.h"
#include "providers/alicloud/emulator/cdn_emulator.h"
#include "providers/alicloud/listener_certificates.h"
#include "providers/alicloud/nlb_provider.h"

namespace certform::testing {

struct ListenerProduct {
  std::string name;  // "alb"
  const engine::ProductRules& (*rules)();
  const alicloud::ListenerApi& api;
  std::string protocol;       // a listener's that takes certificates
  std::string load_balancer;  // the emulator's id prefix of a load balancer ("alb-")
  nlohmann::json seed;        // what a load balancer is seeded with besides its region
  emulator::AlbService& (*service)(emulator::CdnEmulator& emulator);
  std::string port;  // what a listener id ends with ("@443" on NLB)

  // A listener id of this product's own shape, as its reference writes it.
  std::string listener_of(const std::string& suffix) const { return "lsn-" + suffix + port; }
  // The admin seeds of a load balancer in cn-hangzhou, and of its listener serving `certificate`.
  nlohmann::json LoadBalancerSeed(bool ack_managed = false) const {
    nlohmann::json out = seed;
    out["region"] = "cn-hangzhou";
    if (ack_managed) out["ack_managed"] = true;
    return out;
  }
  nlohmann::json ListenerSeed(const std::string& load_balancer_id,
                              const std::string& certificate) const {
    return {{"load_balancer_id", load_balancer_id},
            {"protocol", protocol},
            {"default_certificate", certificate}};
  }
};

inline const std::vector<ListenerProduct>& ListenerProducts() {
  static const std::vector<ListenerProduct> products = {
      {"alb",
       &alicloud::AlbProvider::Rules,
       alicloud::AlbProvider::Api(),
       "HTTPS",
       "alb-",
       {{"edition", "Standard"}},
       [](emulator::CdnEmulator& e) -> emulator::AlbService& { return e.alb(); },
       ""},
      {"nlb", &alicloud::NlbProvider::Rules, alicloud::NlbProvider::Api(), "TCPSSL", "nlb-",
       nlohmann::json::object(),
       [](emulator::CdnEmulator& e) -> emulator::AlbService& { return e.nlb(); }, "@443"},
  };
  return products;
}

// Each case once per listener product (Catch2's GENERATE).
#define LISTENER_PRODUCT() ::certform::testing::ListenerProducts()[GENERATE(0, 1)]

}  // namespace certform::testing
