// The applier with asynchronous writes (ProductRules::writes, as ALB's): the "dock" product's
// writes answer jobs, changes of one listener never overlap, every write is dry-run first, a
// renewal is two steps, and a job a killed run left is polled, never sent again.
#include <condition_variable>

#include "tests/engine/applier_harness.h"

using namespace certform::engine;
using namespace certform::testing;
using namespace certform::testing::applier;

namespace {

std::string ListenerProblem(const std::string& value) {
  return value.starts_with("l") ? "" : "a dock listener starts with 'l'";
}

// The standard products plus "dock": location "listener", asynchronous writes serialized per
// listener, each dry-run first.
struct WithDock {
  WithDock() {
    std::vector<ProductRules> products = Products();
    ProductRules dock;
    dock.name = "dock";
    dock.title = "Dock";
    dock.what = "a dock listener";
    dock.location = {{"listener", ListenerProblem, "l1"}};
    dock.write_calls = {{{"SetDock", 5}, false, false, true, false}};
    dock.calls = {{CallKind::kReadBinding, {"ReadDock", 20}},
                  {CallKind::kPollJob, {"PollDock", 20}}};
    dock.writes = {.enabled = true,
                   .dry_run_first = true,
                   .serialize_by = "listener",
                   .poll_every_ms = 1000,
                   .job_timeout_s = 300};
    products.push_back(dock);
    InstallProducts(products);
  }
  WithDock(const WithDock&) = delete;
  WithDock& operator=(const WithDock&) = delete;
  ~WithDock() { certform::cli::InstallProductTable(); }
};

// A dock: each real write starts a job of `job_duration` on its listener; a write while the
// listener's job runs is refused (as ALB's IncorrectStatus.Listener) and counted as an overlap.
class DockProvider final : public Provider {
 public:
  struct Write {
    std::string address;
    int step;
    bool dry_run;
    std::string token;
    int64_t cert_id;
  };
  explicit DockProvider(FakeClock& clock) : clock_(clock) {}

  CallLimit Limit(CallKind kind) const override { return FindProduct("dock")->Limit(kind); }
  int Steps(const BindingRequest& r) const override {
    return r.https && r.previous_cert_id != 0 && r.previous_cert_id != r.cert_id ? 2 : 1;
  }
  Status SetBinding(const BindingRequest& r, CallResult* result) override {
    std::lock_guard<std::mutex> lock(mu_);
    *result = CallResult{.http_status = 200, .request_id = "REQ"};
    writes.push_back({r.address.Key(), r.step, r.dry_run, r.client_token, r.cert_id});
    if (r.dry_run) {
      if (refuse_dry_run == r.address.Key()) {
        result->error_code = "QuotaExceeded.AdditionalCertificatesNum";
        return Status::Failed("QuotaExceeded.AdditionalCertificatesNum");
      }
      return Status::OK();
    }
    const std::string listener = r.address.Field("listener");
    if (auto busy = busy_until_.find(listener);
        busy != busy_until_.end() && clock_.Monotonic() < busy->second) {
      ++overlaps;
      return Status::Failed("IncorrectStatus.Listener");
    }
    busy_until_[listener] = clock_.Monotonic() + job_duration;
    written_.notify_all();
    result->job_id = "job-" + std::to_string(++jobs_);
    job_end_[result->job_id] = busy_until_[listener];
    return Status::OK();
  }
  Status PollJob(const BindingRequest& r, const std::string& job, JobStatus* status,
                 CallResult* result) override {
    if (on_poll) on_poll();
    std::unique_lock<std::mutex> lock(mu_);
    if (!hold_polls_until_write_of.empty() && r.address.Key() != hold_polls_until_write_of) {
      // Another listener's job is polled only once that write was sent (or 2 s passed): it
      // comes while this job runs only when changes of other listeners go on meanwhile.
      written_.wait_for(lock, std::chrono::seconds(2), [&] { return WrittenLocked(); });
    }
    *result = CallResult{.http_status = 200, .request_id = "POLL"};
    polls.push_back(job);
    auto end = job_end_.find(job);
    if (end == job_end_.end()) return Status::NotFound("no such job");
    status->done = clock_.Monotonic() >= end->second;
    status->succeeded = status->done && fail_job != job;
    if (status->done && !status->succeeded) status->error = "ResourceNotFound.Certificate";
    return Status::OK();
  }
  Status ConfirmStep(const BindingRequest& r, CallResult* result) override {
    std::lock_guard<std::mutex> lock(mu_);
    *result = CallResult{.http_status = 200, .request_id = "READ"};
    confirms.push_back(r.address.Key() + "#" + std::to_string(r.step));
    return Status::OK();
  }
  Status ReadBinding(const Address&, LiveBinding*, CallResult*) override { return Status::OK(); }

