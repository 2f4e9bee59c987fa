// certform validate: configuration and certificate checks only, no state and no network.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cmd/certform/command_line.h"
#include "cmd/certform/diagnostics_view.h"
#include "cmd/certform/workspace.h"

namespace certform::cli {

int RunValidate(const Args& args, Context& ctx) {
  CommonOptions common;
  CommandLine cl(
      "validate [options]",
      "Checks the configuration directory without touching the state or the network:\n"
      "TOML syntax and schema, references, domain names, and every upload certificate\n"
      "(PEM, key match, chain order, validity, coverage of its domains). A private key that\n"
      "is absent (key_env unset, key_file missing) is a warning: plan needs only the\n"
      "certificate, apply needs the key.\n"
      "Exit code 0 when valid (warnings allowed), 1 otherwise.");
  cl.AddCommonOptions(&common, /*with_state=*/false);
  if (auto exit = cl.Parse(args, ctx)) return *exit;

  engine::Diagnostics diags;
  engine::Config config = LoadCheckedConfig(common, ctx, &diags, engine::KeyPolicy::kWhenPresent);
  const bool valid = !diags.HasErrors();
  if (common.json) {
    nlohmann::ordered_json doc;
    doc["format_version"] = "1.0";
    doc["valid"] = valid;
    doc["error_count"] = diags.ErrorCount();
    doc["warning_count"] = diags.WarningCount();
    doc["diagnostics"] = DiagnosticsToJson(diags);
    fmt::print(ctx.out, "{}\n", doc.dump(2));
    return valid ? kExitOk : kExitError;
  }
  Style style = Style::For(ctx, common.no_color);
  PrintDiagnostics(ctx.err, diags, style);
  if (!valid) {
    fmt::print(ctx.err, "\n{} error(s), {} warning(s): the configuration is not valid.\n",
               diags.ErrorCount(), diags.WarningCount());
    return kExitError;
  }
  auto count = [](size_t n, const char* noun) {
    return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
  };
  fmt::print(ctx.out, "{} The configuration is valid: {}, {}, {}.\n", style.Green("Success!"),
             count(config.bindings.size(), "domain"),
             count(config.certificates.size(), "certificate"),
             count(config.accounts.size(), "account"));
  return kExitOk;
}

}  // namespace certform::cli
