#include "state/postgres/postgres_state_backend.h"

#include <libpq-fe.h>

#include <fmt/format.h>

#include "engine/digest.h"
#include "engine/state_file.h"

namespace certform::pgstate {

namespace {

constexpr int kSchemaVersion = 1;
constexpr engine::Clock::Duration kLockPoll = std::chrono::milliseconds(200);

// SQLSTATE classes worth their own Status.
engine::Status Classify(const std::string& sqlstate, const std::string& message) {
  if (sqlstate == "42501" || sqlstate.starts_with("28")) {
    return engine::Status::PermissionDenied(message);  // privilege, authentication
  }
  if (sqlstate == "57014" || sqlstate.starts_with("08") || sqlstate == "57P01") {
    return engine::Status::Unavailable(message);  // statement timeout, connection, shutdown
  }
  return engine::Status::Failed(message);
}

// libpq's messages end with a newline; keep one line.
std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

class PostgresStateBackend::Result {
 public:
  Result() = default;
  ~Result() { Reset(nullptr); }
  void Reset(PGresult* r) {
    if (r_ != nullptr) PQclear(r_);
    r_ = r;
  }
  int rows() const { return r_ == nullptr ? 0 : PQntuples(r_); }
  std::string Get(int row, int col) const { return PQgetvalue(r_, row, col); }

 private:
  PGresult* r_ = nullptr;
};

class PostgresLock final : public engine::StateBackendLock {
 public:
  explicit PostgresLock(PostgresStateBackend* backend) : backend_(backend) {}
  ~PostgresLock() override { backend_->Unlock(); }

 private:
  PostgresStateBackend* backend_;
};

PostgresStateBackend::PostgresStateBackend(pg_conn* conn, PostgresSettings settings)
    : conn_(conn), settings_(std::move(settings)) {}

PostgresStateBackend::~PostgresStateBackend() { PQfinish(conn_); }

engine::Status PostgresStateBackend::Open(const PostgresSettings& settings,
                                          std::unique_ptr<PostgresStateBackend>* out) {
  // Our settings first; anything in conn_str (or libpq's PG* environment) still applies.
  const std::string conninfo =
      "application_name=certform connect_timeout=10 keepalives=1 keepalives_idle=30 " +
      settings.conn_str;
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return engine::Status::IoError("cannot allocate a PostgreSQL connection");
  if (PQstatus(conn) != CONNECTION_OK) {
    // libpq's message names host and user, never the password.
    const std::string message = Trim(PQerrorMessage(conn));
    PQfinish(conn);
    const bool auth = message.find("authentication") != std::string::npos ||
                      message.find("password") != std::string::npos;
    const std::string text = "cannot connect to PostgreSQL: " + message;
    return auth ? engine::Status::PermissionDenied(text) : engine::Status::Unavailable(text);
  }
  std::unique_ptr<PostgresStateBackend> backend(new PostgresStateBackend(conn, settings));
  engine::Status s =
      backend->Exec("setting the statement timeout", "SET statement_timeout = '30s'", {});
  if (s.ok()) s = backend->EnsureSchema();
  if (!s.ok()) return s;
  *out = std::move(backend);
  return engine::Status::OK();
}

std::string PostgresStateBackend::Table(const char* name) const {
  return "\"" + settings_.schema + "\"." + name;  // the schema name is validated: [a-z_][a-z0-9_]*
}

engine::Status PostgresStateBackend::Exec(const std::string& what, const std::string& sql,
                                          const std::vector<std::string>& params, Result* result) {
  std::vector<const char*> values;
  for (const std::string& p : params) values.push_back(p.c_str());
  PGresult* r = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, 0);
  const ExecStatusType status = r == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(r);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    if (result != nullptr) {
      result->Reset(r);
    } else {
      PQclear(r);
    }
    return engine::Status::OK();
  }
  // Copied out before PQclear frees the result they point into.
  const char* field = r == nullptr ? nullptr : PQresultErrorField(r, PG_DIAG_SQLSTATE);
  const std::string state = field == nullptr ? "" : field;
  std::string message = Trim(r == nullptr ? PQerrorMessage(conn_) : PQresultErrorMessage(r));
  if (r != nullptr) PQclear(r);
  if (PQstatus(conn_) != CONNECTION_OK) {
    return engine::Status::Unavailable(fmt::format(
        "the connection to PostgreSQL was lost while {} ({}); its lock is gone with it, so "
        "certform stops here",
        what, message));
  }
  return Classify(state, fmt::format("PostgreSQL refused {}: {}", what, message));
}

