// The PostgreSQL backend's lock: a lease row per workspace with a fencing token, renewed in the
// background and before every change, and tied to its holder's database session: a holder whose
// session ended (killed, exited, cut off) frees it at once; a frozen one, whose session stays
// open, loses it when its lease runs out; a holder that lost it sends nothing more.
#include <condition_variable>
#include <thread>

#include <fmt/format.h>

#include "state/postgres/postgres_internal.h"

namespace certform::pgstate {

using internal::Interval;

namespace {

constexpr engine::Clock::Duration kLockPoll = std::chrono::milliseconds(200);

// True when the database session that took lease row `l` has ended: no backend runs under its
// pid, or the one that does started later (the pid was reused). PostgreSQL ends a session as
// soon as its client's connection closes, which the kernel does when the client process dies,
// however it dies. A session that still runs proves nothing about its process (frozen,
// suspended): then the lease decides. A row without a pid (taken by schema version 2) is judged
// by its lease alone. pg_stat_activity shows every session's pid to every role but another
// role's backend_start as NULL: a pid reused by another role then reads as alive, which only
// means waiting for the lease (https://www.postgresql.org/docs/15/monitoring-stats.html,
// "pg_stat_activity").
constexpr const char* kSessionEnded =
    "(l.session_pid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = "
    "l.session_pid AND (a.backend_start IS NULL OR l.session_start IS NULL OR a.backend_start = "
    "l.session_start)))";

}  // namespace

// The held lease: renewed before every call that changes something (Check) and in the
// background every third of the lease, so that it outlives no holder that stopped working.
class PostgresLock final : public engine::StateBackendLock {
 public:
  PostgresLock(PostgresStateBackend* backend, engine::Clock::Duration lease)
      : backend_(backend), every_(lease / 3), heartbeat_([this] { Beat(); }) {}
  ~PostgresLock() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    heartbeat_.join();
    backend_->Unlock();
  }
  engine::Status Check() override { return backend_->Renew(); }

 private:
  void Beat() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, every_, [this] { return stop_; })) {
      lock.unlock();
      backend_->Renew();  // a failure is remembered: the next Check() reports it
      lock.lock();
    }
  }

  PostgresStateBackend* backend_;
  const engine::Clock::Duration every_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread heartbeat_;  // last: started once the rest is ready
};

std::string PostgresStateBackend::CurrentHolderLocked() {
  Result r;
  if (!Exec("reading the lock holder",
            "SELECT holder, token, ceil(extract(epoch FROM expires_at - clock_timestamp())), "
            "coalesce(session_pid::text, '') FROM " +
                Table("locks") + " AS l WHERE workspace = $1 AND expires_at > clock_timestamp() " +
                "AND NOT " + kSessionEnded,
            {settings_.workspace}, &r)
           .ok() ||
      r.rows() == 0) {
    return "";
  }
  // Why it cannot be taken: its session is open (it runs, or is frozen) and its lease is
  // current.
  const std::string session =
      r.Get(0, 3).empty()
          ? ""
          : fmt::format("its database session (backend pid {}) is still open, and ", r.Get(0, 3));
  return fmt::format("{} (lock id {}; {}its lease runs out in {} s unless renewed)", r.Get(0, 0),
                     r.Get(0, 1), session, r.Get(0, 2));
}

engine::Status PostgresStateBackend::Lock(const engine::LockHolder& holder,
                                          engine::Clock::Duration timeout, engine::Clock& clock,
                                          std::unique_ptr<engine::StateBackendLock>* out,
                                          const WaitNotice& waiting) {
  const engine::Clock::Instant deadline = clock.Monotonic() + timeout;
  std::string told;  // the holder `waiting` was last told of
  int quick_retries = 0;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      Result r;
      // Taken when there is no lease, or it ran out (by the database's clock), or the session
      // that took it ended: the token grows, and the row names this connection's session.
      engine::Status s = Exec(
          "taking the state lock",
          "INSERT INTO " + Table("locks") +
              " AS l (workspace, holder, since, token, expires_at, session_pid, session_start) "
              "VALUES ($1, $2, clock_timestamp(), 1, clock_timestamp() + $3::interval, "
              "pg_backend_pid(), (SELECT backend_start FROM pg_stat_activity WHERE pid = "
              "pg_backend_pid())) ON CONFLICT (workspace) DO UPDATE SET holder = EXCLUDED.holder, "
              "since = EXCLUDED.since, token = l.token + 1, expires_at = EXCLUDED.expires_at, "
              "session_pid = EXCLUDED.session_pid, session_start = EXCLUDED.session_start WHERE "
              "l.expires_at <= clock_timestamp() OR " +
              kSessionEnded + " RETURNING token",
          {settings_.workspace, holder.ToString(), Interval(settings_.lock_lease)}, &r);
      if (!s.ok()) return s;
      if (r.rows() == 1) {
        locked_ = true;
        clock_ = &clock;
        token_ = std::atoll(r.Get(0, 0).c_str());
        lost_ = engine::Status::OK();
        *out = std::make_unique<PostgresLock>(this, settings_.lock_lease);
        return engine::Status::OK();
      }
      std::string who = CurrentHolderLocked();
      if (who.empty() && ++quick_retries < 3) continue;  // released in between: try again
      if (who.empty()) who = "another certform (its lease or its session just ended)";
      if (clock.Monotonic() >= deadline) {
        return engine::Status::Locked(fmt::format(
            "the state in {} is locked by {}; wait for it to finish, retry with --lock-timeout, "
            "or, if that holder is gone for good, release it with \"certform state unlock "
            "LOCK_ID\"",
            Describe(), who));
      }
      const std::string same_holder = who.substr(0, who.find(" (lock id"));
      if (waiting && same_holder != told) waiting(who);
      told = same_holder;
    }
    clock.SleepFor(kLockPoll);
  }
}

