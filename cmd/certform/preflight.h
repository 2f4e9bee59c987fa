// The checks of `certform check`, account by account: the credentials resolve (and, for a role,
// are issued), the identity they are (STS GetCallerIdentity), and each permission the account's
// configuration needs (engine/calls/preflight.h: one harmless read per product, and what prune
// needs). Every call is paced in its lane of one PacingRegistry; nothing is written.
#pragma once

#include <vector>

#include "cmd/certform/connection_options.h"
#include "cmd/certform/context.h"
#include "engine/calls/preflight.h"
#include "engine/config/config.h"

namespace certform::cli {

struct PreflightRequest {
  ConnectionOptions connection;
  bool with_prune = false;  // also what prune needs ([prune] in the configuration, or --prune)
};

// The lines of every account of `config`, in the accounts' order. An account whose credentials
// cannot be had gets that line failed and the others skipped; the next account is checked all
// the same. Fails (no lines) only when the connection options cannot be used.
engine::Status RunPreflight(const engine::Config& config, const PreflightRequest& request,
                            Context& ctx, std::vector<engine::PreflightCheck>* lines);

}  // namespace certform::cli
