#include "state/postgres/postgres_state_backend.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "engine/base/digest.h"
#include "engine/base/text_escape.h"
#include "engine/state/state_file.h"
#include "state/postgres/postgres_internal.h"

namespace certform::pgstate {

using internal::Classify;
using internal::Trim;

namespace {

// 1: the first schema (session advisory locks); 2: the lock is a lease with a fencing token;
// 3: the lease names the database session that holds it (a holder whose session ended frees it).
constexpr int kSchemaVersion = 3;
constexpr const char* kTables[] = {"certform_schema", "states", "state_history", "journal",
                                   "locks"};

}  // namespace

std::string ConnStrProblem(const std::string& conn_str) {
  if (conn_str.empty()) return "";
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conn_str.c_str(), &error);
  if (error != nullptr) PQfreemem(error);  // it may quote the string: never shown
  if (options == nullptr) {
    return "\"conn_str\" is not a libpq connection string (keyword=value pairs, or a "
           "postgresql:// URI)";
  }
  bool password = false;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    const std::string keyword = o->keyword;
    if ((keyword == "password" || keyword == "sslpassword") && o->val != nullptr &&
        o->val[0] != '\0') {
      password = true;
    }
  }
  PQconninfoFree(options);
  return password ? "\"conn_str\" holds a password" : "";
}

PostgresStateBackend::PostgresStateBackend(pg_conn* conn, PostgresSettings settings)
    : conn_(conn), settings_(std::move(settings)) {}

PostgresStateBackend::~PostgresStateBackend() { PQfinish(conn_); }

engine::Status PostgresStateBackend::Open(const PostgresSettings& settings,
                                          std::unique_ptr<PostgresStateBackend>* out) {
  if (std::string problem = ConnStrProblem(settings.conn_str); !problem.empty()) {
    return engine::Status::InvalidArgument(problem);
  }
  // Our settings first; conn_str (keyword/value or URI, expanded by libpq as dbname) and libpq's
  // PG* environment still override them.
  std::vector<const char*> keywords = {"application_name", "connect_timeout", "keepalives",
                                       "keepalives_idle"};
  std::vector<const char*> values = {"certform", "10", "1", "30"};
  // An empty PGSSLMODE is unset (libpq's default, prefer), not `invalid sslmode value: ""`: a CI
  // system passes a repository variable nobody set as an empty string.
  if (const char* mode = std::getenv("PGSSLMODE"); mode != nullptr && mode[0] == '\0') {
    keywords.push_back("sslmode");
    values.push_back("prefer");
  }
  if (!settings.conn_str.empty()) {
    keywords.push_back("dbname");
    values.push_back(settings.conn_str.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/1);
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
        "the connection to PostgreSQL was lost while {} ({}); without it this run cannot prove "
        "it holds the state lock, so certform stops here",
        what, message));
  }
  return Classify(state, fmt::format("PostgreSQL refused {}: {}", what, message));
}

engine::Status PostgresStateBackend::EnsureSchema() {
  std::lock_guard<std::mutex> lock(mu_);
  Result r;
  std::vector<std::string> names;
  for (const char* t : kTables) names.push_back(Table(t));
  engine::Status s = Exec("reading the schema",
                          "SELECT to_regclass($1) IS NOT NULL, to_regclass($2) IS NOT NULL, "
                          "to_regclass($3) IS NOT NULL, to_regclass($4) IS NOT NULL, "
                          "to_regclass($5) IS NOT NULL",
                          names, &r);
  if (!s.ok()) return s;
  const bool ours = r.Get(0, 0) == "t";
  std::vector<std::string> foreign;
  for (int c = 1; c < 5; ++c) {
    if (r.Get(0, c) == "t") foreign.push_back(kTables[c]);
  }
  if (!ours && !foreign.empty()) {
    // Another application's tables: certform creates nothing beside them and never uses them.
    return engine::Status::InvalidArgument(fmt::format(
        "the PostgreSQL schema {} holds tables certform did not create ({}); choose another "
        "[state] schema for certform",
        settings_.schema, fmt::join(foreign, ", ")));
  }
  int version = 0;
  if (ours) {
    s = Exec("reading the schema version", "SELECT max(version) FROM " + Table("certform_schema"),
             {}, &r);
    if (!s.ok()) return s;
    version = std::atoi(r.Get(0, 0).c_str());
    if (version > kSchemaVersion) {
      return engine::Status::InvalidArgument(fmt::format(
          "the PostgreSQL schema {} is at version {}, made by a newer certform; this one knows "
          "version {}",
          settings_.schema, version, kSchemaVersion));
    }
  }
  if (ours && version == kSchemaVersion && foreign.size() == 4) return engine::Status::OK();
  return CreateOrUpgradeSchema(ours, version);
}

