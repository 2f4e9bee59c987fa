#include "providers/alicloud/emulator/cdn_service.h"

namespace certform::emulator {

std::unique_ptr<DomainService> MakeCdnService(ServiceContext context, CasDirectory& cas) {
  const EmulatorConfig& c = context.config;
  DomainProduct cdn;
  cdn.state_key = "domains";
  cdn.version = kCdnVersion;
  cdn.actions = {{"SetDomainServerCertificate", {"write", c.write_limit}},
                 {"SetCdnDomainSSLCertificate", {"ssl-write", c.ssl_write_limit}},
                 {"DescribeDomainCertificateInfo", {"read", c.read_limit}},
                 {"DescribeUserDomains", {"list-domains", c.list_domains_limit}}};
  cdn.unknown_window = {"read", c.read_limit};
  cdn.seeds = &c.domains;
  return std::make_unique<DomainService>(context, std::move(cdn), cas);
}

}  // namespace certform::emulator
