#include "engine/base/diagnostics.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

namespace certform::engine {

std::string SourcePos::ToString() const {
  if (file.empty()) return "";
  // fmt rather than `":" + std::to_string(...)`, which g++ 12 at -O3 flags with a false
  // -Wrestrict (GCC bug 105651).
  if (line <= 0) return file;
  if (column <= 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

std::string Diagnostic::ToString() const {
  std::string s = where.ToString();
  if (!s.empty()) s += ": ";
  s += severity == Severity::kError ? "error: " : "warning: ";
  s += summary;
  if (!detail.empty()) s += "\n  " + detail;
  return s;
}

void Diagnostics::Error(SourcePos where, std::string summary, std::string detail) {
  items_.push_back({Severity::kError, std::move(summary), std::move(detail), std::move(where)});
}

void Diagnostics::Warning(SourcePos where, std::string summary, std::string detail) {
  items_.push_back({Severity::kWarning, std::move(summary), std::move(detail), std::move(where)});
}

void Diagnostics::Append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::HasErrors() const { return ErrorCount() > 0; }

int Diagnostics::ErrorCount() const {
  return static_cast<int>(std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) {
    return d.severity == Severity::kError;
  }));
}

int Diagnostics::WarningCount() const { return static_cast<int>(items_.size()) - ErrorCount(); }

void Diagnostics::Sort() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.where.file, a.where.line, a.where.column) <
           std::tie(b.where.file, b.where.line, b.where.column);
  });
}

}  // namespace certform::engine
