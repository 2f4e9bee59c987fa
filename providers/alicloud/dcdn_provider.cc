#include "providers/alicloud/dcdn_provider.h"

namespace certform::alicloud {

namespace {

constexpr CertInfoFields kDcdnCertInfo = {"DescribeDcdnDomainCertificateInfo", "SSLProtocol",
                                          "SSLPub"};
constexpr double kDcdnSetLimit = 10;  // not stated; BatchSetDcdnDomainCertificate's 10/s
constexpr int kDomainPageSize = 50;

}  // namespace

DcdnProvider::DcdnProvider(RpcClient client, std::unique_ptr<CasCertificates> cas,
                           double write_rate)
    : DomainProvider(std::move(client), std::move(cas)), write_rate_(write_rate) {}

engine::CallLimit DcdnProvider::Limit(engine::CallKind kind) const {
  using engine::CallKind;
  switch (kind) {
    case CallKind::kSetBinding:
      return {"SetDcdnDomainSSLCertificate", write_rate_ > 0 ? write_rate_ : kDcdnSetLimit};
    case CallKind::kReadBinding:
      return {"DescribeDcdnDomainCertificateInfo",
              100,  // 100/s per user
              {"dcdn:DescribeDcdnDomainCertificateInfo"}};
    case CallKind::kListDomains:
      // Not stated: the harsher reading.
      return {"DescribeDcdnUserDomains", 10, {"dcdn:DescribeDcdnUserDomains"}};
    case CallKind::kUpload:
      return {"UploadUserCertificate", 100};  // CAS, shared with the CDN's lane
    case CallKind::kListUploaded:
      return {"ListUserCertificateOrder", 10};
    case CallKind::kGetCertificate:
      return {"GetUserCertificateDetail", 10};
    case CallKind::kDeleteCertificate:
      return {"DeleteUserCertificate", 10};
  }
  return engine::DefaultCallLimit(kind);
}

engine::Status DcdnProvider::SetBinding(const engine::BindingRequest& request,
                                        engine::CallResult* result) {
  return SendBinding("SetDcdnDomainSSLCertificate", SslBindingParams(request), result);
}

engine::Status DcdnProvider::ReadBinding(const std::string& domain, engine::LiveBinding* live,
                                         engine::CallResult* result) {
  return ReadCertInfo(kDcdnCertInfo, domain, live, result);
}

engine::Status DcdnProvider::ListDomainsPage(int page, std::vector<std::string>* domains,
                                             int64_t* total, engine::CallResult* result) {
  return ListDomains("DescribeDcdnUserDomains", page, kDomainPageSize, domains, total, result);
}

}  // namespace certform::alicloud
