// certform state push / state pull: moves a state between the local file and the PostgreSQL
// workspace the configuration names ([state] backend = "postgres"), refusing to overwrite a
// state of another lineage (or a newer one) unless --force. A copy keeps its source's serial, so
// that a pulled state pushed back (unchanged or edited) is not behind; an equal one is not
// written.
#include <algorithm>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cmd/certform/command.h"
#include "cmd/certform/command_line.h"
#include "cmd/certform/workspace.h"
#include "state/local/local_state_backend.h"

namespace certform::cli {

namespace {

// Copies `from`'s state into `to` under `to`'s lock.
int Copy(engine::StateBackend& from, engine::StateBackend& to, bool force,
         engine::Clock::Duration lock_timeout, const std::string& command, Context& ctx) {
  auto fail = [&](const std::string& msg) {
    fmt::print(ctx.err, "certform {}: {}\n", command, msg);
    return kExitError;
  };
  std::unique_ptr<engine::StateBackendLock> lock;
  engine::Status s = LockState(ctx, to, "certform " + command, lock_timeout, &lock);
  engine::State source, target;
  int replayed = 0;
  if (s.ok()) s = LoadState(ctx, from, &source, &replayed);
  if (s.ok()) s = LoadStateForWrite(ctx, to, &target, &replayed);
  if (!s.ok()) return fail(s.message());
  if (source.lineage.empty()) return fail(from.Describe() + " holds no state: nothing to copy");
  const bool same_lineage = target.lineage == source.lineage;
  if (!target.lineage.empty() && !same_lineage && !force) {
    return fail(fmt::format(
        "{} holds a state of another lineage ({}, serial {}) than {} ({}); refusing to overwrite "
        "it (--force does)",
        to.Describe(), target.lineage, target.serial, from.Describe(), source.lineage));
  }
  // Terraform's rule: the same lineage and a serial not behind. A copy that is behind lost
  // whatever was written there since it was taken (another runner's apply): refused.
  if (same_lineage && target.serial > source.serial && !force) {
    return fail(
        fmt::format("{} is newer (serial {}) than {} (serial {}); refusing to go back "
                    "(--force does)",
                    to.Describe(), target.serial, from.Describe(), source.serial));
  }
  const bool same_content = target.entries == source.entries && target.uploads == source.uploads;
  // The same serial with other content: the two diverged from one state (a pulled copy changed
  // while the workspace was applied to); which is right cannot be told, so neither is chosen.
  if (same_lineage && target.serial == source.serial && !same_content && !force) {
    return fail(fmt::format(
        "{} and {} both are at serial {} but hold different states: they diverged from one "
        "state (a copy changed while the other was written to); refusing to choose (pull again "
        "and redo the change, or --force)",
        to.Describe(), from.Describe(), source.serial));
  }
  if (same_lineage && same_content && target.serial >= source.serial) {
    fmt::print(ctx.out, "{} already holds this state (lineage {}, serial {}): nothing to write.\n",
               to.Describe(), target.lineage, target.serial);
    return kExitOk;
  }
  engine::State written = target;
  if (written.lineage.empty()) written.lineage = source.lineage;  // a new target keeps it
  written.entries = source.entries;
  written.uploads = source.uploads;
  // The copy keeps the source's serial (a pulled file is the workspace's state, serial
  // included, so that pushing it back is not "behind"), or goes one past the target's.
  written.serial = std::max(source.serial, target.serial + 1);
  s = to.Write(target, &written, ctx.random);
  if (!s.ok()) return fail(s.message());
  fmt::print(ctx.out, "Copied {} domain{} from {} to {} (lineage {}, serial {}).\n",
             written.entries.size(), written.entries.size() == 1 ? "" : "s", from.Describe(),
             to.Describe(), written.lineage, written.serial);
  return kExitOk;
}

int Migrate(const Args& args, Context& ctx, bool push) {
  CommonOptions common;
  engine::Clock::Duration lock_timeout{};
  bool force = false;
  const std::string command = push ? "state push" : "state pull";
  CommandLine cl(
      command + " [options]",
      push ? "Copies the local state file (--state, or the configuration directory's\n"
             "certform.state.json) into the PostgreSQL workspace of [state]. Refuses a workspace\n"
             "that holds another lineage, or a newer serial, unless --force; writes nothing when\n"
             "the workspace already holds that state. A file made by \"state pull\" keeps the\n"
             "workspace's serial: pushed back, edited or not, it is accepted while nobody wrote\n"
             "the workspace since."
           : "Copies the state of the PostgreSQL workspace of [state] into the local state file\n"
             "(--state, or the configuration directory's certform.state.json), lineage and serial\n"
             "included. Refuses a file that holds another lineage, or a newer serial, unless\n"
             "--force; writes nothing when the file already holds that state.");
  cl.AddCommonOptions(&common);
  cl.AddLockTimeout(&lock_timeout);
  cl.options().add_options()("force", po::bool_switch(&force),
                             "Overwrite a state of another lineage or a newer serial");
  if (auto exit = cl.Parse(args, ctx)) return *exit;
  engine::LocalStateBackend local(ctx.fs, common.StatePath());
  CommonOptions remote_options = common;
  remote_options.state_path.clear();
  std::unique_ptr<engine::StateBackend> remote;
  engine::Status s = OpenStateBackend(remote_options, ctx, &remote);
  if (s.ok() && !remote->Shared()) {
    s = engine::Status::InvalidArgument(
        "the configuration keeps the state in local files; set [state] backend = \"postgres\" "
        "to push to or pull from a workspace");
  }
  if (!s.ok()) {
    fmt::print(ctx.err, "certform {}: {}\n", command, s.message());
    return kExitError;
  }
  return push ? Copy(local, *remote, force, lock_timeout, command, ctx)
              : Copy(*remote, local, force, lock_timeout, command, ctx);
}

}  // namespace

int StatePush(const Args& args, Context& ctx) { return Migrate(args, ctx, true); }
int StatePull(const Args& args, Context& ctx) { return Migrate(args, ctx, false); }

}  // namespace certform::cli