engine::Status PostgresStateBackend::Renew() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!locked_) return engine::Status::LockLost("this run does not hold the state lock");
  if (!lost_.ok()) return lost_;
  // The database sets the new expiry after this instant, so the lease surely lasts until
  // `sent` + lease by this process's clock too.
  const engine::Clock::Instant sent = clock_->Monotonic();
  Result r;
  engine::Status s = Exec(
      "renewing the state lock",
      "UPDATE " + Table("locks") +
          " SET expires_at = clock_timestamp() + $3::interval WHERE workspace = $1 AND token = "
          "$2 AND session_pid = pg_backend_pid() RETURNING 1",
      {settings_.workspace, std::to_string(token_), Interval(settings_.lock_lease)}, &r);
  const engine::Clock::Duration took = clock_->Monotonic() - sent;
  if (!s.ok()) {
    lost_ = engine::Status::LockLost("cannot renew the state lock: " + s.message());
  } else if (r.rows() == 0) {
    const std::string now = CurrentHolderLocked();
    lost_ = engine::Status::LockLost(
        fmt::format("the state lock of {} (lock id {}) was taken over or released{}", Describe(),
                    token_, now.empty() ? "" : "; it is now held by " + now));
  } else if (took >= settings_.lock_lease / 2) {
    // Renewed, but this process stood still (frozen, suspended) for so long since the database
    // did it that the lease may be gone before a call sent now arrives.
    lost_ = engine::Status::LockLost(fmt::format(
        "this process stood still for {} ms while renewing the state lock (lease {} ms); it may "
        "have been taken over since",
        std::chrono::duration_cast<std::chrono::milliseconds>(took).count(),
        std::chrono::duration_cast<std::chrono::milliseconds>(settings_.lock_lease).count()));
  }
  return lost_;
}

void PostgresStateBackend::Unlock() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!locked_) return;
  locked_ = false;
  // A dropped connection (a database restart, a terminated backend) ended the session the lease
  // names, so others take it over at once: no reconnecting and no waiting here. (A cut the
  // server has not noticed yet ends with the lease.)
  if (PQstatus(conn_) != CONNECTION_OK) return;
  // Expired, never deleted: the token keeps growing. Only our own lease is released.
  Exec("releasing the state lock",
       "UPDATE " + Table("locks") +
           " SET expires_at = '-infinity' WHERE workspace = $1 AND token = $2",
       {settings_.workspace, std::to_string(token_)});
}

engine::Status PostgresStateBackend::DescribeLock(std::string* holder) {
  std::lock_guard<std::mutex> lock(mu_);
  *holder = CurrentHolderLocked();
  return engine::Status::OK();
}

// The token moves on, so that the holder's next renewal fails even before anyone else takes it.
engine::Status PostgresStateBackend::ForceUnlock(const std::string& lock_id, std::string* holder) {
  std::lock_guard<std::mutex> lock(mu_);
  *holder = CurrentHolderLocked();
  if (holder->empty()) {
    return engine::Status::NotFound("the state in " + Describe() + " is not locked");
  }
  const bool digits = !lock_id.empty() && lock_id.size() < 19 &&
                      lock_id.find_first_not_of("0123456789") == std::string::npos;
  Result r;
  engine::Status s =
      digits ? Exec("releasing the state lock",
                    "UPDATE " + Table("locks") +
                        " SET token = token + 1, expires_at = '-infinity' WHERE workspace = $1 "
                        "AND token = $2 AND expires_at > clock_timestamp() RETURNING 1",
                    {settings_.workspace, lock_id}, &r)
             : engine::Status::OK();
  if (!s.ok()) return s;
  if (!digits || r.rows() == 0) {
    return engine::Status::NotFound(
        fmt::format("lock id {} is not the current lock of {}; it is held by {}", lock_id,
                    Describe(), *holder));
  }
  return engine::Status::OK();
}

}  // namespace certform::pgstate
