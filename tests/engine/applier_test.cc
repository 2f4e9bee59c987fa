// The applier with a scripted provider and a fake clock: no network, no real sleeping. What every
// change goes through: recorded before reported, paced, retried, failed alone, stopped; deletes,
// forgets and moves.

#include "tests/engine/applier_harness.h"

using namespace certform::engine;
using namespace certform::testing;
using namespace certform::testing::applier;
using std::chrono::milliseconds;

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
