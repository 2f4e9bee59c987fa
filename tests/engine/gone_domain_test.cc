// A bound domain deleted on its product behind certform's back: the apply whose call is answered
// "not found" (and a read confirms the domain is gone) records it as gone in the state; the plan
// shows such a binding as gone (an update, never a no-op); a refreshed state for a plan marks a
// domain that no longer exists instead of dropping it; the mark survives the state file and goes
// once the domain exists again.
#include <mutex>
#include <set>

#include <catch2/catch.hpp>

#include "engine/apply/applier.h"
#include "engine/plan/drift.h"
#include "engine/plan/planner.h"
#include "engine/plan/saved_plan.h"
#include "engine/state/state_file.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"

using namespace certform::engine;
using namespace certform::testing;

namespace {

// Every write is refused with `refusal` (OK: accepted); reads say whether the domain exists.
class MissingDomains final : public Provider {
 public:
  explicit MissingDomains(Status refusal) : refusal_(std::move(refusal)) {}
  Status SetBinding(const BindingRequest&, CallResult* result) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++writes;
    *result = CallResult{.http_status = refusal_.ok() ? 200 : 404, .request_id = "WRITE-1"};
    if (!refusal_.ok()) result->error_code = "InvalidDomain.NotFound";
    return refusal_;
  }
  Status ReadBinding(const Address& a, LiveBinding* live, CallResult* result) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++reads;
    *result = CallResult{.http_status = 200, .request_id = "READ-1"};
    *live = LiveBinding{.exists = existing.count(a.Key()) > 0};
    return Status::OK();
  }
  std::set<std::string> existing;
  int writes = 0, reads = 0;

 private:
  std::mutex mu_;
  Status refusal_;
};

class NoMaterial final : public CertificateMaterial {
 public:
  Status Load(const StateEntry&, BindingRequest* r) override {
    r->cert_pem = "CERT";
    r->key_pem = "KEY";
    return Status::OK();
  }
};

class Journal final : public ApplyRecorder {
 public:
  Status Record(const JournalRecord& r, const State&) override {
    records.push_back(r);
    return Status::OK();
  }
  std::vector<JournalRecord> records;
};

StateEntry Bound(const std::string& domain) {
  return StateEntry{.address = SplitAddress(domain),
                    .account = "main",
                    .https = true,
                    .certificate = "web",
                    .cert_type = "upload",
                    .cert_name = "certform-aaaa",
                    .fingerprint = std::string(64, 'a'),
                    .not_after = 2000000000,
                    .applied_at = "2026-01-01T00:00:00Z",
                    .request_id = "REQ"};
}

// One update of `domain` to another certificate (a renewal), or a create when `prior` is empty.
Plan Renewal(const std::string& domain, const State& prior) {
  Change c;
  c.address = SplitAddress(domain);
  c.account = "main";
  if (const StateEntry* e = prior.Find(domain)) c.before = *e;
  c.action = c.before ? Action::kUpdate : Action::kCreate;
  c.after = Bound(domain);
  c.after->fingerprint = std::string(64, 'b');
  Plan p;
  p.changes.push_back(c);
  return p;
}

struct Run {
  FakeClock clock;
  SeededRandom random;
  NoMaterial material;
  Journal journal;
  ApplyObserver observer;
  std::atomic<bool> stop{false};

  ApplyResult Go(const Plan& plan, const State& prior, Provider& provider) {
    ApplyEnv env{clock, random, material, journal, observer, stop};
    AccountRuntime main;
    main.products = {{"cdn", &provider}};
    ApplyOptions options;
    options.retry.max_attempts = 1;
    return Apply(plan, prior, {{"main", main}}, env, options);
  }
};

