// The little XML that OSS speaks (PutCname's BucketCnameConfiguration, ListCname's result, the
// <Error> document): flat elements of text, no attributes, namespaces or mixed content. Enough to
// write a request and read an answer; not a general XML parser (no library of one is among the
// project's dependencies).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace certform::alicloud {

// & < > " ' as entities.
std::string XmlEscape(std::string_view text);
// The five entities and decimal/hex character references back to text (UTF-8).
std::string XmlUnescape(std::string_view text);

// "<tag>" + escaped text + "</tag>".
std::string XmlElement(std::string_view tag, std::string_view text);

// The raw contents of every <tag>…</tag> (or <tag/>: empty) in `doc`, in order, at any depth;
// an element is not expected to contain another of the same name.
std::vector<std::string> XmlElements(std::string_view doc, std::string_view tag);

// The unescaped text of the first <tag> in `doc`, if any.
std::optional<std::string> XmlText(std::string_view doc, std::string_view tag);

}  // namespace certform::alicloud
