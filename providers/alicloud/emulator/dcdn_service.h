// DCDN (API version 2018-01-15): SetDcdnDomainSSLCertificate, DescribeDcdnDomainCertificateInfo
// and DescribeDcdnUserDomains, on a domain table of its own.
#pragma once

#include <memory>

#include "providers/alicloud/emulator/domain_service.h"

namespace certform::emulator {

inline constexpr char kDcdnVersion[] = "2018-01-15";

std::unique_ptr<DomainService> MakeDcdnService(ServiceContext context, CasDirectory& cas);

}  // namespace certform::emulator
