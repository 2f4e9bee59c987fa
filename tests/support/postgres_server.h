// A real PostgreSQL server for tests: initdb in a temporary directory and pg_ctl start, listening
// only on a Unix socket in that directory (no TCP port, no network), as an unprivileged user
// (the "postgres" system user when the tests run as root, as CI does); stopped and removed when
// destroyed. Needs Debian's postgresql package (scripts/install-deps.sh installs it).
#pragma once

#include <string>

namespace certform::testing {

class PostgresServer {
 public:
  PostgresServer();  // starts it; ok() says whether it did, error() why not
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }

  // libpq keyword/value string for database `certform` as user `certform`.
  std::string ConnStr() const;
  // Stops and starts the server again (same data): what a database restart looks like.
  bool Restart();
  bool Stop();
  bool Start();
  // Runs SQL as the superuser through psql (unaligned, tuples only) in database `db`; returns
  // its output.
  std::string Psql(const std::string& sql, const std::string& db = "postgres") const;

 private:
  std::string RunAsOwner(const std::string& command) const;

  std::string dir_;  // data in dir_/data, socket in dir_
  std::string bin_;  // PostgreSQL's bin directory
  int port_ = 0;     // names the socket file only
  bool as_root_ = false;
  bool ok_ = false;
  std::string error_;
};

}  // namespace certform::testing
