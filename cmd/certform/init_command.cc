// certform init: Terraform's first command, answered. certform has no providers, modules or
// plugins to download and its state backends need no set-up step, so there is nothing to
// initialise; the command says so, and what to run instead, so that a pipeline or a habit that
// runs `init` first works.
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include "cmd/certform/command.h"
#include "cmd/certform/command_line.h"
#include "engine/base/file_system.h"
#include "engine/base/text_escape.h"

namespace certform::cli {

int RunInit(const Args& args, Context& ctx) {
  CommonOptions common;
  CommandLine cl(
      "init [options]",
      "certform needs no initialisation: it has no providers, modules or plugins to\n"
      "download, and its state backends need no set-up step (a local state file is created\n"
      "by the first apply; a PostgreSQL workspace's tables by the first command that uses\n"
      "them). This command changes nothing: it says so, and that \"certform validate\" and\n"
      "\"certform plan\" come next. It exits 0, or 1 when the configuration directory holds\n"
      "no *.toml file (so that a pipeline pointed at the wrong directory stops here).");
  cl.AddCommonOptions(&common, /*with_state=*/false);
  if (auto exit = cl.Parse(args, ctx)) return *exit;
  std::vector<std::string> names;
  const engine::Status listed = ctx.fs.ListFiles(common.config_dir, ".toml", &names);
  if (!listed.ok() || names.empty()) {
    fmt::print(ctx.err,
               "certform init: {} holds no *.toml configuration file{}\n"
               "Write one (see examples/basic/certform.toml), or point at it with --config DIR "
               "or -chdir=DIR.\n",
               engine::ForTerminal(common.config_dir),
               listed.ok() ? "" : fmt::format(" ({})", engine::ForTerminal(listed.message())));
    return kExitError;
  }
  if (common.json) {
    nlohmann::ordered_json doc = {
        {"format_version", "1.0"}, {"needs_init", false}, {"configuration_files", names.size()}};
    fmt::print(ctx.out, "{}\n", doc.dump(2));
    return kExitOk;
  }
  fmt::print(ctx.out,
             "certform needs no init: there is nothing to download or set up, and nothing was "
             "changed.\n"
             "The configuration in {} has {} file(s). Next: \"certform validate\", then "
             "\"certform plan\".\n",
             engine::ForTerminal(common.config_dir), names.size());
  return kExitOk;
}

}  // namespace certform::cli
