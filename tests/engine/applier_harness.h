// The applier tests' harness: a provider that answers from a script per domain and records
// every call (with a "shelf" product whose writes ask for a read first), fake material, an
// in-memory recorder and an event log, on a fake clock: no network, no real sleeping. Shared by
// applier_test.cc, applier_accounts_test.cc and applier_checked_write_test.cc.
#pragma once

#include <algorithm>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "cmd/certform/product_table.h"
#include "engine/apply/applier.h"
#include "engine/product/product_catalog.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"

namespace certform::testing::applier {

using namespace certform::engine;
using std::chrono::milliseconds;

// A provider that answers from a script per domain (then success) and records every call.
class ScriptedProvider final : public Provider {
 public:
  struct Answer {
    Status status;
    std::string code;
    Clock::Duration retry_after{0};
    int http_status = 0;  // 0: no HTTP answer came
  };
  struct Call {
    std::string domain;
    bool https;
    Clock::Instant at;
    bool had_key;
    bool had_live = false;  // given a read (BindingRequest::live_now)
  };

  explicit ScriptedProvider(FakeClock& clock) : clock_(clock) {}

  void Script(const std::string& domain, std::vector<Answer> answers) {
    script_[domain] = std::deque<Answer>(answers.begin(), answers.end());
  }

  Status SetBinding(const BindingRequest& r, CallResult* result) override {
    const std::string key = r.address.Key();
    if (before_answer) before_answer(key);  // outside the lock: it may wait
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back({key, r.https, clock_.Monotonic(), !r.key_pem.empty(), r.live_now != nullptr});
    *result = CallResult();
    result->request_id = "REQ-" + std::to_string(calls_.size());
    auto& q = script_[key];
    if (q.empty()) return Status::OK();
    Answer a = q.front();
    q.pop_front();
    result->error_code = a.code;
    result->retry_after = a.retry_after;
    result->http_status = a.http_status;
    return a.status;
  }
  Status ReadBinding(const Address& address, LiveBinding*, CallResult*) override {
    std::lock_guard<std::mutex> lock(mu_);
    reads_.push_back({address.Key(), false, clock_.Monotonic(), false, false});
    return Status::OK();
  }

  std::vector<Call> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  std::vector<Call> reads() {
    std::lock_guard<std::mutex> lock(mu_);
    return reads_;
  }

  // Called with each call's domain before it is answered (e.g. to hold answers back).
  std::function<void(const std::string& domain)> before_answer;

