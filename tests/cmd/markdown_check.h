// What a Markdown comment must keep however it was made or shortened: every <details> block
// opened on a line of its own with its whole <summary>, closed, and nested; every table row with
// its table's cell separators; no heading but certform's; no raw control character.
#pragma once

#include <sstream>
#include <string>

#include <catch2/catch.hpp>

namespace certform::test {

// '|' not preceded by a backslash: the cell separators GitHub sees.
inline int Separators(const std::string& line) {
  int n = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '|' && (i == 0 || line[i - 1] != '\\')) ++n;
  }
  return n;
}

inline int LinesStartingWith(const std::string& text, const std::string& prefix) {
  std::istringstream lines(text);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) n += line.starts_with(prefix) ? 1 : 0;
  return n;
}

inline int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

inline void CheckNoRawControls(const std::string& text) {
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find('\r') == std::string::npos);
  CHECK(text.find("\xe2\x80\xae") == std::string::npos);
}

// Checks the structure of `md` (see the top of this file); returns the <details> blocks opened.
inline int CheckWellFormed(const std::string& md) {
  CheckNoRawControls(md);
  CHECK(md.ends_with("\n"));
  CHECK_FALSE(md.ends_with("\n\n"));
  std::istringstream lines(md);
  std::string line;
  int depth = 0, opened = 0, table_separators = -1;
  while (std::getline(lines, line)) {
    INFO(line);
    // An HTML block starts only at the start of a line: only certform's own may.
    if (line.starts_with("<details>")) {
      CHECK(line.starts_with("<details><summary>"));
      CHECK(line.ends_with("</summary>"));
      CHECK(Count(line, "<") == 3);  // nothing from outside opens or closes a tag in it
      ++depth;
      ++opened;
    } else if (line.starts_with("</details>")) {
      CHECK(line == "</details>");
      --depth;
      CHECK(depth >= 0);
    } else {
      CHECK_FALSE(line.starts_with("<"));
    }
    // Headings: the title, and a certificate's name (a code span) in its details.
    if (line.starts_with("#")) {
      CHECK((line.starts_with("### certform ") || line.starts_with("#### `")));
    }
    if (line.starts_with("|")) {
      if (table_separators < 0) table_separators = Separators(line);
      CHECK(Separators(line) == table_separators);
      CHECK(line.ends_with("|"));
    } else {
      table_separators = -1;
    }
  }
  CHECK(depth == 0);
  return opened;
}

}  // namespace certform::test
