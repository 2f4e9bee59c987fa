// OssCnames: the certificate of an OSS bucket's custom domain (CNAME), as OSS documents it:
// PutCname (POST /?cname&comp=add, XML BucketCnameConfiguration) binds a certificate by CAS id
// ("ID-REGION") or by content, or deletes it; ListCname (GET /?cname) reads it back. Requests go
// to https://BUCKET.oss-REGION.aliyuncs.com, signed with OSS signature V1 (oss_signer.h); with an
// endpoint override (the emulator) they go there with the bucket's Host header. Before anything is
// signed or sent, the bucket and region must pass BucketNameProblem and
// RegionProblem (oss_names.h) (Host()): a bucket such as "HOST:PORT#" never names where a request
// goes. The domain must already be attached to the bucket and its ownership verified: certform
// binds certificates, it does not attach domains. Wildcard domains are not supported by OSS.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
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

// One custom domain of a bucket and its certificate, as ListCname reports it
// (https://www.alibabacloud.com/help/en/oss/developer-reference/listcname: Cname/{Domain, Status,
// Certificate{Type, CertId, Status, ...}}).
struct OssCname {
  std::string domain;
  // https is true only while the certificate's Status is "Enabled": a "Disabled" one (or one
  // whose Status is missing or unknown, the harsher reading) serves nothing, and reads as HTTPS
  // off with no certificate, as the CDN reports a domain whose certificate is off. cert_ref and
  // cert_status are the CertId and Status below.
  engine::LiveBinding live;
  std::string cert_id;      // the certificate's CertId as listed ("ID-REGION"); "" without one
  std::string cert_status;  // its Status ("Enabled", "Disabled"); "" without one
  // Why nothing can be decided from this entry (its CertId is not ID-REGION, or the domain is
  // listed twice): a read of the domain fails with it; "" when the entry is readable.
  std::string problem;
};

// The CertId OSS takes and lists for a CAS certificate: "ID-REGION" ("8089870-cn-hangzhou"), the
// region CAS's default (cn-hangzhou) when `region` is empty.
std::string OssCertId(int64_t id, const std::string& region);
// Parses a CAS id as certform writes one (outside input), strictly: 1 to 19 digits, no leading
// zero, within int64. False when it is anything else.
bool ParseCasId(std::string_view text, int64_t* id);
// Parses a CertId as ListCname lists it (outside input), strictly: a CAS id (ParseCasId) then
// '-' and a region as RegionProblem checks it. False when it is anything else.
bool ParseOssCertId(const std::string& text, int64_t* id, std::string* region);

class OssCnames {
 public:
  // `endpoint_override`: "" for OSS itself, else scheme://host[:port] to send every request to.
  OssCnames(providers::HttpTransport& transport, engine::Clock& clock,
            std::shared_ptr<CredentialSource> credentials, std::string endpoint_override = "");

  // `bucket`'s host, "BUCKET.oss-REGION.aliyuncs.com" ("oss-REGION.aliyuncs.com" for the
  // service, an empty bucket name), when its name and region pass the rules of
  // engine/config/binding_address.h; else InvalidArgument naming the bucket, and nothing may be
  // sent. Every request checks it first.
  static engine::Status Host(const OssBucket& bucket, std::string* host);

  // Makes `request` (domain, https, cert_id + cert_region or cert_pem + key_pem) the domain's
  // certificate on `bucket`; HTTPS off deletes the certificate. `previous`: the CertId
  // ("ID-REGION", as ListCname lists it) the domain must still have, sent as PreviousCertId
  // without Force, so that OSS refuses the call if the certificate changed meanwhile; empty:
  // Force, whatever the domain has is replaced (see OssProvider::SetBinding for when).
  engine::Status Put(const OssBucket& bucket, const engine::BindingRequest& request,
                     engine::CallResult* result, const std::string& previous = "");
  // The domain's certificate on `bucket`: exists = false when the domain is not attached to it;
  // the certificate's CAS id, not its fingerprint (ListCname's Fingerprint format is not
  // documented).
  engine::Status Read(const OssBucket& bucket, const std::string& domain, engine::LiveBinding* live,
                      engine::CallResult* result);
  // The same with the certificate's CertId and Status as listed (`cname->live.exists` false and
  // the rest empty when the domain is not attached to `bucket`).
  engine::Status ReadCname(const OssBucket& bucket, const std::string& domain, OssCname* cname,
                           engine::CallResult* result);

  // Every custom domain attached to `bucket`, with its certificate (ListCname).
  engine::Status List(const OssBucket& bucket, std::vector<OssCname>* cnames,
                      engine::CallResult* result);
  // One page of the user's buckets in every region (ListBuckets, GET / on oss-REGION, at most
  // 1000 a page), from `marker` on; `next_marker` is empty after the last page. The answer is
  // outside input: a listed bucket whose name or region breaks the rules fails the page
  // (Corruption naming it), so that no host is ever built from it and no listing that skipped a
  // bucket is taken as complete (prune relies on a complete one).
  engine::Status ListBuckets(const std::string& region, std::string marker,
                             std::vector<OssBucket>* buckets, std::string* next_marker,
                             engine::CallResult* result);

  // The PutCname body for `request` and `previous` (for tests; holds the key for requests by
  // content).
  static std::string PutBody(const engine::BindingRequest& request,
                             const std::string& previous = "");

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
