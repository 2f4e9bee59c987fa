#include "engine/base/text_escape.h"

#include <cstdint>
#include <cstdio>

namespace certform::engine {

namespace {

// The code point of the UTF-8 sequence at `text[*i]`, advancing `*i` past it; -1 (advancing one
// byte) when the bytes there are not well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF).
int32_t NextCodePoint(std::string_view text, size_t* i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(*i);
  int length = 0;
  int32_t cp = 0;
  if (lead < 0x80) {
    ++*i;
    return lead;
  } else if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    cp = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    cp = lead & 0x0f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    cp = lead & 0x07;
  } else {
    ++*i;
    return -1;
  }
  if (*i + length > text.size()) {
    ++*i;
    return -1;
  }
  for (int k = 1; k < length; ++k) {
    const unsigned char c = byte(*i + k);
    if ((c & 0xc0) != 0x80) {
      ++*i;
      return -1;
    }
    cp = (cp << 6) | (c & 0x3f);
  }
  const bool overlong = (length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000);
  if (overlong || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
    ++*i;
    return -1;
  }
  *i += length;
  return cp;
}

// Characters that reorder, hide or break text on screen (Unicode TR9 bidi controls, UAX 14 line
// and paragraph separators, zero-width characters): the "Trojan Source" set, CVE-2021-42574.
bool IsInvisibleFormat(int32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) ||      // C1 controls (CSI is 0x9b)
         cp == 0x061c ||                    // ARABIC LETTER MARK
         (cp >= 0x200b && cp <= 0x200f) ||  // zero-width space/joiners, LRM, RLM
         (cp >= 0x2028 && cp <= 0x202e) ||  // line/paragraph separators, embeddings, overrides
         (cp >= 0x2060 && cp <= 0x2069) ||  // word joiner, invisible operators, isolates
         cp == 0xfeff;                      // byte-order mark, zero-width no-break space
}

void AppendHexByte(std::string* out, unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", c);
  *out += buf;
}

}  // namespace

std::string ForTerminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t start = i;
    const int32_t cp = NextCodePoint(text, &i);
    if (cp < 0) {
      AppendHexByte(&out, static_cast<unsigned char>(text[start]));
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp < 0x20 || cp == 0x7f) {
      AppendHexByte(&out, static_cast<unsigned char>(cp));
    } else if (IsInvisibleFormat(cp)) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\u{%04x}", static_cast<unsigned>(cp));
      out += buf;
    } else {
      out.append(text.substr(start, i - start));
    }
  }
  return out;
}

std::string ForMarkdown(std::string_view text) {
  std::string out;
  for (char c : ForTerminal(text)) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\\':
      case '|':
      case '`':
      case '*':
      case '_':
      case '~':
      case '[':
      case ']':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string ForHtml(std::string_view text) {
  std::string out;
  for (char c : ForTerminal(text)) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string MarkdownCode(std::string_view text) {
  std::string body;
  size_t run = 0, longest = 0;
  for (char c : ForTerminal(text)) {
    run = c == '`' ? run + 1 : 0;
    if (run > longest) longest = run;
    // GitHub splits table rows on '|' before it looks for code spans; "\|" is a literal '|'.
    if (c == '|') body += '\\';
    body += c;
  }
  if (body.empty()) return "` `";
  const std::string fence(longest + 1, '`');
  // A space on each side keeps a leading or trailing backtick out of the fence (CommonMark
  // 0.31 §6.1 strips one such space on each side).
  const bool pad = body.front() == '`' || body.back() == '`';
  return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

}  // namespace certform::engine
