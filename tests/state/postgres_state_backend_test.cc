// The PostgreSQL state backend against a real PostgreSQL server started for the test (initdb +
// pg_ctl in a temporary directory, Unix socket only).
#include "state/postgres/postgres_state_backend.h"

#include <set>

#include <catch2/catch.hpp>

#include "state/local/local_state_backend.h"
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

std::unique_ptr<PostgresStateBackend> Open(
    const std::string& workspace, const std::string& schema = "certform",
    engine::Clock::Duration lease = std::chrono::seconds(60)) {
  std::unique_ptr<PostgresStateBackend> b;
  Status s = PostgresStateBackend::Open({Server().ConnStr(), schema, workspace, 3, lease}, &b);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return b;
}

engine::StateEntry Entry(const std::string& domain) {
  return {.address = engine::SplitAddress(domain),
          .account = "main",
          .https = true,
          .certificate = "web",
          .cert_type = "upload",
          .cert_name = "certform-abc",
          .fingerprint = "ab12" + std::string(60, '0'),
          .not_after = 1900000000,
          .applied_at = "2026-11-28T00:00:00Z",
          .request_id = "R"};
}

engine::LockHolder Holder(const std::string& command) {
  return {4242, "runner-" + command, "certform " + command, "2026-11-28T00:00:00Z"};
}

// One column of `workspace`'s lock row, as psql prints it (no newline).
std::string LockColumn(const std::string& workspace, const std::string& column) {
  std::string v = Server().Psql(
      "SELECT " + column + " FROM certform.locks WHERE workspace = '" + workspace + "'",
      "certform");
  while (!v.empty() && v.back() == '\n') v.pop_back();
  return v;
}

// Ends the database session `pid` as the server does when its client's connection closes (a
// killed process), and waits until it is gone (pg_terminate_backend's timeout, PostgreSQL 14+:
// https://www.postgresql.org/docs/15/functions-admin.html#FUNCTIONS-ADMIN-SIGNAL).
void EndSession(const std::string& pid) {
  REQUIRE(Server().Psql("SELECT pg_terminate_backend(" + pid + ", 5000)") == "t\n");
}

}  // namespace

TEST_CASE("postgres: the schema is made on first use, writes need the lock and keep history",
          "[postgres]") {
  FakeClock clock;
  SeededRandom random;
  auto b = Open("first");
  State empty;
  REQUIRE(b->Load(&empty).ok());
  CHECK(empty.lineage.empty());
  State v1;
  v1.entries["a.example.com"] = Entry("a.example.com");
  CHECK(b->Write(empty, &v1, random).code() == Status::Code::kLockLost);  // no lock held
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
  CHECK(s.code() == Status::Code::kStale);
  CHECK(s.message().find("changed under this run (serial 1 expected, 2 found)") !=
        std::string::npos);
  State now;
  REQUIRE(b->Load(&now).ok());
  CHECK(now.serial == 2);
  CHECK(now.entries.size() == 2);
}

