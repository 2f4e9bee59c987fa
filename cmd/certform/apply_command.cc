// certform apply [PLANFILE]: carries out a plan (engine/apply/apply_run.h; a saved plan is an
// approval: engine/plan/saved_plan.h).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include "cmd/certform/apply_view.h"
#include "cmd/certform/command_line.h"
#include "cmd/certform/diagnostics_view.h"
#include "cmd/certform/edge_check.h"
#include "cmd/certform/plan_refresh.h"
#include "cmd/certform/plan_view.h"
#include "cmd/certform/providers_setup.h"
#include "cmd/certform/verify_view.h"
#include "cmd/certform/workspace.h"
#include "engine/apply/applier.h"
#include "engine/apply/apply_run.h"
#include "engine/plan/plan_file.h"
#include "engine/plan/planner.h"
#include "engine/plan/saved_plan.h"

namespace certform::cli {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signals{0};

// First SIGINT/SIGTERM: dispatch nothing more, let the calls in flight finish and be recorded.
// Second: quit at once; every completed call is already in the journal.
void OnStopSignal(int) {
  if (g_signals.fetch_add(1) >= 1) _exit(130);
  g_stop = true;
  static const char kMsg[] =
      "\ncertform: stopping after the calls in flight (interrupt again to quit at once)\n";
  [[maybe_unused]] ssize_t n = write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
}

void InstallSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

// apply --verify: the edge checked once the apply is done, waiting for propagation; the leaves
// the state recorded before the apply name the old certificate still served.
int VerifyAfterApply(const engine::Config& config, const engine::State& state,
                     const std::map<std::string, std::string>& old,
                     const std::vector<std::string>& targets, const EdgeCheckOptions& edge,
                     bool json, Context& ctx, const Style& style) {
  if (!json)
    fmt::print(ctx.out, "\nVerifying at the edge (waiting up to {}s):\n",
               std::chrono::duration_cast<std::chrono::seconds>(edge.wait).count());
  const EdgeCheck check =
      RunEdgeCheck(config, state, targets, old, edge, ctx, json ? &ctx.err : &ctx.out, style);
  if (json) {
    nlohmann::ordered_json line = VerifyToJson(check.report, check.expiry);
    line = nlohmann::ordered_json{{"type", "verify"}, {"verify", line}};
    fmt::print(ctx.out, "{}\n", line.dump());
  } else {
    PrintVerify(ctx.out, check.report, check.expiry, FailDays(edge, config), style);
  }
  return EdgeCheckExit(check);
}

bool Confirm(Context& ctx) {
  fmt::print(
      ctx.out,
      "\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n"
      "  Enter a value: ");
  ctx.out.flush();
  std::string answer;
  std::getline(ctx.in, answer);
  return answer == "yes";
}

}  // namespace

