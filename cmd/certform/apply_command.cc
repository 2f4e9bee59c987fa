// certform apply [PLANFILE]: carries out a plan against the CDN.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <set>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include "cmd/certform/apply_view.h"
#include "cmd/certform/command_line.h"
#include "cmd/certform/diagnostics_view.h"
#include "cmd/certform/plan_refresh.h"
#include "cmd/certform/plan_view.h"
#include "cmd/certform/providers_setup.h"
#include "cmd/certform/workspace.h"
#include "engine/apply/applier.h"
#include "engine/apply/state_recorder.h"
#include "engine/plan/plan_file.h"
#include "engine/plan/planner.h"
#include "engine/state/state_file.h"

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

// Why a saved plan may not be applied to `state` and `config`; OK when it may.
engine::Status CheckSavedPlan(const engine::Plan& plan, const engine::State& state,
                              const engine::Config& config, const std::string& path) {
  if (!plan.lineage.empty() && plan.lineage != state.lineage) {
    return engine::Status::Stale(fmt::format(
        "saved plan does not match the given state: {} was made for state lineage {}, the state "
        "has lineage {}",
        path, plan.lineage, state.lineage.empty() ? "(none)" : state.lineage));
  }
  if (plan.serial != state.serial || (plan.lineage.empty() && !state.lineage.empty())) {
    return engine::Status::Stale(fmt::format(
        "saved plan is stale: the state changed since {} was made (serial {} → {}); run "
        "\"certform plan\" again",
        path, plan.serial, state.serial));
  }
  for (const engine::Change& c : plan.changes) {
    if (!c.after || c.after->fingerprint.empty()) continue;
    auto cert = config.certificates.find(c.after->certificate);
    if (cert == config.certificates.end() ||
        cert->second.info.fingerprint != c.after->fingerprint) {
      return engine::Status::Stale(fmt::format(
          "certificate \"{}\" for {} no longer has the planned fingerprint {}; run \"certform "
          "plan\" again",
          c.after->certificate, c.domain, c.after->fingerprint.substr(0, 16)));
    }
  }
  for (const engine::UploadStep& u : plan.uploads) {
    auto cert = config.certificates.find(u.certificate);
    if (cert == config.certificates.end() || cert->second.info.fingerprint != u.fingerprint) {
      return engine::Status::Stale(fmt::format(
          "certificate \"{}\" no longer has the planned fingerprint {}; run \"certform plan\" "
          "again",
          u.certificate, u.fingerprint.substr(0, 16)));
    }
  }
  if (plan.config_digest != engine::ConfigDigest(config)) {
    return engine::Status::Stale("the configuration changed since " + path +
                                 " was made; run \"certform plan\" again");
  }
  return engine::Status::OK();
}

// A saved plan is an approval, not an instruction: the plan made now from the configuration and
// the state (with the saved plan's targets) must be the one that was approved, change for change
// (CheckApproved, Stale naming the first difference). Everything apply then sends comes from the
// plan made now, never from the file.
//
// A change as the comparison sees it: every field of the plan file but the times a refreshed
// entry was read at (`applied_at`), which a second read sets anew and nothing sends.
nlohmann::ordered_json Comparable(const engine::Change& c) {
  nlohmann::ordered_json j = engine::ChangeToJson(c);
  for (const char* side : {"before", "after"}) {
    if (j[side].is_object()) j[side].erase("applied_at");
  }
  return j;
}

