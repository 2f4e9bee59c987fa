// The gateway's pipeline every RPC product shares (CDN, DCDN, CAS, STS, a test's toy product):
// signature and freshness (V1 or V3), the product's API Version, the per-user flow-control
// window of the action, the call counters and lost answers; then the product's own Dispatch.
#pragma once

#include <string>
#include <utility>

#include "providers/alicloud/emulator/service_handler.h"

namespace certform::emulator {

class RpcService : public ServiceHandler {
 public:
  bool Accepts(const ServiceRequest& request) const override { return Serves(request.action); }
  ApiResponse Handle(const ServiceRequest& request) final;

 protected:
  explicit RpcService(ServiceContext context) : context_(context) {}

  // The actions this product answers.
  virtual bool Serves(const std::string& action) const = 0;
  // The API Version its calls must name (each product answers on its own endpoint; the emulator
  // serves all on one and tells them apart by action and version).
  virtual std::string Version() const = 0;
  // The flow-control window of `action` and its limit per user per sliding second.
  virtual std::pair<std::string, int> Window(const std::string& action) const = 0;
  // The same for a product whose windows depend on more than the action (ALB's are per region,
  // which its endpoint names), over `*period` (a second unless set). Default: Window(action).
  virtual std::pair<std::string, int> WindowFor(const ServiceRequest& request,
                                                engine::Clock::Duration* period) const {
    (void)period;
    return Window(request.action);
  }
  // A call that needs no signature (its proof is elsewhere, e.g. STS's OIDC token).
  virtual bool Anonymous(const ServiceRequest& request) const {
    (void)request;
    return false;
  }
  // The action itself, for the authenticated `user`, after every check passed.
  virtual ApiResponse Dispatch(const std::string& action, const Params& params,
                               const std::string& user, const std::string& request_id,
                               bool json) = 0;
  // The same, for a product that answers by who signed the request (STS GetCallerIdentity):
  // `caller` is the signing key (empty when anonymous). Default: Dispatch.
  virtual ApiResponse DispatchFor(const ServiceRequest& request, const AccountKey& caller,
                                  const std::string& user) {
    (void)caller;
    return Dispatch(request.action, request.params, user, request.request_id, request.json);
  }

  ServiceContext context_;
};

}  // namespace certform::emulator
