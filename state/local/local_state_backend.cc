#include "state/local/local_state_backend.h"

#include <fmt/format.h>

namespace certform::engine {

namespace {

class LocalLock final : public StateBackendLock {
 public:
  explicit LocalLock(std::unique_ptr<StateLock> lock) : lock_(std::move(lock)) {}

 private:
  std::unique_ptr<StateLock> lock_;
};

}  // namespace

Status LocalStateBackend::Write(const State& prior, State* next, RandomSource& random) {
  // The lock makes this true already; checking costs one read and catches a second writer that
  // ignored the lock (another tool, a copy of the file put back by hand).
  State stored;
  if (Status s = store_.Load(&stored); !s.ok()) return s;
  if (stored.lineage != prior.lineage || stored.serial != prior.serial) {
    return Status::Stale(fmt::format(
        "the state file {} changed under this run (serial {} expected, {} found): someone else "
        "wrote it; nothing was written",
        store_.path(), prior.serial, stored.serial));
  }
  return store_.Write(prior, next, random);
}

Status LocalStateBackend::Lock(const LockHolder& holder, Clock::Duration timeout, Clock& clock,
                               std::unique_ptr<StateBackendLock>* lock, const WaitNotice& waiting) {
  std::unique_ptr<StateLock> held;
  Status s = StateLock::Acquire(store_.lock_path(), holder, timeout, clock, &held, waiting);
  if (s.ok()) *lock = std::make_unique<LocalLock>(std::move(held));
  return s;
}

Status LocalStateBackend::ForceUnlock(const std::string& /*lock_id*/, std::string* holder) {
  Status s = DescribeLock(holder);
  if (!s.ok()) return s;
  if (holder->empty()) return Status::NotFound("the state " + store_.path() + " is not locked");
  return Status::Failed(fmt::format(
      "the local state lock is an flock held by {} and goes with that process: stop the process "
      "(it records every completed call first); there is nothing to force",
      *holder));
}

}  // namespace certform::engine
