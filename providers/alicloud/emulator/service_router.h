// The emulator's front door: every API request arrives here, is given its request id and its
// injected faults (FlowControl), is decoded once, and goes to the first handler that accepts it.
// An RPC action no handler accepts goes to the fallback (the CDN, whose endpoint answers unknown
// actions with InvalidApi.NotFound).
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "providers/alicloud/emulator/service_handler.h"

namespace certform::emulator {

class ServiceRouter {
 public:
  explicit ServiceRouter(FlowControl& flow) : flow_(flow) {}

  // Adds a handler, asked after those added before it; returns it. Safe while serving.
  ServiceHandler& Add(std::unique_ptr<ServiceHandler> handler);
  void SetFallback(ServiceHandler* fallback);

  // The returned latency is how long the server should wait before answering.
  ApiResponse Handle(const ApiRequest& request, engine::Clock::Duration* latency);
  void Reset();                                // every handler, in order
  void AddState(nlohmann::json* state) const;  // every handler's state

 private:
  std::vector<ServiceHandler*> Handlers() const;  // a snapshot: handlers are never removed

  FlowControl& flow_;
  mutable std::mutex mu_;  // guards the list only, never held while a handler runs
  std::vector<std::unique_ptr<ServiceHandler>> handlers_;
  ServiceHandler* fallback_ = nullptr;
};

}  // namespace certform::emulator