int RunApply(const Args& args, Context& ctx) {
  CommonOptions common;
  engine::Clock::Duration lock_timeout{};
  engine::ApplyOptions options;
  engine::PlanOptions plan_options;
  ConnectionOptions connection;
  bool auto_approve = false;
  EdgeCheckOptions edge;
  std::vector<std::string> plan_files;
  CommandLine cl(
      "apply [PLANFILE] [options]",
      fmt::format(
          "Makes the live bindings ({}) match the configuration: one binding call per changed\n"
          "domain (e.g. SetDomainServerCertificate), paced evenly at each call's limit\n"
          "(an account's rate_limit), retried with backoff on throttling and transient errors. "
          "Each\n"
          "completed call is recorded durably before it is reported; a crash or Ctrl-C loses "
          "nothing.\n"
          "Without PLANFILE the plan is made now, shown, and confirmed (\"yes\", or\n"
          "--auto-approve). With PLANFILE (from \"certform plan --out\") the file is an approval,\n"
          "not an instruction: the plan is made again from the configuration and the state (and\n"
          "the live bindings, for a plan made with --refresh) and applied without a question only\n"
          "when it equals the saved one; any difference is refused, naming the first.\n"
          "With --verify, then checks each binding at the edge as \"certform verify\" does,\n"
          "waiting for propagation up to --verify-timeout.\n"
          "Exit code 0 when every change was applied, 1 otherwise; with --verify, 2 when the\n"
          "edge still serves another certificate at the deadline, 1 when a handshake failed.",
          engine::ProductTitles()));
  cl.AddCommonOptions(&common);
  cl.AddLockTimeout(&lock_timeout);
  cl.options().add_options()("auto-approve", po::bool_switch(&auto_approve),
                             "Apply without asking")(
      "target", po::value(&plan_options.targets)->value_name("DOMAIN")->composing(),
      "Apply only this domain (repeatable; not with PLANFILE)")(
      "parallelism", po::value(&options.parallelism)->value_name("N"),
      "At most N calls in flight per user (default and ceiling 64); the window is sized from\n"
      "the measured latency below it")("fail-fast", po::bool_switch(&options.fail_fast),
                                       "Stop dispatching after the first failed change");
  cl.AddConnectionOptions(&connection);
  AddEdgeCheckOptions(&cl, &edge, /*with_switch=*/true, "5m");
  cl.AddPositional("plan-file", 1, &plan_files);
  cl.NormalizeDomains(&plan_options.targets);
  if (auto exit = cl.Parse(args, ctx)) return *exit;
  // With --json every outcome is a JSON line on stdout, errors included: {"type":"error",...}.
  auto fail = [&](const std::string& msg, const engine::Diagnostics* diags = nullptr) {
    if (common.json) {
      nlohmann::ordered_json j = {{"type", "error"}, {"message", msg}};
      if (diags != nullptr) j["diagnostics"] = DiagnosticsToJson(*diags);
      fmt::print(ctx.out, "{}\n", j.dump());
    } else {
      fmt::print(ctx.err, "certform apply: {}\n", msg);
    }
    return kExitError;
  };
  if (std::string problem = CheckEdgeCheckOptions(&edge, "5m"); !problem.empty()) {
    return fail(problem);
  }
  if (options.parallelism < 1 || options.parallelism > engine::kMaxWindow) {
    return fail(fmt::format("--parallelism must be between 1 and {}", engine::kMaxWindow));
  }
  const bool saved = !plan_files.empty();
  if (saved && !plan_options.targets.empty()) {
    return fail("--target cannot be combined with a saved plan");
  }
  if (!saved && !auto_approve && !ctx.in_is_tty) {
    return fail(
        "nobody can confirm the plan here (standard input is not a terminal).\nRun \"certform "
        "apply --auto-approve\", or save a plan with \"certform plan --out FILE\" and run "
        "\"certform apply FILE\".");
  }
  Style style = Style::For(ctx, common.no_color);

  // The workspace, opened as every command opens it: the configuration (read once), the
  // backend, the lock, the journal recovered, the state.
  Workspace ws;
  engine::Status s = ws.Open(
      common, {"certform apply", ConfigUse::kApply, StateAccess::kWrite, lock_timeout}, ctx);
  if (!common.json) PrintDiagnostics(ctx.err, ws.diags(), style);
  if (ws.failed_at() == Workspace::Stage::kConfig) {
    return common.json ? fail("the configuration is not valid", &ws.diags()) : kExitError;
  }
  if (!s.ok()) return fail(s.message());
  engine::Config& config = ws.config();
  engine::StateBackend* backend = &ws.backend();
  engine::StateBackendLock* lock = ws.lock();
  engine::State& state = ws.state();
  const int replayed = ws.replayed();
  if (std::string unknown = UnknownTarget(plan_options.targets, config, state); !unknown.empty()) {
    return fail(unknown);
  }
  if (replayed > 0 && !common.json) {
    fmt::print(ctx.out, "Recovered {} completed call{} from an interrupted apply.\n", replayed,
               replayed == 1 ? "" : "s");
  }

  engine::Plan plan;
  if (saved) {
    // Apply only what the configuration and the state give now, and only if it is what the
    // file approved (engine/plan/saved_plan.h).
    engine::Plan file;
    s = engine::ReadPlanFile(ctx.fs, plan_files[0], &file);
    if (s.ok()) {
      s = engine::ApproveSavedPlan(file, config, state, plan_files[0],
                                   LiveRefresher(config, connection, ctx), &plan);
    }
    if (!s.ok()) return fail(s.message());
  } else {
    plan = engine::MakePlan(config, state, plan_options);
    if (!common.json) PrintDiagnostics(ctx.err, plan.diags, style);
    if (!common.json) {
      PrintPlan(ctx.out, plan, style, engine::ToUnixSeconds(ctx.clock.Now()),
                ConfiguredCertificates(config));
    }
    if (plan.HasChanges() && !auto_approve && !Confirm(ctx)) {
      fmt::print(ctx.out, "\nApply cancelled.\n");
      return kExitError;
    }
  }
  std::map<std::string, std::string> old;  // the leaves recorded before the apply
  for (const auto& [key, entry] : state.entries) {
    if (entry.https && !entry.fingerprint.empty()) old[key] = entry.fingerprint;
  }
  if (!plan.HasChanges()) {
    if (!common.json && saved) fmt::print(ctx.out, "No changes.\n");
    if (edge.enabled) {
      return VerifyAfterApply(config, state, {}, plan_options.targets, edge, common.json, ctx,
                              style);
    }
    return kExitOk;
  }

  ProviderSet providers(engine::PacingOptions{options.pacing, options.parallelism});
  s = providers.Build(config, engine::AccountsToCall(plan), connection, ctx);
  if (!s.ok()) return fail(s.message());
  ConfigMaterial material(config, ctx);
  const ViewMode mode = common.json      ? ViewMode::kJson
                        : ctx.out_is_tty ? ViewMode::kTerminal
                                         : ViewMode::kPlain;
  auto view = MakeApplyView(ctx.out, mode, style);
  if (!common.json) fmt::print(ctx.out, "\n");
  InstallSignalHandlers();
  engine::ApplyRun run{ctx.clock, ctx.random, material, *view, g_stop};
  run.fence = [&lock] { return lock->Check(); };  // before every call: is the lock still ours?
  run.pacing = &providers.pacing();
  const engine::ApplyResult result =
      engine::ApplyAndRecord(plan, state, providers.Runtimes(), *backend, run, options);
  if (common.json) {
    PrintApplyReportJson(ctx.out, result);
  } else {
    PrintApplyReport(ctx.out, result, style);
  }
  if (!engine::ApplyComplete(result)) return kExitError;
  if (!edge.enabled) return kExitOk;
  return VerifyAfterApply(config, result.state, old, plan_options.targets, edge, common.json, ctx,
                          style);
}

}  // namespace certform::cli
