// The plan per listener: for every listener (a slot product's location) whose certificates the
// plan changes, its default certificate's change and its additional (SNI) set's, each slot as
// added, replaced, removed, forgotten or kept, with its reasons, grouped by product. The account
// blocks above it (plan_view.h) group the same changes by certificate; this view answers "what
// will this listener serve after apply", which a reviewer of a load balancer asks.
#pragma once

#include <ostream>

#include "cmd/certform/style.h"
#include "engine/plan/plan.h"

namespace certform::cli {

// Prints nothing when no change of `plan` is a listener slot's (or none changes anything).
void PrintListeners(std::ostream& out, const engine::Plan& plan, const Style& style);

}  // namespace certform::cli