TEST_CASE("postgres: the lock is a lease that names its current holder, waits, and fences",
          "[postgres]") {
  FakeClock clock;
  SeededRandom random;
  auto a = Open("locks");
  auto b = Open("locks");
  std::unique_ptr<engine::StateBackendLock> held;
  REQUIRE(a->Lock(Holder("apply"), {}, clock, &held).ok());
  CHECK(held->Check().ok());
  std::unique_ptr<engine::StateBackendLock> mine;
  Status s = b->Lock(Holder("plan"), {}, clock, &mine);
  CHECK(s.code() == Status::Code::kLocked);
  CHECK(s.message().find("is locked by pid 4242 on host runner-apply running \"certform apply\" "
                         "since 2026-11-28T00:00:00Z (lock id ") != std::string::npos);
  // Why it cannot be taken: the holder's session is open (it runs, or is frozen) and its lease
  // is current.
  CHECK(s.message().find("; its database session (backend pid " +
                         LockColumn("locks", "session_pid") +
                         ") is still open, and its lease runs out in ") != std::string::npos);
  CHECK(s.message().find("certform state unlock LOCK_ID") != std::string::npos);
  std::vector<std::string> told;
  s = b->Lock(Holder("plan"), std::chrono::seconds(2), clock, &mine,
              [&](const std::string& who) { told.push_back(who); });  // waits, then gives up
  CHECK(s.code() == Status::Code::kLocked);
  CHECK(clock.sleeps() >= 10);
  REQUIRE(told.size() == 1);  // told once whom it waits for, not at every poll
  CHECK(told[0].find("runner-apply") != std::string::npos);
  // Another schema or workspace is another lock: no collision.
  auto c = Open("locks", "other_project");
  std::unique_ptr<engine::StateBackendLock> theirs;
  CHECK(c->Lock(Holder("apply"), {}, clock, &theirs).ok());

  // A holder that stopped renewing (frozen, killed) loses the lock once its lease ran out by the
  // database's clock; made to happen here without waiting a minute.
  Server().Psql(
      "UPDATE certform.locks SET expires_at = clock_timestamp() - interval '1 second' WHERE "
      "workspace = 'locks'",
      "certform");
  REQUIRE(b->Lock(Holder("plan"), {}, clock, &mine).ok());
  s = held->Check();
  CHECK(s.code() == Status::Code::kLockLost);
  CHECK(s.message().find("was taken over or released; it is now held by pid 4242 on host "
                         "runner-plan") != std::string::npos);
  // The old holder can write nothing any more: journal, state, or the new holder's journal.
  engine::JournalRecord r{
      .address = engine::SplitAddress("a.example.com"), .forget = false, .entry = Entry("a")};
  CHECK(a->AppendJournal(r).code() == Status::Code::kLockLost);
  State v1;
  v1.entries["a.example.com"] = Entry("a.example.com");
  CHECK(a->Write(State{}, &v1, random).code() == Status::Code::kLockLost);
  REQUIRE(b->AppendJournal(r).ok());
  CHECK(a->ClearJournal().code() == Status::Code::kLockLost);
  CHECK(b->HasJournal());
  held.reset();  // its release leaves the new holder's lock alone
  auto d = Open("locks");
  std::unique_ptr<engine::StateBackendLock> third;
  CHECK(d->Lock(Holder("drift"), {}, clock, &third).code() == Status::Code::kLocked);

  // Seen and released by hand (certform state unlock LOCK_ID): the holder loses it.
  std::string holder;
  REQUIRE(d->DescribeLock(&holder).ok());
  const size_t at = holder.find("(lock id ") + 9;
  const std::string id = holder.substr(at, holder.find(';', at) - at);
  CHECK(d->ForceUnlock("999999", &holder).code() == Status::Code::kNotFound);
  REQUIRE(d->ForceUnlock(id, &holder).ok());
  CHECK(holder.find("runner-plan") != std::string::npos);
  CHECK(mine->Check().code() == Status::Code::kLockLost);
  CHECK(d->Lock(Holder("drift"), {}, clock, &third).ok());
  // Tokens only grow: the released id never becomes valid again.
  CHECK(d->ForceUnlock(id, &holder).code() == Status::Code::kNotFound);
}

TEST_CASE("postgres: a holder whose database session ended frees the lock at once, lease or not",
          "[postgres]") {
  FakeClock clock;
  SeededRandom random;
  auto a = Open("session");  // a lease of 60 s: nothing here waits for it
  auto b = Open("session");
  std::unique_ptr<engine::StateBackendLock> held;
  REQUIRE(a->Lock(Holder("apply"), {}, clock, &held).ok());
  const int64_t token = std::stoll(LockColumn("session", "token"));
  std::unique_ptr<engine::StateBackendLock> mine;
  REQUIRE(b->Lock(Holder("plan"), {}, clock, &mine).code() == Status::Code::kLocked);
  std::string holder;
  REQUIRE(b->DescribeLock(&holder).ok());
  CHECK(holder.find("runner-apply") != std::string::npos);

  EndSession(LockColumn("session", "session_pid"));  // what a SIGKILLed holder leaves behind
  REQUIRE(b->DescribeLock(&holder).ok());
  CHECK(holder.empty());  // nobody holds it: free to take
  REQUIRE(b->Lock(Holder("plan"), {}, clock, &mine).ok());
  CHECK(clock.sleeps() == 0);  // at once, with 60 s of the old lease left
  CHECK(std::stoll(LockColumn("session", "token")) == token + 1);
  CHECK(LockColumn("session", "holder").find("runner-plan") != std::string::npos);
  // The old holder, should it still run, sends and writes nothing.
  CHECK(held->Check().code() == Status::Code::kLockLost);
  engine::JournalRecord r{
      .address = engine::SplitAddress("a.example.com"), .forget = false, .entry = Entry("a")};
  CHECK_FALSE(a->AppendJournal(r).ok());
  held.reset();  // and its release, without a connection, neither waits nor touches the new lock
  CHECK(mine->Check().ok());
  REQUIRE(b->AppendJournal(r).ok());
  CHECK(b->ClearJournal().ok());
}

TEST_CASE("postgres: a reused backend pid or a lease without a session is judged by its lease",
          "[postgres]") {
  FakeClock clock;
  auto a = Open("reused");
  auto b = Open("reused");
  std::unique_ptr<engine::StateBackendLock> held;
  REQUIRE(a->Lock(Holder("apply"), {}, clock, &held).ok());
  // The recorded pid now runs a session that started after the one that took the lease (the pid
  // was reused): the holder's own session ended, so the lock is free.
  Server().Psql(
      "UPDATE certform.locks SET session_start = session_start - interval '1 hour' WHERE "
      "workspace = 'reused'",
      "certform");
  std::unique_ptr<engine::StateBackendLock> mine;
  REQUIRE(b->Lock(Holder("plan"), {}, clock, &mine).ok());
  CHECK(held->Check().code() == Status::Code::kLockLost);  // a's session lives: the token moved
  held.reset();

  // A lease taken by schema version 2 names no session: its holder's end is not seen, and it is
  // kept until it runs out, never taken early.
  const std::string b_pid = LockColumn("reused", "session_pid");
  Server().Psql(
      "UPDATE certform.locks SET session_pid = NULL, session_start = NULL WHERE "
      "workspace = 'reused'",
      "certform");
  EndSession(b_pid);
  auto c = Open("reused");
  std::unique_ptr<engine::StateBackendLock> theirs;
  Status s = c->Lock(Holder("drift"), {}, clock, &theirs);
  CHECK(s.code() == Status::Code::kLocked);
  CHECK(s.message().find("running \"certform plan\" since 2026-11-28T00:00:00Z (lock id ") !=
        std::string::npos);
  CHECK(s.message().find("database session") == std::string::npos);  // none is known
  CHECK(s.message().find("its lease runs out in ") != std::string::npos);
}

