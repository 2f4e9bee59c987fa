// CdnProvider: engine::Provider for one Alibaba Cloud account's CDN.
#pragma once

#include <string>

#include <memory>

#include "engine/calls/provider.h"
#include "providers/alicloud/cas_certificates.h"
#include "providers/alicloud/rpc_client.h"

namespace certform::alicloud {

class CdnProvider final : public engine::Provider {
 public:
  // `api` is the write call: "SetDomainServerCertificate" or "SetCdnDomainSSLCertificate".
  // `cas`, when set, serves the Certificate Management Service calls (upload_via = "cas").
  // `write_rate`: the account's rate_limit for `api`; 0 for the documented limit.
  CdnProvider(RpcClient client, std::string api, std::unique_ptr<CasCertificates> cas = nullptr,
              double write_rate = 0);

  // Each call's action and its documented per-user limit (shared/docs/alibaba-cdn-api.md).
  engine::CallLimit Limit(engine::CallKind kind) const override;

  engine::Status SetBinding(const engine::BindingRequest& request,
                            engine::CallResult* result) override;
  engine::Status ReadBinding(const std::string& domain, engine::LiveBinding* live,
                             engine::CallResult* result) override;

  engine::Status UploadCertificate(const engine::UploadRequest& request, int64_t* cert_id,
                                   engine::CallResult* result) override;
  engine::Status ListUploadedPage(int page, std::vector<engine::StoredCertificate>* list,
                                  int64_t* total, engine::CallResult* result) override;
  engine::Status GetCertificate(int64_t cert_id, engine::StoredCertificate* found,
                                engine::CallResult* result) override;
  engine::Status DeleteCertificate(int64_t cert_id, engine::CallResult* result) override;
  // DescribeUserDomains (documented: PageSize 1-50, PageNumber from 1, 100 calls/s).
  engine::Status ListDomainsPage(int page, std::vector<std::string>* domains, int64_t* total,
                                 engine::CallResult* result) override;

  // The business parameters SetBinding sends (for tests; holds the key for upload requests).
  Params SetBindingParams(const engine::BindingRequest& request) const;

 private:
  engine::Status NoCas() const;

  RpcClient client_;
  std::string api_;
  std::unique_ptr<CasCertificates> cas_;
  double write_rate_;
};

// Parses a DescribeDomainCertificateInfo answer into `live` (fingerprinting the served PEM the way
// local certificates are). Corruption when the answer does not have the documented shape.
engine::Status ParseCertificateInfo(const nlohmann::json& body, const std::string& domain,
                                    engine::LiveBinding* live);

}  // namespace certform::alicloud
