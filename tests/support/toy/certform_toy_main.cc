// certform with one more row in its product table: the test-only toy product. The row is all
// that plugs it in (tests/support/toy/toy_provider.h).
#include "cmd/certform/product_table.h"
#include "cmd/certform/program.h"
#include "tests/support/toy/toy_provider.h"

int main(int argc, char** argv) {
  certform::cli::ProductTable().push_back(
      {&certform::testing::ToyProvider::Rules, &certform::testing::ToyProvider::Make});
  certform::cli::InstallProductTable();
  return certform::cli::Main(argc, argv);
}
