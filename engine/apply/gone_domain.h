// A domain gone from its product, as an apply learns it: a write refused as "not found", and a
// read confirming that the product no longer has the domain ("not found" may also be about a
// certificate). The state entry then keeps what certform last made true and records that the
// domain is gone (StateEntry::gone_at), so that the next plan, offline, shows it as gone.
#pragma once

#include <string>

#include "engine/base/clock.h"
#include "engine/calls/paced_call.h"
#include "engine/calls/pacing_registry.h"
#include "engine/calls/provider.h"
#include "engine/calls/retry_policy.h"
#include "engine/state/journal_record.h"
#include "engine/state/state.h"

namespace certform::engine {

// True when a read of `address` (paced in `read_lane`, with `hooks`) says its product no longer
// has the domain; false when the domain is there or the read failed.
bool ConfirmedGone(CallLane& read_lane, const RetryPolicy& retry, Clock& clock, Provider& provider,
                   const Address& address, const PacedCallHooks& hooks);

// The record that marks `prior` gone, learned at `now` (UTC) from the answer `request_id`.
JournalRecord GoneRecord(const StateEntry& prior, const std::string& now,
                         const std::string& request_id);

// The error of a change whose domain is gone from `product`: what it means first, then `error`
// (the API's words); `recorded` when the state now records it as gone.
std::string GoneError(const std::string& product, const std::string& error, bool recorded);

}  // namespace certform::engine
