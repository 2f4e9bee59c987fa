#include "providers/alicloud/oss_provider.h"

#include <fmt/format.h>

#include "engine/calls/paged_listing.h"
#include "engine/config/binding_address.h"

namespace certform::alicloud {

namespace {

// The bucket and domain of an OSS target, "REGION/BUCKET/DOMAIN".
engine::Status ParseTarget(const std::string& target, OssBucket* bucket, std::string* domain) {
  if (!engine::SplitOssTarget(target, &bucket->region, &bucket->name, domain) || domain->empty()) {
    return engine::Status::InvalidArgument(
        fmt::format("\"{}\" is not an OSS custom domain (REGION/BUCKET/DOMAIN)", target));
  }
  return engine::Status::OK();
}

}  // namespace

OssProvider::OssProvider(std::unique_ptr<OssCnames> cnames, std::string list_region)
    : cnames_(std::move(cnames)), list_region_(std::move(list_region)) {}

engine::CallLimit OssProvider::Limit(engine::CallKind kind) const {
  using engine::CallKind;
  switch (kind) {
    case CallKind::kSetBinding:
      return {"PutCname", kOssCallLimit};
    case CallKind::kReadBinding:
      return {"ListCname", kOssCallLimit, {"oss:ListCname"}};
    case CallKind::kListDomains:
      // ListBuckets, then ListCname per bucket: paced in ListCname's own lane, so that a listing
      // and the reads that follow it share one 10/s (the harsher reading). RAM actions: OSS
      // "RAM Policy" (https://www.alibabacloud.com/help/en/oss/user-guide/how-oss-works-with-ram)
      // and ossutil list-cname.
      return {"ListCname", kOssCallLimit, {"oss:ListBuckets", "oss:ListCname"}};
    default:
      return engine::DefaultCallLimit(kind);
  }
}

engine::Status OssProvider::SetBinding(const engine::BindingRequest& request,
                                       engine::CallResult* result) {
  OssBucket bucket;
  engine::BindingRequest on_bucket = request;
  engine::Status s = ParseTarget(request.domain, &bucket, &on_bucket.domain);
  if (!s.ok()) return s;
  if (!request.https) {
    // Switching off: a domain detached from the bucket (or a bucket gone) has nothing left to
    // delete, which the engine records as done; OSS's answer to a PutCname on it is not
    // documented, so certform reads first (deletes are rare: one ListCname more each).
    engine::LiveBinding live;
    s = ReadBinding(request.domain, &live, result);
    if (!s.ok()) return s;
    if (!live.exists) {
      return engine::Status::NotFound(fmt::format("{} is not attached to bucket {} ({})",
                                                  on_bucket.domain, bucket.name, bucket.region));
    }
    if (!live.https) return engine::Status::OK();  // no certificate: nothing to delete
  }
  s = cnames_->Put(bucket, on_bucket, result);
  engine::WipeSecret(&on_bucket.key_pem);
  return s;
}

engine::Status OssProvider::ReadBinding(const std::string& target, engine::LiveBinding* live,
                                        engine::CallResult* result) {
  OssBucket bucket;
  std::string domain;
  engine::Status s = ParseTarget(target, &bucket, &domain);
  if (!s.ok()) return s;
  s = cnames_->Read(bucket, domain, live, result);
  if (s.IsNotFound() && result->error_code == "NoSuchBucket") {
    *live = engine::LiveBinding{};  // the bucket is gone, and the domain with it
    return engine::Status::OK();
  }
  return s;
}

engine::Status OssProvider::ListDomainsPage(int page, std::vector<std::string>* targets,
                                            int64_t* total, engine::CallResult* result) {
  targets->clear();
  if (page == 1) {
    buckets_.clear();
    marker_.clear();
    first_cname_page_ = 0;
  }
  if (first_cname_page_ == 0) {
    std::vector<OssBucket> found;
    std::string next;
    engine::Status s = cnames_->ListBuckets(list_region_, marker_, &found, &next, result);
    if (!s.ok()) return s;  // the same page again on a retry: nothing kept
    buckets_.insert(buckets_.end(), found.begin(), found.end());
    marker_ = next;
    if (next.empty()) first_cname_page_ = page + 1;
    *total = next.empty() && buckets_.empty() ? 0 : engine::kMorePages;
    return engine::Status::OK();
  }
  const size_t index = static_cast<size_t>(page - first_cname_page_);
  if (page < first_cname_page_ || index >= buckets_.size()) {
    *total = 0;
    return engine::Status::OK();
  }
  const OssBucket& bucket = buckets_[index];
  std::vector<OssCname> cnames;
  engine::Status s = cnames_->List(bucket, &cnames, result);
  if (!s.ok()) return s;
  for (const auto& [domain, live] : cnames) {
    targets->push_back(engine::OssLocation(bucket.region, bucket.name) + "/" + domain);
  }
  *total = index + 1 == buckets_.size() ? 0 : engine::kMorePages;
  return engine::Status::OK();
}

}  // namespace certform::alicloud
