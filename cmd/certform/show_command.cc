// certform show PLANFILE: a saved plan, read back for a reviewer (Terraform's `show`): as plan
// printed it (human), as JSON (plan --json's document), or as Markdown for a pull-request comment.
// Reads the plan file only: no configuration, no state, no key, no network.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cmd/certform/command.h"
#include "cmd/certform/command_line.h"
#include "cmd/certform/diagnostics_view.h"
#include "cmd/certform/markdown_view.h"
#include "cmd/certform/plan_view.h"
#include "engine/base/file_system.h"
#include "engine/base/text_escape.h"
#include "engine/plan/plan_file.h"

namespace certform::cli {

int RunShow(const Args& args, Context& ctx) {
  CommonOptions common;
  std::vector<std::string> files;
  CommandLine cl("show PLANFILE [options]",
                 "Shows a plan saved with \"certform plan --out PLANFILE\": the changes apply\n"
                 "would make, as plan printed them (--format human), as plan --json's document\n"
                 "(--json), or as Markdown for a pull-request comment (--format markdown).\n"
                 "Reads only the plan file: a reviewer needs no configuration, state, key or\n"
                 "credentials. Exit code 0, or 1 when the file is not a certform plan.");
  cl.AddCommonOptions(&common, /*with_state=*/false);
  cl.AddFormatOption(&common);
  cl.AddPositional("plan-file", 1, &files);
  if (auto exit = cl.Parse(args, ctx)) return *exit;
  if (files.empty()) {
    fmt::print(ctx.err, "certform show: which plan? Usage: certform show PLANFILE\n");
    return kExitError;
  }
  engine::Plan plan;
  const engine::Status s = engine::ReadPlanFile(ctx.fs, files[0], &plan);
  if (!s.ok()) {
    if (common.json) {
      engine::Diagnostics diags;
      diags.Error({files[0], 0, 0}, "cannot read the plan", s.message());
      fmt::print(ctx.out, "{}\n", PlanToJson(nullptr, diags).dump(2));
    } else {
      // The message may quote the file: escaped, like everything show prints from it.
      fmt::print(ctx.err, "certform show: {}\n", engine::ForTerminal(s.message()));
    }
    return kExitError;
  }
  const int64_t now = engine::ToUnixSeconds(ctx.clock.Now());
  if (common.format == "json") {
    fmt::print(ctx.out, "{}\n", PlanToJson(&plan, engine::Diagnostics()).dump(2));
  } else if (common.format == "markdown") {
    fmt::print(ctx.out, "{}", PlanToMarkdown(plan, now, common.markdown));
  } else {
    PrintPlan(ctx.out, plan, Style::For(ctx, common.no_color), now);
  }
  return kExitOk;
}

}  // namespace certform::cli
