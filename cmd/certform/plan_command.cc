// certform plan: configuration vs state, offline.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cmd/certform/command_line.h"
#include "cmd/certform/diagnostics_view.h"
#include "cmd/certform/plan_view.h"
#include "cmd/certform/workspace.h"
#include "engine/plan_file.h"
#include "engine/planner.h"
#include "engine/state_store.h"

namespace certform::cli {

int RunPlan(const Args& args, Context& ctx) {
  CommonOptions common;
  std::string out_file;
  bool detailed_exitcode = false;
  engine::PlanOptions plan_options;
  CommandLine cl(
      "plan [options]",
      "Compares the configuration with the state file and shows, for each domain, whether\n"
      "apply would bind a certificate (+), update it (~) or switch HTTPS off and forget the\n"
      "domain (-), and why. Offline: nothing is sent to the CDN. No private key is ever shown.\n"
      "With --out, the plan is saved for \"certform apply FILE\", which refuses it if the\n"
      "state or the configuration changed in between.");
  cl.AddCommonOptions(&common);
  cl.options().add_options()("out", po::value(&out_file)->value_name("FILE"),
                             "Save the plan to FILE (Terraform's -out=FILE works too)")(
      "detailed-exitcode", po::bool_switch(&detailed_exitcode),
      "Exit 0 with no changes, 1 on error, 2 when there are changes")(
      "target", po::value(&plan_options.targets)->value_name("DOMAIN")->composing(),
      "Plan only this domain (repeatable)");
  if (auto exit = cl.Parse(args, ctx)) return *exit;

  engine::Diagnostics diags;
  engine::Config config = LoadCheckedConfig(common, ctx, &diags);
  engine::StateStore store(ctx.fs, common.StatePath());
  engine::State state;
  int replayed = 0;
  if (engine::Status s = LoadState(ctx, store, &state, &replayed); !s.ok()) {
    diags.Error({store.path(), 0, 0}, "cannot use the state file", s.message());
  }
  Style style = Style::For(ctx, common.no_color);
  if (diags.HasErrors()) {
    if (common.json) {
      fmt::print(ctx.out, "{}\n", PlanToJson(nullptr, diags).dump(2));
    } else {
      PrintDiagnostics(ctx.err, diags, style);
    }
    return kExitError;
  }
  engine::Plan plan = engine::MakePlan(config, state, plan_options);
  plan.created_at = engine::FormatUtc(engine::ToUnixSeconds(ctx.clock.Now()));
  if (common.json) {
    fmt::print(ctx.out, "{}\n", PlanToJson(&plan, diags).dump(2));
  } else {
    PrintDiagnostics(ctx.err, diags, style);
    PrintPlan(ctx.out, plan, style, engine::ToUnixSeconds(ctx.clock.Now()));
  }
  if (!out_file.empty()) {
    engine::Status s =
        ctx.fs.WriteFileAtomic(out_file, engine::SerializePlan(plan), engine::kPrivateFileMode);
    if (!s.ok()) {
      fmt::print(ctx.err, "certform plan: cannot save the plan: {}\n", s.message());
      return kExitError;
    }
    if (!common.json) {
      fmt::print(ctx.out,
                 "\nSaved the plan to: {}\n\nTo perform exactly these actions, run:\n"
                 "  certform apply {}\n",
                 out_file, out_file);
    }
  }
  return detailed_exitcode && plan.HasChanges() ? kExitChanges : kExitOk;
}

}  // namespace certform::cli
