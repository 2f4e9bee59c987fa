#include "engine/product/product_catalog.h"

#include <cstdio>
#include <cstdlib>

namespace certform::engine {

namespace {

std::vector<ProductRules>& Installed() {
  static std::vector<ProductRules> products;
  return products;
}

}  // namespace

void InstallProducts(std::vector<ProductRules> products) { Installed() = std::move(products); }

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
