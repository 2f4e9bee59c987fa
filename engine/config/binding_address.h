// A binding's address: where a domain's certificate lives. Typed (Address: product, location,
// domain) wherever certform works with it; written as one canonical string that keys the state,
// the plan and the journal. A domain on the default product (product_catalog.h) is its own
// address ("www.example.com"); on another product it is prefixed with the product's name
// ("dcdn:www.example.com"), so that one name may be bound on several products. No domain name
// holds ':', so the two never collide. A product whose domains live somewhere (its rules'
// location fields, e.g. OSS's region and bucket) writes them before the domain, each followed by
// '/': "oss:REGION/BUCKET/DOMAIN" (no location value holds '/').
#pragma once

#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "engine/product/product_catalog.h"

namespace certform::engine {

struct Address {
  std::string product;                // a ProductRules name
  std::vector<std::string> location;  // the values of its rules' location fields, in order
  std::string domain;                 // the domain name (lower case; ".x" for a CDN wildcard)

  // The canonical string: "www.example.com", "dcdn:www.example.com", "oss:r/b/www.example.com".
  std::string Key() const;
  // The location as the address writes it ("REGION/BUCKET"); empty when the product has none.
  std::string Location() const;
  // The value of the location field `key` ("bucket"), empty when the product has none such.
  std::string Field(const std::string& key) const;
  bool operator==(const Address& other) const = default;
};

// The names of the installed products (product_catalog.h), the default first.
std::vector<std::string> KnownProducts();
// The default product's name (a binding without `product` is on it).
const std::string& DefaultProductName();

// The Address a canonical key (one that passed AddressProblem, e.g. a state key) names. An unknown
// prefix is left in the domain (which then fails as a domain name wherever it is checked).
Address SplitAddress(const std::string& key);

// The one door for an address that comes from outside the configuration: a state file or row, a
// journal, a saved plan, `import`, `--target`, `state show/rm`. It applies the configuration's
// own rules (a known product, a domain name as DomainNameProblem checks it, lower-cased; the
// product's wildcard rule and location fields, each checked by its own rule) and yields the one
// canonical form of the address in `*canonical` ("cdn:WWW.Example.com" → "www.example.com").
// Returns the problem, empty when `text` is a valid address.
std::string AddressProblem(std::string_view text, std::string* canonical);
// The same, yielding the typed address.
std::string ParseAddress(std::string_view text, Address* address);

// The order of bindings and changes: by account, then product (as KnownProducts lists them, so
// that a plan groups each product's changes), then domain.
std::tuple<std::string, size_t, std::string> BindingOrder(const std::string& account,
                                                          const Address& address);

// What an account-wide stop covers: an account on one product ("main", "main/dcdn"). A refused
// key stops every product of it alike, but a dead endpoint is one product's.
std::string StopKey(const std::string& account, const Address& address);

// Whether `address` names a certificate slot of a location (SlotRules: a listener's "default"
// or "sni:KEY"), not a domain: it has no domain name to move, cover or connect to.
bool IsSlot(const Address& address);
// For views: "default certificate of listener cn-hangzhou/lsn-a", "additional certificate web of
// listener cn-hangzhou/lsn-a"; empty when `address` is no slot. Escaped for any output.
std::string SlotDescription(const Address& address);

// A product's title as its rules give it ("CDN"), or the name upper-cased when unknown.
std::string ProductTitle(const std::string& product);
// The installed products' titles, for help and messages: "CDN, DCDN and OSS".
std::string ProductTitles();
// Where `product`'s domains are, for messages: "the CDN" for the default product, else its title.
std::string OnProduct(const std::string& product);

}  // namespace certform::engine
