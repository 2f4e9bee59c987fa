// A write checked against the live binding (WriteCall::read_first): each attempt of the write is
// preceded by a read of the binding (Provider::ReadBinding), paced and retried in the read call's
// own lane, and the provider decides from that read alone (Provider::Decide) whether to send. A
// write decided without a call takes no slot in the write's lane and reports the read's answer;
// one that is sent is given the read (BindingRequest::live_now). A retry reads again, since a
// lost answer may have been a write that went through.
//
// When the product refuses a write guarded by previous_cert_id, the binding is read once more and
// Decide is asked again: if it fails the write (the domain no longer has that certificate), the
// refusal is kept in those words, naming what is there now. Otherwise the refusal stands: a write
// the product refused is never recorded as done, and nothing is sent again.
#pragma once

#include "engine/base/clock.h"
#include "engine/calls/paced_call.h"
#include "engine/calls/pacing_registry.h"
#include "engine/calls/provider.h"
#include "engine/calls/retry_policy.h"
#include "engine/product/product_rules.h"

namespace certform::engine {

// Sends `request` through `provider`'s write call in `write_lane`, each attempt after a read in
// `read_lane`, both with `hooks` (whose `prepare` this sets). `read_first` is the write call's
// rule, already found to apply to `request` (ReadFirst::Needed).
PacedCallResult CheckedWrite(CallLane& write_lane, CallLane& read_lane, const RetryPolicy& retry,
                             Clock& clock, Provider& provider, const BindingRequest& request,
                             const ReadFirst& read_first, const PacedCallHooks& hooks);

}  // namespace certform::engine
