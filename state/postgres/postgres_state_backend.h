// PostgresStateBackend: the state of one workspace in a PostgreSQL database, shared by every
// runner that points at it (the only libpq user; the engine does not depend on it).
//
// Schema (created on first use when missing, used as it is otherwise, so a role without CREATE
// rights works once it exists; versioned in <schema>.certform_schema):
//   states(workspace PK, lineage, serial, document, sha256, written_by, written_at)
//   state_history(id, workspace, lineage, serial, document, sha256, written_by, written_at): the
//       versions each write replaced, the last `history` per workspace (the remote .backup)
//   journal(id, workspace, record, written_at): completed calls, committed before reported
//   locks(workspace PK, holder, since): who holds the advisory lock, for messages
// Writes are a compare-and-swap on (workspace, lineage, serial) in one transaction. The lock is a
// session-level advisory lock on a 64-bit key hashed from schema and workspace, held on the one
// connection every statement uses: when that connection drops, the lock is gone and so is every
// later statement, so nothing is ever written without it. PgBouncer in transaction mode cannot
// keep a session lock and is not supported (connect to PostgreSQL directly or in session mode).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/state_backend.h"

struct pg_conn;

namespace certform::pgstate {

struct PostgresSettings {
  std::string conn_str;  // libpq keyword/value or URI; empty: libpq's PG* environment
  std::string schema = "certform";
  std::string workspace = "default";
  int history = 20;  // versions kept in state_history per workspace
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
  std::string BackupDescription() const override;
  engine::Status Load(engine::State* state) override;
  engine::Status Write(const engine::State& prior, engine::State* next,
                       engine::RandomSource& random) override;
  engine::Status Lock(const engine::LockHolder& holder, engine::Clock::Duration timeout,
                      engine::Clock& clock,
                      std::unique_ptr<engine::StateBackendLock>* lock) override;
  engine::Status AppendJournal(const engine::JournalRecord& record) override;
  engine::Status ReplayJournal(engine::State* state, int* applied) override;
  bool HasJournal() override;
  engine::Status ClearJournal() override;

  // The advisory-lock key of a schema and workspace (a 64-bit hash: two schemas, projects or
  // workspaces never share a key).
  static int64_t LockKey(const std::string& schema, const std::string& workspace);

 private:
  class Result;
  friend class PostgresLock;
  PostgresStateBackend(pg_conn* conn, PostgresSettings settings);

  engine::Status EnsureSchema();
  // Runs `sql` with text `params`; on failure a Status naming `what`.
  engine::Status Exec(const std::string& what, const std::string& sql,
                      const std::vector<std::string>& params, Result* result = nullptr);
  std::string Table(const char* name) const;  // schema-qualified
  void Unlock();

  pg_conn* conn_;
  PostgresSettings settings_;
  std::mutex mu_;  // one connection: one statement at a time
  bool locked_ = false;
};

}  // namespace certform::pgstate
