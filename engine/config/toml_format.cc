#include "engine/config/toml_format.h"

#include <algorithm>
#include <string_view>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "engine/config/toml_file_reader.h"

namespace certform::engine {

namespace {

// What is still open at the end of a line: a multi-line string, or brackets of a value that
// continues (an array or inline table over several lines).
struct Open {
  enum class String { kNone, kMultiBasic, kMultiLiteral } string = String::kNone;
  int depth = 0;
  bool Closed() const { return string == String::kNone && depth == 0; }
};

bool At(std::string_view s, size_t i, std::string_view what) {
  return s.substr(i, what.size()) == what;
}

// Scans `line` from `from`, keeping `open` up to date; returns where a comment starts (a `#`
// outside any string), or npos.
size_t Scan(std::string_view line, size_t from, Open* open) {
  using S = Open::String;
  size_t i = from;
  while (i < line.size()) {
    const char c = line[i];
    if (open->string != S::kNone) {
      const bool basic = open->string == S::kMultiBasic;
      if (basic && c == '\\') {
        i += 2;
      } else if (At(line, i, basic ? "\"\"\"" : "'''")) {
        i += 3;
        // Up to two more quotes belong to the string, just inside the delimiter.
        for (int extra = 0; extra < 2 && i < line.size() && line[i] == (basic ? '"' : '\'');
             ++extra)
          ++i;
        open->string = S::kNone;
      } else {
        ++i;
      }
      continue;
    }
    if (c == '#') return i;
    if (At(line, i, "\"\"\"")) {
      open->string = S::kMultiBasic;
      i += 3;
    } else if (At(line, i, "'''")) {
      open->string = S::kMultiLiteral;
      i += 3;
    } else if (c == '"') {
      for (++i; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\') ++i;
      }
      ++i;
    } else if (c == '\'') {
      const size_t end = line.find('\'', i + 1);
      i = end == std::string_view::npos ? line.size() : end + 1;
    } else {
      if (c == '[' || c == '{') ++open->depth;
      if ((c == ']' || c == '}') && open->depth > 0) --open->depth;
      ++i;
    }
  }
  return std::string_view::npos;
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

std::string_view Trim(std::string_view s) { return TrimRight(TrimLeft(s)); }

// A key as written, quoted parts kept, without whitespace around its dots.
std::string NormalKey(std::string_view key) {
  std::string out;
  for (size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    if (c == '"' || c == '\'') {
      size_t end = i + 1;
      while (end < key.size() && key[end] != c) end += (c == '"' && key[end] == '\\') ? 2 : 1;
      out.append(key.substr(i, end + 1 - i));
      i = end;
    } else if (c != ' ' && c != '\t') {
      out += c;
    }
  }
  return out;
}

// Where the `=` of a key/value line is (outside the key's quotes), or npos.
size_t EqualsSign(std::string_view line) {
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '=') return i;
    if (c == '"' || c == '\'') {
      size_t end = i + 1;
      while (end < line.size() && line[end] != c) end += (c == '"' && line[end] == '\\') ? 2 : 1;
      i = end;
    }
  }
  return std::string_view::npos;
}

// `code` followed by its comment, if any. The comment keeps the column it was written at when
// the code still ends before it (so that aligned comments stay aligned), else one space after.
std::string WithComment(std::string code, std::string_view comment, size_t column) {
  comment = TrimRight(comment);
  if (comment.empty()) return code;
  if (!code.empty()) code.resize(std::max(code.size() + 1, column), ' ');
  code.append(comment);
  return code;
}

// A line at the top level, and what it is.
enum class Kind { kBlank, kComment, kHeader, kPair, kOther };

struct Formatted {
  std::string text;
  Kind kind = Kind::kOther;
};

Formatted TopLevelLine(std::string_view raw, Open* open) {
  // Not trimmed on the right yet: a value may open a multi-line string whose text that is.
  const std::string_view line = TrimLeft(raw);
  if (Trim(line).empty()) return {"", Kind::kBlank};
  if (line.front() == '#') return {std::string(TrimRight(line)), Kind::kComment};
  if (line.front() == '[') {
    const bool array = At(line, 0, "[[");
    // The header's key ends at the first `]` outside quotes.
    size_t i = array ? 2 : 1;
    while (i < line.size() && line[i] != ']') {
      if (line[i] == '"' || line[i] == '\'') {
        const char q = line[i];
        for (++i; i < line.size() && line[i] != q; i += (q == '"' && line[i] == '\\') ? 2 : 1) {
        }
      }
      ++i;
    }
    const size_t close = array ? i + 2 : i + 1;
    if (i >= line.size() || (array && !At(line, i, "]]"))) {
      return {std::string(TrimRight(line)), Kind::kOther};
    }
    const std::string_view key = line.substr(array ? 2 : 1, i - (array ? 2 : 1));
    const std::string head =
        fmt::format("{}{}{}", array ? "[[" : "[", NormalKey(key), array ? "]]" : "]");
    std::string_view rest = Trim(line.substr(close));
    return {WithComment(head, rest, static_cast<size_t>(rest.data() - raw.data())), Kind::kHeader};
  }
  const size_t eq = EqualsSign(line);
  if (eq == std::string_view::npos) return {std::string(TrimRight(line)), Kind::kOther};
  const std::string key = NormalKey(line.substr(0, eq));
  const std::string_view value_and_comment = TrimLeft(line.substr(eq + 1));
  const size_t comment = Scan(value_and_comment, 0, open);
  if (comment == std::string_view::npos) {
    // A value that opens a multi-line string keeps its whitespace: it is the string's text.
    std::string_view value =
        open->string == Open::String::kNone ? TrimRight(value_and_comment) : value_and_comment;
    return {fmt::format("{} = {}", key, value), Kind::kPair};
  }
  const std::string_view text = value_and_comment.substr(comment);
  return {WithComment(fmt::format("{} = {}", key, TrimRight(value_and_comment.substr(0, comment))),
                      text, static_cast<size_t>(text.data() - raw.data())),
          Kind::kPair};
}

// A line that continues a value: kept as written, but without trailing whitespace unless it
// ends inside a multi-line string.
std::string ContinuationLine(std::string_view raw, Open* open) {
  const size_t comment = Scan(raw, 0, open);
  if (comment != std::string_view::npos) {
    return WithComment(std::string(TrimRight(raw.substr(0, comment))), raw.substr(comment),
                       comment);
  }
  return std::string(open->string == Open::String::kNone ? TrimRight(raw) : raw);
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

}  // namespace

TomlFormat FormatToml(const std::string& path, const std::string& text) {
  TomlFormat result;
  toml::table before;
  try {
    before = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    result.where = {path, static_cast<int>(e.source().begin.line),
                    static_cast<int>(e.source().begin.column)};
    result.error = "TOML syntax error: " +
                   config_reading::PlainSyntaxError(text, result.where.line, result.where.column,
                                                    std::string(e.description()));
    return result;
  }
  const std::vector<std::string_view> in = Lines(text);
  // Every input line's formatted text (none: dropped), and blank lines added before a line.
  std::vector<std::optional<std::string>> out(in.size());
  std::vector<bool> blank_before(in.size(), false);
  Open open;
  Kind last = Kind::kBlank;  // of the last line kept; blank at the start drops leading blanks
  for (size_t i = 0; i < in.size(); ++i) {
    if (!open.Closed()) {
      out[i] = ContinuationLine(in[i], &open);
      last = Kind::kOther;
      continue;
    }
    Formatted f = TopLevelLine(in[i], &open);
    if (f.kind == Kind::kBlank) {
      if (last != Kind::kBlank) out[i] = "";
    } else {
      if (f.kind == Kind::kHeader && (last == Kind::kPair || last == Kind::kOther)) {
        blank_before[i] = true;
      }
      out[i] = std::move(f.text);
    }
    if (out[i]) last = f.kind;
  }
  // No blank line at the end.
  for (size_t i = in.size(); i-- > 0;) {
    if (!out[i]) continue;
    if (!out[i]->empty()) break;
    out[i].reset();
  }
  for (size_t i = 0; i < in.size(); ++i) {
    if (blank_before[i]) {
      result.text += '\n';
      result.edits.push_back({static_cast<int>(i + 1), std::nullopt, std::string()});
    }
    if (out[i]) {
      result.text += *out[i];
      result.text += '\n';
    }
    if (!out[i] || *out[i] != in[i]) {
      result.edits.push_back({static_cast<int>(i + 1), std::string(in[i]), out[i]});
    }
  }
  if (result.edits.empty() && result.text != text) {
    // Only line endings differ (CRLF, or the last newline): one edit at the end says so.
    result.edits.push_back({static_cast<int>(in.size()), std::nullopt, std::nullopt});
  }
  try {
    if (toml::parse(result.text, path) != before) throw std::runtime_error("different");
  } catch (const std::exception&) {
    result.where = {path, 0, 0};
    result.error =
        "certform fmt would change what this file means: it is left as it is (this is a bug in "
        "certform fmt; please report it with the file)";
    result.text.clear();
    result.edits.clear();
    return result;
  }
  result.ok = true;
  return result;
}

}  // namespace certform::engine
