// AlbProvider: engine::Provider for one Alibaba Cloud account's ALB listeners (AlbListeners, API
// version 2020-06-16). An ALB binding is a certificate slot of a listener (product_rules.h,
// SlotRules): its address is "alb:REGION/LISTENER/default" for the listener's default
// certificate, "alb:REGION/LISTENER/sni:KEY" for an additional (SNI) one that the configuration's
// certificate KEY fills (docs/design/load-balancers.md).
//
// Writes are asynchronous jobs (ProductRules::writes): every one is dry-run first (DryRun=true
// answers DryRunOperation when every check passes), one change at a time per listener, each
// polled with ListAsynJobs and confirmed by a read-back (ListListenerCertificates) before the
// next step or the record. A renewal of an additional certificate is two steps, associate the new
// one and then dissociate the one certform recorded for the slot, so the listener never lacks it;
// no other additional certificate is ever dissociated. Certificates are CAS ids with their region
// ("CASID-REGION"): an upload certificate needs upload_via = "cas".
//
// Limits (D: ALB's API quota page, "api-alb-2020-06-16-quota"): writes 200 per 60 s, reads and
// job polls 20/s, per region, API and user. certform paces per user across regions, and the
// three write calls in one lane (the harsher reading: one 200/60 s for them all).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "engine/calls/provider.h"
#include "providers/alicloud/alb_listeners.h"
#include "providers/alicloud/product_wiring.h"

namespace certform::alicloud {

class AlbProvider final : public engine::Provider {
 public:
  // Makes the ALB client of one region (alb.REGION.aliyuncs.com, or --endpoint).
  using ClientFactory = std::function<AlbListeners(const std::string& region)>;

  static const engine::ProductRules& Rules();
  static std::unique_ptr<engine::Provider> Make(const ProductWiring& wiring);

  explicit AlbProvider(ClientFactory clients) : clients_(std::move(clients)) {}

  // ALB's documented limits (Rules()): the writes at 200 per 60 s in one lane, reads and job
  // polls at 20/s, each under its own API name.
  engine::CallLimit Limit(engine::CallKind kind) const override { return Rules().Limit(kind); }

  // The default slot is one UpdateListenerAttribute; an additional slot one Associate (its first
  // binding), two (associate the new, dissociate the recorded one) for a renewal, and one
  // Dissociate of the recorded certificate to switch it off.
  int Steps(const engine::BindingRequest& request) const override;
  // The write of `request.step` (a dry run when request.dry_run). A write ALB refuses because it
  // is already true (ResourceAlreadyAssociated on an associate, ResourceNotAssociated on a
  // dissociate) is OK with no job: the read-back that follows decides. A default certificate is
  // never removed (an HTTPS listener always has one): switching a default slot off is refused.
  engine::Status SetBinding(const engine::BindingRequest& request,
                            engine::CallResult* result) override;
  engine::Status PollJob(const engine::BindingRequest& request, const std::string& job_id,
                         engine::JobStatus* job, engine::CallResult* result) override;
  // OK when the listener has what the step made true (Associated, or gone); Unavailable (retried)
  // while ALB still reports it Associating or Dissociating; Failed naming what is there otherwise.
  engine::Status ConfirmStep(const engine::BindingRequest& request,
                             engine::CallResult* result) override;
  // The listener's certificates: the default one (https, cert_id, cert_ref) and the CAS ids of
  // every additional one (additional_ids), whichever slot `address` names. A listener ALB does
  // not know (ResourceNotFound.Listener) is exists = false. One ListListenerCertificates call
  // per 100 certificates (a listener rarely has more than one page).
  engine::Status ReadBinding(const engine::Address& address, engine::LiveBinding* live,
                             engine::CallResult* result) override;

 private:
  // Every certificate of `listener_id` in `region`, page by page (at most kMaxPages).
  engine::Status ReadAll(const std::string& region, const std::string& listener_id,
                         std::vector<AlbCertificate>* all, engine::CallResult* result);
  AlbListeners& Client(const std::string& region);

  ClientFactory clients_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<AlbListeners>> by_region_;
};

}  // namespace certform::alicloud
