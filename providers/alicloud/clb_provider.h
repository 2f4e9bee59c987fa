// The CLB product row: Classic Load Balancer HTTPS listeners (SLB API 2014-05-15,
// slb.REGION.aliyuncs.com) and their domain extensions, through SlbCertificates
// (slb_certificates.h). A binding is a certificate slot of a listener, (region, load balancer,
// port): "clb:REGION/LB/PORT/default" for the listener's default certificate,
// "clb:REGION/LB/PORT/sni:DOMAIN" for the certificate of its domain extension for DOMAIN (one
// certificate each: SlotRules::SniKey::kDomain).
//
// A CLB listener serves certificates of the region's SLB store, not CAS ones: a write first
// finds certform's copy of the CAS certificate in the store (named StoreCopyName), copies it from
// CAS when there is none (UploadServerCertificate), then sets the slot's certificate to it. The
// writes complete when they answer (no jobs), one change at a time per load balancer, each read
// back (ConfirmStep) before it is recorded. certform never removes a certificate from a CLB
// listener: the default always has one, and an extension's goes only with the extension; so a
// removal from the configuration forgets. It never creates or deletes a domain extension.
//
// Listable (prune, import --generate-config): every region DescribeRegions names, then each
// region's HTTPS listeners (DescribeLoadBalancerListeners), each as its default slot; a read of
// that slot names every CAS certificate the listener serves (additional_ids), so that prune can
// tell a CAS certificate unused on CLB, and every store id it serves (served_refs), so that
// prune can tell certform's store copy unused.
// docs/products.md "CLB listeners".
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/calls/provider.h"
#include "providers/alicloud/product_wiring.h"
#include "providers/alicloud/slb_certificates.h"

namespace certform::alicloud {

class ClbProvider final : public engine::Provider {
 public:
  static const engine::ProductRules& Rules();
  static std::unique_ptr<engine::Provider> Make(const ProductWiring& wiring);

  using ClientFactory = std::function<SlbCertificates(const std::string& region)>;
  // Listeners a listing page asks for (MaxResults: 1 to 100, D).
  static constexpr int kListPageSize = 100;
  // The pages of one region's listing certform walks: more is no answer of the API's.
  static constexpr int kMaxPagesPerRegion = 1000;
  // The region whose endpoint DescribeRegions is sent to.
  static constexpr char kRegionsRegion[] = "cn-hangzhou";
  explicit ClbProvider(ClientFactory clients, int list_page_size = kListPageSize)
      : clients_(std::move(clients)), list_page_size_(list_page_size) {}

  engine::CallLimit Limit(engine::CallKind kind) const override { return Rules().Limit(kind); }

  // A renewal (the slot recorded another CAS certificate) is two steps: set the new copy, then
  // delete certform's copy of the old certificate from the store, which the API refuses while
  // anything still serves it (then it stays); anything else is one.
  int Steps(const engine::BindingRequest& request) const override;
  // Step 0: at most one call of each of DescribeServerCertificates, UploadServerCertificate (when
  // certform has no copy of the certificate in the store yet), DescribeDomainExtensions (an
  // extension's slot) and the set call; the write's lane is paced at the slowest of them. Step 1:
  // DescribeServerCertificates and DeleteServerCertificate of certform's old copy, when there is
  // one; refused as still bound, or already gone, it is done.
  engine::Status SetBinding(const engine::BindingRequest& request,
                            engine::CallResult* result) override;
  // OK when the slot now serves certform's copy of the request's CAS certificate; Failed naming
  // what it serves otherwise.
  engine::Status ConfirmStep(const engine::BindingRequest& request,
                             engine::CallResult* result) override;
  // The listener's default certificate (when `address` is the default slot) or its extension's
  // for the slot's domain: https, the CAS id of certform's store copy it serves (0 for any other
  // store certificate: uploaded by content, or someone else's copy), cert_ref its store id.
  // additional_ids (only prune reads them for CLB: the engine's slot view takes the slot's own
  // certificate, SniKey::kDomain): the CAS id of every store certificate the listener serves,
  // the default's and each extension's, that the store says was copied from CAS (from_cas with
  // a CAS id), certform's copy or anyone else's, each once. Whether deleting a CAS certificate
  // breaks a store copy made from it is not documented (U): the harsher reading is that it may,
  // so prune keeps every CAS certificate a listener serves a copy of. A load balancer the API
  // does not know (InvalidLoadBalancerId.NotFound) is exists = false; any other refusal is an
  // error, never "gone".
  engine::Status ReadBinding(const engine::Address& address, engine::LiveBinding* live,
                             engine::CallResult* result) override;
  // Page 1: DescribeRegions, sent to kRegionsRegion's endpoint (the reference's example region;
  // the answer's RegionEndpoint is ignored, as any host an answer names), no address. Each later
  // page: one DescribeLoadBalancerListeners of one region, in the order DescribeRegions named
  // them, each HTTPS listener as "clb:REGION/LB/PORT/default"; a region's next page follows its
  // NextToken, and the next region starts when it has none. `total` is kMorePages until the last
  // region's last page (0). Each page starts where the previous one's answer said, recorded by
  // page, so that a page asked again (a retry after a lost answer) asks the same call again:
  // nothing skipped, nothing twice. Not thread-safe with itself (the engine lists serially).
  engine::Status ListDomainsPage(int page, std::vector<engine::Address>* domains, int64_t* total,
                                 engine::CallResult* result) override;