engine::Status PostgresStateBackend::EnsureSchema() {
  std::lock_guard<std::mutex> lock(mu_);
  Result r;
  engine::Status s = Exec("reading the schema",
                          "SELECT to_regclass($1) IS NOT NULL, to_regclass($2) IS NOT NULL, "
                          "to_regclass($3) IS NOT NULL, to_regclass($4) IS NOT NULL, "
                          "to_regclass($5) IS NOT NULL",
                          {Table("certform_schema"), Table("states"), Table("state_history"),
                           Table("journal"), Table("locks")},
                          &r);
  if (!s.ok()) return s;
  bool complete = true;
  for (int c = 0; c < 5; ++c) complete = complete && r.Get(0, c) == "t";
  if (!complete) {
    // Created when missing; IF NOT EXISTS keeps two first runners from colliding.
    const std::vector<std::string> ddl = {
        "CREATE SCHEMA IF NOT EXISTS \"" + settings_.schema + "\"",
        "CREATE TABLE IF NOT EXISTS " + Table("certform_schema") + " (version int NOT NULL)",
        "CREATE TABLE IF NOT EXISTS " + Table("states") +
            " (workspace text PRIMARY KEY, lineage text NOT NULL, serial bigint NOT NULL, "
            "document text NOT NULL, sha256 text NOT NULL, written_by text NOT NULL, "
            "written_at timestamptz NOT NULL DEFAULT now())",
        "CREATE TABLE IF NOT EXISTS " + Table("state_history") +
            " (id bigserial PRIMARY KEY, workspace text NOT NULL, lineage text NOT NULL, "
            "serial bigint NOT NULL, document text NOT NULL, sha256 text NOT NULL, "
            "written_by text NOT NULL, written_at timestamptz NOT NULL)",
        "CREATE TABLE IF NOT EXISTS " + Table("journal") +
            " (id bigserial PRIMARY KEY, workspace text NOT NULL, record text NOT NULL, "
            "written_at timestamptz NOT NULL DEFAULT now())",
        "CREATE TABLE IF NOT EXISTS " + Table("locks") +
            " (workspace text PRIMARY KEY, holder text NOT NULL, "
            "since timestamptz NOT NULL DEFAULT now())",
        "INSERT INTO " + Table("certform_schema") + " SELECT " + std::to_string(kSchemaVersion) +
            " WHERE NOT EXISTS (SELECT 1 FROM " + Table("certform_schema") + ")"};
    for (const std::string& sql : ddl) {
      s = Exec("creating the schema " + settings_.schema, sql, {});
      if (!s.ok()) {
        return s.WithContext(
            "the certform tables do not exist yet and could not be created (grant CREATE on the "
            "database or schema, or have an owner run certform once)");
      }
    }
  }
  s = Exec("reading the schema version", "SELECT max(version) FROM " + Table("certform_schema"), {},
           &r);
  if (!s.ok()) return s;
  const int version = std::atoi(r.Get(0, 0).c_str());
  if (version > kSchemaVersion) {
    return engine::Status::InvalidArgument(fmt::format(
        "the PostgreSQL schema {} is at version {}, made by a newer certform; this one knows "
        "version {}",
        settings_.schema, version, kSchemaVersion));
  }
  return engine::Status::OK();
}

std::string PostgresStateBackend::Describe() const {
  return fmt::format("PostgreSQL workspace \"{}\" (schema {})", settings_.workspace,
                     settings_.schema);
}

