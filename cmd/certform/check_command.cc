// certform check: a preflight before a run. For every account of the configuration: its
// credentials resolve, who they are, and each permission its products (and prune) need, by one
// harmless read each. Writes nothing, needs no state and no private key.
#include <algorithm>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include "cmd/certform/command_line.h"
#include "cmd/certform/diagnostics_view.h"
#include "cmd/certform/preflight.h"
#include "cmd/certform/style.h"
#include "cmd/certform/workspace.h"
#include "engine/base/text_escape.h"

namespace certform::cli {

namespace {

using engine::PreflightCheck;

size_t Failures(const std::vector<PreflightCheck>& lines) {
  return std::count_if(lines.begin(), lines.end(), [](const PreflightCheck& l) {
    return l.result == PreflightCheck::Result::kFailed;
  });
}

nlohmann::ordered_json ToJson(const std::vector<PreflightCheck>& lines, size_t accounts) {
  nlohmann::ordered_json doc;
  doc["format_version"] = "1.0";
  doc["ok"] = Failures(lines) == 0;
  doc["accounts"] = accounts;
  doc["failed"] = Failures(lines);
  doc["checks"] = nlohmann::ordered_json::array();
  for (const PreflightCheck& l : lines) {
    nlohmann::ordered_json j;
    j["account"] = l.account;
    j["check"] = l.check;
    j["result"] = l.result == PreflightCheck::Result::kOk       ? "ok"
                  : l.result == PreflightCheck::Result::kFailed ? "failed"
                                                                : "skipped";
    j["detail"] = l.detail;
    if (!l.api.empty()) j["api"] = l.api;
    if (!l.ram_actions.empty()) j["ram_actions"] = l.ram_actions;
    if (!l.error_code.empty()) j["error_code"] = l.error_code;
    if (l.ram_denied) j["missing_permission"] = true;
    doc["checks"].push_back(std::move(j));
  }
  return doc;
}

// One table: ACCOUNT, CHECK, RESULT, DETAIL (the detail last, unpadded).
void PrintTable(std::ostream& out, const std::vector<PreflightCheck>& lines, size_t accounts,
                const Style& style) {
  size_t account_width = 7, check_width = 5, result_width = 7;
  for (const PreflightCheck& l : lines) {
    account_width = std::max(account_width, engine::ForTerminal(l.account).size());
    check_width = std::max(check_width, l.check.size());
  }
  fmt::print(out, "{:<{}}  {:<{}}  {:<{}}  {}\n", "ACCOUNT", account_width, "CHECK", check_width,
             "RESULT", result_width, "DETAIL");
  for (const PreflightCheck& l : lines) {
    const std::string result = engine::PreflightResultName(l.result);
    const std::string padded = fmt::format("{:<{}}", result, result_width);
    const std::string shown = l.result == PreflightCheck::Result::kOk       ? style.Green(padded)
                              : l.result == PreflightCheck::Result::kFailed ? style.Red(padded)
                                                                            : style.Dim(padded);
    fmt::print(out, "{:<{}}  {:<{}}  {}  {}\n", engine::ForTerminal(l.account), account_width,
               l.check, check_width, shown, l.detail);
  }
  const size_t failed = Failures(lines);
  const std::string checked =
      fmt::format("{} account{} checked", accounts, accounts == 1 ? "" : "s");
  if (failed == 0) {
    fmt::print(out, "\n{} {}: every check passed.\n", style.Green("Success!"), checked);
  } else {
    fmt::print(out, "\n{} {}: {} check{} failed.\n", style.Red("Error:"), checked, failed,
               failed == 1 ? "" : "s");
  }
}

}  // namespace

int RunCheck(const Args& args, Context& ctx) {
  CommonOptions common;
  PreflightRequest request;
  bool prune = false;
  CommandLine cl(
      "check [options]",
      "Checks, before a run, that every account of the configuration can work: its\n"
      "credentials resolve (where from is shown, never a secret; a role is assumed), the\n"
      "identity they are (STS GetCallerIdentity), and each permission its configuration\n"
      "needs, by one harmless read per product it binds domains on (the read-back call,\n"
      "e.g. DescribeDomainCertificateInfo), for an account that uploads through CAS the\n"
      "certificate listing and a read by CertId (asking for no PEM and no key), and\n"
      "with a [prune] table (or --prune) the domain listing of every product prune\n"
      "reads. Calls are paced at each call's\n"
      "documented read limit. Writes and deletes are not tried: the README lists the RAM\n"
      "policy each product needs.\n"
      "Prints one table (account, check, result, detail), or JSON with --json; a missing\n"
      "permission is named with the API's code (e.g. Forbidden.RAM) and the RAM action.\n"
      "Needs the configuration, but no state and no private key.\n"
      "Exit code 0 when every check passed, 1 otherwise.");
  cl.AddCommonOptions(&common, /*with_state=*/false);
  cl.AddConnectionOptions(&request.connection);
  cl.options().add_options()("prune", po::bool_switch(&prune),
                             "Also check what prune needs, without a [prune] table");
  if (auto exit = cl.Parse(args, ctx)) return *exit;
  Style style = Style::For(ctx, common.no_color);

  engine::Diagnostics diags;
  const engine::Config config = LoadConfigFiles(common.config_dir, ctx, &diags);
  if (diags.HasErrors()) {
    if (common.json) {
      nlohmann::ordered_json doc;
      doc["format_version"] = "1.0";
      doc["ok"] = false;
      doc["diagnostics"] = DiagnosticsToJson(diags);
      fmt::print(ctx.out, "{}\n", doc.dump(2));
    } else {
      PrintDiagnostics(ctx.err, diags, style);
    }
    return kExitError;
  }
  request.with_prune = prune || config.prune.configured;
  std::vector<engine::PreflightCheck> lines;
  if (engine::Status s = RunPreflight(config, request, ctx, &lines); !s.ok()) {
    fmt::print(ctx.err, "certform check: {}\n", s.message());
    return kExitError;
  }
  if (common.json) {
    fmt::print(ctx.out, "{}\n", ToJson(lines, config.accounts.size()).dump(2));
  } else {
    PrintTable(ctx.out, lines, config.accounts.size(), style);
  }
  return Failures(lines) == 0 ? kExitOk : kExitError;
}

}  // namespace certform::cli
