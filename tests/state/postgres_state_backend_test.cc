// The PostgreSQL state backend against a real PostgreSQL server started for the test (initdb +
// pg_ctl in a temporary directory, Unix socket only).
#include "state/postgres/postgres_state_backend.h"

#include <catch2/catch.hpp>

#include "engine/local_state_backend.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"
#include "tests/support/postgres_server.h"

using namespace certform;
using namespace certform::testing;
using engine::State;
using engine::Status;
using pgstate::PostgresStateBackend;

namespace {

PostgresServer& Server() {
  static PostgresServer server;
  if (!server.ok()) FAIL("PostgreSQL did not start: " << server.error());
  return server;
}

std::unique_ptr<PostgresStateBackend> Open(const std::string& workspace,
                                           const std::string& schema = "certform") {
  std::unique_ptr<PostgresStateBackend> b;
  Status s = PostgresStateBackend::Open({Server().ConnStr(), schema, workspace, 3}, &b);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return b;
}

engine::StateEntry Entry(const std::string& domain) {
  return {.domain = domain,
          .account = "main",
          .https = true,
          .certificate = "web",
          .cert_type = "upload",
          .cert_name = "certform-abc",
          .fingerprint = "ab12",
          .not_after = 1900000000,
          .applied_at = "2026-11-28T00:00:00Z",
          .request_id = "R"};
}

engine::LockHolder Holder(const std::string& command) {
  return {4242, "runner-" + command, "certform " + command, "2026-11-28T00:00:00Z"};
}

}  // namespace

TEST_CASE("postgres: the schema is made on first use; writes need the lock and keep history",
          "[postgres]") {
  FakeClock clock;
  SeededRandom random;
  auto b = Open("first");
  State empty;
  REQUIRE(b->Load(&empty).ok());
  CHECK(empty.lineage.empty());
  State v1;
  v1.entries["a.example.com"] = Entry("a.example.com");
  CHECK(b->Write(empty, &v1, random).code() == Status::Code::kConflict);  // no lock held
  std::unique_ptr<engine::StateBackendLock> lock;
  REQUIRE(b->Lock(Holder("apply"), {}, clock, &lock).ok());
  REQUIRE(b->Write(empty, &v1, random).ok());
  CHECK(v1.serial == 1);
  CHECK_FALSE(v1.lineage.empty());
  State v = v1;
  for (int i = 0; i < 5; ++i) {
    State next = v;
    next.entries["x" + std::to_string(i) + ".example.com"] = Entry("x.example.com");
    REQUIRE(b->Write(v, &next, random).ok());
    v = next;
  }
  CHECK(v.serial == 6);
  auto other = Open("first");  // another runner
  State loaded;
  REQUIRE(other->Load(&loaded).ok());
  CHECK(loaded.lineage == v1.lineage);
  CHECK(loaded.serial == 6);
  CHECK(loaded.entries.size() == 6);
  // The last `history` (3) versions are kept.
  CHECK(Server().Psql("SELECT count(*) FROM certform.state_history WHERE workspace = 'first'",
                      "certform") == "3\n");
}

TEST_CASE("postgres: a write whose serial moved under it fails and writes nothing", "[postgres]") {
  FakeClock clock;
  SeededRandom random;
  auto a = Open("cas");
  auto b = Open("cas");
  std::unique_ptr<engine::StateBackendLock> lock;
  State v0, v1;
  v1.entries["a.example.com"] = Entry("a.example.com");
  {
    REQUIRE(a->Lock(Holder("apply"), {}, clock, &lock).ok());
    REQUIRE(a->Write(v0, &v1, random).ok());
    lock.reset();
  }
  State seen_by_b;
  REQUIRE(b->Load(&seen_by_b).ok());
  State v2 = v1;
  v2.entries["b.example.com"] = Entry("b.example.com");
  REQUIRE(a->Lock(Holder("apply"), {}, clock, &lock).ok());
  REQUIRE(a->Write(v1, &v2, random).ok());
  lock.reset();
  REQUIRE(b->Lock(Holder("state rm"), {}, clock, &lock).ok());
  State stale = seen_by_b;
  stale.entries.clear();
  Status s = b->Write(seen_by_b, &stale, random);
  CHECK(s.code() == Status::Code::kConflict);
  CHECK(s.message().find("changed under this run (serial 1 expected, 2 found)") !=
        std::string::npos);
  State now;
  REQUIRE(b->Load(&now).ok());
  CHECK(now.serial == 2);
  CHECK(now.entries.size() == 2);
}

