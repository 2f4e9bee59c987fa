#include "providers/alicloud/emulator/dcdn_service.h"

namespace certform::emulator {

std::unique_ptr<DomainService> MakeDcdnService(ServiceContext context, CasDirectory& cas) {
  const EmulatorConfig& c = context.config;
  DomainProduct dcdn;
  dcdn.state_key = "dcdn_domains";
  dcdn.version = kDcdnVersion;
  dcdn.actions = {{"SetDcdnDomainSSLCertificate", {"dcdn-write", c.dcdn_write_limit}},
                  {"DescribeDcdnDomainCertificateInfo", {"dcdn-read", c.dcdn_read_limit}},
                  {"DescribeDcdnUserDomains", {"dcdn-list", c.dcdn_list_limit}}};
  dcdn.unknown_window = {"read", c.read_limit};
  dcdn.seeds = &c.dcdn_domains;
  return std::make_unique<DomainService>(context, std::move(dcdn), cas);
}

}  // namespace certform::emulator
