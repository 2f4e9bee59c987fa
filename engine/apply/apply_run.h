// One `certform apply` run below the command: which accounts need providers, the plan carried out
// with every completed call journaled through the state backend, the state reached written at the
// end, and whether the run is complete. The command parses options, opens the workspace, builds
// the providers and renders.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "engine/apply/applier.h"
#include "engine/apply/apply_observer.h"
#include "engine/base/clock.h"
#include "engine/base/random.h"
#include "engine/base/status.h"
#include "engine/calls/pacing_registry.h"
#include "engine/plan/plan.h"
#include "engine/state/state.h"
#include "engine/state/state_backend.h"

namespace certform::engine {

// The accounts whose providers (and credentials) applying `plan` needs: those of its changes
// that make a call (CallsProvider; a forget needs none).
std::set<std::string> AccountsToCall(const Plan& plan);

// What an apply run needs besides the plan, the state, the providers and the backend (ApplyEnv
// without the recorder, which the run makes on the backend).
struct ApplyRun {
  Clock& clock;
  RandomSource& random;
  CertificateMaterial& material;
  ApplyObserver& observer;
  const std::atomic<bool>& stop;       // set (e.g. by SIGINT): dispatch nothing more
  std::function<Status()> fence = {};  // before every call: is the state lock still ours?
  PacingRegistry* pacing = nullptr;
};

// Carries out `plan` from `state` (the state `backend` holds now) through `runtimes` (Apply),
// journaling each completed call in `backend` (StateRecorder), then writes the state reached
// (StateRecorder::Finish) into the result's state. A write that fails is an error of the
// result's diagnostics, naming `backend`: its journal keeps every completed call.
ApplyResult ApplyAndRecord(const Plan& plan, const State& state,
                           const std::map<std::string, AccountRuntime>& runtimes,
                           StateBackend& backend, const ApplyRun& run, const ApplyOptions& options);

// True when every change of the run was applied: none failed or was skipped, no error, not
// interrupted.
bool ApplyComplete(const ApplyResult& result);

}  // namespace certform::engine
