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
};

// Every command, in the order `certform --help` lists them.
const std::vector<Command>& Commands();

// Runs certform with argv[1..] (global flags, a command and its arguments); returns the exit code.
int Run(const Args& args, Context& ctx);

// The commands' entry points, one file each.
int RunValidate(const Args& args, Context& ctx);
int RunPlan(const Args& args, Context& ctx);
int RunApply(const Args& args, Context& ctx);
int RunDrift(const Args& args, Context& ctx);
int RunRefresh(const Args& args, Context& ctx);
int RunImport(const Args& args, Context& ctx);
int RunState(const Args& args, Context& ctx);
int RunVersion(const Args& args, Context& ctx);

}  // namespace certform::cli
