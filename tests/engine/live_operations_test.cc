// The operations that read live bindings before they judge the state: the refresh a plan is made
// against (plan_refresh.h), what refresh would write (refresh_review.h), what drift reports
// (live_check.h) and what import adopts (import.h).
#include <atomic>
#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "engine/calls/live_reader.h"
#include "engine/plan/import.h"
#include "engine/plan/live_check.h"
#include "engine/plan/plan_refresh.h"
#include "engine/plan/refresh_review.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"

using namespace certform::engine;
using certform::testing::FakeClock;
using certform::testing::SeededRandom;

namespace {

// Answers each read from `live` (by address; unknown domains do not exist), or with `fail`.
class ScriptedProvider final : public Provider {
 public:
  Status SetBinding(const BindingRequest&, CallResult*) override {
    return Status::Failed("reads only");
  }
  Status ReadBinding(const Address& address, LiveBinding* out, CallResult*) override {
    ++reads;
    if (auto f = fail.find(address.Key()); f != fail.end()) return f->second;
    auto it = live.find(address.Key());
    *out = it == live.end() ? LiveBinding{} : it->second;
    return Status::OK();
  }
  std::map<std::string, LiveBinding> live;
  std::map<std::string, Status> fail;
  std::atomic<int> reads{0};
};

StateEntry Entry(const std::string& domain, const std::string& name, char fp) {
  return StateEntry{.address = SplitAddress(domain),
                    .account = "main",
                    .https = true,
                    .certificate = "web",
                    .cert_type = "upload",
                    .cert_name = name,
                    .fingerprint = std::string(64, fp),
                    .applied_at = "2026-01-01T00:00:00Z",
                    .request_id = "REQ"};
}

LiveBinding Serving(const std::string& name, char fp) {
  return LiveBinding{.exists = true,
                     .https = true,
                     .cert_name = name,
                     .cert_type = "upload",
                     .fingerprint = std::string(64, fp)};
}

struct Live {
  FakeClock clock;
  SeededRandom random;
  PacingRegistry pacing;
  ScriptedProvider provider;
  std::map<std::string, AccountRuntime> runtimes;
  Config config;
  State state;

  Live() {
    runtimes["main"].user = "u1";
    runtimes["main"].products["cdn"] = &provider;
    config.accounts["main"] = AccountConfig{.name = "main"};
    CertificateConfig web;
    web.key = "web";
    web.cert_name = "certform-aaaa";
    web.info.fingerprint = std::string(64, 'a');
    config.certificates["web"] = web;
    state.entries["a.example.com"] = Entry("a.example.com", "certform-aaaa", 'a');
    state.entries["b.example.com"] = Entry("b.example.com", "certform-aaaa", 'a');
    state.entries["c.example.com"] = Entry("c.example.com", "certform-aaaa", 'a');
    provider.live["a.example.com"] = Serving("certform-aaaa", 'a');  // as recorded
    provider.live["b.example.com"] = Serving("by-hand", 'b');        // changed outside
    // c.example.com: gone
  }
};

}  // namespace

TEST_CASE("live reads: the domains read are the state's entries, narrowed by targets", "[live]") {
  Live l;
  const std::vector<DomainRef> all = StateDomains(l.state);
  REQUIRE(all.size() == 3);
  CHECK(all[0].address.Key() == "a.example.com");
  CHECK(all[0].account == "main");
  const std::vector<DomainRef> some = StateDomains(l.state, {"c.example.com", "x.example.com"});
  REQUIRE(some.size() == 1);
  CHECK(some[0].address.Key() == "c.example.com");
  CHECK(AccountsOf(all) == std::set<std::string>{"main"});
  CHECK(AccountsOf({}).empty());
}

