// Loading what most commands start from: the configuration with its certificates checked.
#pragma once

#include "cmd/certform/command_line.h"
#include "cmd/certform/context.h"
#include "engine/base/diagnostics.h"
#include "engine/config/certificate_resolver.h"
#include "engine/config/config.h"
#include "engine/state/state.h"
#include "engine/state/state_backend.h"

namespace certform::cli {

// The configuration files of `config_dir` (engine::LoadConfig), with the [state] table's
// conn_str checked by libpq's own parser. Every command reads its configuration through this.
engine::Config LoadConfigFiles(const std::string& config_dir, Context& ctx,
                               engine::Diagnostics* diags);

// LoadConfigFiles + ResolveCertificates: every problem of both, sorted by file and line. Only
// apply needs the private keys (kRequired); plan and validate check those that are there.
engine::Config LoadCheckedConfig(const CommonOptions& common, Context& ctx,
                                 engine::Diagnostics* diags,
                                 engine::KeyPolicy keys = engine::KeyPolicy::kRequired);

// Loads the state and replays, in memory only, a journal left by an apply that crashed, so that
// read-only commands see every completed call. `replayed` counts the journal's records.
engine::Status LoadState(Context& ctx, engine::StateBackend& backend, engine::State* state,
                         int* replayed);

// For commands that write (the state lock must be held): loads the state, and when a journal
// was left by a crash, replays it, writes the result (backup, serial +1) and clears the journal.
// `on_disk` is what the state file holds afterwards.
engine::Status LoadStateForWrite(Context& ctx, engine::StateBackend& backend,
                                 engine::State* on_disk, int* replayed);

// For plan: like LoadState, except that a journal left by a crash is first made part of the state
// file, under the lock (LoadStateForWrite), so that the plan records the serial apply will find.
// Without a journal, plan takes no lock.
engine::Status LoadStateForPlan(Context& ctx, engine::StateBackend& backend,
                                engine::Clock::Duration lock_timeout, engine::State* state);

// Takes the state lock for `command` ("certform apply"), waiting up to `timeout`.
engine::Status LockState(Context& ctx, engine::StateBackend& backend, const std::string& command,
                         engine::Clock::Duration timeout,
                         std::unique_ptr<engine::StateBackendLock>* lock);

// The state backend the configuration chooses ([state] backend = "local" or "postgres"), or the
// local file --state names, reading the configuration's [state] table (for commands that read
// nothing else of it). Errors (a bad [state] table, --state with postgres, a database that
// cannot be reached) are printed by the caller.
engine::Status OpenStateBackend(const CommonOptions& common, Context& ctx,
                                std::unique_ptr<engine::StateBackend>* backend);
// The same, from the [state] settings of a configuration already read: commands that read the
// configuration anyway read each file once.
engine::Status OpenStateBackend(const CommonOptions& common, const engine::StateSettings& settings,
                                Context& ctx, std::unique_ptr<engine::StateBackend>* backend);

}  // namespace certform::cli
