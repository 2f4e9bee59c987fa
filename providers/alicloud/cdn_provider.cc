#include "providers/alicloud/cdn_provider.h"

#include <fmt/format.h>

#include "engine/config/certificate.h"

namespace certform::alicloud {

namespace {

// DescribeUserDomains' largest page (documented range 1-50).
constexpr int kDomainPageSize = 50;

constexpr CertInfoFields kCdnCertInfo = {"DescribeDomainCertificateInfo", "ServerCertificateStatus",
                                         "ServerCertificate"};

}  // namespace

const engine::ProductRules& CdnProvider::Rules() {
  using engine::CallKind;
  static const engine::ProductRules rules = [] {
    engine::ProductRules r;
    r.name = "cdn";
    r.title = "CDN";
    r.what = "a CDN domain";
    // SetDomainServerCertificate: 10/s per user, takes ForceSet and a CAS certificate by name;
    // SetCdnDomainSSLCertificate: 30/s, no ForceSet, a CAS certificate by CertId only.
    r.write_calls = {
        {{"SetDomainServerCertificate", 10, {"cdn:SetDomainServerCertificate"}},
         /*force_set=*/true,
         /*cas_by_name=*/true,
         /*cas_by_id=*/false,
         /*by_content=*/true},
        {{"SetCdnDomainSSLCertificate", 30, {"cdn:SetCdnDomainSSLCertificate"}},
         false,
         false,
         true,
         true},
    };
    r.calls = {
        {CallKind::kReadBinding,
         {"DescribeDomainCertificateInfo", 100, {"cdn:DescribeDomainCertificateInfo"}}},
        {CallKind::kListDomains, {"DescribeUserDomains", 100, {"cdn:DescribeUserDomains"}}},
    };
    r.default_endpoint = "https://cdn.aliyuncs.com";
    return r;
  }();
  return rules;
}

std::unique_ptr<engine::Provider> CdnProvider::Make(const ProductWiring& w) {
  const engine::ProductSettings settings = w.Settings(Rules());
  return std::make_unique<CdnProvider>(
      RpcClient(*w.transport, *w.clock, *w.random, w.credentials, w.Endpoint(Rules())),
      w.account->WriteOn(Rules()).limit.api, settings.rate_limit);
}

CdnProvider::CdnProvider(RpcClient client, std::string api, double write_rate)
    : DomainProvider(std::move(client)), api_(std::move(api)), write_rate_(write_rate) {
  if (api_.empty()) api_ = Rules().DefaultWrite().limit.api;
}

engine::CallLimit CdnProvider::Limit(engine::CallKind kind) const {
  if (kind != engine::CallKind::kSetBinding) return Rules().Limit(kind);
  const engine::WriteCall* write = Rules().FindWrite(api_);
  engine::CallLimit limit = write != nullptr ? write->limit : Rules().DefaultWrite().limit;
  if (write_rate_ > 0) limit.rate = write_rate_;
  return limit;
}

engine::Status CdnProvider::ListDomainsPage(int page, std::vector<engine::Address>* domains,
                                            int64_t* total, engine::CallResult* result) {
  return ListDomains("DescribeUserDomains", page, kDomainPageSize, Rules().name, domains, total,
                     result);
}

Params CdnProvider::SetBindingParams(const engine::BindingRequest& r) const {
  const engine::WriteCall* write = Rules().FindWrite(api_);
  if (write == nullptr || !write->force_set) return SslBindingParams(r);  // the SSL-style call
  Params p = {{"DomainName", r.address.domain},
              {"ServerCertificateStatus", r.https ? "on" : "off"}};
  if (!r.https) return p;
  p.emplace_back("CertType", r.cert_type);
  if (!r.cert_name.empty()) p.emplace_back("CertName", r.cert_name);
  if (r.cert_type == "upload") {
    p.emplace_back("ServerCertificate", r.cert_pem);
    p.emplace_back("PrivateKey", r.key_pem);
  }
  if (r.force_set) p.emplace_back("ForceSet", "1");  // no ForceSet in the newer call
  return p;
}

engine::Status CdnProvider::SetBinding(const engine::BindingRequest& request,
                                       engine::CallResult* result) {
  return SendBinding(api_, SetBindingParams(request), result);
}

engine::Status CdnProvider::ReadBinding(const engine::Address& address, engine::LiveBinding* live,
                                        engine::CallResult* result) {
  return ReadCertInfo(kCdnCertInfo, address.domain, live, result);
}

engine::Status ParseCertificateInfo(const nlohmann::json& body, const std::string& domain,
                                    engine::LiveBinding* live) {
  return ParseCertInfo(kCdnCertInfo, body, domain, live);
}

}  // namespace certform::alicloud
