// OssCnames: the certificate of an OSS bucket's custom domain (CNAME), as OSS documents it:
// PutCname (POST /?cname&comp=add, XML BucketCnameConfiguration) binds a certificate by CAS id
// ("ID-REGION") or by content, or deletes it; ListCname (GET /?cname) reads it back. Requests go
// to https://BUCKET.oss-REGION.aliyuncs.com, signed with OSS signature V1 (oss_signer.h); with an
// endpoint override (the emulator) they go there with the bucket's Host header.
// The domain must already be attached to the bucket and its ownership verified: certform binds
// certificates, it does not attach domains. Wildcard domains are not supported by OSS.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/base/clock.h"
#include "engine/calls/provider.h"
#include "providers/alicloud/credential_source.h"
#include "providers/http_transport.h"

namespace certform::alicloud {

// Where an OSS custom domain lives.
struct OssBucket {
  std::string name;    // the bucket; empty for the service (ListBuckets)
  std::string region;  // e.g. "cn-hangzhou"
};

// One custom domain of a bucket and its certificate, as ListCname reports it.
using OssCname = std::pair<std::string, engine::LiveBinding>;

class OssCnames {
 public:
  // `endpoint_override`: "" for OSS itself, else scheme://host[:port] to send every request to.
  OssCnames(providers::HttpTransport& transport, engine::Clock& clock,
            std::shared_ptr<CredentialSource> credentials, std::string endpoint_override = "");

  // Makes `request` (domain, https, cert_id + cert_region or cert_pem + key_pem) the domain's
  // certificate on `bucket`, replacing whatever it has (Force). HTTPS off deletes the certificate.
  engine::Status Put(const OssBucket& bucket, const engine::BindingRequest& request,
                     engine::CallResult* result);
  // The domain's certificate on `bucket`: exists = false when the domain is not attached to it;
  // the certificate's CAS id, not its fingerprint (ListCname's Fingerprint format is not
  // documented).
  engine::Status Read(const OssBucket& bucket, const std::string& domain, engine::LiveBinding* live,
                      engine::CallResult* result);

  // Every custom domain attached to `bucket`, with its certificate (ListCname).
  engine::Status List(const OssBucket& bucket, std::vector<OssCname>* cnames,
                      engine::CallResult* result);
  // One page of the user's buckets in every region (ListBuckets, GET / on oss-REGION, at most
  // 1000 a page), from `marker` on; `next_marker` is empty after the last page.
  engine::Status ListBuckets(const std::string& region, std::string marker,
                             std::vector<OssBucket>* buckets, std::string* next_marker,
                             engine::CallResult* result);

  // The PutCname body for `request` (for tests; holds the key for requests by content).
  static std::string PutBody(const engine::BindingRequest& request);

 private:
  engine::Status Send(const OssBucket& bucket, const std::string& method, const std::string& query,
                      std::string body, providers::HttpResponse* response,
                      engine::CallResult* result);

  providers::HttpTransport& transport_;
  engine::Clock& clock_;
  std::shared_ptr<CredentialSource> credentials_;
  std::string endpoint_override_;
};

}  // namespace certform::alicloud
