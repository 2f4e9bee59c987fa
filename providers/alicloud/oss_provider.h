// OssProvider: engine::Provider for one Alibaba Cloud account's OSS custom domains (OssCnames).
// An OSS binding's address has two location fields, its region and bucket (binding_address.h):
// the bucket the domain is attached to, in its region.
//
// Certificates are bound by their Certificate Management Service id (the account uploads them
// once, through its CDN provider, and binds them by id on every product); the read-back reports
// that id, not the served certificate's fingerprint. Limits: OSS states none for PutCname,
// ListCname or ListBuckets; certform takes the harsher reading, 10 calls/s each (marked in
// docs/products.md), and OSS's SlowDown answers are retried like any throttling.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/calls/provider.h"
#include "providers/alicloud/oss_cnames.h"
#include "providers/alicloud/product_wiring.h"

namespace certform::alicloud {

inline constexpr double kOssCallLimit = 10;  // not stated by OSS: the harsher reading

class OssProvider final : public engine::Provider {
 public:
  // OSS's rules: a custom domain lives on a bucket in a region (checked by oss_names.h), has no
  // wildcard, is bound by CAS id only, and its read-back reports that id.
  static const engine::ProductRules& Rules();
  // One account's provider, from its settings ([account.NAME.oss]).
  static std::unique_ptr<engine::Provider> Make(const ProductWiring& wiring);

  // `list_region`: where ListBuckets is sent (it answers the buckets of every region).
  // `write_rate`: the account's rate_limit for PutCname; 0 for certform's reading (10/s).
  explicit OssProvider(std::unique_ptr<OssCnames> cnames, std::string list_region = "cn-hangzhou",
                       double write_rate = 0);

  engine::CallLimit Limit(engine::CallKind kind) const override;
  // HTTPS off and rotations, decided from the read the engine made first (the rules'
  // read_first): NotFound when the domain is no longer attached to the bucket, OK (no call) when it
  // has no certificate left to delete (none, or one certform never saw that is disabled) or already
  // has the one asked for, "changed since the plan" when its certificate is not the one certform
  // last saw, and refused when switching off would remove a served certificate certform never saw
  // there.
  engine::WriteDecision Decide(const engine::BindingRequest& request,
                               const engine::LiveBinding& now) const override;
  // One PutCname; refused without a call when the read it needs is missing or Decide would not
  // send it.
  engine::Status SetBinding(const engine::BindingRequest& request,
                            engine::CallResult* result) override;
  // A domain no longer attached to the bucket, or a bucket that no longer exists, is
  // exists = false.
  engine::Status ReadBinding(const engine::Address& address, engine::LiveBinding* live,
                             engine::CallResult* result) override;
  // Every custom domain of every bucket of the user, as targets: page 1 and on list the buckets
  // (ListBuckets, marker by marker), then one page per bucket (ListCname). `total` is
  // engine::kMorePages until the last page. Not thread-safe: one listing at a time.
  engine::Status ListDomainsPage(int page, std::vector<engine::Address>* addresses, int64_t* total,
                                 engine::CallResult* result) override;

 private:
  std::unique_ptr<OssCnames> cnames_;
  std::string list_region_;
  double write_rate_;
  // The listing in progress.
  std::vector<OssBucket> buckets_;
  std::string marker_;
  int first_cname_page_ = 0;  // 0 while buckets are being listed
};

}  // namespace certform::alicloud
