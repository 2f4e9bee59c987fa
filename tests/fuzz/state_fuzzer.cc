// libFuzzer target: the state file loader and the journal replay.
#include <cstdint>
#include <string>

#include "cmd/certform/product_table.h"
#include "engine/state/state_file.h"
#include "state/local/file_journal.h"
#include "tests/fuzz/memory_file_system.h"

// The products certform binds on, installed as its main() does.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  certform::cli::InstallProductTable();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  certform::engine::State state;
  if (certform::engine::ParseState(text, "fuzz", &state).ok()) {
    certform::engine::State back;
    (void)certform::engine::ParseState(certform::engine::SerializeState(state), "again", &back);
  }
  certform::fuzz::MemoryFileSystem fs;
  fs.files["j"] = text;
  certform::engine::Journal journal(fs, "j");
  int applied = 0;
  (void)journal.Replay(&state, &applied);
  return 0;
}