engine::Status CheckApproved(const engine::Plan& saved, const engine::Plan& now,
                             const std::string& path) {
  auto differs = [&](const std::string& what) {
    return engine::Status::Stale(fmt::format(
        "{} does not match the plan the configuration and the state give now: {}; certform "
        "applies only what the configuration and the state produce. Run \"certform plan\" "
        "again and review it",
        path, what));
  };
  const size_t n = std::min(saved.changes.size(), now.changes.size());
  for (size_t i = 0; i < n; ++i) {
    const nlohmann::ordered_json a = Comparable(saved.changes[i]);
    const nlohmann::ordered_json b = Comparable(now.changes[i]);
    if (a == b) continue;
    if (saved.changes[i].domain != now.changes[i].domain) {
      return differs(fmt::format("change {} is for {} in the file, for {} now", i + 1,
                                 engine::Quoted(saved.changes[i].domain), now.changes[i].domain));
    }
    std::string field;
    for (const auto& [key, value] : b.items()) {
      if (!a.contains(key) || a.at(key) != value) {
        field = key;
        break;
      }
    }
    for (const auto& [key, value] : a.items()) {
      if (field.empty() && !b.contains(key)) field = key;
    }
    auto shown = [&](const nlohmann::ordered_json& j) {
      return j.contains(field) ? engine::Quoted(j.at(field).dump()) : std::string("none");
    };
    return differs(fmt::format("the change for {} differs in \"{}\" (the file says {}, now {})",
                               now.changes[i].domain, field, shown(a), shown(b)));
  }
  if (saved.changes.size() != now.changes.size()) {
    const bool extra = saved.changes.size() > now.changes.size();
    return differs(extra ? fmt::format("the file has a change for {} that they do not give",
                                       engine::Quoted(saved.changes[n].domain))
                         : fmt::format("the file lacks the change for {}", now.changes[n].domain));
  }
  if (engine::UploadsToJson(saved.uploads) != engine::UploadsToJson(now.uploads)) {
    return differs("its CAS uploads differ");
  }
  return engine::Status::OK();
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
          "Exit code 0 when every change was applied, 1 otherwise.",
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
    std::string text;
    s = engine::ReadBoundedFile(ctx.fs, plan_files[0], int64_t{256} << 20, &text);
    if (s.ok()) s = engine::ParsePlan(text, plan_files[0], &plan);
    if (s.ok()) s = CheckSavedPlan(plan, state, config, plan_files[0]);
    if (!s.ok()) return fail(s.message());
    // Apply only what the configuration and the state give now, and only if it is what the
    // file approved.
    engine::PlanOptions approved_options;
    approved_options.targets = plan.targets;
    engine::State planned_against = state;
    if (plan.refreshed) {
      engine::DriftReport drift;
      s = RefreshForPlan(config, state, connection, ctx, &planned_against, &drift);
      if (!s.ok())
        return fail(
            "cannot read the live bindings again (the plan was made with "
            "--refresh): " +
            s.message());
    }
    engine::Plan now = engine::MakePlan(config, planned_against, approved_options);
    now.targets = plan.targets;
    now.refreshed = plan.refreshed;
    if (s = CheckApproved(plan, now, plan_files[0]); !s.ok()) return fail(s.message());
    now.created_at = plan.created_at;
    plan = std::move(now);
  } else {
    plan = engine::MakePlan(config, state, plan_options);
    if (!common.json) PrintDiagnostics(ctx.err, plan.diags, style);
    if (!common.json) PrintPlan(ctx.out, plan, style, engine::ToUnixSeconds(ctx.clock.Now()));
    if (plan.HasChanges() && !auto_approve && !Confirm(ctx)) {
      fmt::print(ctx.out, "\nApply cancelled.\n");
      return kExitError;
    }
  }
  if (!plan.HasChanges()) {
    if (!common.json && saved) fmt::print(ctx.out, "No changes.\n");
    return kExitOk;
  }

  std::set<std::string> accounts;
  for (const engine::Change& c : plan.changes) {
    if (engine::CallsProvider(c.action)) accounts.insert(c.account);  // a forget needs none
  }
  ProviderSet providers(engine::PacingOptions{options.pacing, options.parallelism});
  s = providers.Build(config, accounts, connection, ctx);
  if (!s.ok()) return fail(s.message());
  ConfigMaterial material(config, ctx);
  engine::StateRecorder recorder(*backend, ctx.random, state);
  const ViewMode mode = common.json      ? ViewMode::kJson
                        : ctx.out_is_tty ? ViewMode::kTerminal
                                         : ViewMode::kPlain;
  auto view = MakeApplyView(ctx.out, mode, style);
  if (!common.json) fmt::print(ctx.out, "\n");
  InstallSignalHandlers();
  engine::ApplyEnv env{ctx.clock, ctx.random, material, recorder, *view, g_stop};
  env.fence = [&lock] { return lock->Check(); };  // before every call: is the lock still ours?
  env.pacing = &providers.pacing();
  engine::ApplyResult result = engine::Apply(plan, state, providers.Runtimes(), env, options);
  s = recorder.Finish(&result.state);
  if (!s.ok()) {
    result.diags.Error({},
                       "cannot write the state of " + backend->Describe() +
                           "; its journal keeps every completed call and the next command "
                           "replays it",
                       s.message());
  }
  if (common.json) {
    PrintApplyReportJson(ctx.out, result);
  } else {
    PrintApplyReport(ctx.out, result, style);
  }
  const bool complete = result.summary.failed == 0 && result.summary.skipped == 0 &&
                        !result.diags.HasErrors() && !result.interrupted;
  return complete ? kExitOk : kExitError;
}

}  // namespace certform::cli
