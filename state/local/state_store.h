// StateStore: the state file on disk, read and replaced safely.
#pragma once

#include <string>

#include "engine/base/file_system.h"
#include "engine/base/random.h"
#include "engine/base/status.h"
#include "engine/state/state.h"

namespace certform::engine {

inline constexpr int kPrivateFileMode = 0600;

class StateStore {
 public:
  StateStore(FileSystem& fs, std::string path) : fs_(fs), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  std::string backup_path() const { return path_ + ".backup"; }
  std::string lock_path() const { return path_ + ".lock"; }
  std::string journal_path() const { return path_ + ".journal"; }

  // Reads the state. A missing file is OK and yields an empty State (no lineage, serial 0); a
  // corrupt or newer-format file is an error and is never overwritten by certform.
  Status Load(State* state);

  // Writes `next` when its entries differ from `prior` (the state as loaded): lineage is kept
  // (or created on the first write), serial becomes prior.serial + 1, the file on disk is first
  // copied to the backup, then replaced atomically with mode 0600. Nothing is written when the
  // content is unchanged. On success `next` holds what was written.
  Status Write(const State& prior, State* next, RandomSource& random);

 private:
  FileSystem& fs_;
  std::string path_;
};

}  // namespace certform::engine
