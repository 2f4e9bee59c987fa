#include "providers/alicloud/emulator/rpc_service.h"

#include <algorithm>

#include "providers/alicloud/emulator/ram_policy.h"

namespace certform::emulator {

ApiResponse RpcService::Handle(const ServiceRequest& r) {
  const ApiRequest& http = r.http;
  FlowControl& flow = context_.flow;
  std::string user = "anonymous";
  AccountKey caller;  // who signed it (none when anonymous)
  const int64_t now = engine::ToUnixSeconds(context_.clock.Now());
  const bool anonymous = Anonymous(r);
  if (anonymous) {
    // Nothing to check but that the request is fresh.
  } else if (auto error = r.v3 ? context_.auth.CheckV3(http.method, http.target, http.headers,
                                                       http.body, now, &user, &caller)
                               : context_.auth.Check(http.method, r.params, now, &user, &caller)) {
    flow.CountRejected();
    const size_t echo = error->message.find("server string to sign");
    if (error->code == "SignatureDoesNotMatch" &&
        flow.SignatureErrorCode() == "IncompleteSignature" && echo != std::string::npos) {
      // The gateway answers a wrong secret with either code; the echo stays.
      error->code = "IncompleteSignature";
      error->message = "The request signature does not conform to Aliyun standards. " +
                       error->message.substr(echo);
    }
    return RenderError(*error, r.request_id, r.json);
  }
  if (Param(r.params, "Version") != Version()) {
    flow.CountRejected();
    return RenderError({400, "InvalidVersion", "Specified parameter Version is not valid."},
                       r.request_id, r.json);
  }
  if (!anonymous && RamDenies(context_.config, caller, r.action)) {  // ram_policy.h
    flow.CountRejected();
    return RenderError(RamDenialError(), r.request_id, r.json);
  }
  engine::Clock::Duration period = std::chrono::seconds(1);
  auto [window, limit] = WindowFor(r, &period);
  if (const auto it = context_.config.call_limits.find(r.action);
      it != context_.config.call_limits.end()) {
    window = "call_limits/" + r.action;  // EmulatorConfig::call_limits
    limit = it->second;
    period = std::chrono::milliseconds(context_.config.call_limit_period_ms);
  }
  engine::Clock::Duration wait{};
  if (!flow.Admit(user, window, limit, &wait, period)) {
    ApiResponse throttled =
        RenderError({400, "Throttling.User", "Request was denied due to user flow control."},
                    r.request_id, r.json);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wait).count();
    throttled.headers["x-acs-retry-after"] = std::to_string(std::max<int64_t>(1, ms));
    return throttled;
  }
  const int answered = flow.CountCall(r.action, user);
  if (!Param(r.params, "PrivateKey").empty() || !Param(r.params, "SSLPri").empty() ||
      !Param(r.params, "Key").empty()) {
    flow.CountKeyReceived();
  }
  ApiResponse response = DispatchFor(r, caller, user);
  if (flow.LoseAnswer(r.action, answered)) {
    response = ApiResponse();  // carried out; the answer never reaches the client
    response.drop = true;
  }
  return response;
}

}  // namespace certform::emulator
