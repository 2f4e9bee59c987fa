// certform drift: do the live bindings (every product) still match the state? Reads only; writes
// nothing.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cmd/certform/command_line.h"
#include "cmd/certform/diagnostics_view.h"
#include "cmd/certform/drift_view.h"
#include "cmd/certform/live_check.h"
#include "cmd/certform/markdown_view.h"
#include "cmd/certform/workspace.h"
#include "engine/config/binding_address.h"
#include "engine/plan/drift.h"
#include "engine/plan/live_check.h"

namespace certform::cli {

int RunDrift(const Args& args, Context& ctx) {
  CommonOptions common;
  ConnectionOptions connection;
  bool detailed_exitcode = false;
  std::vector<std::string> targets;
  CommandLine cl(
      "drift [options]",
      fmt::format(
          "Reads each managed domain's live binding on its product ({}), each product's\n"
          "read call paced at its documented limit per user (e.g. DescribeDomainCertificateInfo\n"
          "at 100 calls/s), and reports every domain whose certificate (by SHA-256 fingerprint,\n"
          "or CertId where the product reports only that), CertName, type or HTTPS switch was\n"
          "changed outside certform, or that no longer exists, every upload of the state that\n"
          "Certificate Management Service no longer holds (read by CertId), and every live\n"
          "certificate expiring within expiry_warning_days. Writes nothing.\n"
          "Needs the configuration (accounts) but no private key.\n"
          "Exit codes with --detailed-exitcode: 0 in sync, 1 error, 2 drift.",
          engine::ProductTitles()));
  cl.AddCommonOptions(&common);
  cl.AddFormatOption(&common);
  cl.AddConnectionOptions(&connection);
  cl.options().add_options()("detailed-exitcode", po::bool_switch(&detailed_exitcode),
                             "Exit 2 when there is drift")(
      "target", po::value(&targets)->value_name("DOMAIN")->composing(),
      "Check only this domain (repeatable)");
  cl.NormalizeDomains(&targets);
  if (auto exit = cl.Parse(args, ctx)) return *exit;
  Style style = Style::For(ctx, common.no_color);

  Workspace ws;
  const engine::Status opened =
      ws.Open(common, {"certform drift", ConfigUse::kLive, StateAccess::kRead}, ctx);
  engine::Diagnostics& diags = ws.diags();
  if (ws.failed_at() == Workspace::Stage::kBackend) {
    diags.Error({}, "cannot use the state", opened.message());
  } else if (!opened.ok() && ws.failed_at() != Workspace::Stage::kConfig) {
    diags.Error({ws.backend().Describe(), 0, 0}, "cannot use the state", opened.message());
  }
  const engine::Config& config = ws.config();
  const engine::State& state = ws.state();
  if (opened.ok()) {
    if (std::string unknown = UnknownTarget(targets, config, state); !unknown.empty()) {
      diags.Error({}, unknown);
    }
  }
  if (diags.HasErrors()) {
    PrintDiagnostics(ctx.err, diags, style);
    return kExitError;
  }
  const std::vector<engine::DomainRef> domains = engine::StateDomains(state, targets);
  engine::LiveCheck live;
  if (engine::Status s = ReadLiveAndUploads(config, state, domains, connection, ctx, &live);
      !s.ok()) {
    fmt::print(ctx.err, "certform drift: {}\n", s.message());
    return kExitError;
  }
  const int64_t now = engine::ToUnixSeconds(ctx.clock.Now());
  const engine::DriftReport report =
      engine::CheckDrift(state, live, now, config.expiry_warning_days);
  if (common.format == "json") {
    fmt::print(ctx.out, "{}\n", DriftToJson(report).dump(2));
  } else if (common.format == "markdown") {
    fmt::print(ctx.out, "{}", DriftToMarkdown(report, now, common.markdown, &state));
  } else {
    PrintDrift(ctx.out, report, style);
  }
  if (!report.failed.empty() || !report.uploads_failed.empty()) return kExitError;
  return detailed_exitcode && report.HasDrift() ? kExitChanges : kExitOk;
}

}  // namespace certform::cli
