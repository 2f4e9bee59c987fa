// CasCertificates: the calls of Alibaba Cloud Certificate Management Service (CAS, API version
// 2020-04-07, endpoint cas.aliyuncs.com) that certform uses to upload a certificate once and bind
// domains to it by CertId.
//
// Documented (alibabacloud.com/help, CAS API reference): UploadUserCertificate (Name at most 63
// characters and unique per account, Cert, Key; returns CertId; a taken name answers NameRepeat;
// no de-duplication by content; 100 calls/s), ListUserCertificateOrder (OrderType=UPLOAD,
// CurrentPage, ShowSize; 10 calls/s), GetUserCertificateDetail (CertId; CertFilter=true leaves out
// the PEM), DeleteUserCertificate (CertId). The list's Keyword matches the domain a certificate is
// bound to or its resource id, not its name, so certform never filters by it: an upload is found
// by walking every page and comparing Name exactly. Unconfirmed and therefore not relied on: the
// meaning of the list's fingerprint fields (certform fingerprints the Cert PEM itself), the limits
// of the detail and delete calls, and whether a delete refuses a certificate domains still use.
#pragma once

#include <string>
#include <vector>

#include "engine/calls/certificate_store.h"
#include "providers/alicloud/rpc_client.h"

namespace certform::alicloud {

inline constexpr char kCasApiVersion[] = "2020-04-07";

class CasCertificates final : public engine::CertificateStore {
 public:
  explicit CasCertificates(RpcClient client) : client_(std::move(client)) {}

  // UploadUserCertificate 100/s, ListUserCertificateOrder 10/s. GetUserCertificateDetail and
  // DeleteUserCertificate: their references now say 100/s
  // (https://help.aliyun.com/document_detail/465112.html, 465113), which older versions did not;
  // the harsher reading, the listing's 10/s, is kept.
  engine::CallLimit Limit(engine::CallKind kind) const override;
  // AlreadyExists (NameRepeat) when the name is taken.
  engine::Status Upload(const engine::UploadRequest& request, int64_t* cert_id,
                        engine::CallResult* result) override;
  // One page of ListUserCertificateOrder (OrderType=UPLOAD, no Keyword).
  engine::Status ListPage(int page, std::vector<engine::StoredCertificate>* list, int64_t* total,
                          engine::CallResult* result) override;
  // GetUserCertificateDetail. The answer carries the private key: it is wiped at once, only the
  // certificate is read.
  engine::Status Get(int64_t cert_id, engine::StoredCertificate* found,
                     engine::CallResult* result) override;
  // GetUserCertificateDetail with CertFilter=true, which leaves out Cert, Key and the SM
  // certificates and keys (the call's reference,
  // https://help.aliyun.com/document_detail/465112.html): no key crosses the network. Any key an
  // answer carries all the same is wiped at once.
  engine::Status Peek(int64_t cert_id, std::string* name, engine::CallResult* result) override;
  engine::Status Delete(int64_t cert_id, engine::CallResult* result) override;

 private:
  RpcClient client_;
};

}  // namespace certform::alicloud