TEST_CASE("postgres: the lock names its holder, waits, and goes with the session", "[postgres]") {
  FakeClock clock;
  auto a = Open("locks");
  auto b = Open("locks");
  std::unique_ptr<engine::StateBackendLock> held;
  REQUIRE(a->Lock(Holder("apply"), {}, clock, &held).ok());
  std::unique_ptr<engine::StateBackendLock> mine;
  Status s = b->Lock(Holder("plan"), {}, clock, &mine);
  CHECK(s.code() == Status::Code::kConflict);
  CHECK(s.message().find("is locked by pid 4242 on host runner-apply running \"certform apply\"") !=
        std::string::npos);
  s = b->Lock(Holder("plan"), std::chrono::seconds(2), clock, &mine);  // waits, then gives up
  CHECK(s.code() == Status::Code::kConflict);
  CHECK(clock.sleeps() >= 10);
  // Another schema or workspace has another key: no collision.
  auto c = Open("locks", "other_project");
  std::unique_ptr<engine::StateBackendLock> theirs;
  CHECK(c->Lock(Holder("apply"), {}, clock, &theirs).ok());
  CHECK(PostgresStateBackend::LockKey("certform", "locks") !=
        PostgresStateBackend::LockKey("other_project", "locks"));
  // A runner that dies takes its lock with it (its session ends).
  Server().Psql(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid IN (SELECT pid "
      "FROM pg_locks WHERE locktype = 'advisory' AND objid = " +
      std::to_string(static_cast<uint32_t>(PostgresStateBackend::LockKey("certform", "locks"))) +
      "::oid)");
  held.reset();  // its release fails quietly: the session is gone
  a.reset();
  CHECK(b->Lock(Holder("plan"), std::chrono::seconds(5), clock, &mine).ok());
}

TEST_CASE("postgres: journal records are committed at once and replayed by another runner",
          "[postgres]") {
  FakeClock clock;
  SeededRandom random;
  auto a = Open("journal");
  std::unique_ptr<engine::StateBackendLock> lock;
  REQUIRE(a->Lock(Holder("apply"), {}, clock, &lock).ok());
  engine::JournalRecord r1{
      .domain = "a.example.com", .forget = false, .entry = Entry("a.example.com")};
  engine::JournalRecord r2{
      .domain = "b.example.com", .forget = false, .entry = Entry("b.example.com")};
  REQUIRE(a->AppendJournal(r1).ok());
  REQUIRE(a->AppendJournal(r2).ok());
  lock.reset();
  a.reset();  // runner A is gone: its records stay
  auto b = Open("journal");
  std::unique_ptr<engine::StateBackendLock> b_lock;  // destroyed before b
  CHECK(b->HasJournal());
  State s;
  int n = 0;
  REQUIRE(b->ReplayJournal(&s, &n).ok());
  CHECK(n == 2);
  CHECK(s.entries.count("b.example.com") == 1);
  REQUIRE(b->Lock(Holder("plan"), {}, clock, &b_lock).ok());
  REQUIRE(b->ClearJournal().ok());
  CHECK_FALSE(b->HasJournal());
}

TEST_CASE("postgres: a lost connection is a clear failure, and nothing is written after it",
          "[postgres]") {
  FakeClock clock;
  SeededRandom random;
  auto a = Open("dropped");
  std::unique_ptr<engine::StateBackendLock> lock;
  REQUIRE(a->Lock(Holder("apply"), {}, clock, &lock).ok());
  Server().Psql(
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = " +
      std::to_string(static_cast<uint32_t>(PostgresStateBackend::LockKey("certform", "dropped"))) +
      "::oid");
  engine::JournalRecord r{
      .domain = "a.example.com", .forget = false, .entry = Entry("a.example.com")};
  Status s = a->AppendJournal(r);
  CHECK(s.code() == Status::Code::kUnavailable);
  CHECK(s.message().find("connection to PostgreSQL was lost") != std::string::npos);
  State v1;
  v1.entries["a.example.com"] = Entry("a.example.com");
  CHECK_FALSE(a->Write(State{}, &v1, random).ok());
  auto b = Open("dropped");
  State now;
  REQUIRE(b->Load(&now).ok());
  CHECK(now.entries.empty());
  CHECK_FALSE(b->HasJournal());
}

TEST_CASE("postgres: an unreachable server is a clear error that holds no password", "[postgres]") {
  std::unique_ptr<PostgresStateBackend> b;
  Status s = PostgresStateBackend::Open(
      {"host=/nonexistent-socket-dir port=1 dbname=x user=u", "certform", "default", 3}, &b);
  CHECK(s.code() == Status::Code::kUnavailable);
  CHECK(s.message().find("cannot connect to PostgreSQL") != std::string::npos);
}

TEST_CASE("postgres: a role without CREATE rights uses the schema once it exists; without "
          "privileges, a clear error",
          "[postgres]") {
  FakeClock clock;
  SeededRandom random;
  Open("owner");  // the owner (certform) made the schema and tables
  Server().Psql("DROP ROLE IF EXISTS runner; CREATE ROLE runner LOGIN", "certform");
  const std::string as_runner =
      Server().ConnStr().replace(Server().ConnStr().find("user=certform"), 13, "user=runner");
  std::unique_ptr<PostgresStateBackend> b;
  Status s = PostgresStateBackend::Open({as_runner, "certform", "runner", 3}, &b);
  CHECK(s.code() == Status::Code::kPermissionDenied);
  CHECK(s.message().find("permission denied") != std::string::npos);
  s = PostgresStateBackend::Open({as_runner, "fresh_schema", "runner", 3}, &b);
  CHECK_FALSE(s.ok());
  CHECK(s.message().find("could not be created (grant CREATE") != std::string::npos);
  // Table privileges only: no CREATE anywhere, and it works.
  Server().Psql(
      "GRANT USAGE ON SCHEMA certform TO runner; "
      "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA certform TO runner; "
      "GRANT USAGE ON ALL SEQUENCES IN SCHEMA certform TO runner",
      "certform");
  s = PostgresStateBackend::Open({as_runner, "certform", "runner", 3}, &b);
  INFO(s.ToString());
  REQUIRE(s.ok());
  std::unique_ptr<engine::StateBackendLock> lock;
  REQUIRE(b->Lock(Holder("apply"), {}, clock, &lock).ok());
  State v1;
  v1.entries["a.example.com"] = Entry("a.example.com");
  CHECK(b->Write(State{}, &v1, random).ok());
}
