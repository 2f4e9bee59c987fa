// CdnProvider: engine::Provider for one Alibaba Cloud account's CDN.
#pragma once

#include <string>

#include "engine/provider.h"
#include "providers/alicloud/rpc_client.h"

namespace certform::alicloud {

class CdnProvider final : public engine::Provider {
 public:
  // `api` is the write call: "SetDomainServerCertificate" or "SetCdnDomainSSLCertificate".
  CdnProvider(RpcClient client, std::string api);

  engine::Status SetBinding(const engine::BindingRequest& request,
                            engine::CallResult* result) override;
  engine::Status ReadBinding(const std::string& domain, engine::LiveBinding* live,
                             engine::CallResult* result) override;

  // The business parameters SetBinding sends (for tests; holds the key for upload requests).
  Params SetBindingParams(const engine::BindingRequest& request) const;

 private:
  RpcClient client_;
  std::string api_;
};

// Parses a DescribeDomainCertificateInfo answer into `live` (fingerprinting the served PEM the way
// local certificates are). Corruption when the answer does not have the documented shape.
engine::Status ParseCertificateInfo(const nlohmann::json& body, const std::string& domain,
                                    engine::LiveBinding* live);

}  // namespace certform::alicloud
