// certform's main(): installs the product table, then runs the program (program.h).
#include "cmd/certform/product_table.h"
#include "cmd/certform/program.h"

int main(int argc, char** argv) {
  certform::cli::InstallProductTable();
  return certform::cli::Main(argc, argv);
}
