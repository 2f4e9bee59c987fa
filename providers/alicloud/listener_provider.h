// ListenerProvider: engine::Provider for one Alibaba Cloud account's load balancer listeners
// (ListenerCertificates), for a listener product: ALB (alb_provider.h) and NLB (nlb_provider.h)
// each give their rules (ProductRules, slots of a listener) and their API (ListenerApi). A
// binding is a certificate slot of a listener (product_rules.h, SlotRules): its address is
// "PRODUCT:REGION/LISTENER/default" for the listener's default certificate,
// "PRODUCT:REGION/LISTENER/sni:KEY" for an additional (SNI) one that the configuration's
// certificate KEY fills (docs/design/load-balancers.md).
//
// Writes are asynchronous jobs (ProductRules::writes): every one is dry-run first (DryRun=true
// answers DryRunOperation when every check passes), one change at a time per listener, each
// polled with ListAsynJobs and confirmed by a read-back (ListListenerCertificates) before the
// next step or the record. A renewal of an additional certificate is two steps, associate the new
// one and then dissociate the one certform recorded for the slot, so the listener never lacks it;
// no other additional certificate is ever dissociated. Certificates are CAS ids with their region
// ("CASID-REGION"): an upload certificate needs upload_via = "cas". Limits are the product's
// rules' (ProductRules::Limit).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "engine/calls/provider.h"
#include "providers/alicloud/listener_certificates.h"
#include "providers/alicloud/product_wiring.h"

namespace certform::alicloud {

// What a listener product's rules (ProductRules) need beyond its API's names.
struct ListenerProduct {
  const char* name = "";  // "alb": addresses, configuration, RAM actions ("alb:ACTION")
  // The listener id's problem ("" when none), for the configuration's "listener" field.
  std::string (*listener_problem)(const std::string& id) = nullptr;
  const char* example_listener = "";  // for generated configurations and help
  double write_limit = 0;             // calls per second, each write call
  double read_limit = 0;              // ListListenerCertificates, per second
  double poll_limit = 0;              // ListAsynJobs, per second
};

// The rules of a listener product: certificate slots of a region's listener, by CAS id only,
// asynchronous writes dry-run first and one at a time per listener, polled every second for at
// most 5 minutes; listable (ListDomainsPage: every listener of the user in every region, so that
// prune sees those certform does not manage too).
engine::ProductRules ListenerRules(const ListenerProduct& product, const ListenerApi& api);

class ListenerProvider final : public engine::Provider {
 public:
  // Makes the client of one region.
  using ClientFactory = std::function<ListenerCertificates(const std::string& region)>;

  // The provider a product row makes (its Make): clients of api.host.REGION.aliyuncs.com, or of
  // --endpoint. `rules` and `api` outlive it.
  static std::unique_ptr<engine::Provider> Make(const engine::ProductRules& rules,
                                                const ListenerApi& api,
                                                const ProductWiring& wiring);

  ListenerProvider(const engine::ProductRules& rules, const ListenerApi& api, ClientFactory clients)
      : rules_(rules), api_(api), clients_(std::move(clients)) {}

  // The product's documented limits (its rules): each call under its own API name.
  engine::CallLimit Limit(engine::CallKind kind) const override { return rules_.Limit(kind); }

  // The default slot is one UpdateListenerAttribute; an additional slot one Associate (its first
  // binding), two (associate the new, dissociate the recorded one) for a renewal, and one
  // Dissociate of the recorded certificate to switch it off.
  int Steps(const engine::BindingRequest& request) const override;
  // The write of `request.step` (a dry run when request.dry_run). A write the API refuses because
  // it is already true (ListenerApi::already_associated on an associate, not_associated on a
  // dissociate) is OK with no job: the read-back that follows decides. A default certificate is
  // never removed (an HTTPS listener always has one): switching a default slot off is refused.
  engine::Status SetBinding(const engine::BindingRequest& request,
                            engine::CallResult* result) override;
  engine::Status PollJob(const engine::BindingRequest& request, const std::string& job_id,
                         engine::JobStatus* job, engine::CallResult* result) override;
  // OK when the listener has what the step made true (Associated, or gone); Unavailable (retried)
  // while the API still reports it Associating or Dissociating; Failed naming what is there
  // otherwise. An associated certificate another party is dissociating is Failed ("being
  // dissociated by another party"). A dissociated certificate is gone only when no listed
  // additional certificate may still be it: neither the same CAS id under any region nor a
  // foreign id that begins with its digits.
  engine::Status ConfirmStep(const engine::BindingRequest& request,
                             engine::CallResult* result) override;
  // The listener's certificates: the default one (https, cert_id, cert_ref; a foreign default,
  // ListenerCertificate::Foreign, has cert_id 0 and its id in cert_ref) and the CAS ids of every
  // additional one (additional_ids; those Dissociating in additional_leaving too), whichever slot
  // `address` names. A foreign additional certificate is not reported: it fills no slot of
  // certform's and is no CAS upload prune could delete. A listener the API does not know
  // (ListenerApi::listener_not_found) is exists = false. One ListListenerCertificates call per
  // page (a listener rarely has more than one).
  engine::Status ReadBinding(const engine::Address& address, engine::LiveBinding* live,
                             engine::CallResult* result) override;
  // Every listener of the user that takes certificates, as the default slot's address, one call a
  // page: page 1 is DescribeRegions (sent to cn-hangzhou's endpoint, the references' example;
  // the answer's endpoints are ignored), then each region's ListListeners pages in turn. A page
  // that fails is asked again as it was: the place in the listing moves only on an answer.
  // Called from one thread at a time (the listing is serial).
  engine::Status ListDomainsPage(int page, std::vector<engine::Address>* domains, int64_t* total,
                                 engine::CallResult* result) override;

 private:
  // Every certificate of `listener_id` in `region`, page by page (at most MaxPages()).
  engine::Status ReadAll(const std::string& region, const std::string& listener_id,
                         std::vector<ListenerCertificate>* all, engine::CallResult* result);
  ListenerCertificates& Client(const std::string& region);

  const engine::ProductRules& rules_;
  const ListenerApi& api_;
  ClientFactory clients_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<ListenerCertificates>> by_region_;
  // Where ListDomainsPage is: the regions DescribeRegions answered, the one being listed, the
  // next page's token there and how many pages of it were listed.
  std::vector<std::string> list_regions_;
  size_t list_region_ = 0;
  std::string list_token_;
  int list_pages_ = 0;
};

}  // namespace certform::alicloud