  // The SLB stores hold certform's copies of CAS certificates (StoreCopyName), which prune
  // deletes once nothing serves them (engine/apply/prune_copies.h). A copy's location is its
  // region.
  bool HasOwnCopies() const override { return true; }
  std::string CopyLocation(const engine::Address& address) const override;
  // Page 1: DescribeRegions (as ListDomainsPage's), no copy. Page 1 + N: DescribeServerCertificates
  // of the N-th region, only certform's copies (copy_region set: named StoreCopyName of their
  // own CAS id). `total` is kMorePages until the last region (0).
  engine::Status ListOwnCopiesPage(int page, std::vector<engine::OwnCopy>* copies, int64_t* total,
                                   engine::CallResult* result) override;
  // The regions of the last DescribeRegions answer, once every region's listeners were listed.
  std::vector<std::string> ListedLocations() const override;
  // DescribeServerCertificates of region `location`: every certificate there, certform's or not
  // (cas_id 0 when not a copy of a CAS id).
  engine::Status ReadOwnCopies(const std::string& location, std::vector<engine::OwnCopy>* copies,
                               engine::CallResult* result) override;
  // DeleteServerCertificate. Refused as still bound (CertificateAndPrivateKeyIsRefered, D: doc
  // 34182): OK with `in_use`; ServerCertificateId.NotFound (S): NotFound.
  engine::Status DeleteOwnCopy(const engine::OwnCopy& copy, bool* in_use,
                               engine::CallResult* result) override;

 private:
  struct Slot {
    std::string region, load_balancer, domain;  // domain: empty for the default slot
    int port = 0;
  };
  // What a slot serves: the store id and the CAS id of its copy (0 when none or not CAS's).
  struct Served {
    bool extension_found = true;
    std::string store_id;
    int64_t cas_id = 0;
    std::string copy_region;  // of certform's copy, when cas_id != 0
  };
  static engine::Status SlotOf(const engine::Address& address, Slot* slot);
  // The slot's certificate; with `served_cas_ids`, the CAS ids of every store copy of a CAS
  // certificate the listener serves (ReadBinding's additional_ids).
  // With `served_refs`, every store id the listener serves (ReadBinding's served_refs).
  engine::Status ReadSlot(const Slot& slot, Served* served, std::vector<int64_t>* served_cas_ids,
                          engine::CallResult* result,
                          std::vector<std::string>* served_refs = nullptr);
  // certform's copy of CAS certificate `cas_id` in the region's store, made when there is none.
  engine::Status StoreCopy(SlbCertificates& client, const Slot& slot,
                           const engine::BindingRequest& request, std::string* store_id,
                           engine::CallResult* result);
  SlbCertificates& Client(const std::string& region);
  // Step 1 of a renewal: certform's copy of the previous certificate deleted, if nothing serves it.
  engine::Status DeleteOldCopy(SlbCertificates& client, const engine::BindingRequest& request,
                               engine::CallResult* result);

  // Where a listing page starts: the index of its region in list_regions_, the NextToken to
  // send (empty: the region's first page) and how many pages of that region came before.
  struct ListCursor {
    size_t region = 0;
    std::string token;
    int pages_in_region = 0;
  };

  ClientFactory clients_;
  const int list_page_size_;
  mutable std::mutex list_mu_;
  bool list_complete_ = false;              // every page of list_regions_ answered
  std::vector<std::string> list_regions_;   // DescribeRegions' answer, from page 1
  std::map<int, ListCursor> list_cursors_;  // by page (2, 3, ...): where it starts
  std::vector<std::string> copy_regions_;   // ListOwnCopiesPage's DescribeRegions answer
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<SlbCertificates>> by_region_;
  // Held from a store's listing to its upload, so that two writes in one run copy a certificate
  // once; by region.
  std::map<std::string, std::unique_ptr<std::mutex>> store_mu_;
};

}  // namespace certform::alicloud
