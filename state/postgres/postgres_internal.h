// What the PostgreSQL backend's files share (private to state/postgres): a libpq result that
// clears itself, SQLSTATE classification, and the lease as an interval.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <string>

#include "engine/base/clock.h"
#include "engine/base/status.h"
#include "state/postgres/postgres_state_backend.h"

namespace certform::pgstate {

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

namespace internal {

// The lease as a PostgreSQL interval.
inline std::string Interval(engine::Clock::Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) +
         " milliseconds";
}

// SQLSTATE classes worth their own Status.
inline engine::Status Classify(const std::string& sqlstate, const std::string& message) {
  if (sqlstate == "42501" || sqlstate.starts_with("28")) {
    return engine::Status::PermissionDenied(message);  // privilege, authentication
  }
  if (sqlstate == "57014" || sqlstate.starts_with("08") || sqlstate == "57P01") {
    return engine::Status::Unavailable(message);  // statement timeout, connection, shutdown
  }
  return engine::Status::Failed(message);
}

// libpq's messages end with a newline; keep one line.
inline std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace internal
}  // namespace certform::pgstate
