// CasCertificates: the calls of Alibaba Cloud Certificate Management Service (CAS, API version
// 2020-04-07, endpoint cas.aliyuncs.com) that certform uses to upload a certificate once and bind
// domains to it by CertId.
//
// Documented (alibabacloud.com/help, CAS API reference): UploadUserCertificate (Name at most 63
// characters and unique per account, Cert, Key; returns CertId; a taken name answers NameRepeat;
// no de-duplication by content; 100 calls/s), ListUserCertificateOrder (OrderType=UPLOAD, Keyword,
// CurrentPage, ShowSize; 10 calls/s), GetUserCertificateDetail (CertId; CertFilter=true leaves out
// the PEM), DeleteUserCertificate (CertId). Unconfirmed and therefore not relied on: the meaning of
// the list's fingerprint fields (certform fingerprints the Cert PEM itself) and the limits of the
// detail and delete calls.
#pragma once

#include <string>
#include <vector>

#include "engine/provider.h"
#include "providers/alicloud/rpc_client.h"

namespace certform::alicloud {

inline constexpr char kCasApiVersion[] = "2020-04-07";

class CasCertificates {
 public:
  explicit CasCertificates(RpcClient client) : client_(std::move(client)) {}

  // Conflict (NameRepeat) when the name is taken.
  engine::Status Upload(const engine::UploadRequest& request, int64_t* cert_id,
                        engine::CallResult* result);
  // NotFound when no uploaded certificate has exactly this name. The detail answer carries the
  // private key: it is wiped at once, only the certificate is read.
  engine::Status Find(const std::string& name, engine::StoredCertificate* found,
                      engine::CallResult* result);
  engine::Status ListUploaded(std::vector<engine::StoredCertificate>* list,
                              engine::CallResult* result);
  engine::Status Delete(int64_t cert_id, engine::CallResult* result);

 private:
  // One page of ListUserCertificateOrder (OrderType=UPLOAD).
  engine::Status ListPage(const std::string& keyword, int page,
                          std::vector<engine::StoredCertificate>* list, int64_t* total,
                          engine::CallResult* result);

  RpcClient client_;
};

}  // namespace certform::alicloud
