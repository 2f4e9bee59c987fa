// What drift and refresh read before they judge the state: each domain's live binding, and each
// upload the state recorded, read by id in Certificate Management Service (an upload deleted
// there behind certform's back is not trusted: engine/plan/upload_check.h).
#pragma once

#include <vector>

#include "cmd/certform/connection_options.h"
#include "cmd/certform/context.h"
#include "engine/calls/live_reader.h"
#include "engine/config/config.h"
#include "engine/plan/upload_check.h"
#include "engine/state/state.h"

namespace certform::cli {

struct LiveCheck {
  std::vector<engine::LiveRead> reads;       // in the order of the domains asked for
  std::vector<engine::UploadCheck> uploads;  // each upload of a configured upload_via = "cas"
                                             // account, in the order of state.uploads
};

// Reads the live bindings of `domains` and checks the uploads of `state` whose account the
// configuration has with upload_via = "cas", with one set of providers. A missing credential is
// an error before any call is made; a read that fails is in its LiveRead or UploadCheck.
engine::Status ReadLiveAndUploads(const engine::Config& config, const engine::State& state,
                                  const std::vector<engine::DomainRef>& domains,
                                  const ConnectionOptions& connection, Context& ctx,
                                  LiveCheck* out);

}  // namespace certform::cli
