// certform verify: does the edge serve what the configuration asks for? A TLS handshake per
// binding, by SNI, to the address users reach; reads no API and writes nothing.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cmd/certform/command_line.h"
#include "cmd/certform/diagnostics_view.h"
#include "cmd/certform/edge_check.h"
#include "cmd/certform/verify_view.h"
#include "cmd/certform/workspace.h"

namespace certform::cli {

int RunVerify(const Args& args, Context& ctx) {
  CommonOptions common;
  EdgeCheckOptions edge;
  std::vector<std::string> targets;
  CommandLine cl(
      "verify [options]",
      "Proves at the edge what apply believes: for each binding of the configuration, a TLS\n"
      "handshake with the domain as SNI to DOMAIN:443 (or where [verify] connect sends it;\n"
      "a wildcard binding on the name [verify] names gives it, else skipped), comparing the\n"
      "served leaf's SHA-256 fingerprint and chain with the configured certificate. Handshakes\n"
      "run in parallel ([verify] parallelism, 16), each within [verify] timeout (10s); with\n"
      "--verify-timeout, the domains not serving it yet are checked again at growing intervals\n"
      "until they do or the time is up. A handshake that fails (the name does not resolve, the\n"
      "connection is refused or times out, the server refuses the name) is reported for its\n"
      "domain. Needs no credentials and no private key; calls no API; writes nothing.\n"
      "Exit codes: 0 every checked domain serves its certificate, 1 an error or a failed\n"
      "handshake, 2 a domain serves another certificate or chain, or a served or desired\n"
      "certificate expires within expiry_fail_days.");
  cl.AddCommonOptions(&common);
  cl.AddFormatOption(&common);
  AddEdgeCheckOptions(&cl, &edge, /*with_switch=*/false, "0s");
  cl.options().add_options()("target", po::value(&targets)->value_name("DOMAIN")->composing(),
                             "Check only this domain (repeatable)");
  cl.NormalizeDomains(&targets);
  if (auto exit = cl.Parse(args, ctx)) return *exit;
  if (std::string problem = CheckEdgeCheckOptions(&edge, "0s"); !problem.empty()) {
    fmt::print(ctx.err, "certform verify: {}\n", problem);
    return kExitError;
  }
  Style style = Style::For(ctx, common.no_color);
  Workspace ws;
  const engine::Status opened =
      ws.Open(common, {"certform verify", ConfigUse::kLive, StateAccess::kRead}, ctx);
  engine::Diagnostics& diags = ws.diags();
  if (ws.failed_at() == Workspace::Stage::kBackend) {
    diags.Error({}, "cannot use the state", opened.message());
  } else if (!opened.ok() && ws.failed_at() != Workspace::Stage::kConfig) {
    diags.Error({ws.backend().Describe(), 0, 0}, "cannot use the state", opened.message());
  }
  if (opened.ok()) {
    if (std::string unknown = UnknownTarget(targets, ws.config(), ws.state()); !unknown.empty()) {
      diags.Error({}, unknown);
    }
  }
  PrintDiagnostics(ctx.err, diags, style);
  if (diags.HasErrors()) return kExitError;
  const EdgeCheck check =
      RunEdgeCheck(ws.config(), ws.state(), targets, {}, edge, ctx, &ctx.err, style);
  const int fail_days = FailDays(edge, ws.config());
  if (common.format == "json") {
    fmt::print(ctx.out, "{}\n", VerifyToJson(check.report, check.expiry).dump(2));
  } else if (common.format == "markdown") {
    fmt::print(ctx.out, "{}", VerifyToMarkdown(check.report, check.expiry, common.markdown));
  } else {
    PrintVerify(ctx.out, check.report, check.expiry, fail_days, style);
  }
  return EdgeCheckExit(check);
}

}  // namespace certform::cli