Config WebConfig(const std::string& domain) {
  Config c;
  c.accounts["main"] = AccountConfig{.name = "main"};
  CertificateConfig web;
  web.key = "web";
  web.cert_name = "certform-aaaa";
  web.info.fingerprint = std::string(64, 'a');
  web.info.not_after = 2000000000;
  c.certificates["web"] = web;
  DesiredBinding b;
  b.address = SplitAddress(domain);
  b.account = "main";
  b.certificate = "web";
  c.bindings.push_back(b);
  return c;
}

}  // namespace

TEST_CASE("gone: a write answered not found, the read confirming it, marks the entry gone",
          "[applier][gone]") {
  MissingDomains provider(Status::NotFound("InvalidDomain.NotFound: The domain does not exist"));
  State prior;
  prior.entries["www.example.com"] = Bound("www.example.com");
  Run run;
  ApplyResult r = run.Go(Renewal("www.example.com", prior), prior, provider);
  CHECK(r.summary.failed == 1);  // never turned into a success
  REQUIRE(r.outcomes.size() == 1);
  CHECK(r.outcomes[0].error.find(
            "the domain no longer exists on the CDN (InvalidDomain.NotFound") == 0);
  CHECK(r.outcomes[0].error.find("the state records it as gone") != std::string::npos);
  CHECK(provider.reads == 1);
  const StateEntry& e = r.state.entries.at("www.example.com");
  CHECK(e.Gone());
  CHECK(e.gone_request_id == "WRITE-1");
  CHECK(e.fingerprint == std::string(64, 'a'));  // what was last made true is kept
  CHECK(e.request_id == "REQ");
  REQUIRE(run.journal.records.size() == 1);  // journaled, as every change of the state is
  CHECK(run.journal.records[0].entry.Gone());
}

TEST_CASE("gone: a not found about something else (the domain is there) marks nothing",
          "[applier][gone]") {
  MissingDomains provider(Status::NotFound("NoSuchCertificate"));
  provider.existing = {"www.example.com"};
  State prior;
  prior.entries["www.example.com"] = Bound("www.example.com");
  Run run;
  ApplyResult r = run.Go(Renewal("www.example.com", prior), prior, provider);
  CHECK(r.summary.failed == 1);
  CHECK(r.outcomes[0].error == "NoSuchCertificate");
  CHECK_FALSE(r.state.entries.at("www.example.com").Gone());
  CHECK(run.journal.records.empty());
}

TEST_CASE("gone: a create of a domain that does not exist says so and records nothing",
          "[applier][gone]") {
  MissingDomains provider(Status::NotFound("InvalidDomain.NotFound"));
  Run run;
  ApplyResult r = run.Go(Renewal("new.example.com", State{}), State{}, provider);
  CHECK(r.summary.failed == 1);
  CHECK(r.outcomes[0].error == "the domain does not exist on the CDN (InvalidDomain.NotFound)");
  CHECK(r.state.entries.empty());
  CHECK(run.journal.records.empty());
}

TEST_CASE("gone: a call that succeeds clears the mark", "[applier][gone]") {
  MissingDomains provider(Status::OK());
  State prior;
  prior.entries["www.example.com"] = Bound("www.example.com");
  prior.entries["www.example.com"].gone_at = "2026-02-01T00:00:00Z";
  Run run;
  ApplyResult r = run.Go(Renewal("www.example.com", prior), prior, provider);
  CHECK(r.summary.applied == 1);
  CHECK_FALSE(r.state.entries.at("www.example.com").Gone());
  CHECK(provider.reads == 0);
}

