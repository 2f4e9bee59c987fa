// ToyProvider: a test-only product, to prove that a product plugs in as data. Its files
// (tests/support/toy/) and one row of the product table (certform_toy_main.cc) are all it takes:
// its rules, its provider, and its emulator handler (tests/support/toy_service.h).
//
// The toy API (RPC style, signed like the CDN's, Version 2030-01-01): SetToyCertificate
// (DomainName, Enabled on|off, CertId: a CAS id), DescribeToyCertificate (DomainName → Enabled,
// CertId; no fingerprint, no expiry) and DescribeToyDomains (PageNumber, PageSize 1-50).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/calls/provider.h"
#include "providers/alicloud/product_wiring.h"
#include "providers/alicloud/rpc_client.h"

namespace certform::testing {

inline constexpr char kToyApiVersion[] = "2030-01-01";

class ToyProvider final : public engine::Provider {
 public:
  static const engine::ProductRules& Rules();
  static std::unique_ptr<engine::Provider> Make(const alicloud::ProductWiring& wiring);

  ToyProvider(alicloud::RpcClient client, double write_rate);

  engine::CallLimit Limit(engine::CallKind kind) const override;
  engine::Status SetBinding(const engine::BindingRequest& request,
                            engine::CallResult* result) override;
  engine::Status ReadBinding(const engine::Address& address, engine::LiveBinding* live,
                             engine::CallResult* result) override;
  engine::Status ListDomainsPage(int page, std::vector<engine::Address>* domains, int64_t* total,
                                 engine::CallResult* result) override;

 private:
  alicloud::RpcClient client_;
  double write_rate_;
};

}  // namespace certform::testing
