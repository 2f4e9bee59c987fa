// The command table (ninja's subtools): one entry per subcommand, dispatched by name with a
// "did you mean" for typos.
#pragma once

#include <string>
#include <vector>

#include "cmd/certform/context.h"

namespace certform::cli {

using Args = std::vector<std::string>;

struct Command {
  const char* name;
  const char* summary;  // one line for `certform --help`
  int (*run)(const Args& args, Context& ctx);
  bool hidden = false;        // for tools (man pages, completion), not listed
  const char* operands = "";  // for a subcommand's usage line, e.g. "DOMAIN..."
};

// A command (or a state subcommand, "state rm") as it describes itself.
struct DescribedCommand {
  std::string name;
  std::string summary;
  CommandDoc doc;
};

// Every listed command and state subcommand, in the order of `certform --help`, each described by
// its own CommandLine (the text --help prints).
std::vector<DescribedCommand> DescribeCommands(Context& ctx);

// The state subcommands, rows of a table like Commands().
const std::vector<Command>& StateSubcommands();

// Every command, in the order `certform --help` lists them.
const std::vector<Command>& Commands();

// Runs certform with argv[1..] (global flags, a command and its arguments); returns the exit code.
int Run(const Args& args, Context& ctx);

// The commands' entry points, one file each.
int RunValidate(const Args& args, Context& ctx);
int RunCheck(const Args& args, Context& ctx);  // check_command.cc
int RunPlan(const Args& args, Context& ctx);
int RunApply(const Args& args, Context& ctx);
int RunDrift(const Args& args, Context& ctx);
int RunVerify(const Args& args, Context& ctx);
int RunRefresh(const Args& args, Context& ctx);
int RunImport(const Args& args, Context& ctx);
int RunState(const Args& args, Context& ctx);
int RunVersion(const Args& args, Context& ctx);
int RunPrune(const Args& args, Context& ctx);
int RunShow(const Args& args, Context& ctx);
int RunFmt(const Args& args, Context& ctx);
int RunInit(const Args& args, Context& ctx);
int StatePush(const Args& args, Context& ctx);  // state_migrate.cc
int StatePull(const Args& args, Context& ctx);
int RunCompletion(const Args& args, Context& ctx);  // completion.cc
int RunComplete(const Args& args, Context& ctx);    // completion.cc: __complete, for the scripts
int RunManPages(const Args& args, Context& ctx);    // manual.cc: __manpages DIR

}  // namespace certform::cli
