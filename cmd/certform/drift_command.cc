// certform drift: do the live bindings (every product) still match the state? Reads only; writes
// nothing.
#include <map>
#include <string>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cmd/certform/command_line.h"
#include "cmd/certform/diagnostics_view.h"
#include "cmd/certform/drift_view.h"
#include "cmd/certform/edge_check.h"
#include "cmd/certform/live_check.h"
#include "cmd/certform/markdown_view.h"
#include "cmd/certform/verify_view.h"
#include "cmd/certform/workspace.h"
#include "engine/config/binding_address.h"
#include "engine/plan/drift.h"
#include "engine/plan/expiry_check.h"
#include "engine/plan/live_check.h"

namespace certform::cli {

int RunDrift(const Args& args, Context& ctx) {
  CommonOptions common;
  ConnectionOptions connection;
  bool detailed_exitcode = false;
  EdgeCheckOptions edge;
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
          "With --verify, also checks each binding at the edge with a TLS handshake (as\n"
          "\"certform verify\"): a domain serving another certificate is drift, and so is one\n"
          "that serves none where the API read shows HTTPS off (not_serving), rather than a\n"
          "failed check.\n"
          "Needs the configuration (accounts) but no private key.\n"
          "Exit codes with --detailed-exitcode: 0 in sync, 1 error, 2 drift. Whatever the flags,\n"
          "2 when a live or desired certificate expires within expiry_fail_days (when set).",
          engine::ProductTitles()));
  cl.AddCommonOptions(&common);
  cl.AddFormatOption(&common);
  cl.AddConnectionOptions(&connection);
  cl.options().add_options()("detailed-exitcode", po::bool_switch(&detailed_exitcode),
                             "Exit 2 when there is drift")(
      "target", po::value(&targets)->value_name("DOMAIN")->composing(),
      "Check only this domain (repeatable)");
  AddEdgeCheckOptions(&cl, &edge, /*with_switch=*/true, "0s");
  cl.NormalizeDomains(&targets);
  if (auto exit = cl.Parse(args, ctx)) return *exit;
  if (std::string problem = CheckEdgeCheckOptions(&edge, "0s"); !problem.empty()) {
    fmt::print(ctx.err, "certform drift: {}\n", problem);
    return kExitError;
  }
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
  // Failing expiry checks: the live certificates read, and the configured ones.
  const int fail_days = FailDays(edge, config);
  std::vector<engine::ExpiryFailure> expiry;
  for (const engine::LiveRead& r : live.reads) {
    if (r.ok && r.live.exists && r.live.https) {
      engine::CheckExpiry(r.address, "live", r.live.not_after, now, fail_days, &expiry);
    }
  }
  for (engine::ExpiryFailure& e : engine::DesiredExpiryFailures(config, now, fail_days, targets)) {
    expiry.push_back(std::move(e));
  }
  EdgeCheck check;
  if (edge.enabled) {
    check = RunEdgeCheck(config, state, targets, {}, edge, ctx, &ctx.err, style);
    // A domain the API read shows without a certificate fails its handshake: that is the drift
    // already found, at the edge too, not a check that could not be made.
    std::map<std::string, std::string> https_off;
    for (const engine::LiveRead& r : live.reads) {
      if (!r.ok) continue;
      if (!r.live.exists) {
        https_off[r.address.Key()] = "the API no longer knows the domain";
      } else if (!r.live.https) {
        https_off[r.address.Key()] = "HTTPS is off at the API";
      }
    }
    engine::MarkNotServing(https_off, &check.report);
    for (engine::ExpiryFailure& e : check.expiry) {
      if (e.what == "served") expiry.push_back(std::move(e));
    }
  }
  if (common.format == "json") {
    nlohmann::ordered_json doc = DriftToJson(report);
    doc["expiry_failures"] = ExpiryFailuresToJson(expiry);
    if (edge.enabled) doc["verify"] = VerifyToJson(check.report, {});
    fmt::print(ctx.out, "{}\n", doc.dump(2));
  } else if (common.format == "markdown") {
    fmt::print(ctx.out, "{}", DriftToMarkdown(report, now, common.markdown, &state));
    if (edge.enabled) {
      fmt::print(ctx.out, "\n{}", VerifyToMarkdown(check.report, expiry, common.markdown));
    } else if (!expiry.empty()) {
      fmt::print(ctx.out, "\n{}", ExpiryFailuresToMarkdown(expiry, common.markdown));
    }
  } else {
    PrintDrift(ctx.out, report, style);
    PrintExpiryFailures(ctx.out, expiry, fail_days, style);
    if (edge.enabled) {
      fmt::print(ctx.out, "\n");
      PrintVerify(ctx.out, check.report, {}, fail_days, style);
    }
  }
  if (!report.failed.empty() || !report.uploads_failed.empty()) return kExitError;
  if (edge.enabled && check.report.HasFailure()) return kExitError;
  if (!expiry.empty()) return kExitChanges;
  const bool drift = report.HasDrift() || (edge.enabled && check.report.HasMismatch());
  return detailed_exitcode && drift ? kExitChanges : kExitOk;
}

}  // namespace certform::cli