  std::vector<Write> RealWrites() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Write> out;
    for (const Write& w : writes) {
      if (!w.dry_run) out.push_back(w);
    }
    return out;
  }

  Clock::Duration job_duration = std::chrono::seconds(5);
  std::string refuse_dry_run;
  std::string hold_polls_until_write_of;
  std::string fail_job;
  std::function<void()> on_poll;
  std::vector<Write> writes;
  std::vector<std::string> polls, confirms;
  int overlaps = 0;

 private:
  bool WrittenLocked() const {
    return std::any_of(writes.begin(), writes.end(), [&](const Write& w) {
      return !w.dry_run && w.address == hold_polls_until_write_of;
    });
  }

  FakeClock& clock_;
  std::mutex mu_;
  std::condition_variable written_;
  std::map<std::string, Clock::Instant> busy_until_;
  std::map<std::string, Clock::Instant> job_end_;
  int jobs_ = 0;
};

Change DockChange(const std::string& address, int64_t cert_id, int64_t previous = 0) {
  Change c;
  c.address = SplitAddress(address);
  c.account = "main";
  c.action = previous == 0 ? Action::kCreate : Action::kUpdate;
  c.after = StateEntry{.address = c.address,
                       .account = "main",
                       .https = true,
                       .certificate = "web",
                       .cert_type = "cas",
                       .cert_id = cert_id};
  if (previous != 0) {
    c.before = StateEntry{.address = c.address,
                          .account = "main",
                          .https = true,
                          .certificate = "web",
                          .cert_type = "cas",
                          .cert_id = previous};
  }
  return c;
}

ApplyResult RunDock(Harness& h, DockProvider& dock, const Plan& plan, const State& prior = {}) {
  ApplyEnv env{h.clock, h.random, h.material, h.recorder, h.log, h.stop};
  AccountRuntime main;
  main.user = "main-user";
  main.products = {{"dock", &dock}};
  h.options.parallelism = 8;
  return Apply(plan, prior, {{"main", main}}, env, h.options);
}

}  // namespace

TEST_CASE(
    "applier async: changes of one listener never overlap, other listeners go on meanwhile, "
    "every write is dry-run first",
    "[applier][async]") {
  WithDock with_dock;
  Harness h;
  DockProvider dock(h.clock);
  dock.hold_polls_until_write_of = "dock:l2/c.example.com";
  Plan p;
  p.changes = {DockChange("dock:l1/a.example.com", 7), DockChange("dock:l1/b.example.com", 7),
               DockChange("dock:l2/c.example.com", 7)};
  ApplyResult r = RunDock(h, dock, p);
  CHECK(r.summary.applied == 3);
  CHECK(dock.overlaps == 0);
  // Three dry runs, all before the first real write.
  REQUIRE(dock.writes.size() == 6);
  for (size_t i = 0; i < 3; ++i) CHECK(dock.writes[i].dry_run);
  for (size_t i = 3; i < 6; ++i) CHECK_FALSE(dock.writes[i].dry_run);
  // l2's write does not wait for l1's two: it is sent before l1's second one.
  const std::vector<DockProvider::Write> real = dock.RealWrites();
  REQUIRE(real.size() == 3);
  CHECK(real.back().address == "dock:l1/b.example.com");
  // Each step has its own ClientToken.
  CHECK(real[0].token != real[1].token);
  CHECK(real[0].token.starts_with("certform-"));
  // Each job was journaled before it was polled, and the final record clears it.
  std::map<std::string, std::vector<JournalRecord>> by_address;
  for (const JournalRecord& rec : h.recorder.records) by_address[rec.address.Key()].push_back(rec);
  for (const auto& [address, recs] : by_address) {
    REQUIRE(recs.size() == 2);
    CHECK(recs[0].entry.Pending());
    CHECK(recs[0].entry.pending_cert_id == 7);
    CHECK_FALSE(recs[0].entry.https);  // a binding certform never made: HTTPS off until done
    CHECK_FALSE(recs[1].entry.Pending());
    CHECK(recs[1].entry.cert_id == 7);
  }
  CHECK(dock.confirms.size() == 3);
}

TEST_CASE("applier async: a refused dry run stops the apply before any change",
          "[applier][async]") {
  WithDock with_dock;
  Harness h;
  DockProvider dock(h.clock);
  dock.refuse_dry_run = "dock:l2/c.example.com";
  Plan p;
  p.changes = {DockChange("dock:l1/a.example.com", 7), DockChange("dock:l2/c.example.com", 7),
               DockChange("dock:l3/d.example.com", 7)};
  ApplyResult r = RunDock(h, dock, p);
  CHECK(dock.RealWrites().empty());
  CHECK(h.recorder.records.empty());
  CHECK(r.summary.applied == 0);
  CHECK(r.summary.failed == 1);
  CHECK(r.summary.skipped == 2);
  CHECK_THAT(r.outcomes[1].error, Catch::Contains("dry run was refused") &&
                                      Catch::Contains("QuotaExceeded.AdditionalCertificatesNum"));
  CHECK_THAT(r.outcomes[0].error,
             Catch::Contains("not attempted: the dry run of dock:l2/c.example.com was refused"));
  CHECK_THAT(r.outcomes[2].error, Catch::Contains("not attempted"));
}

