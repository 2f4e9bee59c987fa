// LocalStateBackend: the state as files beside the configuration: certform.state.json (with
// .backup), an flock'd .lock holding the holder's details, and an fsync'd .journal.
#pragma once

#include "engine/base/file_system.h"
#include "engine/state/state_backend.h"
#include "state/local/file_journal.h"
#include "state/local/file_lock.h"
#include "state/local/state_store.h"

namespace certform::engine {

class LocalStateBackend final : public StateBackend {
 public:
  LocalStateBackend(FileSystem& fs, std::string path)
      : store_(fs, std::move(path)), journal_(fs, store_.journal_path()) {}

  std::string Describe() const override { return store_.path(); }
  bool Shared() const override { return false; }
  std::string BackupDescription() const override { return store_.backup_path(); }
  Status Load(State* state) override { return store_.Load(state); }
  Status Write(const State& prior, State* next, RandomSource& random) override;
  Status Lock(const LockHolder& holder, Clock::Duration timeout, Clock& clock,
              std::unique_ptr<StateBackendLock>* lock, const WaitNotice& waiting = {}) override;
  Status DescribeLock(std::string* holder) override {
    return StateLock::Holder(store_.lock_path(), holder);
  }
  // A local lock (flock) lives exactly as long as its holder's process: there is nothing to
  // force, and ForceUnlock says so, naming the holder.
  Status ForceUnlock(const std::string& lock_id, std::string* holder) override;
  Status AppendJournal(const JournalRecord& record) override { return journal_.Append(record); }
  Status ReplayJournal(State* state, int* applied) override {
    return journal_.Replay(state, applied);
  }
  bool HasJournal() override { return journal_.Exists(); }
  Status ClearJournal() override { return journal_.Clear(); }

  const StateStore& store() const { return store_; }

 private:
  StateStore store_;
  Journal journal_;
};

}  // namespace certform::engine
