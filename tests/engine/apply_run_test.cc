// The runs below `apply` and `prune`: which accounts need providers, the plan applied and the
// state written through the backend (apply_run.h), and the reviewed prune's deletions, fenced by
// the state lock (prune_deletes.h).
#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

#include "engine/apply/apply_run.h"
#include "engine/apply/prune_deletes.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"

using namespace certform::engine;
using certform::testing::FakeClock;
using certform::testing::SeededRandom;

namespace {

// The state in memory; its writes can be refused. Counts journal appends and clears.
class MemoryBackend final : public StateBackend {
 public:
  std::string Describe() const override { return "memory"; }
  bool Shared() const override { return false; }
  std::string BackupDescription() const override { return "none"; }
  Status Load(State* state) override {
    *state = stored;
    return Status::OK();
  }
  Status Write(const State& prior, State* next, RandomSource&) override {
    if (refuse_writes) return Status::IoError("disk full");
    next->serial = prior.serial + 1;
    stored = *next;
    ++writes;
    return Status::OK();
  }
  Status Lock(const LockHolder&, Clock::Duration, Clock&, std::unique_ptr<StateBackendLock>*,
              const WaitNotice&) override {
    return Status::OK();
  }
  Status DescribeLock(std::string*) override { return Status::OK(); }
  Status ForceUnlock(const std::string&, std::string*) override { return Status::OK(); }
  Status AppendJournal(const JournalRecord&) override {
    ++appended;
    return Status::OK();
  }
  Status ReplayJournal(State*, int* applied) override {
    *applied = 0;
    return Status::OK();
  }
  bool HasJournal() override { return appended > 0 && clears == 0; }
  Status ClearJournal() override {
    ++clears;
    return Status::OK();
  }

  State stored;
  bool refuse_writes = false;
  int writes = 0, appended = 0, clears = 0;
};

class NoMaterial final : public CertificateMaterial {
 public:
  Status Load(const StateEntry&, BindingRequest*) override {
    return Status::Failed("no material in this test");
  }
};

StateEntry Entry(const std::string& domain, const std::string& account) {
  return StateEntry{.address = SplitAddress(domain), .account = account, .https = false};
}

Change Forget(const std::string& domain, const std::string& account) {
  Change c;
  c.address = SplitAddress(domain);
  c.account = account;
  c.action = Action::kForget;
  c.before = Entry(domain, account);
  return c;
}

struct Run {
  FakeClock clock;
  SeededRandom random;
  NoMaterial material;
  ApplyObserver observer;
  std::atomic<bool> stop{false};
  MemoryBackend backend;
  State state;
  Plan plan;

  Run() {
    state.serial = 3;
    state.entries["a.example.com"] = Entry("a.example.com", "main");
    backend.stored = state;
    plan.serial = 3;
    plan.changes.push_back(Forget("a.example.com", "main"));
  }
  ApplyResult Apply() {
    ApplyRun run{clock, random, material, observer, stop};
    return ApplyAndRecord(plan, state, {}, backend, run, ApplyOptions{});
  }
};

}  // namespace

TEST_CASE("apply run: only the accounts of changes that make a call need providers",
          "[apply_run]") {
  Plan plan;
  plan.changes.push_back(Forget("a.example.com", "forgotten"));
  Change create;
  create.address = SplitAddress("b.example.com");
  create.account = "binds";
  create.action = Action::kCreate;
  plan.changes.push_back(create);
  Change same = create;
  same.account = "unchanged";
  same.action = Action::kNoOp;
  plan.changes.push_back(same);
  Change off = create;
  off.account = "disables";
  off.action = Action::kDelete;
  plan.changes.push_back(off);
  CHECK(AccountsToCall(plan) == std::set<std::string>{"binds", "disables"});
}

TEST_CASE("apply run: every completed change is journaled and the state reached is written",
          "[apply_run]") {
  Run r;
  const ApplyResult result = r.Apply();
  CHECK(ApplyComplete(result));
  CHECK(r.backend.appended == 1);
  CHECK(r.backend.writes == 1);
  CHECK(r.backend.clears == 1);
  CHECK(r.backend.stored.entries.empty());
  CHECK(r.backend.stored.serial == 4);
  CHECK(result.state.serial == 4);  // what was written
}

TEST_CASE("apply run: a state that cannot be written is an error naming the backend",
          "[apply_run]") {
  Run r;
  r.backend.refuse_writes = true;
  const ApplyResult result = r.Apply();
  CHECK_FALSE(ApplyComplete(result));
  REQUIRE(result.diags.items().size() == 1);
  CHECK(result.diags.items()[0].summary ==
        "cannot write the state of memory; its journal keeps every completed call and the next "
        "command replays it");
  CHECK(result.diags.items()[0].detail == "disk full");
  CHECK(r.backend.appended == 1);  // the journal keeps it
  CHECK(r.backend.clears == 0);
}

TEST_CASE("apply run: a run is complete only without failures, skips, errors or interruption",
          "[apply_run]") {
  ApplyResult result;
  CHECK(ApplyComplete(result));
  result.summary.failed = 1;
  CHECK_FALSE(ApplyComplete(result));
  result.summary.failed = 0;
  result.summary.skipped = 1;
  CHECK_FALSE(ApplyComplete(result));
  result.summary.skipped = 0;
  result.interrupted = true;
  CHECK_FALSE(ApplyComplete(result));
  result.interrupted = false;
  result.diags.Error({}, "x");
  CHECK_FALSE(ApplyComplete(result));
}

