// The canonical layout of a configuration file, for `certform fmt` (Terraform's fmt): only
// whitespace and blank lines change, never a comment, a key's spelling or a value's text.
//
//   - a table header or a key/value pair at the top level starts in column 1, written as
//     `[a.b]`, `[[a]]` and `key = value` (one space each side of `=`, none around the dots of a
//     dotted key or inside the brackets); a trailing comment keeps its column while the code
//     ends before it (aligned comments stay aligned), else follows one space after;
//   - a comment line at the top level starts in column 1;
//   - no whitespace at the end of a line (except inside a multi-line string, whose text it is);
//   - at most one blank line in a row, none at the start or the end, and one before a table header
//     that follows a key/value pair; the file ends with exactly one newline, lines end in LF;
//   - a multi-line string, array or inline table keeps its lines as written (trailing whitespace
//     outside strings removed).
//
// The result is checked to parse to the same document as the input; when it would not (a bug),
// the file is reported and left as it is.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/base/diagnostics.h"

namespace certform::engine {

// One line of the difference between a file and its formatted text.
struct FormatEdit {
  int line = 0;                        // 1-based line of the input the edit is at
  std::optional<std::string> removed;  // the input line, when it is removed or changed
  std::optional<std::string> added;    // the output line, when it is added or changed
};

struct TomlFormat {
  bool ok = false;                // false: `error` says why, at `where`; nothing to write
  std::string text;               // the formatted file (ok only)
  std::vector<FormatEdit> edits;  // empty when the file is already formatted
  SourcePos where;
  std::string error;
  bool Changed() const { return !edits.empty(); }
};

// Formats the TOML document `text`, read from `path` (for messages only). A file that does not
// parse is an error at the line toml++ reports, in the words `certform validate` uses.
TomlFormat FormatToml(const std::string& path, const std::string& text);

}  // namespace certform::engine