TEST_CASE("applier async: a renewal is two steps, each waited for and confirmed before the next",
          "[applier][async]") {
  WithDock with_dock;
  Harness h;
  DockProvider dock(h.clock);
  Plan p;
  p.changes = {DockChange("dock:l1/a.example.com", 8, 7)};
  ApplyResult r = RunDock(h, dock, p);
  CHECK(r.summary.applied == 1);
  const std::vector<DockProvider::Write> real = dock.RealWrites();
  REQUIRE(real.size() == 2);
  CHECK(real[0].step == 0);
  CHECK(real[1].step == 1);
  CHECK(dock.overlaps == 0);  // step 1 waited for step 0's job
  CHECK(dock.confirms ==
        std::vector<std::string>{"dock:l1/a.example.com#0", "dock:l1/a.example.com#1"});
  // Two dry runs (both steps) came first.
  REQUIRE(dock.writes.size() == 4);
  CHECK(dock.writes[0].dry_run);
  CHECK(dock.writes[1].dry_run);
  REQUIRE(h.recorder.records.size() == 3);  // pending step 0, pending step 1, done
  CHECK(h.recorder.records[0].entry.pending_step == 0);
  CHECK(h.recorder.records[0].entry.cert_id == 7);  // still what certform last made true
  CHECK(h.recorder.records[1].entry.pending_step == 1);
  CHECK(h.recorder.records[2].entry.cert_id == 8);
}

TEST_CASE(
    "applier async: a run stopped while its job runs resumes by polling that job, never "
    "sending it again",
    "[applier][async]") {
  WithDock with_dock;
  Harness h;
  DockProvider dock(h.clock);
  dock.on_poll = [&] { h.stop = true; };  // the run is stopped (SIGINT) as it first polls
  Plan p;
  p.changes = {DockChange("dock:l1/a.example.com", 8, 7)};
  ApplyResult first = RunDock(h, dock, p);
  CHECK(first.summary.applied == 0);
  REQUIRE(dock.RealWrites().size() == 1);
  REQUIRE(h.recorder.records.size() == 1);
  const StateEntry pending = h.recorder.records[0].entry;
  CHECK(pending.pending_job == "job-1");
  CHECK(first.state.Find(p.changes[0].address)->pending_job == "job-1");

  // The next run plans from the state the first one reached.
  dock.on_poll = nullptr;
  h.stop = false;
  Plan again;
  again.changes = {DockChange("dock:l1/a.example.com", 8, 7)};
  again.changes[0].before = pending;
  ApplyResult second = RunDock(h, dock, again, first.state);
  CHECK(second.summary.applied == 1);
  INFO(second.outcomes[0].error);
  const std::vector<DockProvider::Write> real = dock.RealWrites();
  REQUIRE(real.size() == 2);  // step 0 was not sent again: only step 1
  CHECK(real[1].step == 1);
  CHECK(dock.polls.front() == "job-1");
  CHECK(dock.overlaps == 0);
  CHECK(second.state.Find(p.changes[0].address)->cert_id == 8);
  CHECK_FALSE(second.state.Find(p.changes[0].address)->Pending());
}

TEST_CASE(
    "applier async: a job past the timeout fails the change and stays journaled, a failed "
    "job fails it",
    "[applier][async]") {
  WithDock with_dock;
  Harness h;
  DockProvider dock(h.clock);
  dock.job_duration = std::chrono::seconds(400);  // longer than job_timeout_s (300)
  Plan p;
  p.changes = {DockChange("dock:l1/a.example.com", 7)};
  ApplyResult r = RunDock(h, dock, p);
  CHECK(r.summary.failed == 1);
  CHECK_THAT(r.outcomes[0].error, Catch::Contains("job job-1 was still running after 300 s"));
  REQUIRE(r.state.Find(p.changes[0].address) != nullptr);
  CHECK(r.state.Find(p.changes[0].address)->pending_job == "job-1");

  Harness h2;
  DockProvider failing(h2.clock);
  failing.fail_job = "job-1";
  ApplyResult f = RunDock(h2, failing, p);
  CHECK(f.summary.failed == 1);
  CHECK_THAT(f.outcomes[0].error,
             Catch::Contains("job job-1 failed: ResourceNotFound.Certificate"));
  CHECK(failing.confirms.empty());
}
