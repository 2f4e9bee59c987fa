// OssProvider: engine::Provider for one Alibaba Cloud account's OSS custom domains (OssCnames).
// An OSS binding's target is "REGION/BUCKET/DOMAIN" (binding_address.h): the bucket the domain is
// attached to, in its region.
//
// Certificates are bound by their Certificate Management Service id (the account uploads them
// once, through its CDN provider, and binds them by id on every product); the read-back reports
// that id, not the served certificate's fingerprint. Limits: OSS states none for PutCname,
// ListCname or ListBuckets; certform takes the harsher reading, 10 calls/s each (marked in the
// README), and OSS's SlowDown answers are retried like any throttling.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/calls/provider.h"
#include "providers/alicloud/oss_cnames.h"

namespace certform::alicloud {

inline constexpr double kOssCallLimit = 10;  // not stated by OSS: the harsher reading

class OssProvider final : public engine::Provider {
 public:
  // `list_region`: where ListBuckets is sent (it answers the buckets of every region).
  explicit OssProvider(std::unique_ptr<OssCnames> cnames, std::string list_region = "cn-hangzhou");

  engine::CallLimit Limit(engine::CallKind kind) const override;
  // HTTPS off reads first: NotFound when the domain is no longer attached to the bucket, OK
  // without a call when it has no certificate.
  engine::Status SetBinding(const engine::BindingRequest& request,
                            engine::CallResult* result) override;
  // A domain no longer attached to the bucket, or a bucket that no longer exists, is
  // exists = false.
  engine::Status ReadBinding(const std::string& target, engine::LiveBinding* live,
                             engine::CallResult* result) override;
  // Every custom domain of every bucket of the user, as targets: page 1 and on list the buckets
  // (ListBuckets, marker by marker), then one page per bucket (ListCname). `total` is
  // engine::kMorePages until the last page. Not thread-safe: one listing at a time.
  engine::Status ListDomainsPage(int page, std::vector<std::string>* targets, int64_t* total,
                                 engine::CallResult* result) override;

 private:
  std::unique_ptr<OssCnames> cnames_;
  std::string list_region_;
  // The listing in progress.
  std::vector<OssBucket> buckets_;
  std::string marker_;
  int first_cname_page_ = 0;  // 0 while buckets are being listed
};

}  // namespace certform::alicloud
