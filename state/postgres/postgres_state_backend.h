// PostgresStateBackend: the state of one workspace in a PostgreSQL database, shared by every
// runner that points at it (the only libpq user; the engine does not depend on it).
//
// Schema (created on first use when missing, used as it is otherwise, so a role without CREATE
// rights works once it exists; versioned in <schema>.certform_schema, now version 3):
//   states(workspace PK, lineage, serial, document, sha256, written_by, written_at)
//   state_history(id, workspace, lineage, serial, document, sha256, written_by, written_at): the
//       versions each write replaced, the last `history` per workspace (the remote .backup)
//   journal(id, workspace, record, written_at): completed calls, committed before reported
//   locks(workspace PK, holder, since, token, expires_at, session_pid, session_start): the lock,
//       a lease with a fencing token, naming the database session that holds it
// A schema that holds any of these tables without certform_schema belongs to someone else and is
// refused before anything is created in it.
//
// The lock is a lease in `locks`, timed by the database's clock alone, and tied to the database
// session of its holder: taking it bumps the workspace's fencing token, sets expires_at = now +
// lease and records the taker's backend pid and session start. It can be taken when the lease
// ran out (or was released) or when the session it names has ended: PostgreSQL ends a session
// as soon as its client's connection closes, which the kernel does for a process that exits or
// is killed, so a killed holder frees the lock at once (as the session advisory locks of
// Terraform's pg backend do), while a frozen one, whose session stays open, keeps it until its
// lease runs out. The holder renews it before every API call that changes something (Check():
// one UPDATE that succeeds only while the token and session are still its own) and in the
// background every lease/3, so a holder that stops renewing loses the lock after at most one
// lease and then sends nothing more. Every state write, journal append and journal clear
// carries the token and locks its row (FOR SHARE) in the same statement or transaction: a
// runner that lost the lock can write nothing, and a takeover waits for a write in progress.
// Writes are a compare-and-swap on (workspace, lineage, serial). Tokens only grow (a release
// expires the lease, never deletes the row), so an old token never becomes valid again.
// PgBouncer in transaction mode is not tested (the statement timeout is set per session, and
// the session is the holder's proof of life): connect directly or in session mode.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/state/state_backend.h"

struct pg_conn;

namespace certform::pgstate {

// What is wrong with `conn_str` as libpq's own parser reads it (PQconninfoParse: keyword/value
// pairs or a postgresql:// URI): "" when nothing; otherwise a message that never repeats any
// part of it. A password (or sslpassword) in it is wrong: it belongs in PGPASSWORD, ~/.pgpass or
// a service file.
std::string ConnStrProblem(const std::string& conn_str);

struct PostgresSettings {
  std::string conn_str;  // libpq keyword/value or URI; empty: libpq's PG* environment
  std::string schema = "certform";
  std::string workspace = "default";
  int history = 20;  // versions kept in state_history per workspace
  // How long the lock outlives its holder's last renewal.
  engine::Clock::Duration lock_lease = std::chrono::seconds(60);
};

class PostgresStateBackend final : public engine::StateBackend {
 public:
  // Connects (application_name=certform, keepalives on, 10 s connect timeout, 30 s statement
  // timeout) and makes sure the schema exists. Unavailable when the server cannot be reached,
  // PermissionDenied for a refused login or missing privileges; never echoes a password.
  static engine::Status Open(const PostgresSettings& settings,
                             std::unique_ptr<PostgresStateBackend>* out);
  ~PostgresStateBackend() override;

  std::string Describe() const override;
  bool Shared() const override { return true; }
  std::string BackupDescription() const override;
  engine::Status Load(engine::State* state) override;
  engine::Status Write(const engine::State& prior, engine::State* next,
                       engine::RandomSource& random) override;
  engine::Status Lock(const engine::LockHolder& holder, engine::Clock::Duration timeout,
                      engine::Clock& clock, std::unique_ptr<engine::StateBackendLock>* lock,
                      const WaitNotice& waiting = {}) override;
  engine::Status DescribeLock(std::string* holder) override;
  engine::Status ForceUnlock(const std::string& lock_id, std::string* holder) override;
  engine::Status AppendJournal(const engine::JournalRecord& record) override;
  engine::Status ReplayJournal(engine::State* state, int* applied) override;
  bool HasJournal() override;
  engine::Status ClearJournal() override;

 private:
  class Result;
  friend class PostgresLock;
  PostgresStateBackend(pg_conn* conn, PostgresSettings settings);

  engine::Status EnsureSchema();
  engine::Status CreateOrUpgradeSchema(bool any_table, int version);
  // The current holder's description with its lock id, its open session and remaining lease,
  // for messages; "" when nobody holds it (no lease, one that ran out, or one whose session
  // ended: free to take). Caller holds mu_.
  std::string CurrentHolderLocked();
  // Renews the lease while the token is still ours; LockLost otherwise (and from then on).
  engine::Status Renew();
  // Runs `sql` with text `params`; on failure a Status naming `what`.
  engine::Status Exec(const std::string& what, const std::string& sql,
                      const std::vector<std::string>& params, Result* result = nullptr);
  std::string Table(const char* name) const;  // schema-qualified
  void Unlock();

  pg_conn* conn_;
  PostgresSettings settings_;
  std::mutex mu_;  // one connection: one statement at a time; guards what follows
  bool locked_ = false;
  int64_t token_ = 0;               // the fencing token of the lease we hold
  engine::Clock* clock_ = nullptr;  // the holder's clock (from Lock()), to time renewals
  engine::Status lost_;             // why the lock was lost, once it was
};

}  // namespace certform::pgstate
