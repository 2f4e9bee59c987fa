// What drift and refresh read before they judge the state: each domain's live binding, and each
// upload the state recorded, read by id in Certificate Management Service (an upload deleted
// there behind certform's back is not trusted: upload_check.h).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/random.h"
#include "engine/calls/live_reader.h"
#include "engine/calls/pacing_registry.h"
#include "engine/config/config.h"
#include "engine/plan/drift.h"
#include "engine/plan/upload_check.h"
#include "engine/state/state.h"

namespace certform::engine {

struct LiveCheck {
  std::vector<LiveRead> reads;       // in the order of the domains asked for
  std::vector<UploadCheck> uploads;  // each upload of a configured upload_via = "cas" account,
                                     // in the order of state.uploads
};

// The accounts whose providers reading `domains` and checking the uploads of `state` need: the
// domains' accounts, and each account of an upload that the configuration has with
// upload_via = "cas".
std::set<std::string> LiveCheckAccounts(const Config& config, const State& state,
                                        const std::vector<DomainRef>& domains);

// Reads the live bindings of `domains` (ReadLive) and checks the uploads of `state` (CheckUploads)
// through `runtimes`, paced in `pacing`. A read that fails is in its LiveRead or UploadCheck.
LiveCheck ReadLiveAndUploads(const State& state, const std::vector<DomainRef>& domains,
                             const std::map<std::string, AccountRuntime>& runtimes,
                             PacingRegistry& pacing, Clock& clock, RandomSource& random);

// What `drift` reports of `live`: how the live bindings differ from `state` (CompareLive, with
// the certificates expiring within `warning_days` of `now`), and the uploads CAS no longer holds
// as recorded or that could not be read (AddUploadDrift).
DriftReport CheckDrift(const State& state, const LiveCheck& live, int64_t now, int warning_days);

}  // namespace certform::engine
