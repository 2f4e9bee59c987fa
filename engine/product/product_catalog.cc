#include "engine/product/product_catalog.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace certform::engine {

namespace {

std::vector<ProductRules>& Installed() {
  static std::vector<ProductRules> products;
  return products;
}

}  // namespace

namespace {

// A product table that breaks the catalog's assumptions is a program bug, caught at start: the
// default product's addresses carry no prefix, so it can have no location fields; every product
// has a name, a title and a write call; every location field has its check.
void CheckProducts(const std::vector<ProductRules>& products) {
  auto fail = [](const std::string& why) {
    std::fprintf(stderr, "certform: bad product table (a program bug): %s\n", why.c_str());
    std::abort();
  };
  if (!products.empty() && !products.front().location.empty()) {
    fail("the default product " + products.front().name + " has location fields");
  }
  for (const ProductRules& p : products) {
    if (p.name.empty() || p.title.empty() || p.write_calls.empty()) {
      fail("product \"" + p.name + "\" needs a name, a title and a write call");
    }
    for (const LocationField& f : p.location) {
      if (f.key.empty() || f.problem == nullptr) {
        fail("product " + p.name + ": location field \"" + f.key + "\" has no check");
      }
    }
    for (const ProductRules& q : products) {
      if (&p != &q && p.name == q.name) fail("product " + p.name + " is installed twice");
    }
  }
}

}  // namespace

void InstallProducts(std::vector<ProductRules> products) {
  CheckProducts(products);
  Installed() = std::move(products);
}

const std::vector<ProductRules>& Products() { return Installed(); }

const ProductRules* FindProduct(std::string_view name) {
  for (const ProductRules& p : Installed()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const ProductRules& DefaultProduct() {
  if (Installed().empty()) {
    std::fputs("certform: no product is installed (a program bug: InstallProducts first)\n",
               stderr);
    std::abort();
  }
  return Installed().front();
}

std::vector<std::string> ProductNames() {
  std::vector<std::string> names;
  for (const ProductRules& p : Installed()) names.push_back(p.name);
  return names;
}

}  // namespace certform::engine
