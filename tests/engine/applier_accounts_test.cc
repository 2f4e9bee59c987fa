// The applier across domains and accounts: a domain the product no longer has, an error that
// concerns the whole account, a stop while workers wait or back off, one limiter per user.

#include "tests/engine/applier_harness.h"

using namespace certform::engine;
using namespace certform::testing;
using namespace certform::testing::applier;
using std::chrono::milliseconds;
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
