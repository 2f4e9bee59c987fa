// The applier with a scripted provider and a fake clock: no network, no real sleeping.
#include "engine/apply/applier.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <mutex>

#include <thread>

#include <catch2/catch.hpp>

#include "cmd/certform/product_table.h"
#include "engine/product/product_catalog.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"

using namespace certform::engine;
using namespace certform::testing;
using std::chrono::milliseconds;

namespace {

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

Plan MakeCreates(int n, const std::string& account = "main") {
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
Plan ShelfRotations(int n) {
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

LiveBinding Holding(int64_t id) {
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

}  // namespace

TEST_CASE("applier: every change is recorded before it is reported", "[applier]") {
  Harness h;
  ApplyResult r = h.Run(MakeCreates(3));
  CHECK(r.summary.applied == 3);
  CHECK_FALSE(r.interrupted);
  REQUIRE(h.log.events.size() == 6);
  for (int i = 0; i < 3; ++i) {
    std::string d = "d" + std::to_string(i) + ".example.com";
    auto rec = std::find(h.log.events.begin(), h.log.events.end(), "record " + d);
    auto rep = std::find(h.log.events.begin(), h.log.events.end(), "report " + d);
    CHECK(rec < rep);
  }
  CHECK(r.state.entries.size() == 3);
  CHECK(r.state.entries["d0.example.com"].request_id == "REQ-1");
  CHECK_FALSE(r.state.entries["d0.example.com"].applied_at.empty());
  CHECK(h.provider.calls()[0].had_key);
}

TEST_CASE("applier: calls are paced evenly at the account's rate, with the arrival margin",
          "[applier][limiter]") {
  Harness h;
  h.options.parallelism = 1;
  ApplyResult r = h.Run(MakeCreates(50));
  auto calls = h.provider.calls();
  REQUIRE(calls.size() == 50);
  // Evenly until 20 answers are in; after that (instant answers here) the limiter may follow the
  // arrivals they show (RateLimiter::OnAnswered), never faster than 10 in any second.
  for (size_t i = 1; i < 20; ++i) {
    auto gap = std::chrono::duration<double>(calls[i].at - calls[i - 1].at).count();
    CHECK(gap == Approx(1.025 / 10).epsilon(1e-3));
  }
  for (size_t i = 10; i < calls.size(); ++i) {
    CHECK(calls[i].at - calls[i - 10].at >= std::chrono::seconds(1));
  }
}

TEST_CASE("applier: transient failures are retried with backoff, then succeed", "[applier]") {
  Harness h;
  h.provider.Script("d0.example.com", {{Status::Unavailable("503"), "ServiceUnavailable"},
                                       {Status::Unavailable("500"), "InternalError"}});
  ApplyResult r = h.Run(MakeCreates(1));
  CHECK(r.summary.applied == 1);
  CHECK(r.summary.retries == 2);
  CHECK(r.outcomes[0].attempts == 3);
  REQUIRE(h.log.waits["d0.example.com"].size() == 2);
  CHECK(h.log.waits["d0.example.com"][0] <= milliseconds(100));
  CHECK(h.log.waits["d0.example.com"][1] <= milliseconds(200));
}

TEST_CASE("applier: throttling honours retry-after and slows the account", "[applier]") {
  Harness h;
  h.provider.Script("d0.example.com",
                    {{Status::Throttled("Throttling.User"), "Throttling.User", milliseconds(800)}});
  ApplyResult r = h.Run(MakeCreates(3));
  CHECK(r.summary.applied == 3);
  CHECK(r.summary.throttled == 1);
  auto calls = h.provider.calls();
  REQUIRE(calls.size() == 4);
  CHECK(calls[1].at - calls[0].at >= milliseconds(800));  // the hint was honoured
  // The first throttle of a run doubles the margin (25 → 50 ms per window): 105 ms between sends.
  auto gap = std::chrono::duration<double>(calls[2].at - calls[1].at).count();
  CHECK(gap == Approx(0.105).epsilon(1e-3));
}

TEST_CASE("applier: permanent errors fail the domain at once, the others go on", "[applier]") {
  Harness h;
  h.provider.Script("d1.example.com", {{Status::InvalidArgument("Certificate.MissMatch: no"),
                                        "Certificate.MissMatch"}});
  ApplyResult r = h.Run(MakeCreates(3));
  CHECK(r.summary.applied == 2);
  CHECK(r.summary.failed == 1);
  CHECK(r.outcomes[1].attempts == 1);
  CHECK(r.outcomes[1].last.error_code == "Certificate.MissMatch");
  CHECK(r.outcomes[1].last.request_id == "REQ-2");
  CHECK(r.state.entries.count("d1.example.com") == 0);
  CHECK(r.state.entries.count("d2.example.com") == 1);
}

TEST_CASE("applier: a call that keeps failing gives up after max attempts", "[applier]") {
  Harness h;
  h.options.retry.max_attempts = 3;
  std::vector<ScriptedProvider::Answer> always(10,
                                               {Status::Unavailable("503"), "ServiceUnavailable"});
  h.provider.Script("d0.example.com", always);
  ApplyResult r = h.Run(MakeCreates(1));
  CHECK(r.summary.failed == 1);
  CHECK(r.outcomes[0].attempts == 3);
  CHECK(r.outcomes[0].error.find("gave up after 3 attempts") != std::string::npos);
}

TEST_CASE("applier: --fail-fast stops dispatching after the first failure", "[applier]") {
  Harness h;
  h.options.fail_fast = true;
  h.provider.Script("d0.example.com", {{Status::NotFound("InvalidDomain.NotFound"), "x"}});
  ApplyResult r = h.Run(MakeCreates(4));
  CHECK(r.summary.failed == 1);
  CHECK(r.summary.skipped == 3);
  CHECK(r.interrupted);
  CHECK(h.provider.calls().size() == 1);
}

TEST_CASE("applier: the stop flag dispatches nothing more", "[applier]") {
  Harness h;
  h.clock.OnSleep([&] {
    if (h.provider.calls().size() >= 2) h.stop = true;
  });
  ApplyResult r = h.Run(MakeCreates(10));
  CHECK(r.interrupted);
  CHECK(r.summary.applied >= 2);
  CHECK(r.summary.applied + r.summary.skipped == 10);
  CHECK(r.state.entries.size() == static_cast<size_t>(r.summary.applied));
}

TEST_CASE("applier: a failure to record halts the run and is reported", "[applier]") {
  Harness h;
  h.recorder.fail_after = 1;
  ApplyResult r = h.Run(MakeCreates(5));
  CHECK(r.interrupted);
  CHECK(r.diags.HasErrors());
  CHECK(r.diags.items()[0].summary.find("could not be recorded") != std::string::npos);
  CHECK(h.provider.calls().size() == 2);
}

TEST_CASE("applier: deletes switch HTTPS off and forget the domain", "[applier]") {
  Harness h;
  Plan p;
  Change del;
  del.address = SplitAddress("old.example.com");
  del.account = "main";
  del.action = Action::kDelete;
  del.before = StateEntry{.address = SplitAddress("old.example.com"), .account = "main"};
  p.changes.push_back(del);
  State prior;
  prior.entries["old.example.com"] = *del.before;
  ApplyResult r = h.Run(p, prior);
  CHECK(r.summary.applied == 1);
  CHECK(h.provider.calls()[0].https == false);
  CHECK(r.state.entries.empty());
  CHECK(h.recorder.records[0].forget);
}

TEST_CASE("applier: a forget sends nothing, needs no provider, and the state forgets the domain",
          "[applier][removal]") {
  Harness h;
  Plan p = MakeCreates(1);
  Change forget;
  forget.address = SplitAddress("old.example.com");
  forget.account = "gone";  // an account no longer configured: no provider for it
  forget.action = Action::kForget;
  forget.before =
      StateEntry{.address = SplitAddress("old.example.com"), .account = "gone", .https = true};
  p.changes.push_back(forget);
  State prior;
  prior.entries["old.example.com"] = *forget.before;
  ApplyResult r = h.Run(p, prior);
  CHECK(r.summary.applied == 2);
  CHECK(r.summary.failed == 0);
  REQUIRE(h.provider.calls().size() == 1);
  CHECK(h.provider.calls()[0].domain == "d0.example.com");
  CHECK(r.state.entries.count("old.example.com") == 0);
  CHECK(r.state.entries.count("d0.example.com") == 1);
  REQUIRE(r.outcomes.size() == 2);
  CHECK(r.outcomes[1].ok);
  CHECK(r.outcomes[1].attempts == 0);
  CHECK(r.outcomes[1].note == "forgotten; its live certificate stays");
  bool recorded = false;
  for (const JournalRecord& rec : h.recorder.records) {
    recorded = recorded || (rec.address.Key() == "old.example.com" && rec.forget);
  }
  CHECK(recorded);
  // Recorded before it is reported, like a call.
  const auto& ev = h.log.events;
  CHECK(std::find(ev.begin(), ev.end(), "record old.example.com") <
        std::find(ev.begin(), ev.end(), "report old.example.com"));
}

namespace {

// A move of www.example.com from `from` to `to`: the new address's create and the old one's
// `old_action` (forget or delete), the old half first in the plan as the planner may order it.
Plan MovePlan(const std::string& from, const std::string& to, Action old_action, State* prior) {
  Plan p = MakeCreates(1);
  p.changes[0].address = SplitAddress(to);
  p.changes[0].after->address = SplitAddress(to);
  p.changes[0].moved_from = from;
  Change old;
  old.address = SplitAddress(from);
  old.account = "main";
  old.action = old_action;
  old.before = StateEntry{
      .address = SplitAddress(from), .account = "main", .https = true, .fingerprint = "ee"};
  old.moved_to = to;
  p.changes.insert(p.changes.begin(), old);
  prior->entries[from] = *old.before;
  return p;
}

}  // namespace

TEST_CASE("applier: a move binds the new address first, then deals with the old one",
          "[applier][removal]") {
  for (Action old_action : {Action::kDelete, Action::kForget}) {
    Harness h;
    State prior;
    Plan p = MovePlan("a.example.com", "dcdn:a.example.com", old_action, &prior);
    ApplyResult r = h.Run(p, prior);
    CHECK(r.summary.applied == 2);
    CHECK(r.state.entries.count("a.example.com") == 0);
    CHECK(r.state.entries.count("dcdn:a.example.com") == 1);
    REQUIRE(h.recorder.records.size() == 2);
    CHECK(h.recorder.records[0].address.Key() == "dcdn:a.example.com");
    CHECK(h.recorder.records[1].address.Key() == "a.example.com");
    CHECK(h.recorder.records[1].forget);
    const std::vector<ScriptedProvider::Call> calls = h.provider.calls();
    REQUIRE(calls.size() == (old_action == Action::kDelete ? 2U : 1U));
    CHECK(calls[0].domain == "dcdn:a.example.com");  // the new address
    CHECK(calls[0].https);
    if (old_action == Action::kDelete) CHECK_FALSE(calls[1].https);
  }
}

TEST_CASE("applier: a failed bind at the new address leaves the old binding as it was",
          "[applier][removal]") {
  Harness h;
  State prior;
  Plan p = MovePlan("oss:cn-hangzhou/site/www.example.com", "oss:cn-shanghai/site/www.example.com",
                    Action::kDelete, &prior);
  h.provider.Script(
      "oss:cn-shanghai/site/www.example.com",
      {{Status::Failed("CnameAlreadyExists: attached to another bucket"), "CnameAlreadyExists"}});
  ApplyResult r = h.Run(p, prior);
  CHECK(r.summary.failed == 1);
  CHECK(r.summary.skipped == 1);
  CHECK(r.summary.applied == 0);
  // Only the failed bind was sent: the old address was never switched off.
  REQUIRE(h.provider.calls().size() == 1);
  CHECK(h.provider.calls()[0].domain == "oss:cn-shanghai/site/www.example.com");
  CHECK(r.state.entries == prior.entries);
  CHECK(h.recorder.records.empty());
  REQUIRE(r.outcomes.size() == 2);
  const ChangeOutcome& old = r.outcomes[0];
  CHECK(old.address.Key() == "oss:cn-hangzhou/site/www.example.com");
  CHECK(old.skipped);
  CHECK(old.error ==
        "not attempted: its move to oss:cn-shanghai/site/www.example.com did not succeed, so it "
        "stays as it was");
}

TEST_CASE("applier: a certificate that cannot be read fails its domain without a call",
          "[applier]") {
  Harness h;
  Plan p = MakeCreates(2);
  p.changes[0].after->certificate = "missing";
  ApplyResult r = h.Run(p);
  CHECK(r.summary.failed == 1);
  CHECK(r.outcomes[0].error == "cert_file vanished");
  CHECK(h.provider.calls().size() == 1);
}

TEST_CASE("applier: no-ops are not sent", "[applier]") {
  Harness h;
  Plan p = MakeCreates(2);
  p.changes[1].action = Action::kNoOp;
  ApplyResult r = h.Run(p);
  CHECK(r.outcomes.size() == 1);
  CHECK(h.provider.calls().size() == 1);
}

TEST_CASE("applier: deleting a domain the CDN no longer has is done, and the domain forgotten",
          "[applier]") {
  Harness h;
  Plan p;
  Change del;
  del.address = SplitAddress("gone.example.com");
  del.account = "main";
  del.action = Action::kDelete;
  del.before = StateEntry{.address = SplitAddress("gone.example.com"), .account = "main"};
  p.changes.push_back(del);
  State prior;
  prior.entries["gone.example.com"] = *del.before;
  h.provider.Script("gone.example.com",
                    {{Status::NotFound("InvalidDomain.NotFound: gone"), "InvalidDomain.NotFound"}});
  ApplyResult r = h.Run(p, prior);
  CHECK(r.summary.applied == 1);
  CHECK(r.summary.failed == 0);
  CHECK(r.outcomes[0].note.find("no longer exists") != std::string::npos);
  CHECK(r.state.entries.empty());
  CHECK(h.recorder.records[0].forget);
  // A create of a missing domain is still a failure.
  Harness h2;
  h2.provider.Script("d0.example.com", {{Status::NotFound("InvalidDomain.NotFound: gone"),
                                         "InvalidDomain.NotFound"}});
  CHECK(h2.Run(MakeCreates(1)).summary.failed == 1);
}

TEST_CASE("applier: an error that concerns the whole account stops that account after one answer",
          "[applier]") {
  Harness h;
  h.options.parallelism = 4;
  ScriptedProvider other(h.clock);
  h.provider.Script("d0.example.com", {{Status::PermissionDenied("InvalidAccessKeyId.NotFound: x"),
                                        "InvalidAccessKeyId.NotFound"}});
  Plan p = MakeCreates(6);
  Plan q = MakeCreates(3, "other");
  for (Change& c : q.changes) {
    c.address = SplitAddress("o" + c.address.Key());
    p.changes.push_back(c);
  }
  // Deterministic order: the other calls of "main" in flight are answered only once the
  // failing answer was dealt with (their workers then find the account stopped).
  std::promise<void> reported;
  std::shared_future<void> d0_reported = reported.get_future().share();
  h.log.on_done = [&](const ChangeOutcome& o) {
    if (o.address.Key() == "d0.example.com") reported.set_value();
  };
  h.provider.before_answer = [&](const std::string& domain) {
    if (domain != "d0.example.com") d0_reported.wait();
  };
  ApplyEnv env{h.clock, h.random, h.material, h.recorder, h.log, h.stop};
  AccountRuntime main, second;
  main.user = "main-user";
  main.products = {{"cdn", &h.provider}};
  second.user = "other-user";
  second.products = {{"cdn", &other}};
  ApplyResult r = Apply(p, {}, {{"main", main}, {"other", second}}, env, h.options);
  // Calls already in flight may answer too, but nothing is dispatched after the first answer.
  CHECK(h.provider.calls().size() < 6);
  CHECK(r.summary.applied == static_cast<int>(h.provider.calls().size()) - 1 + 3);
  CHECK(other.calls().size() == 3);
  int not_attempted = 0;
  for (const ChangeOutcome& o : r.outcomes) {
    if (o.skipped) {
      ++not_attempted;
      CHECK(o.error.find("not attempted: InvalidAccessKeyId.NotFound") == 0);
    }
  }
  CHECK(not_attempted == 6 - static_cast<int>(h.provider.calls().size()));
  REQUIRE(r.diags.HasErrors());
  CHECK(r.diags.items()[0].summary.find("account \"main\"") != std::string::npos);
}

TEST_CASE("applier: nothing is sent after a stop, not even by a worker waiting for its slot",
          "[applier]") {
  Harness h;
  h.options.parallelism = 4;
  // The first worker takes the free slot without sleeping and sends; every other one sleeps for
  // its slot. A sleeper waits here until that first call is made (so that the stop cannot come
  // before it, whatever the threads' timing: under a sanitizer a worker may reach its sleep
  // first), then stops the run.
  h.clock.OnSleep([&] {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (h.provider.calls().empty() && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::yield();
    }
    h.stop = true;
  });
  ApplyResult r = h.Run(MakeCreates(8));
  CHECK(r.interrupted);
  CHECK(h.provider.calls().size() == 1);  // the others slept for their slots and then stopped
  CHECK(r.summary.applied == 1);
  CHECK(r.summary.skipped == 7);
}

TEST_CASE("applier: nothing is sent after a stop during a retry's backoff", "[applier]") {
  Harness h;
  h.provider.Script("d0.example.com", {{Status::Unavailable("503"), "ServiceUnavailable"},
                                       {Status::Unavailable("503"), "ServiceUnavailable"}});
  h.clock.OnSleep([&] { h.stop = true; });
  ApplyResult r = h.Run(MakeCreates(2));
  CHECK(h.provider.calls().size() == 1);
  CHECK(r.outcomes[0].attempts == 1);
  CHECK_FALSE(r.outcomes[0].ok);
  CHECK(r.outcomes[1].skipped);
}

TEST_CASE("applier: accounts of one user share one limiter", "[applier][limiter]") {
  Harness h;  // one call in flight per user: with a limiter each, both would start at once
  ScriptedProvider alt(h.clock);
  Plan p = MakeCreates(6);
  Plan q = MakeCreates(6, "alt");
  for (Change& c : q.changes) {
    c.address = SplitAddress("a" + c.address.Key());
    p.changes.push_back(c);
  }
  ApplyEnv env{h.clock, h.random, h.material, h.recorder, h.log, h.stop};
  AccountRuntime main, alt_rt;
  main.user = alt_rt.user = "LTAI1";
  main.products = {{"cdn", &h.provider}};
  alt_rt.products = {{"cdn", &alt}};
  ApplyResult r = Apply(p, {}, {{"main", main}, {"alt", alt_rt}}, env, h.options);
  CHECK(r.summary.applied == 12);
  std::vector<Clock::Instant> at;
  for (const auto& c : h.provider.calls()) at.push_back(c.at);
  for (const auto& c : alt.calls()) at.push_back(c.at);
  std::sort(at.begin(), at.end());
  for (size_t i = 1; i < at.size(); ++i) CHECK(at[i] - at[i - 1] >= milliseconds(102));
}

TEST_CASE(
    "applier: a write whose rules ask for a read first is read in its own lane, again "
    "before each retry",
    "[applier][limiter]") {
  WithShelf with_shelf;
  Harness h;
  ShelfProvider shelf(h.provider);
  Plan p = MakeCreates(3);
  for (int i = 0; i < 3; ++i) {
    Change& c = p.changes[static_cast<size_t>(i)];
    c.address = SplitAddress("shelf:d" + std::to_string(i) + ".example.com");
    c.after->cert_type = "cas";
    c.after->cert_id = 7;
    if (i > 0) {  // rotations of what certform saw there; d0 is a first bind
      c.action = Action::kUpdate;
      c.before = StateEntry{.account = "main", .https = true, .cert_type = "cas", .cert_id = 6};
    }
  }
  h.provider.Script("shelf:d1.example.com", {{Status::Unavailable("503"), "ServiceUnavailable"}});
  // Each read finds the certificate certform saw (6): each write is sent.
  shelf.ScriptReads("shelf:d1.example.com",
                    {{Status::OK(), Holding(6)}, {Status::OK(), Holding(6)}});
  shelf.ScriptReads("shelf:d2.example.com", {{Status::OK(), Holding(6)}});
  ApplyResult r = h.RunShelf(p, shelf);
  CHECK(r.summary.applied == 3);
  const std::vector<ScriptedProvider::Call> writes = h.provider.calls();
  const std::vector<ScriptedProvider::Call> reads = h.provider.reads();
  // d0: one write, no read. d1: read, write (503), read again, write. d2: read, write.
  REQUIRE(writes.size() == 4);
  REQUIRE(reads.size() == 3);
  CHECK_FALSE(writes[0].had_live);
  for (size_t i = 1; i < writes.size(); ++i) CHECK(writes[i].had_live);
  CHECK(reads[0].domain == "shelf:d1.example.com");
  CHECK(reads[1].domain == "shelf:d1.example.com");
  CHECK(reads[2].domain == "shelf:d2.example.com");
  for (size_t i = 0; i < reads.size(); ++i) CHECK(reads[i].at <= writes[i + 1].at);
  // The reads keep the read call's pace (1/s), whatever the write's (4/s).
  for (size_t i = 1; i < reads.size(); ++i) {
    CHECK(reads[i].at - reads[i - 1].at >= std::chrono::seconds(1));
  }
  CHECK(r.outcomes[1].attempts == 2);
  CHECK(r.summary.retries == 1);
}

TEST_CASE("applier: a write decided from the read takes no slot, and a refusal is never undone",
          "[applier][limiter]") {
  WithShelf with_shelf;
  Harness h;
  ShelfProvider shelf(h.provider);
  const Status lost = Status::Unavailable("connection reset before the answer arrived");
  const Status refused = Status::Failed("the product refused: PreviousCertId does not match");
  // d0: the read finds 7 already there (a retry of an earlier run): done, no write sent.
  shelf.ScriptReads("shelf:d0.example.com", {{Status::OK(), Holding(7)}});
  // d1: the write's answer is lost, and the read before its retry fails for good: the write's
  // failure stands (it may have gone through), not "not attempted" (review finding B2).
  shelf.ScriptReads("shelf:d1.example.com",
                    {{Status::OK(), Holding(6)}, {Status::Failed("read refused"), {}}});
  h.provider.Script("shelf:d1.example.com", {{lost, ""}});
  // d2: refused, and the read after the refusal finds 7 there: the refusal stands (B1).
  shelf.ScriptReads("shelf:d2.example.com",
                    {{Status::OK(), Holding(6)}, {Status::OK(), Holding(7)}});
  h.provider.Script("shelf:d2.example.com", {{refused, "InvalidArgument", {}, 400}});
  // d3: refused, and the read after it finds 9: refused in the words of what is there now.
  shelf.ScriptReads("shelf:d3.example.com",
                    {{Status::OK(), Holding(6)}, {Status::OK(), Holding(9)}});
  h.provider.Script("shelf:d3.example.com", {{refused, "InvalidArgument", {}, 400}});
  // d4: refused, and the read after it still finds 6: the refusal stands, nothing sent again.
  shelf.ScriptReads("shelf:d4.example.com",
                    {{Status::OK(), Holding(6)}, {Status::OK(), Holding(6)}});
  h.provider.Script("shelf:d4.example.com", {{refused, "InvalidArgument", {}, 400}});
  ApplyResult r = h.RunShelf(ShelfRotations(5), shelf);
  REQUIRE(r.outcomes.size() == 5);
  std::map<std::string, int> writes;
  for (const ScriptedProvider::Call& c : h.provider.calls()) ++writes[c.domain];

  const ChangeOutcome& done = r.outcomes[0];
  CHECK(done.ok);
  CHECK(done.attempts == 0);
  CHECK(done.last.request_id == "READ");
  CHECK(writes.count("shelf:d0.example.com") == 0);
  CHECK(r.state.entries.count("shelf:d0.example.com") == 1);
  REQUIRE(h.recorder.records.size() == 1);  // journaled as any success is
  CHECK(h.recorder.records[0].address.Key() == "shelf:d0.example.com");

  const ChangeOutcome& unknown = r.outcomes[1];
  CHECK_FALSE(unknown.ok);
  CHECK_FALSE(unknown.skipped);
  CHECK(unknown.attempts == 1);
  CHECK(unknown.error.find("connection reset") != std::string::npos);
  CHECK(unknown.error.find("not attempted") == std::string::npos);
  CHECK(writes["shelf:d1.example.com"] == 1);

  for (size_t i : {2u, 4u}) {
    INFO(i);
    CHECK_FALSE(r.outcomes[i].ok);
    CHECK(r.outcomes[i].error == refused.message());
    CHECK(r.outcomes[i].last.http_status == 400);
    CHECK(r.state.entries.count(r.outcomes[i].address.Key()) == 0);
  }
  CHECK(writes["shelf:d2.example.com"] == 1);
  CHECK(writes["shelf:d4.example.com"] == 1);

  const ChangeOutcome& changed = r.outcomes[3];
  CHECK_FALSE(changed.ok);
  CHECK(changed.error == "changed since the plan: now 9");
  CHECK(changed.last.error_message == changed.error);
  CHECK(changed.last.error_code == "InvalidArgument");  // the product's refusal, kept
  CHECK(writes["shelf:d3.example.com"] == 1);
  CHECK(r.state.entries.count("shelf:d3.example.com") == 0);
  CHECK(r.summary.applied == 1);
}

TEST_CASE("applier: a write decided from the read feeds nothing to the write's pace",
          "[applier][limiter]") {
  WithShelf with_shelf(/*write_rate=*/1, /*read_rate=*/10);
  Harness h;
  ShelfProvider shelf(h.provider);
  // Ten rotations all found done by their reads, then one that is sent. The write's lane (1/s)
  // saw no attempt before it, so it goes at once after its read; had each decision taken a write
  // slot, it would wait ten seconds behind them.
  Plan p = ShelfRotations(11);
  for (int i = 0; i < 10; ++i) {
    shelf.ScriptReads("shelf:d" + std::to_string(i) + ".example.com", {{Status::OK(), Holding(7)}});
  }
  shelf.ScriptReads("shelf:d10.example.com", {{Status::OK(), Holding(6)}});
  ApplyResult r = h.RunShelf(p, shelf);
  CHECK(r.summary.applied == 11);
  const std::vector<ScriptedProvider::Call> writes = h.provider.calls();
  const std::vector<ScriptedProvider::Call> reads = h.provider.reads();
  REQUIRE(writes.size() == 1);
  REQUIRE(reads.size() == 11);
  CHECK(writes[0].domain == "shelf:d10.example.com");
  CHECK(writes[0].at - reads[10].at < milliseconds(300));
  CHECK(reads[10].at - reads[0].at < std::chrono::seconds(2));  // the reads at their own 10/s
}

TEST_CASE("applier: a checked write sends nothing after a stop or a lost lock, decided or not",
          "[applier][limiter]") {
  WithShelf with_shelf;
  const Status lost = Status::Unavailable("connection reset before the answer arrived");
  SECTION("a stop as the first read answers: not attempted, nothing sent") {
    Harness h;
    ShelfProvider shelf(h.provider);
    shelf.ScriptReads("shelf:d0.example.com",
                      {{Status::OK(), Holding(6), [&h] { h.stop = true; }}});
    ApplyResult r = h.RunShelf(ShelfRotations(1), shelf);
    REQUIRE(r.outcomes.size() == 1);
    CHECK(r.outcomes[0].skipped);
    CHECK(r.outcomes[0].error.find("not attempted") != std::string::npos);
    CHECK(h.provider.calls().empty());
    CHECK(h.recorder.records.empty());
  }
  SECTION("a stop as the read before a retry answers: the lost write's failure stands") {
    Harness h;
    ShelfProvider shelf(h.provider);
    shelf.ScriptReads(
        "shelf:d0.example.com",
        {{Status::OK(), Holding(6)}, {Status::OK(), Holding(6), [&h] { h.stop = true; }}});
    h.provider.Script("shelf:d0.example.com", {{lost, ""}});
    ApplyResult r = h.RunShelf(ShelfRotations(1), shelf);
    REQUIRE(r.outcomes.size() == 1);
    CHECK_FALSE(r.outcomes[0].ok);
    CHECK_FALSE(r.outcomes[0].skipped);
    CHECK(r.outcomes[0].attempts == 1);
    CHECK(r.outcomes[0].error.find("connection reset") != std::string::npos);
    CHECK(h.provider.calls().size() == 1);
  }
  SECTION("a read refused for the whole account before a retry stops the account") {
    Harness h;
    ShelfProvider shelf(h.provider);
    shelf.ScriptReads("shelf:d0.example.com",
                      {{Status::OK(), Holding(6)}, {Status::PermissionDenied("key disabled"), {}}});
    h.provider.Script("shelf:d0.example.com", {{lost, ""}});
    ApplyResult r = h.RunShelf(ShelfRotations(2), shelf);
    REQUIRE(r.outcomes.size() == 2);
    CHECK_FALSE(r.outcomes[0].ok);
    CHECK(r.outcomes[0].error.find("connection reset") != std::string::npos);
    CHECK(r.outcomes[0].error.find("key disabled") != std::string::npos);
    CHECK(r.outcomes[1].skipped);  // the account stopped: d1 is not read, not sent
    CHECK(h.provider.calls().size() == 1);
  }
  SECTION("a lost lock: a write the read settles is not recorded") {
    Harness h;
    ShelfProvider shelf(h.provider);
    shelf.ScriptReads("shelf:d0.example.com", {{Status::OK(), Holding(7)}});
    // The lock is lost after the read was sent (its fence passed), before the decision.
    int fences = 0;
    ApplyResult r = h.RunShelf(ShelfRotations(1), shelf, [&fences] {
      return ++fences == 1 ? Status::OK() : Status::LockLost("the state lock was taken over");
    });
    CHECK(fences == 2);
    CHECK(h.provider.reads().size() == 1);
    REQUIRE(r.outcomes.size() == 1);
    CHECK_FALSE(r.outcomes[0].ok);
    CHECK(r.state.entries.empty());
    CHECK(h.recorder.records.empty());
    CHECK(h.provider.calls().empty());
  }
}
