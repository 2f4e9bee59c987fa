#include "engine/calls/checked_write.h"

#include "engine/config/certificate.h"

namespace certform::engine {

PacedCallResult CheckedWrite(CallLane& write_lane, CallLane& read_lane, const RetryPolicy& retry,
                             Clock& clock, Provider& provider, const BindingRequest& request,
                             const ReadFirst& read_first, const PacedCallHooks& hooks) {
  LiveBinding live;
  bool read_failed = false;  // the last read failed: the write was not sent after it
  BindingRequest checked = request;
  checked.live_now = &live;
  auto read = [&] {
    live = LiveBinding{};  // nothing of an earlier read may reach Decide
    PacedCallResult r = PacedCall(
        read_lane, retry, clock,
        [&](CallResult* last) { return provider.ReadBinding(request.address, &live, last); },
        hooks);
    read_failed = !r.status.ok();
    return r;
  };
  PacedCallHooks read_then_write = hooks;
  read_then_write.prepare = [&] {
    PacedCallResult r = read();
    if (!r.status.ok()) return r;
    if (WriteDecision d = provider.Decide(checked, live); !d.send) {
      // Nothing to send: the outcome is decided from this read, and recorded as a sent write's
      // would be, so only while this run still holds the state lock.
      if (hooks.fence) {
        if (Status fenced = hooks.fence(); !fenced.ok()) {
          r.status = fenced;
          r.stopped = true;
          return r;
        }
      }
      r.decided = true;
      r.status = d.answer;
    }
    return r;
  };
  PacedCallResult r = PacedCall(
      write_lane, retry, clock,
      [&](CallResult* last) { return provider.SetBinding(checked, last); }, read_then_write);
  const bool guard_refused = !r.status.ok() && !read_failed && !r.decided && !r.stopped &&
                             r.last.http_status != 0 && read_first.when_previous_cert &&
                             request.previous_cert_id != 0 && !r.status.IsRetryable() &&
                             !r.status.IsAccountWide();
  if (guard_refused && read().status.ok()) {
    if (WriteDecision d = provider.Decide(checked, live);
        !d.send && !d.answer.ok() && !d.answer.IsNotFound()) {
      r.status = d.answer;  // the refusal's answer, in the words of what is there now
      r.last.error_message = d.answer.message();
    }
  }
  WipeSecret(&checked.key_pem);
  return r;
}

}  // namespace certform::engine
