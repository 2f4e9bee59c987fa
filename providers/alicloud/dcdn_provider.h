// DcdnProvider: engine::Provider for one Alibaba Cloud account's DCDN (Dynamic Route for CDN,
// API version 2018-01-15, endpoint dcdn.aliyuncs.com).
//
// Documented (DCDN API reference, SetDcdnDomainSSLCertificate, help.aliyun.com/document_detail/
// 131404; DescribeDcdnDomainCertificateInfo; DescribeDcdnUserDomains): the binding call takes
// DomainName, SSLProtocol (on|off), CertType (upload|cas), CertName, SSLPub + SSLPri or CertId +
// CertRegion, as SetCdnDomainSSLCertificate does; the read-back answers CertInfos.CertInfo[] with
// DomainName, SSLProtocol, SSLPub, CertName, CertType and CertExpireTime at 100 calls/s per user.
// Unconfirmed, taken in the harsher reading: the binding call's limit (not stated; the batch call
// BatchSetDcdnDomainCertificate documents 10/s, so 10/s), the listing's page size (1-50, as the
// CDN's) and limit (not stated: 10/s), and CertId in the read-back (read when present).
#pragma once

#include <memory>
#include <string>

#include "providers/alicloud/domain_provider.h"
#include "providers/alicloud/product_wiring.h"

namespace certform::alicloud {

inline constexpr char kDcdnApiVersion[] = "2018-01-15";
inline constexpr char kDefaultDcdnEndpoint[] = "https://dcdn.aliyuncs.com";

class DcdnProvider final : public DomainProvider {
 public:
  // DCDN's rules: its name and title, its calls and their limits, its account settings.
  static const engine::ProductRules& Rules();
  // One account's provider, from its settings ([account.NAME.dcdn]).
  static std::unique_ptr<engine::Provider> Make(const ProductWiring& wiring);

  // `client` talks to DCDN (version kDcdnApiVersion). `write_rate`: 0 for the documented limit.
  explicit DcdnProvider(RpcClient client, double write_rate = 0);

  engine::CallLimit Limit(engine::CallKind kind) const override;
  engine::Status SetBinding(const engine::BindingRequest& request,
                            engine::CallResult* result) override;
  engine::Status ReadBinding(const engine::Address& address, engine::LiveBinding* live,
                             engine::CallResult* result) override;
  engine::Status ListDomainsPage(int page, std::vector<engine::Address>* domains, int64_t* total,
                                 engine::CallResult* result) override;

 private:
  double write_rate_;
};

}  // namespace certform::alicloud
