// The product table: every product certform binds on, as one row each, pairing the rules its
// provider states (engine/product/product_rules.h) with the factory of its provider. This table
// and providers/ are the only places that name a product (scripts/check-product-names.sh); the
// rest of certform reads the rules the table installs.
#pragma once

#include <vector>

#include "engine/product/product_rules.h"
#include "providers/alicloud/product_wiring.h"

namespace certform::cli {

struct ProductRow {
  const engine::ProductRules& (*rules)();
  alicloud::ProductFactory make;
};

// The rows, the default product first. A build may add rows (a test's fake product) before
// InstallProductTable.
std::vector<ProductRow>& ProductTable();

// Installs the table's rules as the products this run binds on (engine::InstallProducts): called
// by main() and by the tests' main() before anything is read.
void InstallProductTable();

// The row of `name`, or null.
const ProductRow* FindProductRow(const std::string& name);

}  // namespace certform::cli
