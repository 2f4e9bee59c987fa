// StateBackend: where the state, its lock and its journal of completed calls live. One interface,
// two implementations: local files beside the configuration (LocalStateBackend, the default) and
// a PostgreSQL workspace shared by many runners (state/postgres/). Commands and the applier go
// through this interface only.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "engine/base/clock.h"
#include "engine/base/random.h"
#include "engine/base/status.h"
#include "engine/state/journal_record.h"
#include "engine/state/lock_holder.h"
#include "engine/state/state.h"

namespace certform::engine {

// A held lock on a backend's state; released when destroyed, which must happen before its
// backend is destroyed.
class StateBackendLock {
 public:
  virtual ~StateBackendLock() = default;
  // OK while this run provably still holds the lock; LockLost once it does not (a lease that
  // ran out, a fencing token that moved, a lock released by hand). Called right before every
  // API call that changes something: a run that lost the lock must stop sending at once.
  // A local lock (flock) is held for as long as its process lives: always OK.
  virtual Status Check() { return Status::OK(); }
};

class StateBackend {
 public:
  virtual ~StateBackend() = default;

  // For messages: "certform.state.json", or "PostgreSQL workspace \"default\" (schema certform)".
  virtual std::string Describe() const = 0;
  // True when many runners share this state (a PostgreSQL workspace); false for local files.
  virtual bool Shared() const = 0;
  // Where the previous version is kept on each write, for messages.
  virtual std::string BackupDescription() const = 0;

  // Reads the state: empty (no lineage, serial 0) when there is none yet. Corruption or a newer
  // format is an error, and the stored state is never overwritten by certform.
  virtual Status Load(State* state) = 0;
  // Writes `next` when its content differs from `prior` (the state as loaded), or its serial is
  // ahead of prior's, as a compare-and-swap on prior's lineage and serial: when the stored state
  // moved since `prior` was loaded, Stale and nothing is written. Lineage is kept (on the first
  // write: next's, or a new one), serial becomes prior.serial + 1, or next's own serial when that
  // is higher (a copied state keeps its serial: `state pull`, `state push`); the previous version
  // is kept. On success `next` holds what was written.
  virtual Status Write(const State& prior, State* next, RandomSource& random) = 0;

  // Told, while Lock() waits, who holds the lock (again whenever the holder changes).
  using WaitNotice = std::function<void(const std::string& holder)>;

  // Takes the exclusive lock for `holder`, retrying until `timeout` (0: fail at once); Locked
  // naming the current holder (host, pid, command, since) when someone else keeps it.
  virtual Status Lock(const LockHolder& holder, Clock::Duration timeout, Clock& clock,
                      std::unique_ptr<StateBackendLock>* lock, const WaitNotice& waiting = {}) = 0;

  // Who holds the lock now ("" when nobody), with the id ForceUnlock takes where there is one.
  virtual Status DescribeLock(std::string* holder) = 0;
  // Releases the lock `lock_id` whoever holds it (Terraform's force-unlock), naming the holder
  // it released. The holder loses it: its next renewal fails and it sends nothing more.
  virtual Status ForceUnlock(const std::string& lock_id, std::string* holder) = 0;

  // The journal of completed calls (held lock required to append or clear): each record is
  // durable when AppendJournal returns.
  virtual Status AppendJournal(const JournalRecord& record) = 0;
  virtual Status ReplayJournal(State* state, int* applied) = 0;
  virtual bool HasJournal() = 0;
  virtual Status ClearJournal() = 0;
};

}  // namespace certform::engine
