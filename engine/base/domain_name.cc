#include "engine/base/domain_name.h"

#include <algorithm>
#include <cctype>

namespace certform::engine {

namespace {

bool IsLabelChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string SniDomainProblem(std::string_view domain) {
  if (domain.starts_with(".")) {
    return "a wildcard domain is written \"*" + std::string(domain) + "\" here";
  }
  if (domain.starts_with("*.")) return DomainNameProblem(domain.substr(1));
  return DomainNameProblem(domain);
}

std::string NormalizeDomain(std::string_view domain) {
  std::string out(domain);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string DomainNameProblem(std::string_view domain) {
  if (domain.empty()) return "the domain name is empty";
  if (domain.starts_with("*.")) {
    return "wildcard domains are written with a leading dot: \"" + std::string(domain.substr(1)) +
           "\"";
  }
  std::string_view name = domain.starts_with('.') ? domain.substr(1) : domain;
  if (name.ends_with('.')) return "the domain name ends with '.'";
  if (name.size() > 253) return "the domain name is longer than 253 characters";
  size_t labels = 0;
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    std::string_view label =
        name.substr(start, dot == std::string_view::npos ? name.npos : dot - start);
    if (label.empty()) return "the domain name has an empty label";
    if (label.size() > 63)
      return "label \"" + std::string(label) + "\" is longer than 63 characters";
    for (char c : label) {
      if (!IsLabelChar(c)) {
        return "label \"" + std::string(label) + "\" has the character '" + std::string(1, c) +
               "' (allowed: a-z, 0-9, '-')";
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return "label \"" + std::string(label) + "\" starts or ends with '-'";
    }
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (labels < 2) return "the domain name needs at least two labels (e.g. example.com)";
  return "";
}

bool NameCovers(std::string_view san, std::string_view domain) {
  if (domain.starts_with('.')) {
    return san.starts_with("*.") && EqualsIgnoreCase(san.substr(1), domain);
  }
  if (EqualsIgnoreCase(san, domain)) return true;
  if (!san.starts_with("*.")) return false;
  std::string_view suffix = san.substr(2);                       // "example.com"
  if (suffix.find('.') == std::string_view::npos) return false;  // "*.com" covers nothing
  size_t dot = domain.find('.');
  if (dot == 0 || dot == std::string_view::npos) return false;
  return EqualsIgnoreCase(domain.substr(dot + 1), suffix);
}

bool CertificateCovers(const std::vector<std::string>& sans, std::string_view domain) {
  return std::any_of(sans.begin(), sans.end(),
                     [&](const std::string& san) { return NameCovers(san, domain); });
}

}  // namespace certform::engine
