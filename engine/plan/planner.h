// The planner: configuration + state → plan. A pure function of its inputs.
#pragma once

#include <string>
#include <vector>

#include "engine/config/config.h"
#include "engine/plan/plan.h"
#include "engine/state/state.h"

namespace certform::engine {

struct PlanOptions {
  // When non-empty, only these domains are planned (the others are left as they are); compared
  // after normalisation, as the configuration's domains are.
  std::vector<std::string> targets;
};

// Plans one action per domain of `config` and `state` (see Action), each with its reasons, ordered
// by account then domain. `config` must have been resolved (fingerprints known). The plan records
// the state's lineage and serial and the configuration digest; created_at is left to the caller.
Plan MakePlan(const Config& config, const State& state, const PlanOptions& options = {});

// The CertName of `name` for content with `fingerprint` where a name cannot be reused for new
// content (SetCdnDomainSSLCertificate): "NAME-" + 12 fingerprint digits.
std::string ContentName(const std::string& name, const std::string& fingerprint);

// The CAS Name of an upload certificate: its derived name ("certform-" + 16 fingerprint digits),
// or an explicit name plus 12 fingerprint digits (CAS Names are unique: one per content). The
// planner adds "-" + 8 chain digest digits when the state already has an upload under that name
// (the same leaf with another chain), and keeps whichever name the state records for the content.
std::string CasUploadName(const CertificateConfig& c);

// The state entry that binding `b` asks for (no applied_at or request_id).
StateEntry DesiredEntry(const Config& config, const DesiredBinding& b);

}  // namespace certform::engine