std::string PostgresStateBackend::BackupDescription() const {
  return Table("state_history") + " (the last " + std::to_string(settings_.history) + " versions)";
}

engine::Status PostgresStateBackend::Load(engine::State* state) {
  std::lock_guard<std::mutex> lock(mu_);
  Result r;
  engine::Status s =
      Exec("reading the state", "SELECT document FROM " + Table("states") + " WHERE workspace = $1",
           {settings_.workspace}, &r);
  if (!s.ok()) return s;
  if (r.rows() == 0) {
    *state = engine::State();
    return engine::Status::OK();
  }
  return engine::ParseState(r.Get(0, 0), Describe(), state);
}

engine::Status PostgresStateBackend::Write(const engine::State& prior, engine::State* next,
                                           engine::RandomSource& random) {
  if (next->entries == prior.entries && next->uploads == prior.uploads && !prior.lineage.empty()) {
    *next = prior;
    return engine::Status::OK();
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!locked_) {
    return engine::Status::Conflict("certform writes the state only while it holds the lock");
  }
  next->format_version = engine::kStateFormatVersion;
  if (!prior.lineage.empty()) {
    next->lineage = prior.lineage;
  } else if (next->lineage.empty()) {
    next->lineage = engine::NewUuid(random);  // a first write, unless it brings one (state pull)
  }
  next->serial = prior.serial + 1;
  next->tool_version = CERTFORM_VERSION;
  const std::string document = engine::SerializeState(*next);
  auto rollback = [&](engine::Status s) {
    Exec("rolling back", "ROLLBACK", {});
    return s;
  };
  engine::Status s = Exec("starting a transaction", "BEGIN", {});
  if (!s.ok()) return s;
  Result r;
  // The lock must still be ours (it is, unless the session was reset behind our back).
  const int64_t key = LockKey(settings_.schema, settings_.workspace);
  s = Exec("checking the lock",
           "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
           "pid = pg_backend_pid() AND ((classid::bigint << 32) | objid::bigint) = $1::bigint",
           {std::to_string(key)}, &r);
  if (!s.ok()) return rollback(s);
  if (r.Get(0, 0) == "0") {
    return rollback(engine::Status::Conflict(
        "the state lock is no longer held by this session; nothing was written"));
  }
  s = Exec("reading the state for update",
           "SELECT lineage, serial FROM " + Table("states") + " WHERE workspace = $1 FOR UPDATE",
           {settings_.workspace}, &r);
  if (!s.ok()) return rollback(s);
  const bool exists = r.rows() == 1;
  const std::string found_lineage = exists ? r.Get(0, 0) : "";
  const int64_t found_serial = exists ? std::atoll(r.Get(0, 1).c_str()) : 0;
  if ((exists && (found_lineage != prior.lineage || found_serial != prior.serial)) ||
      (!exists && prior.serial != 0)) {
    return rollback(engine::Status::Conflict(fmt::format(
        "the state in {} changed under this run (serial {} expected, {} found): another runner "
        "wrote it; nothing was written",
        Describe(), prior.serial, exists ? std::to_string(found_serial) : "none")));
  }
  const std::vector<std::string> row = {settings_.workspace,          next->lineage,
                                        std::to_string(next->serial), document,
                                        engine::Sha256Hex(document),  next->tool_version};
  if (exists) {
    s = Exec("keeping the previous version",
             "INSERT INTO " + Table("state_history") +
                 " (workspace, lineage, serial, document, sha256, written_by, written_at) "
                 "SELECT workspace, lineage, serial, document, sha256, written_by, written_at "
                 "FROM " +
                 Table("states") + " WHERE workspace = $1",
             {settings_.workspace});
    if (s.ok()) {
      s = Exec("writing the state",
               "UPDATE " + Table("states") +
                   " SET lineage = $2, serial = $3, document = $4, sha256 = $5, "
                   "written_by = 'certform ' || $6 || ' (' || current_user || ')', "
                   "written_at = now() WHERE workspace = $1",
               row);
    }
  } else {
    s = Exec("writing the state",
             "INSERT INTO " + Table("states") +
                 " (workspace, lineage, serial, document, sha256, written_by) VALUES "
                 "($1, $2, $3, $4, $5, 'certform ' || $6 || ' (' || current_user || ')')",
             row);
  }
  if (s.ok()) {
    s = Exec("trimming the history",
             "DELETE FROM " + Table("state_history") +
                 " WHERE workspace = $1 AND id NOT IN (SELECT id FROM " + Table("state_history") +
                 " WHERE workspace = $1 ORDER BY id DESC LIMIT $2)",
             {settings_.workspace, std::to_string(settings_.history)});
  }
  if (!s.ok()) return rollback(s);
  return Exec("committing the state", "COMMIT", {});
}

