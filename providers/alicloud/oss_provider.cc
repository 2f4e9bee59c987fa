#include "providers/alicloud/oss_provider.h"

#include <fmt/format.h>

#include "engine/calls/paged_listing.h"
#include "engine/config/binding_address.h"
#include "engine/config/certificate.h"
#include "providers/alicloud/oss_names.h"

namespace certform::alicloud {

namespace {

// The bucket of an OSS address (its location fields), whose name and region can name its host
// (OssCnames::Host), before anything else is decided.
engine::Status BucketOf(const engine::Address& address, OssBucket* bucket) {
  bucket->region = address.Field("region");
  bucket->name = address.Field("bucket");
  if (address.product != OssProvider::Rules().name || bucket->region.empty() ||
      bucket->name.empty() || address.domain.empty()) {
    return engine::Status::InvalidArgument(fmt::format(
        "\"{}\" is not an OSS custom domain (oss:REGION/BUCKET/DOMAIN)", address.Key()));
  }
  std::string host;
  return OssCnames::Host(*bucket, &host);
}

// What a domain's certificate is now, in words, for "changed since the plan". Only the id's
// number and a documented Status are shown of OSS's answer (outside input).
std::string Now(const engine::LiveBinding& now) {
  if (!now.exists) return "the domain is no longer attached to the bucket";
  if (now.cert_ref.empty()) return "it has no certificate";
  // cert_ref passed ParseOssCertId (ID-REGION), so it is safe to show whole: the region matters
  // when the number is the one asked for.
  if (now.cert_status == "Enabled") return fmt::format("it has CertId {}", now.cert_ref);
  if (now.cert_status == "Disabled") return fmt::format("it has CertId {}, disabled", now.cert_ref);
  return fmt::format("it has CertId {}, in a Status OSS does not document", now.cert_ref);
}

engine::Status ChangedSincePlan(const OssBucket& bucket, const engine::BindingRequest& request,
                                const std::string& domain, const std::string& now) {
  return engine::Status::Failed(fmt::format(
      "the certificate on {} (bucket {}, {}) changed since the plan: certform last saw CertId {} "
      "there, and now {}. certform did not {} it; run `certform refresh` to record what is "
      "there, then `certform plan` to review what to do",
      domain, bucket.name, bucket.region, request.previous_cert_id, now,
      request.https ? "replace" : "delete"));
}

}  // namespace

const engine::ProductRules& OssProvider::Rules() {
  using engine::CallKind;
  static const engine::ProductRules rules = [] {
    engine::ProductRules r;
    r.name = "oss";
    r.title = "OSS";
    r.what = "an OSS custom domain";
    r.location = {{"region", RegionProblem, "cn-hangzhou"},
                  {"bucket", BucketNameProblem, "my-bucket"}};
    r.wildcards = false;
    r.one_location_per_domain = true;  // CnameAlreadyExists on a second bucket
    // PutCname binds a CAS certificate by id ("ID-REGION"); one sent by content would be created
    // in CAS anew at every apply, under a name and id certform does not choose.
    // The domain is read first (ListCname, in its own lane) to rotate a certificate certform saw
    // there (PreviousCertId names it as listed) or to switch HTTPS off, and Decide tells from
    // that read whether PutCname is sent.
    // RAM: with a certificate, PutCname also needs three CAS actions (OSS API reference,
    // PutCname, "Permissions":
    // https://www.alibabacloud.com/help/en/oss/developer-reference/putcname).
    r.write_calls = {{{"PutCname",
                       kOssCallLimit,
                       {"oss:PutCname", "yundun-cert:DescribeSSLCertificatePrivateKey",
                        "yundun-cert:DescribeSSLCertificatePublicKeyDetail",
                        "yundun-cert:CreateSSLCertificate"}},
                      /*force_set=*/false,
                      /*cas_by_name=*/false,
                      /*cas_by_id=*/true,
                      /*by_content=*/false,
                      {.when_https_off = true, .when_previous_cert = true}}};
    r.calls = {
        {CallKind::kReadBinding, {"ListCname", kOssCallLimit, {"oss:ListCname"}}},
        // ListBuckets, then ListCname per bucket: paced in ListCname's own lane, so that a listing
        // and the reads that follow it share one 10/s (the harsher reading). RAM actions: OSS
        // "RAM Policy" (https://www.alibabacloud.com/help/en/oss/user-guide/how-oss-works-with-ram)
        // and ossutil list-cname.
        {CallKind::kListDomains,
         {"ListCname", kOssCallLimit, {"oss:ListBuckets", "oss:ListCname"}}},
    };
    r.reads_fingerprint = false;  // ListCname reports the CertId, not the certificate
    r.default_endpoint = "";      // each bucket has its own host
    return r;
  }();
  return rules;
}

std::unique_ptr<engine::Provider> OssProvider::Make(const ProductWiring& w) {
  // Requests go to each bucket's own host (or, with --endpoint, there with the bucket's Host
  // header); ListBuckets to the region of the account's first OSS binding.
  std::string list_region = "cn-hangzhou";
  for (const engine::DesiredBinding& b : w.config->bindings) {
    if (b.account != w.account->name || b.address.product != Rules().name) continue;
    list_region = b.address.Field("region");
    break;
  }
  return std::make_unique<OssProvider>(
      std::make_unique<OssCnames>(*w.transport, *w.clock, w.credentials, w.endpoint_override),
      list_region, w.Settings(Rules()).rate_limit);
}

OssProvider::OssProvider(std::unique_ptr<OssCnames> cnames, std::string list_region,
                         double write_rate)
    : cnames_(std::move(cnames)), list_region_(std::move(list_region)), write_rate_(write_rate) {}

engine::CallLimit OssProvider::Limit(engine::CallKind kind) const {
  engine::CallLimit limit = Rules().Limit(kind);
  if (kind == engine::CallKind::kSetBinding && write_rate_ > 0) limit.rate = write_rate_;
  return limit;
}

// PreviousCertId and Force (PutCname,
// https://www.alibabacloud.com/help/en/oss/developer-reference/putcname; 0018-00000209,
// https://help.aliyun.com/zh/oss/user-guide/0018-00000209): without Force, OSS checks
// PreviousCertId against the domain's current certificate and refuses a mismatch.
//
// The rules' read_first asks the engine to read the domain first (ListCname, paced in its own
// lane, again before each retry) when certform last saw a certificate there (previous_cert_id,
// from the state) or switches HTTPS off, and to ask Decide before any PutCname. With a previous
// CertId, certform never forces: Decide refuses at once if the certificate is no longer that one,
// and otherwise SetBinding sends the CertId exactly as OSS lists it ("ID-REGION": the state keeps
// only the id) as PreviousCertId, so that a change made in the instant between the read and the
// PutCname is refused by OSS too; the engine then reads once more and Decide's answer names what
// the domain has now. Either way the binding fails with "changed since the plan", and nothing is
// overwritten.
//
// When certform never saw a certificate there (previous_cert_id == 0: a domain it does not
// manage yet, or one its state records with HTTPS off), a bind sends Force=true. The plan the
// user approved says "bind" over whatever the domain has, and certform holds no id it could
// protect: without Force, OSS would refuse the very change that was approved whenever the domain
// already has a certificate (the emulator takes that harsher reading, and the docs do not say
// otherwise), so adopting a domain would be impossible. Switching HTTPS off is different: it
// removes a certificate, and certform removes only one it saw there, so a delete that finds a
// certificate it never saw is refused, not forced.
engine::WriteDecision OssProvider::Decide(const engine::BindingRequest& request,
                                          const engine::LiveBinding& now) const {
  OssBucket bucket;
  if (engine::Status s = BucketOf(request.address, &bucket); !s.ok()) return {false, s};
  const std::string& domain = request.address.domain;
  // Switching off reads first too: a domain detached from the bucket (or a bucket gone) has
  // nothing left to delete, which the engine records as done; OSS's answer to a PutCname on it
  // is not documented. Deletes and rotations are rare: one ListCname more each.
  if (!now.exists && !request.https) {
    return {false, engine::Status::NotFound(fmt::format("{} is not attached to bucket {} ({})",
                                                        domain, bucket.name, bucket.region))};
  }
  if (!request.https && now.cert_ref.empty()) return {false, engine::Status::OK()};
  if (request.https && request.cert_type == "cas" && now.https &&
      now.cert_ref == OssCertId(request.cert_id, request.cert_region)) {
    return {false, engine::Status::OK()};  // already bound (a retry after an answer that was lost)
  }
  if (request.previous_cert_id != 0 && (!now.exists || now.cert_id != request.previous_cert_id)) {
    return {false, ChangedSincePlan(bucket, request, domain, Now(now))};
  }
  if (!request.https && request.previous_cert_id == 0 && now.cert_status == "Disabled") {
    // HTTPS is already off: a disabled certificate is not served (ListCname's Status). It stays
    // attached, as certform found it (refresh and import record such a domain with HTTPS off).
    return {false, engine::Status::OK()};
  }
  if (!request.https && request.previous_cert_id == 0) {
    return {false,
            engine::Status::Failed(fmt::format(
                "certform did not switch HTTPS off on {} (bucket {}, {}): {}, which "
                "certform never saw there (its state records none), and it removes only a "
                "certificate it saw; record it first (`certform import` for a domain certform "
                "does not manage yet, `certform refresh` for one it does), then `certform "
                "plan` to review what to do",
                domain, bucket.name, bucket.region, Now(now)))};
  }
  return {};
}

// One call, PutCname. The engine has read the domain and asked Decide first when the rules'
// read_first asks for it on this request; the read comes in request.live_now.
engine::Status OssProvider::SetBinding(const engine::BindingRequest& request,
                                       engine::CallResult* result) {
  *result = engine::CallResult();
  OssBucket bucket;
  engine::Status s = BucketOf(request.address, &bucket);
  if (!s.ok()) return s;
  std::string previous;  // PreviousCertId: the CertId the domain must still have
  if (Rules().DefaultWrite().read_first.Needed(request.https, request.previous_cert_id)) {
    if (request.live_now == nullptr) {
      return engine::Status::InvalidArgument(fmt::format(
          "PutCname for {} needs the domain's live binding read first (ListCname, made by the "
          "engine: the rules' read_first); nothing was sent",
          request.address.domain));
    }
    // Decide again (pure): SetBinding never sends what Decide would not.
    if (engine::WriteDecision d = Decide(request, *request.live_now); !d.send) {
      return engine::Status::InvalidArgument(fmt::format(
          "PutCname for {} was asked for although the read before it decides it ({}); nothing "
          "was sent",
          request.address.domain, d.answer.ok() ? "nothing to do" : d.answer.message()));
    }
    if (request.previous_cert_id != 0) previous = request.live_now->cert_ref;
  }
  return cnames_->Put(bucket, request, result, previous);
}

engine::Status OssProvider::ReadBinding(const engine::Address& address, engine::LiveBinding* live,
                                        engine::CallResult* result) {
  OssBucket bucket;
  engine::Status s = BucketOf(address, &bucket);
  if (!s.ok()) return s;
  s = cnames_->Read(bucket, address.domain, live, result);
  if (s.IsNotFound() && result->error_code == "NoSuchBucket") {
    *live = engine::LiveBinding{};  // the bucket is gone, and the domain with it
    return engine::Status::OK();
  }
  return s;
}

engine::Status OssProvider::ListDomainsPage(int page, std::vector<engine::Address>* addresses,
                                            int64_t* total, engine::CallResult* result) {
  addresses->clear();
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
  for (const OssCname& c : cnames) {
    addresses->push_back({Rules().name, {bucket.region, bucket.name}, c.domain});
  }
  *total = index + 1 == buckets_.size() ? 0 : engine::kMorePages;
  return engine::Status::OK();
}

}  // namespace certform::alicloud
