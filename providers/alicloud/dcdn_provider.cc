#include "providers/alicloud/dcdn_provider.h"

namespace certform::alicloud {

namespace {

constexpr CertInfoFields kDcdnCertInfo = {"DescribeDcdnDomainCertificateInfo", "SSLProtocol",
                                          "SSLPub"};
constexpr double kDcdnSetLimit = 10;  // not stated; BatchSetDcdnDomainCertificate's 10/s
constexpr int kDomainPageSize = 50;

}  // namespace

const engine::ProductRules& DcdnProvider::Rules() {
  using engine::CallKind;
  static const engine::ProductRules rules = [] {
    engine::ProductRules r;
    r.name = "dcdn";
    r.title = "DCDN";
    r.what = "a DCDN domain";
    r.write_calls = {
        {{"SetDcdnDomainSSLCertificate", kDcdnSetLimit, {"dcdn:SetDcdnDomainSSLCertificate"}},
         /*force_set=*/false,
         /*cas_by_name=*/false,
         /*cas_by_id=*/true,
         /*by_content=*/true}};
    r.calls = {
        {CallKind::kReadBinding,
         {"DescribeDcdnDomainCertificateInfo", 100, {"dcdn:DescribeDcdnDomainCertificateInfo"}}},
        // Not stated: the harsher reading.
        {CallKind::kListDomains, {"DescribeDcdnUserDomains", 10, {"dcdn:DescribeDcdnUserDomains"}}},
    };
    r.default_endpoint = kDefaultDcdnEndpoint;
    r.legacy_endpoint_key = "dcdn_endpoint";
    return r;
  }();
  return rules;
}

std::unique_ptr<engine::Provider> DcdnProvider::Make(const ProductWiring& w) {
  return std::make_unique<DcdnProvider>(RpcClient(*w.transport, *w.clock, *w.random, w.credentials,
                                                  w.Endpoint(Rules()), kDcdnApiVersion),
                                        w.Settings(Rules()).rate_limit);
}

DcdnProvider::DcdnProvider(RpcClient client, double write_rate)
    : DomainProvider(std::move(client)), write_rate_(write_rate) {}

engine::CallLimit DcdnProvider::Limit(engine::CallKind kind) const {
  engine::CallLimit limit = Rules().Limit(kind);
  if (kind == engine::CallKind::kSetBinding && write_rate_ > 0) limit.rate = write_rate_;
  return limit;
}

engine::Status DcdnProvider::SetBinding(const engine::BindingRequest& request,
                                        engine::CallResult* result) {
  return SendBinding("SetDcdnDomainSSLCertificate", SslBindingParams(request), result);
}

engine::Status DcdnProvider::ReadBinding(const engine::Address& address, engine::LiveBinding* live,
                                         engine::CallResult* result) {
  return ReadCertInfo(kDcdnCertInfo, address.domain, live, result);
}

engine::Status DcdnProvider::ListDomainsPage(int page, std::vector<engine::Address>* domains,
                                             int64_t* total, engine::CallResult* result) {
  return ListDomains("DescribeDcdnUserDomains", page, kDomainPageSize, Rules().name, domains, total,
                     result);
}

}  // namespace certform::alicloud
