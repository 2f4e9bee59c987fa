// The PostgreSQL backend's journal: one row per applied change, written only under the lease,
// replayed into the state after a crash and cleared with the next write.
#include <fmt/format.h>

#include "engine/state/state_file.h"
#include "state/postgres/postgres_internal.h"

namespace certform::pgstate {

engine::Status PostgresStateBackend::AppendJournal(const engine::JournalRecord& record) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!locked_) return engine::Status::LockLost("the journal is written only under the lock");
  // Autocommit: the record is committed (durable) when this returns, and only while the lease
  // is still ours (FOR SHARE: a takeover waits for it, and sees it).
  Result r;
  engine::Status s =
      Exec("recording a completed call in the journal",
           "INSERT INTO " + Table("journal") +
               " (workspace, record) SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM " + Table("locks") +
               " WHERE workspace = $1 AND token = $3 FOR SHARE) RETURNING 1",
           {settings_.workspace, engine::JournalRecordToJson(record), std::to_string(token_)}, &r);
  if (!s.ok()) return s;
  if (r.rows() == 0) {
    lost_ = engine::Status::LockLost(
        "the state lock was taken over or released; the journal was not written");
    return lost_;
  }
  return engine::Status::OK();
}

engine::Status PostgresStateBackend::ReplayJournal(engine::State* state, int* applied) {
  std::lock_guard<std::mutex> lock(mu_);
  *applied = 0;
  Result r;
  engine::Status s =
      Exec("reading the journal",
           "SELECT record FROM " + Table("journal") + " WHERE workspace = $1 ORDER BY id",
           {settings_.workspace}, &r);
  if (!s.ok()) return s;
  for (int i = 0; i < r.rows(); ++i) {
    engine::JournalRecord record;
    engine::Status parsed = engine::ParseJournalRecord(
        r.Get(i, 0), fmt::format("journal of {}, record {}", Describe(), i + 1), &record);
    if (!parsed.ok()) return parsed;
    engine::ApplyRecord(record, state);
    ++*applied;
  }
  return engine::Status::OK();
}

bool PostgresStateBackend::HasJournal() {
  std::lock_guard<std::mutex> lock(mu_);
  Result r;
  return Exec("reading the journal",
              "SELECT 1 FROM " + Table("journal") + " WHERE workspace = $1 LIMIT 1",
              {settings_.workspace}, &r)
             .ok() &&
         r.rows() > 0;
}

engine::Status PostgresStateBackend::ClearJournal() {
  std::lock_guard<std::mutex> lock(mu_);
  // Only while the lease is ours: a runner that took over may have journaled calls of its own.
  Result r;
  engine::Status s =
      Exec("clearing the journal",
           "WITH held AS (SELECT 1 FROM " + Table("locks") +
               " WHERE workspace = $1 AND token = $2 FOR SHARE), gone AS (DELETE FROM " +
               Table("journal") +
               " WHERE workspace = $1 AND EXISTS (SELECT 1 FROM held)) SELECT count(*) FROM held",
           {settings_.workspace, std::to_string(token_)}, &r);
  if (!s.ok()) return s;
  if (r.Get(0, 0) == "0") {
    return engine::Status::LockLost(
        "the state lock was taken over or released; the journal was left for its new holder");
  }
  return engine::Status::OK();
}

}  // namespace certform::pgstate