TEST_CASE("plan refresh: the state is planned against with every live binding read in",
          "[live][plan_refresh]") {
  Live l;
  State refreshed;
  DriftReport drift;
  REQUIRE(
      RefreshForPlan(l.config, l.state, l.runtimes, l.pacing, l.clock, l.random, &refreshed, &drift)
          .ok());
  CHECK(l.provider.reads == 3);
  CHECK(refreshed.entries.at("a.example.com") == l.state.entries.at("a.example.com"));
  CHECK(refreshed.entries.at("b.example.com").cert_name == "by-hand");
  // Gone from the CDN: kept, marked gone, so that the plan shows it as gone, not as new.
  REQUIRE(refreshed.entries.count("c.example.com") == 1);
  CHECK(refreshed.entries.at("c.example.com").Gone());
  CHECK(refreshed.entries.at("c.example.com").gone_request_id.empty());
  CHECK(drift.checked == 3);
  CHECK(drift.drifted.size() == 2);
}

TEST_CASE("plan refresh: a read that fails is an error, and no state half read is given",
          "[live][plan_refresh]") {
  Live l;
  l.provider.fail["b.example.com"] = Status::Failed("b.example.com: Forbidden");
  State refreshed;
  refreshed.serial = 99;  // untouched
  DriftReport drift;
  const Status s = RefreshForPlan(l.config, l.state, l.runtimes, l.pacing, l.clock, l.random,
                                  &refreshed, &drift);
  CHECK(s.code() == Status::Code::kUnavailable);  // as the command reports it
  CHECK(s.message() == "b.example.com: Forbidden");
  CHECK(refreshed.serial == 99);
  CHECK(drift.failed.size() == 1);
}

TEST_CASE("refresh review: each read entry is kept, changed or forgotten, in the order read",
          "[live][refresh]") {
  Live l;
  const LiveCheck live =
      ReadLiveAndUploads(l.state, StateDomains(l.state), l.runtimes, l.pacing, l.clock, l.random);
  const RefreshReview review = ReviewRefresh(l.state, l.config, live, "2026-05-01T00:00:00Z");
  REQUIRE(review.entries.size() == 3);
  CHECK_FALSE(review.entries[0].Changed());
  CHECK(review.entries[1].Changed());
  CHECK_FALSE(review.entries[1].Forgotten());
  CHECK(review.entries[1].after->cert_name == "by-hand");
  CHECK(review.entries[1].before.cert_name == "certform-aaaa");
  CHECK(review.entries[2].Forgotten());
  CHECK(review.Changes() == 2);
  CHECK(review.next.entries.size() == 2);
  CHECK(review.next.entries.at("b.example.com").applied_at == "2026-05-01T00:00:00Z");
}

TEST_CASE("refresh review: an entry that could not be read is neither changed nor dropped",
          "[live][refresh]") {
  Live l;
  l.provider.fail["c.example.com"] = Status::Failed("Forbidden");
  const LiveCheck live =
      ReadLiveAndUploads(l.state, StateDomains(l.state), l.runtimes, l.pacing, l.clock, l.random);
  const RefreshReview review = ReviewRefresh(l.state, l.config, live, "2026-05-01T00:00:00Z");
  CHECK_FALSE(review.entries[2].read);
  CHECK(review.entries[2].error == "Forbidden");
  CHECK_FALSE(review.entries[2].Changed());
  CHECK(review.next.entries.count("c.example.com") == 1);
  CHECK(review.Changes() == 1);
}

TEST_CASE("drift check: live differences and untrusted uploads are one report", "[live][drift]") {
  Live l;
  LiveCheck live =
      ReadLiveAndUploads(l.state, StateDomains(l.state), l.runtimes, l.pacing, l.clock, l.random);
  UploadCheck gone;
  gone.key = "main/" + std::string(64, 'a');
  gone.read = true;
  gone.gone = true;
  UploadCheck unread;
  unread.error = "timed out";
  live.uploads = {gone, unread};
  const DriftReport report = CheckDrift(l.state, live, 0, 30);
  CHECK(report.drifted.size() == 2);
  CHECK(report.uploads.size() == 1);
  CHECK(report.uploads_failed.size() == 1);
  CHECK(report.HasDrift());
}

