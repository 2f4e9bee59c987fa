#include "engine/config/binding_address.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/base/domain_name.h"
#include "engine/base/suggest.h"
#include "engine/base/text_escape.h"

namespace certform::engine {

std::vector<std::string> KnownProducts() { return ProductNames(); }

const std::string& DefaultProductName() { return DefaultProduct().name; }

std::string Address::Location() const {
  std::string out;
  for (const std::string& part : location) out += (out.empty() ? "" : "/") + part;
  return out;
}

std::string Address::Key() const {
  std::string key = product == DefaultProductName() ? "" : product + ":";
  for (const std::string& part : location) key += part + "/";
  return key + domain;
}

std::string Address::Field(const std::string& key) const {
  const ProductRules* rules = FindProduct(product);
  if (rules == nullptr) return "";
  for (size_t i = 0; i < rules->location.size() && i < location.size(); ++i) {
    if (rules->location[i].key == key) return location[i];
  }
  return "";
}

Address SplitAddress(const std::string& key) {
  Address address;
  address.product = DefaultProductName();
  address.domain = key;
  const size_t colon = key.find(':');
  if (colon == std::string::npos) return address;
  const ProductRules* rules = FindProduct(std::string_view(key).substr(0, colon));
  if (rules == nullptr) return address;
  address.product = rules->name;
  std::string rest = key.substr(colon + 1);
  for (size_t i = 0; i < rules->location.size(); ++i) {
    const size_t slash = rest.find('/');
    if (slash == std::string::npos) break;
    address.location.push_back(rest.substr(0, slash));
    rest = rest.substr(slash + 1);
  }
  address.domain = rest;
  return address;
}

namespace {

std::string AddressProblemRaw(std::string_view text, Address* address);

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

// The problem quotes parts of `text`, which comes from outside: escaped for any output.
std::string ParseAddress(std::string_view text, Address* address) {
  return ForTerminal(AddressProblemRaw(text, address));
}

std::string AddressProblem(std::string_view text, std::string* canonical) {
  Address address;
  std::string problem = ParseAddress(text, &address);
  if (problem.empty()) *canonical = address.Key();
  return problem;
}

namespace {

std::string AddressProblemRaw(std::string_view text, Address* address) {
  constexpr size_t kMaxAddress = 512;  // a product, its location and a 253-character name
  if (text.size() > kMaxAddress) return fmt::format("longer than {} characters", kMaxAddress);
  const ProductRules* rules = &DefaultProduct();
  std::string_view rest = text;
  if (const size_t colon = text.find(':'); colon != std::string_view::npos) {
    const std::string product(text.substr(0, colon));
    rest = text.substr(colon + 1);
    rules = FindProduct(product);
    if (rules == nullptr) {
      const std::vector<std::string> known = KnownProducts();
      const std::string hint = Suggest(product, known);
      return fmt::format("\"{}\" is not a product{}", product,
                         hint.empty() ? fmt::format(" (products: {})", fmt::join(known, ", "))
                                      : fmt::format("; did you mean \"{}\"?", hint));
    }
  }
  Address out;
  out.product = rules->name;
  const size_t slashes = static_cast<size_t>(std::count(rest.begin(), rest.end(), '/'));
  if (rules->location.empty() && slashes > 0) {
    return fmt::format("{} domains have no location (no '/')", rules->title);
  }
  if (slashes != rules->location.size()) {
    std::string form = rules->name + ":";
    for (const LocationField& f : rules->location) form += Upper(f.key) + "/";
    const bool vowel =
        std::string_view("AEIOUaeiou").find(rules->title.front()) != std::string::npos;
    return fmt::format("{} {} address is {}{}", vowel ? "an" : "a", rules->title, form,
                       rules->slots.enabled ? "SLOT" : "DOMAIN");
  }
  for (const LocationField& field : rules->location) {
    const size_t slash = rest.find('/');
    const std::string value(rest.substr(0, slash));
    rest = rest.substr(slash + 1);
    if (std::string p = field.problem ? field.problem(value) : ""; !p.empty() || value.empty()) {
      return fmt::format("{} \"{}\": {}", field.key, value, p.empty() ? "is empty" : p);
    }
    out.location.push_back(value);
  }
  if (rules->slots.enabled) {  // a listener's certificate slot, not a domain
    out.domain = std::string(rest);
    if (std::string p = SlotProblem(out.domain, rules->slots); !p.empty()) {
      return fmt::format("slot \"{}\": {}", out.domain, p);
    }
    *address = std::move(out);
    return "";
  }
  out.domain = NormalizeDomain(std::string(rest));
  if (!rules->wildcards && (out.domain.starts_with(".") || out.domain.starts_with("*."))) {
    return fmt::format("{} has no wildcard domains", rules->title);
  }
  if (std::string p = DomainNameProblem(out.domain); !p.empty()) return p;
  *address = std::move(out);
  return "";
}

}  // namespace

std::tuple<std::string, size_t, std::string> BindingOrder(const std::string& account,
                                                          const Address& parts) {
  const std::vector<ProductRules>& products = Products();
  size_t rank = 0;
  while (rank < products.size() && products[rank].name != parts.product) ++rank;
  const std::string location = parts.Location();
  return {account, rank, parts.domain + (location.empty() ? "" : " " + location)};
}

std::string StopKey(const std::string& account, const Address& address) {
  const std::string& product = address.product;
  return product == DefaultProductName() ? account : account + "/" + product;
}

bool IsSlot(const Address& address) {
  const ProductRules* rules = FindProduct(address.product);
  return rules != nullptr && rules->slots.enabled;
}

std::string SlotDescription(const Address& address) {
  const ProductRules* rules = FindProduct(address.product);
  if (rules == nullptr || !rules->slots.enabled) return "";
  const std::string of = ForTerminal(rules->slots.of + " " + address.Location());
  if (address.domain == kDefaultSlot) return "default certificate of " + of;
  const std::string key = address.domain.starts_with(kSniSlotPrefix)
                              ? address.domain.substr(sizeof(kSniSlotPrefix) - 1)
                              : address.domain;
  if (rules->slots.sni_key == SlotRules::SniKey::kDomain) {
    return "certificate of domain extension " + ForTerminal(key) + " of " + of;
  }
  return "additional certificate " + ForTerminal(key) + " of " + of;
}

std::string ProductTitles() {
  std::string out;
  const std::vector<ProductRules>& products = Products();
  for (size_t i = 0; i < products.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == products.size() ? " and " : ", ") + products[i].title;
  }
  return out;
}

std::string OnProduct(const std::string& product) {
  return product == DefaultProductName() ? "the " + ProductTitle(product) : ProductTitle(product);
}

std::string ProductTitle(const std::string& product) {
  if (const ProductRules* rules = FindProduct(product)) return rules->title;
  std::string title = product;
  for (char& c : title) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return title;
}

}  // namespace certform::engine