namespace {

// CAS as a map of id → certificate; records every call.
class CasStore final : public CertificateStore {
 public:
  CallLimit Limit(CallKind kind) const override { return DefaultCallLimit(kind); }
  Status Upload(const UploadRequest&, int64_t*, CallResult*) override {
    return Status::Failed("prune never uploads");
  }
  Status ListPage(int, std::vector<StoredCertificate>*, int64_t* total, CallResult*) override {
    *total = 0;
    return Status::OK();
  }
  Status Get(int64_t id, StoredCertificate* found, CallResult*) override {
    calls.push_back("get " + std::to_string(id));
    auto it = held.find(id);
    if (it == held.end()) return Status::NotFound("no such certificate");
    *found = it->second;
    return Status::OK();
  }
  Status Peek(int64_t id, std::string* name, CallResult*) override {
    calls.push_back("peek " + std::to_string(id));
    auto it = held.find(id);
    if (it == held.end()) return Status::NotFound("no such certificate");
    *name = it->second.name;
    return Status::OK();
  }
  Status Delete(int64_t id, CallResult* result) override {
    calls.push_back("delete " + std::to_string(id));
    result->request_id = "REQ-" + std::to_string(id);
    held.erase(id);
    return Status::OK();
  }
  std::map<int64_t, StoredCertificate> held;
  std::vector<std::string> calls;
};

UploadEntry Upload(const std::string& account, int64_t id, char fp) {
  return UploadEntry{.account = account,
                     .fingerprint = std::string(64, fp),
                     .name = "certform-" + std::string(16, fp),
                     .cert_id = id};
}

struct Prune {
  FakeClock clock;
  SeededRandom random;
  PacingRegistry pacing;
  CasStore store;
  MemoryBackend backend;
  std::map<std::string, AccountRuntime> runtimes;
  std::map<std::string, std::vector<UploadEntry>> unused;
  State state;

  Prune() {
    for (const auto& [account, id, fp] : {std::tuple{"a", 5, 'c'}, std::tuple{"b", 6, 'd'}}) {
      const UploadEntry u = Upload(account, id, fp);
      store.held[id] = {id, u.name, u.fingerprint, 0};
      state.uploads[UploadKey(account, u.fingerprint)] = u;
      unused[account].push_back(u);
      AccountRuntime& rt = runtimes[account];
      rt.user = "u1";
      rt.uploads_via_cas = true;
      rt.cas = &store;
    }
    backend.stored = state;
  }
  PruneDeletes Delete(const std::function<Status()>& fence, std::vector<std::string>* told) {
    return DeleteUnused(unused, runtimes, pacing, clock, random, fence, backend, &state,
                        [&](const std::string& account, const PruneOutcome& o) {
                          told->push_back(account + ":" + std::to_string(o.upload.cert_id) +
                                          (o.deleted ? " deleted" : " not deleted"));
                        });
  }
};

}  // namespace

TEST_CASE("prune deletes: every unused upload of every account is deleted and the state written",
          "[prune]") {
  Prune p;
  std::vector<std::string> told;
  const PruneDeletes done = p.Delete({}, &told);
  CHECK(done.failed == 0);
  CHECK(done.lost.ok());
  CHECK(done.written.ok());
  CHECK(told == std::vector<std::string>{"a:5 deleted", "b:6 deleted"});
  CHECK(p.store.calls == std::vector<std::string>{"get 5", "delete 5", "get 6", "delete 6"});
  CHECK(p.backend.stored.uploads.empty());
  CHECK(p.backend.appended == 2);  // each forget journaled before its delete
  CHECK(p.state.serial == 1);      // what was written
}

TEST_CASE("prune deletes: once the state lock is lost nothing more is sent, to any account",
          "[prune]") {
  Prune p;
  int checks = 0;
  // The lock holds for account a's read and delete, then is lost.
  auto fence = [&] { return ++checks <= 2 ? Status::OK() : Status::LockLost("the lease ran out"); };
  std::vector<std::string> told;
  const PruneDeletes done = p.Delete(fence, &told);
  CHECK(done.lost.code() == Status::Code::kLockLost);
  CHECK(done.lost.message() == "the lease ran out");
  CHECK(p.store.calls == std::vector<std::string>{"get 5", "delete 5"});
  CHECK(told == std::vector<std::string>{"a:5 deleted"});
  CHECK(done.failed == 0);
  CHECK(p.backend.stored.uploads.size() == 1);  // b's upload stays recorded
  CHECK(done.written.ok());
}

TEST_CASE("prune deletes: a state that cannot be written is reported, the journal kept",
          "[prune]") {
  Prune p;
  p.backend.refuse_writes = true;
  std::vector<std::string> told;
  const PruneDeletes done = p.Delete({}, &told);
  CHECK(done.written.message() == "disk full");
  CHECK(p.backend.appended == 2);
  CHECK(p.backend.clears == 0);
}
