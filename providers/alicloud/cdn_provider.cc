#include "providers/alicloud/cdn_provider.h"

#include <fmt/format.h>

#include "engine/config/certificate.h"
#include "engine/config/config.h"

namespace certform::alicloud {

namespace {

// DescribeUserDomains' largest page (documented range 1-50).
constexpr int kDomainPageSize = 50;

constexpr CertInfoFields kCdnCertInfo = {"DescribeDomainCertificateInfo", "ServerCertificateStatus",
                                         "ServerCertificate"};

}  // namespace

CdnProvider::CdnProvider(RpcClient client, std::string api, std::unique_ptr<CasCertificates> cas,
                         double write_rate)
    : DomainProvider(std::move(client), std::move(cas)),
      api_(std::move(api)),
      write_rate_(write_rate) {}

engine::CallLimit CdnProvider::Limit(engine::CallKind kind) const {
  using engine::CallKind;
  switch (kind) {
    case CallKind::kSetBinding: {
      // SetDomainServerCertificate 10/s per user, SetCdnDomainSSLCertificate 30/s per account.
      const double documented = api_ == engine::kApiSetCdnDomainSslCertificate
                                    ? engine::kSetCdnDomainSslCertificateLimit
                                    : engine::kSetDomainServerCertificateLimit;
      return {api_, write_rate_ > 0 ? write_rate_ : documented};
    }
    case CallKind::kReadBinding:
      return {"DescribeDomainCertificateInfo", 100, {"cdn:DescribeDomainCertificateInfo"}};
    case CallKind::kListDomains:
      return {"DescribeUserDomains", 100, {"cdn:DescribeUserDomains"}};  // 100/s
    case CallKind::kUpload:
      return {"UploadUserCertificate", 100};  // CAS 2020-04-07: 100/s
    case CallKind::kListUploaded:
      return {"ListUserCertificateOrder", 10};  // CAS: 10/s
    // GetUserCertificateDetail and DeleteUserCertificate document no limit: the harsher reading,
    // the CAS listing's 10/s.
    case CallKind::kGetCertificate:
      return {"GetUserCertificateDetail", 10};
    case CallKind::kDeleteCertificate:
      return {"DeleteUserCertificate", 10};
  }
  return engine::DefaultCallLimit(kind);
}

engine::Status CdnProvider::ListDomainsPage(int page, std::vector<std::string>* domains,
                                            int64_t* total, engine::CallResult* result) {
  return ListDomains("DescribeUserDomains", page, kDomainPageSize, domains, total, result);
}

Params CdnProvider::SetBindingParams(const engine::BindingRequest& r) const {
  if (api_ == engine::kApiSetCdnDomainSslCertificate) return SslBindingParams(r);
  Params p = {{"DomainName", r.domain}, {"ServerCertificateStatus", r.https ? "on" : "off"}};
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

engine::Status CdnProvider::ReadBinding(const std::string& domain, engine::LiveBinding* live,
                                        engine::CallResult* result) {
  return ReadCertInfo(kCdnCertInfo, domain, live, result);
}

engine::Status ParseCertificateInfo(const nlohmann::json& body, const std::string& domain,
                                    engine::LiveBinding* live) {
  return ParseCertInfo(kCdnCertInfo, body, domain, live);
}

}  // namespace certform::alicloud
