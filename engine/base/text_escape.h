// Escaping text that comes from outside (plan and state files, lock holders, API answers) at the
// point where a view prints it, so that the text can neither drive the reader's terminal nor
// change the structure of the Markdown a reviewer reads.
//
// A saved plan is a file anyone with write access to a CI artifact can edit: an ESC sequence in
// a domain could clear the screen and print "No changes.", a `|` or `</details>` could hide a
// change in a pull-request comment. JSON output needs none of this (nlohmann escapes it).
#pragma once

#include <string>
#include <string_view>

namespace certform::engine {

// `text` safe on one line of a terminal or a plain log: every control character (C0 including
// ESC, CR, LF and TAB; DEL; C1) and every Unicode character that reorders or hides text (bidi
// embeddings, overrides and isolates, the line and paragraph separators, zero-width characters,
// the byte-order mark) shown as a visible escape: "\n", "\r", "\t", "\x1b", "\u{202e}". Bytes
// that are not UTF-8 are shown as "\xNN". Everything else, printable Unicode included, as is.
std::string ForTerminal(std::string_view text);

// `text` as literal Markdown text (GitHub Flavored Markdown, in a table cell, a list item or a
// <details> block): ForTerminal's escapes first (so no newline can end a row), then the
// characters Markdown or HTML would interpret (`\`, `|`, backtick, `*`, `_`, `~`, `[`, `]`) are
// backslash-escaped and `<`, `>`, `&` become HTML entities.
std::string ForMarkdown(std::string_view text);

// `text` as literal text inside raw HTML (a <summary> line, where Markdown is not interpreted and
// a backslash would show): ForTerminal's escapes first (no newline can end the HTML block), then
// `&`, `<`, `>` and `"` as HTML entities.
std::string ForHtml(std::string_view text);

// `text` as one complete Markdown code span, fences included (`www.example.com`): a fence longer
// than any run of backticks in the text, ForTerminal's escapes, and `|` escaped for tables.
std::string MarkdownCode(std::string_view text);

}  // namespace certform::engine
