// A [certificate.NAME] table renamed, the binding otherwise the same: when the call apply would
// make sends what the state records as live (content or CAS id, CertName, type, HTTPS), the plan
// is a state-only rename, and apply records the new key without a call, provider or upload.
#include <catch2/catch.hpp>

#include "engine/apply/applier.h"
#include "engine/apply/apply_run.h"
#include "engine/plan/plan_file.h"
#include "engine/plan/planner.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"

using namespace certform::engine;
using namespace certform::testing;

namespace {

CertificateConfig Upload(const std::string& key, char digit) {
  CertificateConfig c;
  c.key = key;
  c.cert_name = "certform-" + std::string(16, digit);
  c.info.fingerprint = std::string(64, digit);
  c.info.not_after = 2000000000;
  return c;
}

CertificateConfig InCas(const std::string& key, int64_t id) {
  CertificateConfig c;
  c.key = key;
  c.type = CertType::kCas;
  c.cert_name = "shop-cert";
  c.cert_id = id;
  return c;
}

// `domain` bound to certificate `cert`, in account "main".
Config With(const CertificateConfig& cert, const std::string& domain = "www.example.com") {
  Config c;
  c.accounts["main"] = AccountConfig{.name = "main"};
  c.certificates[cert.key] = cert;
  DesiredBinding b;
  b.address = SplitAddress(domain);
  b.account = "main";
  b.certificate = cert.key;
  c.bindings.push_back(b);
  return c;
}

// The state after `config` was applied (with `cert_id` for a CAS upload).
State AppliedState(const Config& config, int64_t cert_id = 0) {
  State s;
  for (const DesiredBinding& b : config.bindings) {
    StateEntry e = DesiredEntry(config, b);
    if (cert_id != 0) e.cert_id = cert_id;
    e.applied_at = "2026-01-01T00:00:00Z";
    e.request_id = "REQ-1";
    s.entries[b.address.Key()] = e;
  }
  return s;
}

// Every call fails the test: a rename must send none.
class NoCalls final : public Provider {
 public:
  Status SetBinding(const BindingRequest&, CallResult*) override {
    FAIL("a rename made a call");
    return Status::OK();
  }
  Status ReadBinding(const Address&, LiveBinding*, CallResult*) override {
    FAIL("a rename made a read");
    return Status::OK();
  }
};

class NoMaterial final : public CertificateMaterial {
 public:
  Status Load(const StateEntry&, BindingRequest*) override {
    FAIL("a rename loaded a key");
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

}  // namespace

TEST_CASE("rename: the same upload content under a new table name is a state-only rename",
          "[planner][rename]") {
  const State s = AppliedState(With(Upload("web", 'a')));
  const Plan p = MakePlan(With(Upload("site", 'a')), s);
  REQUIRE(p.changes.size() == 1);
  const Change& c = p.changes[0];
  CHECK(c.action == Action::kRename);
  CHECK_FALSE(CallsProvider(c.action));
  CHECK(ActionName(c.action) == std::string("rename"));
  CHECK(c.reasons == std::vector<std::string>{
                         "certificate web→site",
                         "same content (fingerprint aaaaaaaa…) and CertName "
                         "certform-aaaaaaaaaaaaaaaa: recorded in the state only, nothing is sent"});
  CHECK(p.HasChanges());  // the state changes: apply records it
  CHECK(p.Summary().rename == 1);
  CHECK(p.Summary().update == 0);
  CHECK(AccountsToCall(p).empty());  // no credentials needed
  // New content under the new name is a real update.
  CHECK(MakePlan(With(Upload("site", 'b')), s).changes[0].action == Action::kUpdate);
  // A CertName that changes with it (an explicit `name`) is sent: a real update.
  CertificateConfig named = Upload("site", 'a');
  named.cert_name = "site-2026";
  named.explicit_name = true;
  CHECK(MakePlan(With(named), s).changes[0].action == Action::kUpdate);
  // A state that does not know the content it served cannot prove it the same.
  State unknown = s;
  unknown.entries["www.example.com"].fingerprint.clear();
  CHECK(MakePlan(With(Upload("site", 'a')), unknown).changes[0].action == Action::kUpdate);
  // A domain recorded as gone is tried again, a call.
  State gone = s;
  gone.entries["www.example.com"].gone_at = "2026-02-01T00:00:00Z";
  CHECK(MakePlan(With(Upload("site", 'a')), gone).changes[0].action == Action::kUpdate);
}

TEST_CASE("rename: a CAS certificate renamed with the same CertId and name is state-only",
          "[planner][rename]") {
  const State s = AppliedState(With(InCas("shop", 42)));
  const Plan p = MakePlan(With(InCas("store", 42)), s);
  CHECK(p.changes[0].action == Action::kRename);
  CHECK(p.changes[0].reasons.back() ==
        "same CertId 42 and CertName shop-cert: recorded in the state only, nothing is sent");
  CHECK(MakePlan(With(InCas("store", 43)), s).changes[0].action == Action::kUpdate);
}

TEST_CASE("rename: an upload through CAS is neither uploaded again nor bound again",
          "[planner][rename][cas]") {
  Config config = With(Upload("web", 'a'));
  config.accounts["main"].upload_via = "cas";
  State s = AppliedState(config, 777);
  const std::string key = UploadKey("main", std::string(64, 'a'));
  s.uploads[key] = UploadEntry{.account = "main",
                               .certificate = "web",
                               .fingerprint = std::string(64, 'a'),
                               .name = "certform-aaaaaaaaaaaaaaaa",
                               .cert_id = 777};
  Config renamed = With(Upload("site", 'a'));
  renamed.accounts["main"].upload_via = "cas";
  Plan p = MakePlan(renamed, s);
  CHECK(p.changes[0].action == Action::kRename);
  CHECK(p.uploads.empty());
  // The upload record lost (e.g. forgotten by refresh): still no upload for a rename.
  s.uploads.clear();
  p = MakePlan(renamed, s);
  CHECK(p.changes[0].action == Action::kRename);
  CHECK(p.uploads.empty());
}

TEST_CASE("rename: apply records the new key without a call, keeping the call's RequestId",
          "[applier][rename]") {
  const State prior = AppliedState(With(Upload("web", 'a')));
  const Plan p = MakePlan(With(Upload("site", 'a')), prior);
  FakeClock clock;
  SeededRandom random;
  NoMaterial material;
  Journal journal;
  ApplyObserver observer;
  std::atomic<bool> stop{false};
  ApplyEnv env{clock, random, material, journal, observer, stop};
  NoCalls provider;
  AccountRuntime main;
  main.products = {{"cdn", &provider}};
  for (const std::map<std::string, AccountRuntime>& accounts :
       {std::map<std::string, AccountRuntime>{}, {{"main", main}}}) {
    journal.records.clear();
    ApplyResult r = Apply(p, prior, accounts, env, ApplyOptions{});
    CHECK(r.summary.applied == 1);
    REQUIRE(r.outcomes.size() == 1);
    CHECK(r.outcomes[0].note == "recorded under certificate \"site\" (was \"web\"); nothing sent");
    StateEntry expected = prior.entries.at("www.example.com");
    expected.certificate = "site";
    CHECK(r.state.entries.at("www.example.com") == expected);  // time and RequestId kept
    REQUIRE(journal.records.size() == 1);
    CHECK(journal.records[0].entry == expected);
  }
}

TEST_CASE("rename: a plan file keeps a rename, and refuses one without its state entry",
          "[plan_file][rename]") {
  const Plan p = MakePlan(With(Upload("site", 'a')), AppliedState(With(Upload("web", 'a'))));
  Plan back;
  REQUIRE(ParsePlan(SerializePlan(p), "p.cfp", &back).ok());
  CHECK(back.changes[0].action == Action::kRename);
  CHECK(SerializePlan(back) == SerializePlan(p));
  std::string text = SerializePlan(p);
  const size_t before = text.find("\"before\": {");
  REQUIRE(before != std::string::npos);
  text.replace(before, text.find('}', before) - before + 1, "\"before\": null");
  Status s = ParsePlan(text, "p.cfp", &back);
  CHECK(s.code() == Status::Code::kCorruption);
  CHECK(s.message().find("a rename needs \"before\"") != std::string::npos);
}
