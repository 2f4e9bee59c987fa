// What drift and refresh read before they judge the state (engine/plan/live_check.h), over the
// providers this builds.
#pragma once

#include <vector>

#include "cmd/certform/connection_options.h"
#include "cmd/certform/context.h"
#include "engine/calls/live_reader.h"
#include "engine/config/config.h"
#include "engine/plan/live_check.h"
#include "engine/state/state.h"

namespace certform::cli {

// Builds the providers engine::LiveCheckAccounts names and runs engine::ReadLiveAndUploads over
// them. A missing credential is an error before any call is made; a read that fails is in its
// LiveRead or UploadCheck.
engine::Status ReadLiveAndUploads(const engine::Config& config, const engine::State& state,
                                  const std::vector<engine::DomainRef>& domains,
                                  const ConnectionOptions& connection, Context& ctx,
                                  engine::LiveCheck* out);

}  // namespace certform::cli
