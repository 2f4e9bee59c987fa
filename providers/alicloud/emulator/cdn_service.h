// The CDN (API version 2018-05-10): SetDomainServerCertificate (deprecated),
// SetCdnDomainSSLCertificate, DescribeDomainCertificateInfo and DescribeUserDomains, with the
// limits of alibaba-cdn-api.md. The emulator's default service: an action no service knows is
// answered here (InvalidApi.NotFound), as the CDN's endpoint would.
#pragma once

#include <memory>

#include "providers/alicloud/emulator/domain_service.h"

namespace certform::emulator {

inline constexpr char kCdnVersion[] = "2018-05-10";

std::unique_ptr<DomainService> MakeCdnService(ServiceContext context, CasDirectory& cas);

}  // namespace certform::emulator
