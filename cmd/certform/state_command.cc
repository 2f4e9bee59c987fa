// certform state list | show DOMAIN | rm DOMAIN... | unlock [LOCK_ID] (push, pull:
// state_migrate.cc)
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>

#include "cmd/certform/command.h"
#include "cmd/certform/command_line.h"
#include "cmd/certform/workspace.h"
#include "engine/base/suggest.h"
#include "engine/base/text_escape.h"
#include "engine/state/state_backend.h"
#include "engine/state/state_file.h"
#include "state/local/file_lock.h"

namespace certform::cli {

// Domains, state values, lock holders and error messages come from the state backend (a file or
// rows anyone with access can write): printed through ForTerminal, never raw.
using engine::ForTerminal;

namespace {

// Opens the workspace for `access` to the state (only [state] of the configuration matters);
// prints the problem.
int OpenOrReport(const CommonOptions& common, const std::string& command, StateAccess access,
                 engine::Clock::Duration lock_timeout, Workspace* ws, Context& ctx) {
  engine::Status s = ws->Open(common, {command, ConfigUse::kStateOnly, access, lock_timeout}, ctx);
  if (!s.ok()) {
    fmt::print(ctx.err, "{}: {}\n", command, ForTerminal(s.message()));
    return kExitError;
  }
  return kExitOk;
}

int List(const Args& args, Context& ctx) {
  CommonOptions common;
  CommandLine cl("state list [options]", "Lists the domains in the state, sorted.");
  cl.AddCommonOptions(&common);
  if (auto exit = cl.Parse(args, ctx)) return *exit;
  Workspace ws;
  if (int rc = OpenOrReport(common, "certform state list", StateAccess::kRead, {}, &ws, ctx)) {
    return rc;
  }
  const engine::State& state = ws.state();
  if (common.json) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& [domain, e] : state.entries) list.push_back(domain);
    fmt::print(ctx.out, "{}\n", list.dump());
    return kExitOk;
  }
  for (const auto& [domain, e] : state.entries) fmt::print(ctx.out, "{}\n", ForTerminal(domain));
  return kExitOk;
}

int Show(const Args& args, Context& ctx) {
  CommonOptions common;
  std::vector<std::string> domains;
  CommandLine cl("state show DOMAIN [options]", "Shows what the state records for one domain.");
  cl.AddCommonOptions(&common);
  cl.AddPositional("domain", 1, &domains);
  cl.NormalizeDomains(&domains);
  if (auto exit = cl.Parse(args, ctx)) return *exit;
  if (domains.empty()) {
    fmt::print(ctx.err, "certform state show: which domain? Usage: certform state show DOMAIN\n");
    return kExitError;
  }
  Workspace ws;
  if (int rc = OpenOrReport(common, "certform state show", StateAccess::kRead, {}, &ws, ctx)) {
    return rc;
  }
  const engine::State& state = ws.state();
  engine::StateBackend* backend = &ws.backend();
  const engine::StateEntry* e = state.Find(domains[0]);
  if (e == nullptr) {
    fmt::print(ctx.err, "certform state show: \"{}\" is not in the state ({})\n",
               ForTerminal(domains[0]), ForTerminal(backend->Describe()));
    return kExitError;
  }
  nlohmann::ordered_json j = engine::EntryToJson(*e);
  if (common.json) {
    j["domain"] = e->address.Key();
    fmt::print(ctx.out, "{}\n", j.dump(2));
    return kExitOk;
  }
  fmt::print(ctx.out, "# {}\n", ForTerminal(e->address.Key()));
  for (const auto& [key, value] : j.items()) {
    // dump() escapes control characters but leaves bidi controls as UTF-8.
    fmt::print(ctx.out, "{:<12} = {}\n", ForTerminal(key), ForTerminal(value.dump()));
  }
  return kExitOk;
}

int Remove(const Args& args, Context& ctx) {
  CommonOptions common;
  std::vector<std::string> domains;
  bool dry_run = false;
  engine::Clock::Duration lock_timeout{};
  CommandLine cl("state rm DOMAIN... [options]",
                 "Forgets domains without touching them live: certform stops managing them and\n"
                 "the next plan will offer to bind them again if the configuration still names\n"
                 "them. The previous state is kept as the .backup file.");
  cl.AddCommonOptions(&common);
  cl.AddLockTimeout(&lock_timeout);
  cl.options().add_options()("dry-run", po::bool_switch(&dry_run),
                             "Show what would be removed, change nothing");
  cl.AddPositional("domain", -1, &domains);
  cl.NormalizeDomains(&domains);
  if (auto exit = cl.Parse(args, ctx)) return *exit;
  if (domains.empty()) {
    fmt::print(ctx.err, "certform state rm: which domains? Usage: certform state rm DOMAIN...\n");
    return kExitError;
  }
  Workspace ws;
  if (int rc = OpenOrReport(common, "certform state rm",
                            dry_run ? StateAccess::kRead : StateAccess::kWrite, lock_timeout, &ws,
                            ctx)) {
    return rc;
  }
  engine::StateBackend* backend = &ws.backend();
  const engine::State& prior = ws.state();
  engine::State next = prior;
  for (const std::string& d : domains) {
    if (next.entries.erase(d) == 0) {
      fmt::print(ctx.err, "certform state rm: \"{}\" is not in the state; nothing was removed\n",
                 ForTerminal(d));
      return kExitError;
    }
  }
  if (dry_run) {
    for (const std::string& d : domains) fmt::print(ctx.out, "Would remove {}\n", ForTerminal(d));
    return kExitOk;
  }
  engine::Status s = backend->Write(prior, &next, ctx.random);
  if (!s.ok()) {
    fmt::print(ctx.err, "certform state rm: {}\n", ForTerminal(s.message()));
    return kExitError;
  }
  for (const std::string& d : domains) fmt::print(ctx.out, "Removed {}\n", ForTerminal(d));
  fmt::print(ctx.out, "State serial {} → {}; the previous state is in {}\n", prior.serial,
             next.serial, backend->BackupDescription());
  return kExitOk;
}