TEST_CASE("live check: uploads are checked for the accounts that upload through CAS",
          "[live][drift]") {
  Live l;
  l.config.accounts["cas"] = AccountConfig{.name = "cas", .upload_via = "cas"};
  l.state.uploads["cas/x"] = UploadEntry{.account = "cas"};
  l.state.uploads["gone/x"] = UploadEntry{.account = "unconfigured"};
  CHECK(LiveCheckAccounts(l.config, l.state, StateDomains(l.state)) ==
        std::set<std::string>{"cas", "main"});
  CHECK(LiveCheckAccounts(l.config, l.state, {}) == std::set<std::string>{"cas"});
}

TEST_CASE("import: each domain gets its account, and a domain twice or known is refused",
          "[live][import]") {
  Live l;
  std::vector<DomainRef> refs;
  REQUIRE(ImportDomains(l.config, l.state, {"new.example.com"}, "", &refs).ok());
  REQUIRE(refs.size() == 1);
  CHECK(refs[0].account == "main");  // the only account
  CHECK(ImportDomains(l.config, l.state, {"new.example.com", "new.example.com"}, "", &refs)
            .message() == "new.example.com is named twice");
  CHECK(ImportDomains(l.config, l.state, {"a.example.com"}, "", &refs).message() ==
        "a.example.com is already in the state");
  l.config.accounts["second"] = AccountConfig{.name = "second"};
  CHECK(ImportDomains(l.config, l.state, {"new.example.com"}, "", &refs).message() ==
        "which account does new.example.com belong to? Pass --account");
  REQUIRE(ImportDomains(l.config, l.state, {"new.example.com"}, "second", &refs).ok());
  CHECK(refs[0].account == "second");
  DesiredBinding b;
  b.address = SplitAddress("bound.example.com");
  b.account = "main";
  b.certificate = "web";
  l.config.bindings.push_back(b);
  REQUIRE(ImportDomains(l.config, l.state, {"bound.example.com"}, "", &refs).ok());
  CHECK(refs[0].account == "main");  // the account its binding names
}

TEST_CASE("import: the live bindings read are adopted, or nothing when one is not there",
          "[live][import]") {
  Live l;
  l.provider.live["new.example.com"] = Serving("certform-aaaa", 'a');
  const std::vector<LiveRead> reads = ReadLive({{SplitAddress("new.example.com"), "main"}},
                                               l.runtimes, l.pacing, l.clock, l.random);
  State next;
  std::vector<StateEntry> imported;
  REQUIRE(ImportedState(l.state, l.config, reads, "2026-05-01T00:00:00Z", &next, &imported).ok());
  REQUIRE(imported.size() == 1);
  CHECK(imported[0].certificate == "web");  // the configured certificate with that fingerprint
  CHECK(next.entries.size() == 4);
  CHECK(next.entries.at("new.example.com").applied_at == "2026-05-01T00:00:00Z");

  const std::vector<LiveRead> unknown = ReadLive(
      {{SplitAddress("new.example.com"), "main"}, {SplitAddress("nowhere.example.com"), "main"}},
      l.runtimes, l.pacing, l.clock, l.random);
  next = State{};
  const Status s =
      ImportedState(l.state, l.config, unknown, "2026-05-01T00:00:00Z", &next, &imported);
  CHECK(s.message().find("nowhere.example.com: ") == 0);
  CHECK(s.message().find("does not know this domain; nothing was imported") != std::string::npos);
  CHECK(imported.size() == 1);  // what was made before it, for the report
  CHECK(next.entries.empty());  // untouched

  l.provider.fail["new.example.com"] = Status::Failed("Forbidden");
  const std::vector<LiveRead> failed = ReadLive({{SplitAddress("new.example.com"), "main"}},
                                                l.runtimes, l.pacing, l.clock, l.random);
  CHECK(ImportedState(l.state, l.config, failed, "now", &next, &imported).message() ==
        "new.example.com: Forbidden; nothing was imported");
}
