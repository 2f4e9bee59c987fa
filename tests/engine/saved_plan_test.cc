#include "engine/plan/saved_plan.h"

#include <string>

#include <catch2/catch.hpp>

#include "engine/plan/plan_now.h"
#include "engine/plan/planner.h"

using namespace certform::engine;

namespace {

// One account, one upload certificate bound to two domains, and a state that has one of them.
struct Fixture {
  Config config;
  State state;

  Fixture() {
    config.accounts["main"] = AccountConfig{.name = "main"};
    CertificateConfig web;
    web.key = "web";
    web.cert_name = "certform-aaaa";
    web.info.fingerprint = std::string(64, 'a');
    config.certificates["web"] = web;
    for (const char* domain : {"a.example.com", "b.example.com"}) {
      DesiredBinding b;
      b.address = SplitAddress(domain);
      b.account = "main";
      b.certificate = "web";
      config.bindings.push_back(b);
    }
    state.lineage = "lineage-1";
    state.serial = 4;
    StateEntry e = DesiredEntry(config, *config.FindBinding("a.example.com"));
    e.applied_at = "2026-01-01T00:00:00Z";
    state.entries["a.example.com"] = e;
  }

  // The plan `certform plan` saves.
  Plan Saved(const PlanRequest& request = Request()) const {
    Plan p;
    DriftReport drift;
    REQUIRE(PlanNow(config, state, request, {}, &p, &drift).ok());
    return p;
  }
  static PlanRequest Request() {
    PlanRequest r;
    r.created_at = "2026-02-01T10:00:00Z";
    return r;
  }
  Status Approve(const Plan& saved, Plan* approved, const StateRefresher& refresh = {}) const {
    return ApproveSavedPlan(saved, config, state, "p.cfp", refresh, approved);
  }
};

Change& For(Plan& p, const std::string& domain) {
  for (Change& c : p.changes) {
    if (c.address.Key() == domain) return c;
  }
  FAIL("no change for " << domain);
  throw;
}

bool Has(const Status& s, const std::string& text) {
  return s.message().find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("saved plan: an unedited plan is approved, and the plan made now is the one applied",
          "[saved_plan]") {
  Fixture f;
  const Plan saved = f.Saved();
  Plan approved;
  REQUIRE(f.Approve(saved, &approved).ok());
  CHECK(approved.created_at == "2026-02-01T10:00:00Z");
  REQUIRE(approved.changes.size() == 2);
  CHECK(For(approved, "b.example.com").action == Action::kCreate);
  CHECK(For(approved, "a.example.com").action == Action::kNoOp);
  CHECK(approved.serial == 4);
}

TEST_CASE("saved plan: an edited change is refused, naming the domain and the field",
          "[saved_plan]") {
  Fixture f;
  Plan saved = f.Saved();
  For(saved, "b.example.com").after->cert_name = "evil-name";
  Plan approved;
  approved.created_at = "untouched";
  const Status s = f.Approve(saved, &approved);
  CHECK(s.code() == Status::Code::kStale);
  CHECK(Has(s, "p.cfp does not match the plan the configuration and the state give now"));
  CHECK(Has(s, "the change for b.example.com differs in \"after\""));
  CHECK(Has(s, "evil-name"));
  CHECK(approved.created_at == "untouched");  // nothing to apply on error

  Plan acted = f.Saved();
  For(acted, "a.example.com").action = Action::kUpdate;
  const Status action = f.Approve(acted, &approved);
  CHECK(Has(action, "the change for a.example.com differs in \"action\""));
  CHECK(Has(action, "(the file says "));
  CHECK(Has(action, "update"));
  CHECK(Has(action, ", now "));
  CHECK(Has(action, "no-op"));
}

TEST_CASE("saved plan: a change more or less, or for another domain, is refused", "[saved_plan]") {
  Fixture f;
  Plan approved;
  Plan extra = f.Saved();
  Change more = extra.changes.back();
  more.address = SplitAddress("c.example.com");
  extra.changes.push_back(more);
  CHECK(Has(f.Approve(extra, &approved),
            "the file has a change for \"c.example.com\" that they do not give"));

  Plan fewer = f.Saved();
  fewer.changes.pop_back();
  CHECK(Has(f.Approve(fewer, &approved), "the file lacks the change for b.example.com"));

  Plan renamed = f.Saved();
  renamed.changes[1].address = SplitAddress("z.example.com");
  CHECK(Has(f.Approve(renamed, &approved),
            "change 2 is for \"z.example.com\" in the file, for b.example.com now"));
}

TEST_CASE("saved plan: a state that moved, or another lineage, is refused before any plan",
          "[saved_plan]") {
  Fixture f;
  const Plan saved = f.Saved();
  Plan approved;
  f.state.serial = 5;
  const Status stale = f.Approve(saved, &approved);
  CHECK(stale.code() == Status::Code::kStale);
  CHECK(stale.message() ==
        "saved plan is stale: the state changed since p.cfp was made (serial 4 → 5); run "
        "\"certform plan\" again");

  f.state.serial = 4;
  f.state.lineage = "lineage-2";
  CHECK(f.Approve(saved, &approved).message() ==
        "saved plan does not match the given state: p.cfp was made for state lineage "
        "lineage-1, the state has lineage lineage-2");

  // A plan made before the state had a lineage does not apply to one that has.
  Plan unlineaged = saved;
  unlineaged.lineage.clear();
  f.state.lineage = "lineage-1";
  CHECK(Has(f.Approve(unlineaged, &approved), "saved plan is stale"));
}

TEST_CASE(
    "saved plan: a certificate whose fingerprint changed, or another configuration, is "
    "refused",
    "[saved_plan]") {
  Fixture f;
  const Plan saved = f.Saved();
  Plan approved;
  Fixture renewed;
  renewed.config.certificates["web"].info.fingerprint = std::string(64, 'b');
  CHECK(renewed.Approve(saved, &approved).message() ==
        "certificate \"web\" for a.example.com no longer has the planned fingerprint "
        "aaaaaaaaaaaaaaaa; run \"certform plan\" again");

  Fixture edited;
  edited.config.bindings.pop_back();
  CHECK(edited.Approve(saved, &approved).message() ==
        "the configuration changed since p.cfp was made; run \"certform plan\" again");
}

TEST_CASE("saved plan: its targets are planned again, and a refreshed plan reads live again",
          "[saved_plan]") {
  Fixture f;
  PlanRequest request = Fixture::Request();
  request.options.targets = {"b.example.com"};
  request.refresh = true;
  int reads = 0;
  // The live read gives the state with a.example.com's binding read at another time.
  StateRefresher refresh = [&](const State& state, State* refreshed, DriftReport*) {
    ++reads;
    *refreshed = state;
    refreshed->entries["a.example.com"].applied_at = "2026-03-01T00:00:00Z";
    return Status::OK();
  };
  Plan saved;
  DriftReport drift;
  REQUIRE(PlanNow(f.config, f.state, request, refresh, &saved, &drift).ok());
  CHECK(saved.targets == std::vector<std::string>{"b.example.com"});
  CHECK(saved.refreshed);
  REQUIRE(saved.changes.size() == 1);

  Plan approved;
  REQUIRE(f.Approve(saved, &approved, refresh).ok());
  CHECK(reads == 2);
  CHECK(approved.targets == saved.targets);
  CHECK(approved.refreshed);

  // The live read fails: nothing is approved, and the message says why it read.
  StateRefresher failing = [](const State&, State*, DriftReport*) {
    return Status::Unavailable("www.example.com: timed out");
  };
  const Status s = f.Approve(saved, &approved, failing);
  CHECK(s.code() == Status::Code::kUnavailable);
  CHECK(s.message() ==
        "cannot read the live bindings again (the plan was made with --refresh): "
        "www.example.com: timed out");

  // The live bindings moved since: the plan made now differs.
  StateRefresher moved = [](const State& state, State* refreshed, DriftReport*) {
    *refreshed = state;
    refreshed->entries["b.example.com"] =
        StateEntry{.address = SplitAddress("b.example.com"), .account = "main", .https = false};
    return Status::OK();
  };
  CHECK(Has(f.Approve(saved, &approved, moved), "the change for b.example.com differs in"));
}

TEST_CASE("saved plan: an unrefreshed plan reads nothing live, and a refresh needs a reader",
          "[saved_plan]") {
  Fixture f;
  int reads = 0;
  StateRefresher counting = [&](const State& state, State* refreshed, DriftReport*) {
    ++reads;
    *refreshed = state;
    return Status::OK();
  };
  Plan approved;
  REQUIRE(f.Approve(f.Saved(), &approved, counting).ok());
  CHECK(reads == 0);

  PlanRequest request = Fixture::Request();
  request.refresh = true;
  Plan plan;
  DriftReport drift;
  CHECK_FALSE(PlanNow(f.config, f.state, request, {}, &plan, &drift).ok());
}

TEST_CASE("saved plan: different CAS uploads are refused", "[saved_plan]") {
  Fixture f;
  Plan saved = f.Saved();
  saved.uploads.push_back(UploadStep{.account = "main",
                                     .certificate = "web",
                                     .fingerprint = std::string(64, 'a'),
                                     .name = "certform-aaaaaaaaaaaaaaaa"});
  Plan approved;
  CHECK(Has(f.Approve(saved, &approved), "its CAS uploads differ"));
}

TEST_CASE("saved plan: a live read again that differs only in when a binding was applied approves",
          "[saved_plan]") {
  Fixture f;
  PlanRequest request = Fixture::Request();
  request.refresh = true;
  int reads = 0;
  // Each live read finds a.example.com as the state has it, applied at another time each read.
  StateRefresher refresh = [&](const State& state, State* refreshed, DriftReport*) {
    ++reads;
    *refreshed = state;
    refreshed->entries["a.example.com"].applied_at =
        reads == 1 ? "2026-03-01T00:00:00Z" : "2026-03-02T00:00:00Z";
    return Status::OK();
  };
  Plan saved;
  DriftReport drift;
  REQUIRE(PlanNow(f.config, f.state, request, refresh, &saved, &drift).ok());
  REQUIRE(For(saved, "a.example.com").before);
  REQUIRE(For(saved, "a.example.com").before->applied_at == "2026-03-01T00:00:00Z");
  Plan approved;
  REQUIRE(f.Approve(saved, &approved, refresh).ok());
  CHECK(reads == 2);
  CHECK(For(approved, "a.example.com").before->applied_at == "2026-03-02T00:00:00Z");

  // Any other difference in what was read is not: the second read finds HTTPS off.
  reads = 0;
  StateRefresher switched_off = [&](const State& state, State* refreshed, DriftReport*) {
    ++reads;
    *refreshed = state;
    if (reads == 2) refreshed->entries["a.example.com"].https = false;
    return Status::OK();
  };
  REQUIRE(PlanNow(f.config, f.state, request, switched_off, &saved, &drift).ok());
  CHECK(Has(f.Approve(saved, &approved, switched_off), "the change for a.example.com differs in"));
}
