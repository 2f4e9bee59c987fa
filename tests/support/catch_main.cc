// The tests' main(): installs the products of certform's product table (as certform's own main()
// does) before any test reads a configuration, a state or an address.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "cmd/certform/product_table.h"

int main(int argc, char* argv[]) {
  certform::cli::InstallProductTable();
  return Catch::Session().run(argc, argv);
}