// certform state unlock [LOCK_ID]: shows who holds the state lock; with its id, releases it
// (Terraform's force-unlock).
int Unlock(const Args& args, Context& ctx) {
  CommonOptions common;
  std::vector<std::string> ids;
  CommandLine cl(
      "state unlock [LOCK_ID] [options]",
      "Without LOCK_ID, shows who holds the state lock and its id. With LOCK_ID, releases\n"
      "that lock whoever holds it (Terraform's force-unlock), for a holder that is gone for\n"
      "good. The holder, should it still run, loses the lock at its next renewal and sends\n"
      "nothing more. A shared (PostgreSQL) lock also runs out by itself one lease\n"
      "([state] lock_lease, default 60s) after its holder stopped renewing it. A local lock\n"
      "(flock) goes with its holder's process and cannot be forced.");
  cl.AddCommonOptions(&common);
  cl.AddPositional("lock-id", 1, &ids);
  if (auto exit = cl.Parse(args, ctx)) return *exit;
  // The backend only: unlocking must work whatever the state holds.
  std::unique_ptr<engine::StateBackend> backend;
  engine::Status s = OpenStateBackend(common, ctx, &backend);
  std::string holder;
  if (s.ok() && ids.empty()) s = backend->DescribeLock(&holder);
  if (!s.ok()) {
    fmt::print(ctx.err, "certform state unlock: {}\n", ForTerminal(s.message()));
    return kExitError;
  }
  if (ids.empty()) {
    if (holder.empty()) {
      fmt::print(ctx.out, "The state in {} is not locked.\n", backend->Describe());
      return kExitOk;
    }
    fmt::print(ctx.out,
               "The state in {} is locked by {}.\nTo release it: certform state unlock "
               "LOCK_ID\n",
               ForTerminal(backend->Describe()), ForTerminal(holder));
    return kExitError;
  }
  s = backend->ForceUnlock(ids[0], &holder);
  if (!s.ok()) {
    fmt::print(ctx.err, "certform state unlock: {}\n", ForTerminal(s.message()));
    return kExitError;
  }
  fmt::print(ctx.out, "Released the state lock of {}, held by {}.\n",
             ForTerminal(backend->Describe()), ForTerminal(holder));
  return kExitOk;
}

}  // namespace

const std::vector<Command>& StateSubcommands() {
  // One row per subcommand: dispatch, `state --help`, `certform --help`, completion and the man
  // pages all read this table.
  static const std::vector<Command> kSub = {
      {"list", "List the domains in the state", List, false, ""},
      {"show", "Show one domain's entry", Show, false, "DOMAIN"},
      {"rm", "Forget domains (nothing live is touched)", Remove, false, "DOMAIN..."},
      {"push", "Copy the local state file into the PostgreSQL workspace", StatePush},
      {"pull", "Copy the PostgreSQL workspace's state into the local file", StatePull},
      {"unlock", "Show who holds the state lock; release it by its id", Unlock, false, "[ID]"}};
  return kSub;
}

int RunState(const Args& args, Context& ctx) {
  std::vector<std::string> names;
  for (const Command& c : StateSubcommands()) names.push_back(c.name);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::string usage = "Usage: certform state SUBCOMMAND [options]\n\n";
    for (const Command& c : StateSubcommands()) {
      usage += fmt::format("  {:<13} {}\n", fmt::format("{} {}", c.name, c.operands), c.summary);
    }
    fmt::print(args.empty() ? ctx.err : ctx.out, "{}", usage);
    return args.empty() ? kExitError : kExitOk;
  }
  const Args rest(args.begin() + 1, args.end());
  for (const Command& c : StateSubcommands()) {
    if (args[0] == c.name) return c.run(rest, ctx);
  }
  std::string hint = engine::Suggest(args[0], names);
  fmt::print(ctx.err, "certform state: unknown subcommand \"{}\"{}\n", args[0],
             hint.empty() ? fmt::format(" (use {})", fmt::join(names, ", "))
                          : fmt::format(" (did you mean \"{}\"?)", hint));
  return kExitError;
}

}  // namespace certform::cli
