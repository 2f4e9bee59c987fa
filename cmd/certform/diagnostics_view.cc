#include "cmd/certform/diagnostics_view.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "engine/base/text_escape.h"

namespace certform::cli {

void PrintDiagnostics(std::ostream& out, const engine::Diagnostics& diags, const Style& style) {
  for (const engine::Diagnostic& d : diags.items()) {
    // Summaries and details quote files, state and answers: escaped, never raw.
    std::string where = engine::ForTerminal(d.where.ToString());
    std::string label =
        d.severity == engine::Severity::kError ? style.Red("error:") : style.Yellow("warning:");
    fmt::print(out, "{}{} {}\n", where.empty() ? "" : where + ": ", label,
               engine::ForTerminal(d.summary));
    if (!d.detail.empty()) fmt::print(out, "  {}\n", engine::ForTerminal(d.detail));
  }
}

nlohmann::ordered_json DiagnosticsToJson(const engine::Diagnostics& diags) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const engine::Diagnostic& d : diags.items()) {
    nlohmann::ordered_json j;
    j["severity"] = d.severity == engine::Severity::kError ? "error" : "warning";
    j["summary"] = d.summary;
    j["detail"] = d.detail;
    if (!d.where.file.empty()) {
      j["range"] = {{"filename", d.where.file}, {"line", d.where.line}, {"column", d.where.column}};
    }
    list.push_back(std::move(j));
  }
  return list;
}

}  // namespace certform::cli
