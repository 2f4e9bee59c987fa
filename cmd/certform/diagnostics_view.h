// Rendering Diagnostics for people (stderr) and machines (JSON).
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

#include "cmd/certform/style.h"
#include "engine/base/diagnostics.h"

namespace certform::cli {

// "file:line:col: error: summary\n  detail", one block per diagnostic.
void PrintDiagnostics(std::ostream& out, const engine::Diagnostics& diags, const Style& style);

// [{"severity","summary","detail","range":{"filename","line","column"}}], as terraform validate.
nlohmann::ordered_json DiagnosticsToJson(const engine::Diagnostics& diags);

}  // namespace certform::cli
