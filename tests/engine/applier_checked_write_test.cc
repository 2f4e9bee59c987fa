// The applier with writes whose rules ask for a read first (the "shelf" product): the read in its
// own lane, a write decided from the read, nothing sent after a stop or a lost lock.

#include "tests/engine/applier_harness.h"

using namespace certform::engine;
using namespace certform::testing;
using namespace certform::testing::applier;
using std::chrono::milliseconds;
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
