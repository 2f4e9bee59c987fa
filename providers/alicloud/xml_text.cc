#include "providers/alicloud/xml_text.h"

#include <cstdlib>

namespace certform::alicloud {

namespace {

void AppendUtf8(unsigned long cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x110000) {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string XmlUnescape(std::string_view text) {
  static const std::pair<std::string_view, char> kEntities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text[i] != '&') {
      out.push_back(text[i++]);
      continue;
    }
    bool done = false;
    for (const auto& [entity, c] : kEntities) {
      if (text.substr(i, entity.size()) == entity) {
        out.push_back(c);
        i += entity.size();
        done = true;
        break;
      }
    }
    const size_t semi = text.find(';', i);
    if (!done && text.substr(i, 2) == "&#" && semi != std::string_view::npos && semi - i < 12) {
      const std::string number(text.substr(i + 2, semi - i - 2));
      const bool hex = !number.empty() && (number[0] == 'x' || number[0] == 'X');
      char* end = nullptr;
      const unsigned long cp = std::strtoul(number.c_str() + (hex ? 1 : 0), &end, hex ? 16 : 10);
      if (end != nullptr && *end == '\0' && number.size() > (hex ? 1U : 0U)) {
        AppendUtf8(cp, &out);
        i = semi + 1;
        done = true;
      }
    }
    if (!done) out.push_back(text[i++]);  // a lone '&' stays as it is
  }
  return out;
}

std::string XmlElement(std::string_view tag, std::string_view text) {
  return "<" + std::string(tag) + ">" + XmlEscape(text) + "</" + std::string(tag) + ">";
}

std::vector<std::string> XmlElements(std::string_view doc, std::string_view tag) {
  std::vector<std::string> out;
  const std::string open = "<" + std::string(tag);
  const std::string close = "</" + std::string(tag) + ">";
  for (size_t at = doc.find(open); at != std::string_view::npos; at = doc.find(open, at + 1)) {
    const size_t after = at + open.size();
    if (after >= doc.size()) break;
    if (doc.substr(after, 2) == "/>") {
      out.emplace_back();
      continue;
    }
    if (doc[after] != '>') continue;  // <TagLonger> or an attribute: not this element
    const size_t end = doc.find(close, after + 1);
    if (end == std::string_view::npos) break;
    out.emplace_back(doc.substr(after + 1, end - after - 1));
    at = end;
  }
  return out;
}

std::optional<std::string> XmlText(std::string_view doc, std::string_view tag) {
  std::vector<std::string> all = XmlElements(doc, tag);
  if (all.empty()) return std::nullopt;
  return XmlUnescape(all.front());
}

}  // namespace certform::alicloud
