#include "state/local/state_store.h"

#include <algorithm>

#include "engine/state/state_file.h"

namespace certform::engine {

namespace {
constexpr int64_t kMaxStateBytes = int64_t{256} << 20;
}  // namespace

Status StateStore::Load(State* state) {
  std::string text;
  Status s = ReadBoundedFile(fs_, path_, kMaxStateBytes, &text);
  if (s.IsNotFound()) {
    *state = State();
    return Status::OK();
  }
  if (!s.ok()) return s;
  return ParseState(text, path_, state);
}

Status StateStore::Write(const State& prior, State* next, RandomSource& random) {
  if (next->entries == prior.entries && next->uploads == prior.uploads && !prior.lineage.empty() &&
      next->serial <= prior.serial) {
    *next = prior;
    return Status::OK();
  }
  next->format_version = kStateFormatVersion;
  if (!prior.lineage.empty()) {
    next->lineage = prior.lineage;
  } else if (next->lineage.empty()) {
    next->lineage = NewUuid(random);  // a first write, unless it brings a lineage (state push)
  }
  next->serial = std::max(prior.serial + 1, next->serial);  // a copied state keeps its serial
  next->tool_version = CERTFORM_VERSION;
  std::string current;
  Status read = fs_.ReadFile(path_, &current);
  if (read.ok()) {
    Status b = fs_.WriteFileAtomic(backup_path(), current, kPrivateFileMode);
    if (!b.ok()) return b.WithContext("cannot write the state backup");
  } else if (!read.IsNotFound()) {
    return read;
  }
  Status w = fs_.WriteFileAtomic(path_, SerializeState(*next), kPrivateFileMode);
  if (!w.ok()) return w.WithContext("cannot write the state file");
  return Status::OK();
}

}  // namespace certform::engine