TEST_CASE(
    "postgres: a holder cut off by a stopped server stops at once and its release waits for "
    "nothing",
    "[postgres]") {
  FakeClock clock;
  auto a = Open("stopped");
  std::unique_ptr<engine::StateBackendLock> held;
  REQUIRE(a->Lock(Holder("apply"), {}, clock, &held).ok());
  REQUIRE(Server().Stop());
  const auto start = std::chrono::steady_clock::now();
  CHECK(held->Check().code() == Status::Code::kLockLost);
  held.reset();  // no reconnecting, no sleeping: the session it held ended with the server
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE(Server().Start());
  CHECK(took < std::chrono::milliseconds(500));
  auto b = Open("stopped");
  std::unique_ptr<engine::StateBackendLock> mine;
  CHECK(b->Lock(Holder("plan"), {}, clock, &mine).ok());  // at once: the lease was never released
  CHECK(clock.sleeps() == 0);
}

TEST_CASE("postgres: a working holder keeps its lease alive, a released one frees it at once",
          "[postgres]") {
  FakeClock clock;
  // A lease of 300 ms, renewed every 100 ms in the background. The lease runs by the database's
  // clock, so real time must pass: the test waits until the database itself says three leases'
  // worth has passed since the lock was taken (no fixed sleep), noting each renewed expiry.
  auto a = Open("heartbeat", "certform", std::chrono::milliseconds(300));
  auto b = Open("heartbeat");
  std::unique_ptr<engine::StateBackendLock> held;
  REQUIRE(a->Lock(Holder("apply"), {}, clock, &held).ok());
  std::set<std::string> expiries;
  bool passed = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!passed && std::chrono::steady_clock::now() < deadline) {
    // One psql run per look: its start-up paces the loop.
    const std::string look = LockColumn(
        "heartbeat",
        "CASE WHEN clock_timestamp() - since > interval '900 milliseconds' THEN 'passed ' ELSE "
        "'waiting ' END || expires_at::text");
    passed = look.rfind("passed ", 0) == 0;
    expiries.insert(look.substr(look.find(' ') + 1));
  }
  REQUIRE(passed);
  CHECK(expiries.size() >= 3);  // renewed in the background while the time passed
  std::unique_ptr<engine::StateBackendLock> mine;
  CHECK(b->Lock(Holder("plan"), {}, clock, &mine).code() == Status::Code::kLocked);
  CHECK(held->Check().ok());
  held.reset();
  CHECK(b->Lock(Holder("plan"), {}, clock, &mine).ok());
}

TEST_CASE("postgres: journal records are committed at once and replayed by another runner",
          "[postgres]") {
  FakeClock clock;
  SeededRandom random;
  auto a = Open("journal");
  std::unique_ptr<engine::StateBackendLock> lock;
  REQUIRE(a->Lock(Holder("apply"), {}, clock, &lock).ok());
  engine::JournalRecord r1{.address = engine::SplitAddress("a.example.com"),
                           .forget = false,
                           .entry = Entry("a.example.com")};
  engine::JournalRecord r2{.address = engine::SplitAddress("b.example.com"),
                           .forget = false,
                           .entry = Entry("b.example.com")};
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
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
      "'certform'");
  engine::JournalRecord r{.address = engine::SplitAddress("a.example.com"),
                          .forget = false,
                          .entry = Entry("a.example.com")};
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
  // Its session ended with the connection: another runner takes the lock at once.
  std::unique_ptr<engine::StateBackendLock> b_lock;
  CHECK(b->Lock(Holder("plan"), {}, clock, &b_lock).ok());
  CHECK(clock.sleeps() == 0);
}

TEST_CASE("postgres: an unreachable server is a clear error that holds no password", "[postgres]") {
  std::unique_ptr<PostgresStateBackend> b;
  Status s = PostgresStateBackend::Open(
      {"host=/nonexistent-socket-dir port=1 dbname=x user=u", "certform", "default", 3}, &b);
  CHECK(s.code() == Status::Code::kUnavailable);
  CHECK(s.message().find("cannot connect to PostgreSQL") != std::string::npos);
}

TEST_CASE(
    "postgres: a role without CREATE rights uses the schema once it exists, without "
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
