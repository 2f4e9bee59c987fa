// The products this build of certform binds on: installed once, before anything is read, by the
// program's product table (cmd/certform/product_table.cc; tests install it in their main).
//
// The first product installed is the default one: a binding without `product` is on it, and its
// addresses carry no prefix ("www.example.com"; "dcdn:www.example.com" on another product).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/product/product_rules.h"

namespace certform::engine {

// Installs `products` (the default first), replacing any installed before. Not thread-safe: call
// it at start, before any thread reads the catalog.
void InstallProducts(std::vector<ProductRules> products);

// The installed products, the default first; empty before InstallProducts.
const std::vector<ProductRules>& Products();
// The product named `name`, or null.
const ProductRules* FindProduct(std::string_view name);
// The default product (the first installed). Aborts when none is installed: a program bug.
const ProductRules& DefaultProduct();
// The names of the installed products, the default first.
std::vector<std::string> ProductNames();

}  // namespace certform::engine
