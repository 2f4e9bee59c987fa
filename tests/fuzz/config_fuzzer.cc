// libFuzzer target: the configuration loader and certificate resolver on arbitrary TOML.
#include <cstdint>
#include <string>

#include "cmd/certform/product_table.h"
#include "engine/config/certificate_resolver.h"
#include "engine/config/config_loader.h"
#include "engine/config/trusted_roots.h"
#include "engine/plan/planner.h"
#include "tests/fuzz/memory_file_system.h"

// The products certform binds on, installed as its main() does.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  certform::cli::InstallProductTable();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  certform::fuzz::MemoryFileSystem fs;
  fs.files["cfg/main.toml"] = std::string(reinterpret_cast<const char*>(data), size);
  certform::engine::Diagnostics diags;
  certform::engine::Config config = certform::engine::LoadConfig(fs, "cfg", &diags);
  certform::engine::ResolveCertificates(
      &config, fs, [](const std::string&) { return std::nullopt; },
      *certform::engine::TrustedRootsFromPem(""), std::chrono::system_clock::now(), &diags);
  if (!diags.HasErrors()) certform::engine::MakePlan(config, certform::engine::State{});
  return 0;
}
