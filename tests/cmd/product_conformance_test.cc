// The product conformance suite: one set of end-to-end scenarios (create, rotate, drift, import,
// forget, account-wide errors, throttling, lost answers, prune keeps what is live), each run for
// every product of ProductCases() (product_case.h), by content and by CAS id where the product
// takes both. What is one product's own (OSS's one-bucket rule, DCDN's shared plan) stays in that
// product's test file.
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cmd/apply_fixture.h"
#include "tests/cmd/product_case.h"

using namespace certform;
using namespace certform::testing;

namespace {

// The ways a product can be given a certificate: by content and by CAS id, or by CAS id only.
std::vector<bool> ByCasModes(const ProductCase& p) {
  return p.cas_only ? std::vector<bool>{true} : std::vector<bool>{false, true};
}

std::string ModeName(bool by_cas) { return by_cas ? "by CAS id" : "by content"; }

// "Action=N, ..." for messages.
std::string CallsText(const std::map<std::string, int>& calls) {
  std::string out;
  for (const auto& [action, n] : calls)
    out += (out.empty() ? "" : ", ") + action + "=" + std::to_string(n);
  return out;
}

// Every action's call count for user u1.
std::map<std::string, int> CallCounts(ApplyFixture& f) {
  std::map<std::string, int> out;
  const nlohmann::json calls = f.emu.emulator().CountersJson()["calls"];
  for (const auto& [action, users] : calls.items()) {
    if (users.contains("u1")) out[action] = users["u1"].get<int>();
  }
  return out;
}

// The calls made since `before`.
std::map<std::string, int> CallsSince(ApplyFixture& f, const std::map<std::string, int>& before) {
  std::map<std::string, int> out;
  for (const auto& [action, n] : CallCounts(f)) {
    const auto it = before.find(action);
    const int was = it == before.end() ? 0 : it->second;
    if (n != was) out[action] = n - was;
  }
  return out;
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Runs `scenario` for every product and each way it binds (by content, by CAS id), each in its
// own section.
void ForEachProductAndMode(const std::function<void(const ProductCase&, bool by_cas)>& scenario) {
  for (const ProductCase& p : ProductCases()) {
    for (bool by_cas : ByCasModes(p)) {
      DYNAMIC_SECTION(p.name << " " << ModeName(by_cas)) { scenario(p, by_cas); }
    }
  }
}

// Prune can list every binding the user has on the product (ProductRules::listable).
bool Listable(const ProductCase& p) {
  const engine::ProductRules* rules = engine::FindProduct(p.name);
  REQUIRE(rules != nullptr);
  return rules->listable;
}

// CAS still holds certificate `id`.
bool CasHolds(ApplyFixture& f, int64_t id) {
  const nlohmann::json cas = f.emu.emulator().StateJson()["cas_certificates"];
  for (const auto& c : cas) {
    if (c["id"] == id) return true;
  }
  return false;
}

// One workspace binding certificate "web" on one product, by content or by CAS id, against an
// emulator seeded with the product's domains.
class ProductWorkspace {
 public:
  ProductWorkspace(const ProductCase& product, bool cas,
                   const std::function<void(emulator::EmulatorConfig&)>& tweak = {})
      : p(product), by_cas(cas) {
    emulator::EmulatorConfig config = EmulatorWith();
    p.seed(config);
    if (tweak) tweak(config);
    f = std::make_unique<ApplyFixture>(std::move(config));
    if (!p.binary.empty()) f->cli.binary = p.binary;
    f->cli.dir.Write("certform.toml", std::string("[account.main]\n") +
                                          "endpoint = \"http://127.0.0.1:1\"\n" +
                                          (by_cas ? "upload_via = \"cas\"\n" : "") +
                                          "\n[certificate.web]\ncert_file = \"certs/web.pem\"\n"
                                          "key_file = \"certs/web.key\"\n");
    if (p.set_up) p.set_up(*f);
  }

  // Binds "web" on the product's domains `indexes` (product.toml); none: no binding on it.
  void Bind(const std::vector<int>& indexes) {
    if (indexes.empty()) {
      f->cli.dir.Write("product.toml", "");
      return;
    }
    if (p.bind_one) {  // one [[binding]] a slot
      std::string toml;
      for (int i : indexes) toml += p.bind_one(p.domains[i]);
      f->cli.dir.Write("product.toml", toml);
      return;
    }
    std::string domains;
    for (int i : indexes) domains += (domains.empty() ? "\"" : ", \"") + p.domains[i] + "\"";
    f->cli.dir.Write("product.toml", "[[binding]]\n" + p.binding_fields +
                                         "certificate = \"web\"\ndomains = [" + domains + "]\n");
  }

  std::string Addr(int i) const { return p.address(p.domains[i]); }
  LiveCert Live(int i) { return p.live(*f, p.domains[i]); }
  const std::string& Write() const { return p.WriteAction(by_cas); }
  int Writes() { return CallsOf(*f, Write()); }
  // The write calls `changes` changes make (with their dry runs).
  int WritesOf(int changes) const { return changes * p.calls_per_write; }
  // The CertId of the state's upload of the certificate with `fingerprint`; 0 when none.
  int64_t UploadId(const std::string& fingerprint) {
    for (const auto& [key, u] : f->State().uploads) {
      if (u.fingerprint == fingerprint) return u.cert_id;
    }
    return 0;
  }
  int CasCount() {
    return static_cast<int>(f->emu.emulator().StateJson()["cas_certificates"].size());
  }

  // Binds www and img, applies, and checks it went through.
  void Create() {
    Bind({0, 1});
    ProcessResult r = f->Run({"apply", "--auto-approve"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
  }

  // Checks that the state and the live binding of domain `i` hold `cert`.
  void CheckBound(int i, const TestCert& cert) {
    INFO(Addr(i));
    const LiveCert live = Live(i);
    CHECK(live.https);
    CHECK(live.fingerprint == cert.Fingerprint());
    const engine::State state = f->State();
    REQUIRE(state.entries.count(Addr(i)) == 1);
    const engine::StateEntry& e = state.entries.at(Addr(i));
    CHECK(e.https);
    CHECK(e.certificate == "web");
    CHECK(e.fingerprint == cert.Fingerprint());
    if (by_cas) {
      const int64_t id = UploadId(cert.Fingerprint());
      CHECK(id != 0);
      CHECK(live.cert_id == id);
      CHECK(e.cert_id == id);
    }
  }

  const ProductCase& p;
  const bool by_cas;
  std::unique_ptr<ApplyFixture> f;
};

}  // namespace

TEST_CASE(
    "product conformance: create binds with exactly the product's calls, state and live "
    "agree, the next plan is clean",
    "[cli][conformance]") {
  ForEachProductAndMode([&](const ProductCase& p, bool by_cas) {
    ProductWorkspace w(p, by_cas);
    ApplyFixture& f = *w.f;
    w.Bind({0, 1});
    const LiveCert third = w.Live(2);
    ProcessResult plan = f.Run({"plan"});
    INFO(plan.out << plan.err);
    REQUIRE(plan.exit_code == 0);
    // One block for the certificate, listing both domains by their addresses.
    CHECK(PlanBlockOf(plan.out, w.Addr(0))
              .starts_with("+ bind certificate \"web\" to " + p.Noun(2) + "\n"));
    CHECK(PlanBlockOf(plan.out, w.Addr(1)) == PlanBlockOf(plan.out, w.Addr(0)));
    CHECK(Has(plan.out, by_cas ? "Plan: 1 to upload, 2 to bind, 0 to update, 0 to disable."
                               : "Plan: 2 to bind, 0 to update, 0 to disable."));
    if (by_cas) CHECK(Has(plan.out, "+ upload certificate \"web\" → CAS as certform-"));
    const nlohmann::json doc = nlohmann::json::parse(f.Run({"plan", "--json"}).out);
    std::set<std::string> bound;
    for (const auto& c : doc["changes"]) {
      if (c["action"] == "no-op") continue;
      bound.insert(c["domain"].get<std::string>());
      CHECK(c["product"] == p.name);
    }
    CHECK(bound == std::set<std::string>{w.Addr(0), w.Addr(1)});
    CHECK(f.Calls() == 0);  // plan is offline

    ProcessResult r = f.Run({"apply", "--auto-approve"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(Has(r.out, by_cas ? "Apply complete! 1 uploaded, 2 applied, 0 failed"
                            : "Apply complete! 2 applied, 0 failed"));
    // The documented calls and nothing else: one binding call a domain (and one upload), and
    // what the product needs besides (read-backs of asynchronous writes, store copies).
    std::map<std::string, int> expected = p.create_extra_calls;
    expected[w.Write()] += w.WritesOf(2);
    if (by_cas) expected["UploadUserCertificate"] = 1;
    CHECK(CallsText(CallsSince(f, {})) == CallsText(expected));
    const nlohmann::json counters = f.emu.emulator().CountersJson();
    // The key crosses the network once by CAS, with every binding by content.
    CHECK(counters["keys_received"] == (by_cas ? 1 : 2));
    CHECK(counters["throttled"] == 0);
    w.CheckBound(0, f.cli.web);
    w.CheckBound(1, f.cli.web);
    CHECK(f.State().entries.size() == 2);
    CHECK(w.Live(2).raw == third.raw);  // the third name is not touched
    CHECK(f.State().entries.at(w.Addr(0)).request_id != "");

    CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
    const auto before_drift = CallCounts(f);
    ProcessResult drift = f.Run({"drift", "--detailed-exitcode"});
    INFO(drift.out << drift.err);
    CHECK(drift.exit_code == 0);
    CHECK(Has(drift.out, "No drift: the live bindings of " + p.Noun(2) + " match the state."));
    // drift reads and writes nothing.
    const auto drift_calls = CallsSince(f, before_drift);
    for (const auto& [action, n] : drift_calls) {
      INFO(action);
      CHECK((action.find("Describe") == 0 || action.find("List") == 0 || action.find("Get") == 0));
    }
    REQUIRE(drift_calls.count(p.read_action) == 1);
    CHECK(drift_calls.at(p.read_action) == 2);  // one read-back a domain
  });
}

TEST_CASE("product conformance: rotate moves every binding to the new certificate",
          "[cli][conformance]") {
  ForEachProductAndMode([&](const ProductCase& p, bool by_cas) {
    ProductWorkspace w(p, by_cas);
    ApplyFixture& f = *w.f;
    w.Create();
    const int64_t old_id = by_cas ? w.UploadId(f.cli.web.Fingerprint()) : 0;
    const int writes = w.Writes();
    TestCert next = f.RenewWeb();
    ProcessResult plan = f.Run({"plan"});
    INFO(plan.out << plan.err);
    // The renewal: once for both domains, old → new.
    CHECK(PlanBlockOf(plan.out, w.Addr(0))
              .starts_with("~ update " + p.Noun(2) + " to certificate \"web\"\n"));
    CHECK(Has(PlanBlockOf(plan.out, w.Addr(0)),
              "(was " + f.cli.web.Fingerprint().substr(0, 8) + "…)"));
    CHECK(Has(plan.out, by_cas ? "Plan: 1 to upload, 0 to bind, 2 to update, 0 to disable."
                               : "Plan: 0 to bind, 2 to update, 0 to disable."));
    ProcessResult r = f.Run({"apply", "--auto-approve"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(Has(r.out, w.Addr(1)));
    CHECK(w.Writes() == writes + w.WritesOf(2));
    w.CheckBound(0, next);
    w.CheckBound(1, next);
    if (by_cas) {
      CHECK(CallsOf(f, "UploadUserCertificate") == 2);
      CHECK(w.Live(0).cert_id != old_id);
    }
    CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
    CHECK(f.Run({"drift", "--detailed-exitcode"}).exit_code == 0);
  });
}

TEST_CASE(
    "product conformance: a change behind certform's back is drift for that address "
    "alone, repaired by plan --refresh",
    "[cli][conformance][drift]") {
  ForEachProductAndMode([&](const ProductCase& p, bool by_cas) {
    ProductWorkspace w(p, by_cas);
    ApplyFixture& f = *w.f;
    w.Create();
    const int64_t recorded = f.State().entries.at(w.Addr(0)).cert_id;
    p.switch_off(f, p.domains[0]);
    const std::string state_before = f.cli.dir.Read("certform.state.json");
    ProcessResult drift = f.Run({"drift", "--detailed-exitcode"});
    INFO(drift.out << drift.err);
    CHECK(drift.exit_code == 2);
    CHECK(Has(drift.out, w.Addr(0) + " (account main)\n    " + p.OffDrift(recorded)));
    CHECK_FALSE(Has(drift.out, w.Addr(1)));
    CHECK(Has(drift.out, "Drift: 1 of " + p.Noun(2) + " differ from the state."));
    ProcessResult json = f.Run({"drift", "--json"});
    CHECK(json.exit_code == 0);  // without --detailed-exitcode drift is not an error
    const nlohmann::json doc = nlohmann::json::parse(json.out);
    CHECK(doc["drift"] == true);
    std::set<std::string> drifted;
    for (const auto& d : doc["drifted"]) drifted.insert(d["domain"].get<std::string>());
    CHECK(drifted == std::set<std::string>{w.Addr(0)});
    CHECK(f.cli.dir.Read("certform.state.json") == state_before);  // drift writes nothing

    // --target takes the address; plan --refresh and apply repair it.
    CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);  // offline: sees nothing
    ProcessResult fix = f.Run({"plan", "--refresh", "--target", w.Addr(0), "--out", "fix.cfp"});
    INFO(fix.out << fix.err);
    CHECK(fix.err == "");
    CHECK(Has(fix.out, "Changed outside certform since the last apply:"));
    CHECK(PlanBlockOf(fix.out, w.Addr(0))
              .starts_with("~ update " + p.Noun(1) + " to certificate \"web\"\n"));
    const int writes = w.Writes();
    ProcessResult repair = f.Run({"apply", "fix.cfp"});
    INFO(repair.out << repair.err);
    CHECK(repair.err == "");
    CHECK(repair.exit_code == 0);
    CHECK(w.Writes() == writes + w.WritesOf(1));
    w.CheckBound(0, f.cli.web);
    ProcessResult clean = f.Run({"drift", "--detailed-exitcode"});
    INFO(clean.out << clean.err);
    CHECK(clean.exit_code == 0);
    if (by_cas) {
      // Another CAS certificate switched in on img by hand.
      const int64_t id = w.UploadId(f.cli.web.Fingerprint());
      p.bind_cas(f, p.domains[1], p.other_cas_id, "");
      ProcessResult other = f.Run({"drift", "--detailed-exitcode"});
      INFO(other.out << other.err);
      CHECK(other.exit_code == 2);
      CHECK(Has(other.out, w.Addr(1) + " (account main)"));
      // (A product that ties a CAS id to certform's own copies only reads someone else's as none.)
      CHECK(Has(other.out, "cert_id " + std::to_string(id) + "→" +
                               (p.reads_foreign_cas_ids ? std::to_string(p.other_cas_id) : "")));
      if (!p.reads_foreign_cas_ids) {
        CHECK(Has(other.out, "(not a CAS certificate: changed outside certform)"));
      }
      CHECK_FALSE(Has(other.out, w.Addr(0)));
    }
  });
}

TEST_CASE("product conformance: import adopts a live binding by reading only, then plans clean",
          "[cli][conformance][drift]") {
  ForEachProductAndMode([&](const ProductCase& p, bool by_cas) {
    ProductWorkspace w(p, by_cas);
    ApplyFixture& f = *w.f;
    w.Create();
    const engine::StateEntry applied = f.State().entries.at(w.Addr(1));
    REQUIRE(f.Run({"state", "rm", w.Addr(1)}).exit_code == 0);
    REQUIRE(f.State().entries.count(w.Addr(1)) == 0);
    const auto before = CallCounts(f);
    ProcessResult imported = f.Run({"import", w.Addr(1)});
    INFO(imported.out << imported.err);
    REQUIRE(imported.exit_code == 0);
    CHECK(Has(imported.out, "Imported " + w.Addr(1)));
    CHECK(Has(imported.out, "(certificate \"web\")"));
    // Only reads: nothing written, nothing uploaded.
    const auto calls = CallsSince(f, before);
    CHECK(calls.count(w.Write()) == 0);
    CHECK(calls.count("UploadUserCertificate") == 0);
    CHECK(CallsText(calls) == CallsText(p.import_calls.empty()
                                            ? std::map<std::string, int>{{p.read_action, 1}}
                                            : p.import_calls));
    const engine::StateEntry e = f.State().entries.at(w.Addr(1));
    CHECK(e.certificate == "web");
    CHECK(e.fingerprint == f.cli.web.Fingerprint());
    CHECK(e.https);
    CHECK(e.cert_id == applied.cert_id);
    ProcessResult plan = f.Run({"plan", "--detailed-exitcode"});
    INFO(plan.out << plan.err);
    CHECK(plan.exit_code == 0);
    CHECK(f.Run({"import", w.Addr(1)}).exit_code == 1);  // already managed
    ProcessResult unknown = f.Run({"import", p.address(p.unknown_name)});
    INFO(unknown.out << unknown.err);
    CHECK(unknown.exit_code == 1);
    CHECK(Has(unknown.err, p.unknown_message));
  });
}

TEST_CASE(
    "product conformance: a binding removed from the configuration is forgotten by "
    "default and still served, switched off with on_removal = disable",
    "[cli][conformance][removal]") {
  ForEachProductAndMode([&](const ProductCase& p, bool by_cas) {
    ProductWorkspace w(p, by_cas);
    ApplyFixture& f = *w.f;
    w.Create();
    const LiveCert before = w.Live(1);
    REQUIRE(before.https);
    const int calls = f.Calls();
    w.Bind({0});
    ProcessResult plan = f.Run({"plan"});
    INFO(plan.out << plan.err);
    CHECK(PlanBlockOf(plan.out, w.Addr(1))
              .starts_with("- forget " + p.Noun(1) + "; its live certificate stays\n"));
    CHECK(Has(plan.out, "Plan: 0 to bind, 0 to update, 0 to disable, 1 to forget."));
    ProcessResult r = f.Run({"apply", "--auto-approve"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(Has(r.out, w.Addr(1) + ": forgotten; its live certificate stays\n"));
    CHECK(Has(r.out, "Apply complete! 1 applied, 0 failed"));
    CHECK(f.Calls() == calls);  // no call at all
    CHECK(w.Live(1).raw == before.raw);
    CHECK(f.State().entries.count(w.Addr(1)) == 0);
    CHECK(f.State().entries.count(w.Addr(0)) == 1);
    CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);

    // The harsher setting: www leaves the configuration and is switched off on this product
    // alone (one call of its own, no other product's), img is bound again.
    // A product that never takes a certificate off forgets it even so.
    f.cli.dir.Write("removal.toml", "on_removal = \"disable\"\n");
    w.Bind({1});
    const LiveCert www = w.Live(0);
    ProcessResult off_plan = f.Run({"plan"});
    INFO(off_plan.out << off_plan.err);
    CHECK(PlanBlockOf(off_plan.out, w.Addr(0))
              .starts_with(p.switches_off
                               ? "- switch HTTPS off on 1 domain, then forget it\n"
                               : "- forget " + p.Noun(1) + "; its live certificate stays\n"));
    const auto before_off = CallCounts(f);
    ProcessResult off = f.Run({"apply", "--auto-approve"});
    INFO(off.out << off.err);
    REQUIRE(off.exit_code == 0);
    if (p.switches_off) {
      CHECK_FALSE(w.Live(0).https);
    } else {
      CHECK(w.Live(0).raw == www.raw);
    }
    CHECK(w.Live(1).https);
    CHECK(f.State().entries.count(w.Addr(0)) == 0);
    CHECK(f.State().entries.count(w.Addr(1)) == 1);
    std::map<std::string, int> writes;
    for (const auto& [action, n] : CallsSince(f, before_off)) {
      if (action.rfind("Set", 0) == 0 || action.rfind("Put", 0) == 0 ||
          action.rfind("Update", 0) == 0 || action.rfind("Delete", 0) == 0) {
        writes[action] = n;
      }
    }
    // img bound again, and www switched off where the product switches off.
    CHECK(CallsText(writes) == CallsText({{w.Write(), w.WritesOf(p.switches_off ? 2 : 1)}}));
    CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
  });
}

TEST_CASE(
    "product conformance: a refused AccessKey stops the account at once, nothing "
    "half-written, never the secret",
    "[cli][conformance]") {
  ForEachProductAndMode([&](const ProductCase& p, bool by_cas) {
    ProductWorkspace w(p, by_cas);
    ApplyFixture& f = *w.f;
    w.Bind({0, 1});
    // Beside it, a binding on the CDN: a refused key stops both products.
    f.cli.dir.Write("neighbour.toml",
                    "[certificate.api]\ncert_file = \"certs/api.pem\"\nkey_env = "
                    "\"API_KEY\"\nname = \"api-2026\"\n[[binding]]\ncertificate = \"api\"\n"
                    "domains = [\"api.example.com\"]\n");
    const LiveCert www = w.Live(0), img = w.Live(1);
    auto env = f.Env();
    env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = "not-the-secret";
    ProcessResult r = f.cli.Run({"apply", "--auto-approve", "--endpoint", f.emu.Endpoint()}, env);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    const nlohmann::json counters = f.emu.emulator().CountersJson();
    CHECK(counters["rejected"].get<int>() >= 1);
    CHECK(counters["rejected"].get<int>() <= 2);  // the first answer stops the account's calls
    CHECK(counters["keys_received"] == 0);
    CHECK(Has(r.out + r.err, "SignatureDoesNotMatch"));
    CHECK(Has(r.out, "error: account \"main\": SignatureDoesNotMatch"));
    CHECK(Has(r.out, "certform stopped this account's changes after the first such answer"));
    CHECK_FALSE(Has(r.out + r.err, "not-the-secret"));
    CHECK(w.Live(0).raw == www.raw);
    CHECK(w.Live(1).raw == img.raw);
    if (f.cli.dir.Exists("certform.state.json")) CHECK(f.State().entries.empty());
    CHECK(f.Remaining() == std::set<std::string>{w.Addr(0), w.Addr(1), "api.example.com"});
  });
}

TEST_CASE("product conformance: throttling answers are retried until everything is applied",
          "[cli][conformance]") {
  ForEachProductAndMode([&](const ProductCase& p, bool by_cas) {
    // The server allows less than certform's pace: 2 calls a second against certform's 10, so
    // the third bind is throttled. (At 1/s the third bind needed 2 s of backoff, and a product
    // whose throttle answer carries no retry-after, as OSS's SlowDown, could spend its 6
    // attempts' jittered backoff in less: a CI run on 2026-12-03 did.)
    ProductWorkspace w(p, by_cas,
                       [&](emulator::EmulatorConfig& c) { p.limit_writes(c, by_cas, 2); });
    ApplyFixture& f = *w.f;
    w.Bind({0, 1, 2});
    ProcessResult r = f.Run({"apply", "--auto-approve"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    const int throttled = f.emu.emulator().CountersJson()["throttled"].get<int>();
    CHECK(throttled > 0);
    CHECK(Has(r.out, p.throttle_code));  // the plain view shows retries
    // A throttled call is refused before it counts: one bind each.
    CHECK(w.Writes() == w.WritesOf(3));
    // The summary counts them.
    CHECK(Has(r.out, std::to_string(throttled) + " throttled answer"));
    CHECK(Has(r.out, "Apply complete! " + std::string(by_cas ? "1 uploaded, " : "") +
                         "3 applied, 0 failed"));
    for (int i = 0; i < 3; ++i) w.CheckBound(i, f.cli.web);
    CHECK(f.Remaining().empty());
  });
}

TEST_CASE(
    "product conformance: a binding call whose answer was lost is found done, applied "
    "once, recorded",
    "[cli][conformance]") {
  ForEachProductAndMode([&](const ProductCase& p, bool by_cas) {
    ProductWorkspace w(p, by_cas, [&](emulator::EmulatorConfig& c) {
      c.faults.lose_answers[p.WriteAction(by_cas)] = 1;
      if (by_cas) c.faults.lose_answers["UploadUserCertificate"] = 1;
    });
    ApplyFixture& f = *w.f;
    w.Bind({0, 1});
    const int cas_before = w.CasCount();
    ProcessResult r = f.Run({"apply", "--auto-approve"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(f.emu.emulator().CountersJson()["dropped"].get<int>() >= (by_cas ? 2 : 1));
    w.CheckBound(0, f.cli.web);
    w.CheckBound(1, f.cli.web);
    // The lost call is tried again (the same binding, harmless), no domain a third time.
    CHECK(w.Writes() == w.WritesOf(2) + 1);
    if (by_cas) {
      // The retried upload meets NameRepeat and finds the first by name: one copy in CAS.
      CHECK(CallsOf(f, "UploadUserCertificate") == 2);
      CHECK(w.CasCount() == cas_before + 1);  // one more: certform's
      CHECK(f.State().uploads.size() == 1);
    }
    CHECK_FALSE(f.cli.dir.Exists("certform.state.json.journal"));
    CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
    CHECK(f.Run({"drift", "--detailed-exitcode"}).exit_code == 0);
  });
}

TEST_CASE("product conformance: prune keeps a CAS certificate this product still serves",
          "[cli][conformance][cas]") {
  for (const ProductCase& p : ProductCases()) {
    DYNAMIC_SECTION(p.name) {
      ProductWorkspace w(p, /*by_cas=*/true);
      ApplyFixture& f = *w.f;
      w.Create();
      const int64_t old_id = w.UploadId(f.cli.web.Fingerprint());
      REQUIRE(old_id != 0);
      const std::string old_pem = f.cli.web.CertPem();
      const TestCert next = f.RenewWeb();
      REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
      // Someone binds the old certificate on a domain of this product certform does not manage.
      p.bind_cas(f, p.domains[2], old_id, old_pem);
      if (!Listable(p)) {
        // certform cannot list the product's bindings (the listeners of a load balancer), so it
        // cannot prove the old certificate unused: prune deletes nothing and says how to go on.
        ProcessResult prune = f.Run({"prune", "--auto-approve"});
        INFO(prune.out << prune.err);
        CHECK(prune.exit_code != 0);
        CHECK(Has(prune.out + prune.err, "skip_products = ["));
        CHECK(Has(prune.out + prune.err, "\"" + p.name + "\""));
        CHECK(CallsOf(f, "DeleteUserCertificate") == 0);
        CHECK(CasHolds(f, old_id));
        w.CheckBound(0, next);
        continue;
      }
      f.SkipUnlistable();
      ProcessResult prune = f.Run({"prune", "--auto-approve"});
      INFO(prune.out << prune.err);
      CHECK(prune.exit_code == 0);
      CHECK(Has(prune.out, fmt::format("= keep CertId {} (account main): {}", old_id,
                                       p.KeptBy(p.domains[2]))));
      CHECK(CallsOf(f, "DeleteUserCertificate") == 0);
      CHECK(CasHolds(f, old_id));
      // Switched off there: nothing serves it any more, and prune deletes it.
      p.switch_off(f, p.domains[2]);
      ProcessResult again = f.Run({"prune", "--auto-approve"});
      INFO(again.out << again.err);
      CHECK(again.exit_code == 0);
      CHECK(CallsOf(f, "DeleteUserCertificate") == 1);
      const nlohmann::json after = f.emu.emulator().StateJson()["cas_certificates"];
      for (const auto& c : after) {
        CHECK(c["id"] != old_id);
      }
      w.CheckBound(0, next);  // the live bindings kept their (new) certificate
    }
  }
}
