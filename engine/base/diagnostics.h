// Diagnostics: what users must read about their input (Terraform's tfdiags).
//
// Diagnostics accumulate so that a user sees every configuration error in one run. Each one names
// where it comes from (file, line, column) whenever the input has a position.
#pragma once

#include <string>
#include <vector>

namespace certform::engine {

// A position in a source file; line and column are 1-based, 0 when unknown.
struct SourcePos {
  std::string file;
  int line = 0;
  int column = 0;

  // "file:line:col", "file:line", "file" or "" depending on what is known.
  std::string ToString() const;
};

enum class Severity { kError, kWarning };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string summary;  // one line, no trailing period: "unknown key \"rate\""
  std::string detail;   // optional: a hint or an explanation
  SourcePos where;

  // "file:line:col: error: summary" plus "\n  detail" when there is one.
  std::string ToString() const;
};

class Diagnostics {
 public:
  void Error(SourcePos where, std::string summary, std::string detail = "");
  void Warning(SourcePos where, std::string summary, std::string detail = "");
  void Append(const Diagnostics& other);

  bool HasErrors() const;
  int ErrorCount() const;
  int WarningCount() const;
  bool empty() const { return items_.empty(); }
  const std::vector<Diagnostic>& items() const { return items_; }

  // Sorts by file, line, column so that output is deterministic whatever order checks ran in.
  void Sort();

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace certform::engine
