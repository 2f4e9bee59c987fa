// CertificateStore: where an account's certificates are uploaded once and then bound by id on
// every product (Alibaba Cloud's Certificate Management Service, providers/alicloud/
// cas_certificates.h). It sits in each account's runtime beside the products' providers; each
// method is one API call, paced in its own lane (PacingRegistry::StoreLane).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/calls/provider.h"

namespace certform::engine {

// A certificate to upload.
struct UploadRequest {
  std::string name;      // CAS Name: at most 63 characters, unique per account
  std::string cert_pem;  // the certificate chain
  std::string key_pem;   // the private key. Secret: the caller wipes it after the call
};

// A certificate in the store.
struct StoredCertificate {
  int64_t cert_id = 0;
  std::string name;
  std::string fingerprint;  // SHA-256 of the leaf's DER, when known
  int64_t not_after = 0;
  std::string chain_digest;  // CertificateInfo::chain_digest, when known
};

class CertificateStore {
 public:
  virtual ~CertificateStore() = default;

  // The API call behind `kind` (kUpload, kListUploaded, kGetCertificate, kDeleteCertificate) and
  // its documented limit.
  virtual CallLimit Limit(CallKind kind) const = 0;
  // Uploads a certificate; AlreadyExists when the name is taken (whatever the content).
  virtual Status Upload(const UploadRequest& request, int64_t* cert_id, CallResult* result) = 0;
  // One page (1-based) of the certificates uploaded to the account, in `list` (name and id; no
  // fingerprint), with the count over all pages in `total`.
  virtual Status ListPage(int page, std::vector<StoredCertificate>* list, int64_t* total,
                          CallResult* result) = 0;
  // One uploaded certificate by id, its fingerprint computed from its PEM; NotFound when the
  // account has none with that id.
  virtual Status Get(int64_t cert_id, StoredCertificate* found, CallResult* result) = 0;
  // The call Get makes (the same permission), asked to leave the certificate and its key out of
  // the answer: only the name comes back. What `certform check` reads with, so that a check
  // never fetches a private key. NotFound as Get.
  virtual Status Peek(int64_t cert_id, std::string* name, CallResult* result) = 0;
  // NotFound when the account has no certificate with that id.
  virtual Status Delete(int64_t cert_id, CallResult* result) = 0;
};

}  // namespace certform::engine
