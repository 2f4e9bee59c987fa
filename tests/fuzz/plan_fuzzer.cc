// libFuzzer target: the saved plan file loader.
#include <cstdint>
#include <string>

#include "cmd/certform/product_table.h"
#include "engine/plan/plan_file.h"

// The products certform binds on, installed as its main() does.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  certform::cli::InstallProductTable();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  certform::engine::Plan plan;
  if (certform::engine::ParsePlan(std::string(reinterpret_cast<const char*>(data), size), "fuzz",
                                  &plan)
          .ok()) {
    (void)certform::engine::SerializePlan(plan);
    plan.Summary();
  }
  return 0;
}
