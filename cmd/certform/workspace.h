// The workspace a command works in (Terraform's "operation"): every command opens it the same way,
// in one order, and the next concern (a new backend, a check before any call) is added here once.
//
//   configuration (each *.toml read once, [state] included)
//     → state backend (from [state], or --state)
//       → lock (commands that write; plan only to recover a journal)
//         → journal recovered → state loaded
#pragma once

#include <memory>
#include <string>

#include "cmd/certform/command_line.h"
#include "cmd/certform/context.h"
#include "engine/base/diagnostics.h"
#include "engine/config/certificate_resolver.h"
#include "engine/config/config.h"
#include "engine/state/state.h"
#include "engine/state/state_backend.h"

namespace certform::cli {

// How much of the configuration a command needs.
enum class ConfigUse {
  kStateOnly,  // the [state] table only: other problems do not stop the command (state list)
  kLive,       // certificates fingerprinted from their PEM files, no key (drift, refresh, prune)
  kPlan,       // certificates checked, keys when present (plan)
  kApply,      // certificates checked, keys required (apply)
};

// What the command does with the state.
enum class StateAccess {
  kRead,   // no lock; a journal left by a crash is replayed in memory only
  kPlan,   // no lock, unless a journal must first be made part of the state (LoadStateForPlan)
  kWrite,  // the lock, held until the Workspace goes; a journal is made durable first
};

struct WorkspaceRequest {
  std::string command;  // "certform apply": names the lock's holder and the messages
  ConfigUse config = ConfigUse::kApply;
  StateAccess state = StateAccess::kRead;
  engine::Clock::Duration lock_timeout{};
};

// "" when every --target names a domain bound in the configuration or recorded in the state;
// otherwise the first unknown one, with the closest known domains (a typo must not plan "No
// changes." and exit 0).
std::string UnknownTarget(const std::vector<std::string>& targets, const engine::Config& config,
                          const engine::State& state);

class Workspace {
 public:
  // Where Open stopped.
  enum class Stage { kConfig, kBackend, kLock, kState, kOpen };

  // Opens the workspace for `request`, stopping at the first failure: the configuration's
  // problems are in diags() (warnings too; printed by the command, in its format), the others
  // in the returned Status, with failed_at() telling which step failed.
  engine::Status Open(const CommonOptions& common, const WorkspaceRequest& request, Context& ctx);

  Stage failed_at() const { return stage_; }
  engine::Config& config() { return config_; }
  engine::Diagnostics& diags() { return diags_; }
  engine::StateBackend& backend() { return *backend_; }
  bool has_backend() const { return backend_ != nullptr; }
  engine::StateBackendLock* lock() { return lock_.get(); }  // null without kWrite
  engine::State& state() { return state_; }
  int replayed() const { return replayed_; }  // journal records recovered

 private:
  Stage stage_ = Stage::kConfig;
  engine::Config config_;
  engine::Diagnostics diags_;
  std::unique_ptr<engine::StateBackend> backend_;
  std::unique_ptr<engine::StateBackendLock> lock_;  // after backend_: released before it goes
  engine::State state_;
  int replayed_ = 0;
};

// The configuration files of `config_dir` (engine::LoadConfig), with the [state] table's
// conn_str checked by libpq's own parser. Every command reads its configuration through this.
engine::Config LoadConfigFiles(const std::string& config_dir, Context& ctx,
                               engine::Diagnostics* diags);

// For commands that read the live CDN without needing private keys (drift, refresh, import,
// plan --refresh): the configuration with its certificates fingerprinted from their PEM files.
engine::Config LoadConfigForLive(const std::string& config_dir, Context& ctx,
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
// The local state file of `common`'s workspace: --state, else DIR/certform.state.json for the
// default workspace, DIR/certform.NAME.state.json for another (a name that is not a safe file name
// is refused, as is --state with another workspace).
engine::Status LocalStatePath(const CommonOptions& common, std::string* path);

engine::Status OpenStateBackend(const CommonOptions& common, Context& ctx,
                                std::unique_ptr<engine::StateBackend>* backend);
// The same, from the [state] settings of a configuration already read: commands that read the
// configuration anyway read each file once.
engine::Status OpenStateBackend(const CommonOptions& common, const engine::StateSettings& settings,
                                Context& ctx, std::unique_ptr<engine::StateBackend>* backend);

}  // namespace certform::cli
