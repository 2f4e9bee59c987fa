// ProductWiring: what a product's factory is given to build one account's provider: the
// account's settings, its credentials and the command's transport, clock and randomness. Each
// provider has a Make(const ProductWiring&) beside its Rules(); the product table
// (cmd/certform/product_table.cc) pairs the two.
#pragma once

#include <memory>
#include <string>

#include "engine/base/clock.h"
#include "engine/base/random.h"
#include "engine/calls/provider.h"
#include "engine/config/config.h"
#include "providers/alicloud/credential_source.h"
#include "providers/http_transport.h"

namespace certform::alicloud {

struct ProductWiring {
  const engine::Config* config = nullptr;
  const engine::AccountConfig* account = nullptr;
  providers::HttpTransport* transport = nullptr;
  engine::Clock* clock = nullptr;
  engine::RandomSource* random = nullptr;
  std::shared_ptr<CredentialSource> credentials;
  // --endpoint: every call goes there (the emulator serves every product); empty otherwise.
  std::string endpoint_override;

  // The account's settings of `rules`' product.
  engine::ProductSettings Settings(const engine::ProductRules& rules) const {
    return account->Settings(rules.name);
  }
  // Where `rules`' product is called for the account: --endpoint, else its setting, else the
  // product's default.
  std::string Endpoint(const engine::ProductRules& rules) const {
    return endpoint_override.empty() ? account->EndpointOf(rules) : endpoint_override;
  }
};

using ProductFactory = std::unique_ptr<engine::Provider> (*)(const ProductWiring& wiring);

}  // namespace certform::alicloud
