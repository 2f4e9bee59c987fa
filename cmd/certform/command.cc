#include "cmd/certform/command.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "engine/base/suggest.h"
#include "engine/config/binding_address.h"

namespace certform::cli {

namespace {

int RunHelp(const Args& args, Context& ctx);

void PrintUsage(std::ostream& out) {
  fmt::print(out,
             "Usage: certform [-chdir=DIR] COMMAND [options]\n\n"
             "certform keeps the TLS certificates of Alibaba Cloud domains ({}) as the TOML\n"
             "files of a configuration directory say, with Terraform's plan/apply discipline.\n\n"
             "Commands:\n",
             engine::ProductTitles());
  for (const Command& c : Commands()) {
    if (!c.hidden) fmt::print(out, "  {:<10} {}\n", c.name, c.summary);
  }
  fmt::print(out,
             "\nGlobal option: -chdir=DIR runs the command in DIR (as Terraform's -chdir).\n"
             "Run \"certform COMMAND --help\" for a command's options.\n"
             "Exit codes: 0 success, 1 error, 2 changes (plan) or drift (drift) with\n"
             "--detailed-exitcode; verify: 2 when a domain serves another certificate.\n");
}

int RunHelp(const Args& args, Context& ctx) {
  if (args.empty()) {
    PrintUsage(ctx.out);
    return kExitOk;
  }
  Args forward = {args.begin() + 1, args.end()};
  forward.push_back("--help");
  forward.insert(forward.begin(), args[0]);
  return Run(forward, ctx);
}

}  // namespace

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"init", "Nothing to initialise: says so (certform downloads nothing)", RunInit},
      {"validate", "Check the configuration and its certificates (offline)", RunValidate},
      {"check", "Check each account's credentials, identity and permissions (read-only)", RunCheck},
      {"plan", "Show the changes that apply would make", RunPlan},
      {"apply", "Make the live bindings match the configuration (or a saved plan)", RunApply},
      {"show", "Show a saved plan (human, JSON, or Markdown for a review)", RunShow},
      {"drift", "Check whether the live bindings still match the state (read-only)", RunDrift},
      {"verify", "Check with a TLS handshake that each domain serves its certificate", RunVerify},
      {"refresh", "Update the state to match the live bindings", RunRefresh},
      {"import", "Adopt existing live bindings into the state", RunImport},
      {"state", "Inspect or edit the state: list, show, rm, push, pull, unlock", RunState},
      {"prune", "Delete certificates certform uploaded to CAS that nothing uses", RunPrune},
      {"fmt", "Rewrite the configuration files in the canonical layout (--check for CI)", RunFmt},
      {"version", "Print certform's version", RunVersion},
      {"completion", "Print a shell completion script (bash or zsh)", RunCompletion},
      {"help", "Show help for certform or for a command", RunHelp},
      {"__complete", "Print completion candidates (used by the completion scripts)", RunComplete,
       true},
      {"__manpages", "Write the man pages into a directory (used by the build)", RunManPages, true},
  };
  return kCommands;
}

std::vector<DescribedCommand> DescribeCommands(Context& ctx) {
  std::vector<DescribedCommand> out;
  CommandDoc* saved = ctx.describe;
  for (const Command& c : Commands()) {
    if (c.hidden) continue;
    if (std::string(c.name) == "help") {
      out.push_back({c.name,
                     c.summary,
                     {"help [COMMAND]",
                      "Shows help for certform or for a "
                      "command (the same as COMMAND --help).",
                      {},
                      "COMMAND"}});
      continue;
    }
    if (std::string(c.name) == "state") {
      for (const Command& sub : StateSubcommands()) {
        DescribedCommand d{std::string("state ") + sub.name, sub.summary, {}};
        ctx.describe = &d.doc;
        c.run({sub.name}, ctx);
        out.push_back(std::move(d));
      }
      continue;
    }
    DescribedCommand d{c.name, c.summary, {}};
    ctx.describe = &d.doc;
    c.run({}, ctx);
    out.push_back(std::move(d));
  }
  ctx.describe = saved;
  return out;
}

int Run(const Args& given, Context& ctx) {
  // Terraform's global -chdir=DIR (also --chdir=DIR, --chdir DIR): run in DIR, before the command.
  Args args = given;
  while (!args.empty() && (args[0].starts_with("-chdir") || args[0].starts_with("--chdir"))) {
    std::string dir;
    const size_t eq = args[0].find('=');
    if (eq != std::string::npos) {
      dir = args[0].substr(eq + 1);
      args.erase(args.begin());
    } else if ((args[0] == "-chdir" || args[0] == "--chdir") && args.size() > 1) {
      dir = args[1];
      args.erase(args.begin(), args.begin() + 2);
    } else {
      fmt::print(ctx.err, "certform: unknown option \"{}\" (did you mean \"-chdir=DIR\"?)\n",
                 args[0]);
      return kExitError;
    }
    if (dir.empty() || ::chdir(dir.c_str()) != 0) {
      fmt::print(ctx.err, "certform: -chdir: cannot change to directory \"{}\": {}\n", dir,
                 dir.empty() ? "no directory given" : std::strerror(errno));
      return kExitError;
    }
  }
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "-help") {
    PrintUsage(args.empty() ? ctx.err : ctx.out);
    return args.empty() ? kExitError : kExitOk;
  }
  if (args[0] == "--version" || args[0] == "-version") return RunVersion({}, ctx);
  const std::string& name = args[0];
  std::vector<std::string> names;
  for (const Command& c : Commands()) {
    if (name == c.name) return c.run(Args(args.begin() + 1, args.end()), ctx);
    if (!c.hidden) names.push_back(c.name);
  }
  std::string hint = engine::Suggest(name, names);
  fmt::print(ctx.err,
             "certform: unknown command \"{}\"{}\nRun \"certform --help\" for the "
             "list of commands.\n",
             name, hint.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", hint));
  return kExitError;
}

}  // namespace certform::cli