int64_t PostgresStateBackend::LockKey(const std::string& schema, const std::string& workspace) {
  const std::string hex = engine::Sha256Hex("certform\n" + schema + "\n" + workspace);
  return static_cast<int64_t>(std::stoull(hex.substr(0, 16), nullptr, 16));
}

engine::Status PostgresStateBackend::Lock(const engine::LockHolder& holder,
                                          engine::Clock::Duration timeout, engine::Clock& clock,
                                          std::unique_ptr<engine::StateBackendLock>* out) {
  const std::string key = std::to_string(LockKey(settings_.schema, settings_.workspace));
  const engine::Clock::Instant deadline = clock.Monotonic() + timeout;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      Result r;
      engine::Status s =
          Exec("taking the state lock", "SELECT pg_try_advisory_lock($1::bigint)", {key}, &r);
      if (!s.ok()) return s;
      if (r.Get(0, 0) == "t") {
        locked_ = true;
        s = Exec("recording the lock holder",
                 "INSERT INTO " + Table("locks") +
                     " (workspace, holder, since) VALUES ($1, $2, now()) ON CONFLICT (workspace) "
                     "DO UPDATE SET holder = EXCLUDED.holder, since = EXCLUDED.since",
                 {settings_.workspace, holder.ToString()});
        *out = std::make_unique<PostgresLock>(this);
        return s;
      }
      if (clock.Monotonic() >= deadline) {
        std::string who = "another certform (it did not say who)";
        if (Exec("reading the lock holder",
                 "SELECT holder FROM " + Table("locks") + " WHERE workspace = $1",
                 {settings_.workspace}, &r)
                .ok() &&
            r.rows() == 1) {
          who = r.Get(0, 0);
        }
        return engine::Status::Conflict(
            fmt::format("the state in {} is locked by {}; wait for it to finish or retry with "
                        "--lock-timeout (the lock goes with the holder's database session)",
                        Describe(), who));
      }
    }
    clock.SleepFor(kLockPoll);
  }
}

void PostgresStateBackend::Unlock() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!locked_) return;
  locked_ = false;
  Exec("releasing the state lock", "SELECT pg_advisory_unlock($1::bigint)",
       {std::to_string(LockKey(settings_.schema, settings_.workspace))});
}

engine::Status PostgresStateBackend::AppendJournal(const engine::JournalRecord& record) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!locked_) return engine::Status::Conflict("the journal is written only under the lock");
  // Autocommit: the record is committed (durable) when this returns.
  return Exec("recording a completed call in the journal",
              "INSERT INTO " + Table("journal") + " (workspace, record) VALUES ($1, $2)",
              {settings_.workspace, engine::JournalRecordToJson(record)});
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
    if (!engine::JournalRecordFromJson(r.Get(i, 0), &record)) {
      return engine::Status::Corruption(fmt::format(
          "journal of {}: record {} is not a certform journal record", Describe(), i + 1));
    }
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
  return Exec("clearing the journal", "DELETE FROM " + Table("journal") + " WHERE workspace = $1",
              {settings_.workspace});
}

}  // namespace certform::pgstate