engine::Status PostgresStateBackend::CreateOrUpgradeSchema(bool ours, int version) {
  // Created when missing (IF NOT EXISTS keeps two first runners from colliding), upgraded in one
  // transaction.
  std::vector<std::string> ddl = {
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
      // Version 2: the lock is a lease with a fencing token (version 1 held advisory locks and
      // kept this table for messages only: every row starts expired).
      "ALTER TABLE " + Table("locks") +
          " ADD COLUMN IF NOT EXISTS token bigint NOT NULL DEFAULT 0, "
          "ADD COLUMN IF NOT EXISTS expires_at timestamptz NOT NULL DEFAULT '-infinity'",
      // Version 3: the holder's session (backend pid and start); a row taken by version 2 has
      // none and is judged by its lease alone.
      "ALTER TABLE " + Table("locks") +
          " ADD COLUMN IF NOT EXISTS session_pid int, "
          "ADD COLUMN IF NOT EXISTS session_start timestamptz",
      "INSERT INTO " + Table("certform_schema") + " SELECT " + std::to_string(kSchemaVersion) +
          " WHERE NOT EXISTS (SELECT 1 FROM " + Table("certform_schema") + ")",
      "UPDATE " + Table("certform_schema") + " SET version = " + std::to_string(kSchemaVersion) +
          " WHERE version < " + std::to_string(kSchemaVersion)};
  engine::Status s = Exec("starting a transaction", "BEGIN", {});
  for (size_t i = 0; s.ok() && i < ddl.size(); ++i) {
    s = Exec("creating the schema " + settings_.schema, ddl[i], {});
  }
  if (s.ok()) s = Exec("committing the schema", "COMMIT", {});
  if (!s.ok()) {
    Exec("rolling back", "ROLLBACK", {});
    return s.WithContext(
        ours ? fmt::format("the certform tables are at version {} and could not be upgraded to "
                           "{} (have the owner of schema {} run this certform once)",
                           version, kSchemaVersion, settings_.schema)
             : "the certform tables do not exist yet and could not be created (grant CREATE on "
               "the database or schema, or have an owner run certform once)");
  }
  return engine::Status::OK();
}

std::string PostgresStateBackend::Describe() const {
  // The name may come from the environment (CERTFORM_WORKSPACE): escaped as outside text is.
  return fmt::format("PostgreSQL workspace \"{}\" (schema {})",
                     engine::ForTerminal(settings_.workspace), settings_.schema);
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
  if (next->entries == prior.entries && next->uploads == prior.uploads && !prior.lineage.empty() &&
      next->serial <= prior.serial) {
    *next = prior;
    return engine::Status::OK();
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!locked_) {
    return engine::Status::LockLost("certform writes the state only while it holds the lock");
  }
  next->format_version = engine::kStateFormatVersion;
  if (!prior.lineage.empty()) {
    next->lineage = prior.lineage;
  } else if (next->lineage.empty()) {
    next->lineage = engine::NewUuid(random);  // a first write, unless it brings one (state pull)
  }
  next->serial = std::max(prior.serial + 1, next->serial);  // a copied state keeps its serial
  next->tool_version = CERTFORM_VERSION;
  const std::string document = engine::SerializeState(*next);
  auto rollback = [&](engine::Status s) {
    Exec("rolling back", "ROLLBACK", {});
    return s;
  };
  engine::Status s = Exec("starting a transaction", "BEGIN", {});
  if (!s.ok()) return s;
  Result r;
  // The lease must still be ours, and stays ours until COMMIT (FOR SHARE: a takeover waits).
  s = Exec("checking the lock",
           "SELECT 1 FROM " + Table("locks") + " WHERE workspace = $1 AND token = $2 FOR SHARE",
           {settings_.workspace, std::to_string(token_)}, &r);
  if (!s.ok()) return rollback(s);
  if (r.rows() == 0) {
    return rollback(engine::Status::LockLost(
        "the state lock was taken over or released since this run took it; nothing was "
        "written"));
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
    return rollback(engine::Status::Stale(fmt::format(
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

}  // namespace certform::pgstate
