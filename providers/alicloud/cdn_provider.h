// CdnProvider: engine::Provider for one Alibaba Cloud account's CDN.
#pragma once

#include <string>

#include <memory>

#include "providers/alicloud/domain_provider.h"
#include "providers/alicloud/product_wiring.h"

namespace certform::alicloud {

class CdnProvider final : public DomainProvider {
 public:
  // The CDN's rules: its name and title, its write calls and their documented limits
  // (shared/docs/alibaba-cdn-api.md), its read-back and its account settings.
  static const engine::ProductRules& Rules();
  // One account's provider, from its settings ([account.NAME.cdn]).
  static std::unique_ptr<engine::Provider> Make(const ProductWiring& wiring);

  // `api` is the write call: "SetDomainServerCertificate" or "SetCdnDomainSSLCertificate" (empty:
  // the first). `write_rate`: the account's rate_limit for `api`; 0 for the documented limit.
  CdnProvider(RpcClient client, std::string api = "", double write_rate = 0);

  // Each call's action and its documented per-user limit (shared/docs/alibaba-cdn-api.md).
  engine::CallLimit Limit(engine::CallKind kind) const override;

  engine::Status SetBinding(const engine::BindingRequest& request,
                            engine::CallResult* result) override;
  engine::Status ReadBinding(const engine::Address& address, engine::LiveBinding* live,
                             engine::CallResult* result) override;

  // DescribeUserDomains (documented: PageSize 1-50, PageNumber from 1, 100 calls/s).
  engine::Status ListDomainsPage(int page, std::vector<engine::Address>* domains, int64_t* total,
                                 engine::CallResult* result) override;

  // The business parameters SetBinding sends (for tests; holds the key for upload requests).
  Params SetBindingParams(const engine::BindingRequest& request) const;

 private:
  std::string api_;
  double write_rate_;
};

// Parses a DescribeDomainCertificateInfo answer into `live` (fingerprinting the served PEM the way
// local certificates are). Corruption when the answer does not have the documented shape.
engine::Status ParseCertificateInfo(const nlohmann::json& body, const std::string& domain,
                                    engine::LiveBinding* live);

}  // namespace certform::alicloud