 private:
  FakeClock& clock_;
  std::mutex mu_;
  std::map<std::string, std::deque<Answer>> script_;
  std::vector<Call> calls_;
  std::vector<Call> reads_;
};

class FakeMaterial final : public CertificateMaterial {
 public:
  Status Load(const StateEntry& after, BindingRequest* r) override {
    if (after.certificate == "missing") return Status::NotFound("cert_file vanished");
    r->cert_pem = "CERT";
    r->key_pem = "KEY";
    return Status::OK();
  }
};

// Records what was made durable, and when (relative to observer reports).
class MemoryRecorder final : public ApplyRecorder {
 public:
  Status Record(const JournalRecord& r, const State&) override {
    if (fail_after >= 0 && static_cast<int>(records.size()) >= fail_after) {
      return Status::IoError("disk full");
    }
    records.push_back(r);
    events->push_back("record " + r.address.Key());
    return Status::OK();
  }
  std::vector<JournalRecord> records;
  std::vector<std::string>* events = nullptr;
  int fail_after = -1;
};

class EventLog final : public ApplyObserver {
 public:
  void OnChangeDone(const ChangeOutcome& o, int, int) override {
    events.push_back("report " + o.address.Key());
    if (on_done) on_done(o);
  }
  std::function<void(const ChangeOutcome&)> on_done;
  void OnRetry(const std::string& domain, int, Clock::Duration wait, const std::string&) override {
    waits[domain].push_back(wait);
  }
  std::vector<std::string> events;
  std::map<std::string, std::vector<Clock::Duration>> waits;
};

inline Plan MakeCreates(int n, const std::string& account = "main") {
  Plan p;
  for (int i = 0; i < n; ++i) {
    Change c;
    c.address = SplitAddress("d" + std::to_string(i) + ".example.com");
    c.account = account;
    c.action = Action::kCreate;
    c.after = StateEntry{.address = c.address,
                         .account = account,
                         .https = true,
                         .certificate = "web",
                         .cert_type = "upload",
                         .fingerprint = "ff"};
    p.changes.push_back(c);
  }
  return p;
}

// The standard products plus "shelf", whose write needs the live binding when it names a
// certificate certform saw there: data the engine reads, knowing nothing of the product.
struct WithShelf {
  explicit WithShelf(double write_rate = 4, double read_rate = 1) {
    std::vector<ProductRules> products = Products();
    ProductRules shelf;
    shelf.name = "shelf";
    shelf.title = "Shelf";
    shelf.what = "a shelf domain";
    shelf.write_calls = {{{"PutShelfCertificate", write_rate}, false, false, true, false}};
    shelf.write_calls[0].read_first.when_previous_cert = true;
    shelf.calls = {{CallKind::kReadBinding, {"GetShelfCertificate", read_rate}}};
    products.push_back(shelf);
    InstallProducts(products);
  }
  WithShelf(const WithShelf&) = delete;
  WithShelf& operator=(const WithShelf&) = delete;
  ~WithShelf() { certform::cli::InstallProductTable(); }
};

// Shelf's provider: writes and reads recorded by `inner`; each read answers from its domain's
// script (then OK with the binding empty), and Decide decides as OSS does from what is read:
// done when the certificate asked for is there, refused when it is not the one certform saw.
class ShelfProvider final : public Provider {
 public:
  struct Read {
    Status status;
    LiveBinding live;
    std::function<void()> then = {};  // run as the read answers (e.g. a stop arrives)
  };
  explicit ShelfProvider(ScriptedProvider& inner) : inner_(inner) {}
  CallLimit Limit(CallKind kind) const override { return FindProduct("shelf")->Limit(kind); }
  Status SetBinding(const BindingRequest& r, CallResult* result) override {
    return inner_.SetBinding(r, result);
  }
  Status ReadBinding(const Address& a, LiveBinding* live, CallResult* result) override {
    (void)inner_.ReadBinding(a, live, result);
    *result = CallResult{.http_status = 200, .request_id = "READ"};
    std::lock_guard<std::mutex> lock(mu_);
    auto& q = reads_[a.Key()];
    if (q.empty()) {
      *live = LiveBinding{};
      return Status::OK();
    }
    Read next = q.front();
    q.pop_front();
    *live = next.live;
    if (next.then) next.then();
    return next.status;
  }
  WriteDecision Decide(const BindingRequest& r, const LiveBinding& live) const override {
    if (live.exists && live.cert_id == r.cert_id) return {false, Status::OK()};
    if (r.previous_cert_id != 0 && live.cert_id != r.previous_cert_id) {
      return {false, Status::Failed("changed since the plan: now " + std::to_string(live.cert_id))};
    }
    return {};
  }
  void ScriptReads(const std::string& domain, std::vector<Read> reads) {
    std::lock_guard<std::mutex> lock(mu_);
    reads_[domain] = std::deque<Read>(reads.begin(), reads.end());
  }

 private:
  ScriptedProvider& inner_;
  std::mutex mu_;
  std::map<std::string, std::deque<Read>> reads_;
};

// Shelf rotations from the CAS id 6 certform saw to 7, of d0…d(n-1).
inline Plan ShelfRotations(int n) {
  Plan p = MakeCreates(n);
  for (Change& c : p.changes) {
    c.address = SplitAddress("shelf:" + c.address.Key());
    c.action = Action::kUpdate;
    c.after->cert_type = "cas";
    c.after->cert_id = 7;
    c.before = StateEntry{.account = "main", .https = true, .cert_type = "cas", .cert_id = 6};
  }
  return p;
}

inline LiveBinding Holding(int64_t id) {
  return {.exists = true, .https = true, .cert_type = "cas", .cert_id = id};
}

struct Harness {
  FakeClock clock;
  SeededRandom random;
  FakeMaterial material;
  EventLog log;
  MemoryRecorder recorder;
  std::atomic<bool> stop{false};
  ScriptedProvider provider{clock};
  ApplyOptions options;

  Harness() {
    recorder.events = &log.events;
    options.parallelism = 1;
    options.retry.base = milliseconds(100);
  }

  ApplyResult Run(const Plan& plan, const State& prior = {}) {
    ApplyEnv env{clock, random, material, recorder, log, stop};
    // The one scripted provider stands for every product of the account.
    AccountRuntime main;
    main.user = "main-user";
    main.products = {{"cdn", &provider}, {"dcdn", &provider}, {"oss", &provider}};
    return Apply(plan, prior, {{"main", main}}, env, options);
  }
  // The same with `shelf` as the account's only product (WithShelf), and `fence` when given.
  ApplyResult RunShelf(const Plan& plan, Provider& shelf, std::function<Status()> fence = {}) {
    ApplyEnv env{clock, random, material, recorder, log, stop, std::move(fence)};
    AccountRuntime main;
    main.user = "main-user";
    main.products = {{"shelf", &shelf}};
    return Apply(plan, {}, {{"main", main}}, env, options);
  }
};

}  // namespace certform::testing::applier