TEST_CASE("gone: the plan shows a binding recorded as gone as an update with why, never a no-op",
          "[planner][gone]") {
  const Config config = WebConfig("www.example.com");
  State s;
  s.entries["www.example.com"] = Bound("www.example.com");
  CHECK_FALSE(MakePlan(config, s).HasChanges());  // in sync
  s.entries["www.example.com"].gone_at = "2026-02-01T00:00:00Z";
  s.entries["www.example.com"].gone_request_id = "WRITE-1";
  Plan p = MakePlan(config, s);
  REQUIRE(p.changes.size() == 1);
  CHECK(p.changes[0].action == Action::kUpdate);
  CHECK(p.HasChanges());
  CHECK(p.changes[0].reasons ==
        std::vector<std::string>{
            "no longer exists on the CDN: the last apply's call for it was answered so "
            "(2026-02-01T00:00:00Z, RequestId WRITE-1); add the domain back there, or remove it "
            "from the configuration (apply tries to bind it again)"});
  // Learned by a live read (plan --refresh): no time in the reason, so that the plan made again
  // at apply time is the same plan.
  s.entries["www.example.com"].gone_request_id.clear();
  Plan read = MakePlan(config, s);
  CHECK(read.changes[0].reasons[0].find("a live read found no such domain;") != std::string::npos);
  s.entries["www.example.com"].gone_at = "2026-02-01T00:00:09Z";
  CHECK(CheckApproved(read, MakePlan(config, s), "plan.cfp").ok());
  // Gone from the configuration too: forgotten as any other.
  Config without = config;
  without.bindings.clear();
  CHECK(MakePlan(without, s).changes[0].action == Action::kForget);
}

TEST_CASE("gone: a state refreshed for a plan marks a missing domain, refresh forgets it",
          "[drift][gone]") {
  const Config config = WebConfig("www.example.com");
  State s;
  s.entries["www.example.com"] = Bound("www.example.com");
  LiveRead missing;
  missing.address = SplitAddress("www.example.com");
  missing.account = "main";
  missing.ok = true;
  const std::string now = "2026-03-01T00:00:00Z";
  CHECK(RefreshedState(s, {missing}, config, now).entries.empty());
  State marked = RefreshedState(s, {missing}, config, now, GoneDomains::kMark);
  CHECK(marked.entries.at("www.example.com").gone_at == now);
  CHECK(marked.entries.at("www.example.com").fingerprint == std::string(64, 'a'));
  // A mark from an apply (with its RequestId) is kept as it is.
  s.entries["www.example.com"].gone_at = "2026-02-01T00:00:00Z";
  s.entries["www.example.com"].gone_request_id = "WRITE-1";
  CHECK(RefreshedState(s, {missing}, config, now, GoneDomains::kMark).entries == s.entries);
  // The domain exists again, serving what the state says: drift says so, and the mark goes.
  LiveRead back = missing;
  back.live = LiveBinding{.exists = true,
                          .https = true,
                          .cert_name = "certform-aaaa",
                          .cert_type = "upload",
                          .fingerprint = std::string(64, 'a')};
  CHECK(DriftReasons(s.entries.at("www.example.com"), back.live) ==
        std::vector<std::string>{
            "exists again (the state records it as gone since 2026-02-01T00:00:00Z)"});
  State again = RefreshedState(s, {back}, config, now);
  CHECK(again.entries.at("www.example.com") == Bound("www.example.com"));
}

TEST_CASE("gone: the mark is written to the state file only when set, and read back",
          "[state][gone]") {
  State s;
  s.lineage = "l";
  s.entries["www.example.com"] = Bound("www.example.com");
  const std::string plain = SerializeState(s);
  CHECK(plain.find("gone") == std::string::npos);  // an older release reads it the same
  s.entries["www.example.com"].gone_at = "2026-02-01T00:00:00Z";
  s.entries["www.example.com"].gone_request_id = "WRITE-1";
  State back;
  REQUIRE(ParseState(SerializeState(s), "state", &back).ok());
  CHECK(back.entries == s.entries);
  // A mistyped mark is corruption, named.
  std::string bad = SerializeState(s);
  bad.replace(bad.find("\"2026-02-01T00:00:00Z\""), 22, "7");
  Status st = ParseState(bad, "state", &back);
  CHECK(st.code() == Status::Code::kCorruption);
  CHECK(st.message().find("gone_at") != std::string::npos);
}
