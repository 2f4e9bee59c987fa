// certform plan: configuration vs state, offline.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cmd/certform/command_line.h"
#include "cmd/certform/diagnostics_view.h"
#include "cmd/certform/drift_view.h"
#include "cmd/certform/markdown_view.h"
#include "cmd/certform/plan_refresh.h"
#include "cmd/certform/plan_view.h"
#include "cmd/certform/workspace.h"
#include "engine/plan/drift.h"
#include "engine/plan/plan_file.h"
#include "engine/plan/plan_now.h"
#include "state/local/state_store.h"

namespace certform::cli {

int RunPlan(const Args& args, Context& ctx) {
  CommonOptions common;
  std::string out_file;
  bool detailed_exitcode = false;
  bool refresh = false;
  engine::Clock::Duration lock_timeout{};
  ConnectionOptions connection;
  engine::PlanOptions plan_options;
  CommandLine cl(
      "plan [options]",
      "Compares the configuration with the state file and shows, account by account and\n"
      "each certificate change once with its domains, whether apply would bind a certificate\n"
      "(+), update it (~; a renewal shows old -> new fingerprint, issuer, key, SANs and\n"
      "expiry; \"state only\" when only the certificate's table was renamed: no call),\n"
      "switch HTTPS off (-), or, for a binding gone from the configuration, forget it and\n"
      "leave its live certificate as it is (-; with on_removal = \"disable\", switch its\n"
      "HTTPS off first), and why. A domain whose address changed is a move: bound at the new\n"
      "address before the old one is touched.\n"
      "Offline unless --refresh: then the live bindings are read first and the plan repairs\n"
      "any drift. No private key is ever shown.\n"
      "With --out, the plan is saved for \"certform apply FILE\", which plans again and\n"
      "applies only a plan equal to the saved one.");
  cl.AddCommonOptions(&common);
  cl.AddFormatOption(&common);
  cl.AddLockTimeout(&lock_timeout);
  cl.AddConnectionOptions(&connection);
  cl.options().add_options()("refresh", po::bool_switch(&refresh),
                             "Read the live bindings first and plan against them")(
      "out", po::value(&out_file)->value_name("FILE"),
      "Save the plan to FILE (Terraform's -out=FILE works too)")(
      "detailed-exitcode", po::bool_switch(&detailed_exitcode),
      "Exit 0 with no changes, 1 on error, 2 when there are changes")(
      "target", po::value(&plan_options.targets)->value_name("DOMAIN")->composing(),
      "Plan only this domain (repeatable)");
  cl.NormalizeDomains(&plan_options.targets);
  if (auto exit = cl.Parse(args, ctx)) return *exit;

  Workspace ws;
  const engine::Status opened = ws.Open(
      common,
      {"certform plan (recovering a journal)", ConfigUse::kPlan, StateAccess::kPlan, lock_timeout},
      ctx);
  engine::Diagnostics& diags = ws.diags();
  if (ws.failed_at() == Workspace::Stage::kBackend) {
    diags.Error({}, "cannot use the state", opened.message());
  } else if (!opened.ok() && ws.failed_at() != Workspace::Stage::kConfig) {
    diags.Error({ws.backend().Describe(), 0, 0}, "cannot use the state file", opened.message());
  }
  engine::Config& config = ws.config();
  engine::State& state = ws.state();
  if (opened.ok()) {
    if (std::string unknown = UnknownTarget(plan_options.targets, config, state);
        !unknown.empty()) {
      diags.Error({}, unknown);
    }
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
  const int64_t now = engine::ToUnixSeconds(ctx.clock.Now());
  // The plan made now (engine/plan/plan_now.h), against the live bindings with --refresh.
  engine::PlanRequest request;
  request.options = plan_options;
  request.refresh = refresh;
  request.created_at = engine::FormatUtc(now);
  engine::Plan plan;
  engine::DriftReport drift;
  if (engine::Status s = engine::PlanNow(config, state, request,
                                         LiveRefresher(config, connection, ctx), &plan, &drift);
      !s.ok()) {
    fmt::print(ctx.err, "certform plan --refresh: {}\n", s.message());
    return kExitError;
  }
  if (drift.HasDrift() && common.format == "human") {
    fmt::print(ctx.out, "Changed outside certform since the last apply:\n");
    PrintDrift(ctx.out, drift, style);
    fmt::print(ctx.out, "\n");
  }
  diags.Append(plan.diags);
  if (common.format == "json") {
    fmt::print(ctx.out, "{}\n", PlanToJson(&plan, diags).dump(2));
  } else if (common.format == "markdown") {
    PrintDiagnostics(ctx.err, diags, style);
    fmt::print(ctx.out, "{}",
               PlanToMarkdown(plan, now, common.markdown, ConfiguredCertificates(config)));
  } else {
    PrintDiagnostics(ctx.err, diags, style);
    PrintPlan(ctx.out, plan, style, now, ConfiguredCertificates(config));
  }
  if (!out_file.empty()) {
    engine::Status s =
        ctx.fs.WriteFileAtomic(out_file, engine::SerializePlan(plan), engine::kPrivateFileMode);
    if (!s.ok()) {
      fmt::print(ctx.err, "certform plan: cannot save the plan: {}\n", s.message());
      return kExitError;
    }
    if (common.format == "human") {
      fmt::print(ctx.out,
                 "\nSaved the plan to: {}\n\nTo perform exactly these actions, run:\n"
                 "  certform apply {}\n",
                 out_file, out_file);
    }
  }
  return detailed_exitcode && plan.HasChanges() ? kExitChanges : kExitOk;
}

}  // namespace certform::cli
