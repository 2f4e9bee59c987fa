// The listener products end to end (the certform binary against the emulator's ALB and NLB
// services), every case run once per product: a listener's default and an additional (SNI)
// certificate planned, applied as dry-run-first jobs and read back; a renewal of the SNI
// certificate associates the new one before it dissociates certform's old one and leaves every
// other additional certificate on the listener; removing a binding forgets the slot and the
// listener keeps serving it; prune stops rather than guess about listeners; a write the API
// refuses (an ACK-managed listener) fails its dry run before any change; a run killed while a job
// runs is resumed by polling that job, never by sending the write again.
// Facts: docs/design/load-balancers.md, providers/alicloud/listener_provider.h.
#include <algorithm>
#include <csignal>

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "engine/base/clock.h"
#include "providers/alicloud/emulator/alb_admin.h"
#include "providers/alicloud/listener_certificates.h"
#include "tests/cmd/apply_fixture.h"
#include "tests/providers/alicloud/listener_products.h"
#include "tests/support/wait_until.h"

using namespace certform;
using namespace certform::testing;

namespace {

// A certificate someone else associated with the listener, which certform must leave alone.
constexpr int64_t kForeignId = 9000005;
constexpr char kForeign[] = "9000005-cn-hangzhou";

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct ListenerWorkspace {
  explicit ListenerWorkspace(const ListenerProduct& c) : p(c) {
    PutLoadBalancer("std", false);
    Admin("listeners", listener, p.ListenerSeed(p.load_balancer + "std", "8089870-cn-hangzhou"));
    // Jobs end at once (the CLI runs on the real clock); the tests of AlbProvider and of the
    // applier run them on a fake clock with durations.
    Admin("jobs", "", {{"duration_ms", 0}});
    f.emu.emulator().PutCasCertificate({"foreign", kForeignId, "u1", f.cli.api.CertPem(), false});
    Associate(kForeign);
    f.cli.dir.Write("certform.toml", CliFixture::StandardCertificates(/*via_cas=*/true));
    Bind(true);
  }

  // The address of `slot` ("default", "sni:KEY") of `listener` (cn-hangzhou).
  std::string Slot(const std::string& slot) const {
    return p.name + ":cn-hangzhou/" + listener + "/" + slot;
  }
  // One [[binding]] of `certificate` in `role` on listener `listener_id` (cn-hangzhou).
  std::string Binding(const std::string& listener_id, const std::string& certificate,
                      const std::string& role) const {
    return fmt::format(
        "[[binding]]\nproduct = \"{}\"\nregion = \"cn-hangzhou\"\nlistener = \"{}\"\n"
        "certificate = \"{}\"\nrole = \"{}\"\n",
        p.name, listener_id, certificate, role);
  }

  // A load balancer "PREFIX`name`" in cn-hangzhou, managed by ACK or not.
  void PutLoadBalancer(const std::string& name, bool ack_managed) {
    Admin("load_balancers", p.load_balancer + name, p.LoadBalancerSeed(ack_managed));
  }

  void Admin(const std::string& kind, const std::string& id, const nlohmann::json& body) {
    nlohmann::json answer;
    REQUIRE(emulator::AlbAdmin(p.service(f.emu.emulator()), kind, id, body, &answer) == 200);
  }

  // Another client of the same user, as a console user's calls would be.
  alicloud::ListenerCertificates Other() {
    return alicloud::ListenerCertificates(
        alicloud::RpcClient(transport, clock, random,
                            alicloud::Credentials{"testid", kSecret, "", "test"}, f.emu.Endpoint(),
                            p.api.version),
        "cn-hangzhou", p.api);
  }
  // Behind certform's back: `id` associated with the listener, or dissociated from it.
  void Associate(const std::string& id, bool associate = true) {
    alicloud::ListenerCertificates alb = Other();
    engine::CallResult r;
    std::string job;
    const engine::Status s = associate ? alb.Associate(listener, {id}, {}, &job, &r)
                                       : alb.Dissociate(listener, {id}, {}, &job, &r);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }

  // api as the listener's default, web as an additional certificate (sni = false: default only).
  void Bind(bool sni) {
    std::string toml = Binding(listener, "api", "default");
    if (sni) toml += "\n" + Binding(listener, "web", "additional");
    f.cli.dir.Write("alb.toml", toml);
  }

  nlohmann::json Listener() {
    const nlohmann::json state = f.AdminState();  // the loop refers into it
    for (const auto& l : state[p.name]["listeners"]) {
      if (l["id"] == listener) return l;
    }
    FAIL("no listener " << listener);
    return {};
  }
  std::vector<std::string> Additional() {
    std::vector<std::string> out;
    const nlohmann::json live = Listener();  // the loop refers into it
    for (const auto& c : live["additional_certificates"]) {
      out.push_back(c["id"].get<std::string>() + ":" + c["status"].get<std::string>());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  // The CAS id the state recorded for `address`.
  std::string IdOf(const std::string& address) {
    return std::to_string(f.State().entries.at(address).cert_id) + "-cn-hangzhou";
  }
  int Calls(const std::string& action) {
    const nlohmann::json calls = f.emu.emulator().CountersJson()["calls"];
    return calls.contains(action) ? calls[action].value("u1", 0) : 0;
  }

  // An apply that must succeed.
  void ApplyOk() {
    ProcessResult apply = f.Run({"apply", "--auto-approve"});
    INFO(apply.out << apply.err);
    REQUIRE(apply.exit_code == 0);
  }

  // Starts an apply and SIGKILLs it once its UpdateListenerAttribute job has started and the
  // journal holds it; returns that job's id.
  std::string KillApplyWhileJobRuns() {
    auto child = f.Start({"apply", "--auto-approve"});
    std::string job_id;
    REQUIRE(WaitUntil([&] {
      const nlohmann::json state = f.AdminState();
      for (const auto& j : state[p.name]["jobs"]) {
        if (j["api"] == "UpdateListenerAttribute") job_id = j["id"].get<std::string>();
      }
      return !job_id.empty() && f.cli.dir.Exists("certform.state.json.journal") &&
             f.cli.dir.Read("certform.state.json.journal").find(job_id) != std::string::npos;
    }));
    child->Signal(SIGKILL);
    CHECK(child->Wait().exit_code == 128 + SIGKILL);
    return job_id;
  }

  const ListenerProduct& p;
  const std::string listener = p.listener_of("a");  // lsn-a, as the product writes it (@443 on NLB)
  ApplyFixture f;
  providers::CurlTransport transport{providers::CurlOptions{}};
  engine::SystemClock clock;
  SeededRandom random{7};  // not certform's nonces
};

}  // namespace

TEST_CASE(
    "listener cli: a listener's default and SNI certificates are planned, applied as jobs and "
    "read back, a renewal leaves the other SNI certificates",
    "[cli][alb][nlb]") {
  ListenerWorkspace w(LISTENER_PRODUCT());
  ApplyFixture& f = w.f;
  const std::string kDefault = w.Slot("default"), kSni = w.Slot("sni:web");
  const int calls_before = f.Calls();  // the test's own associate of the foreign certificate
  ProcessResult plan = f.Run({"plan"});
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  CHECK(Has(plan.out, kDefault));
  CHECK(Has(plan.out, kSni));
  CHECK(Has(plan.out, "Plan: 2 to upload, 2 to bind, 0 to update, 0 to disable."));
  // Each slot says what it is: the listener's default, or one of its additional certificates.
  CHECK(Has(plan.out, "+ bind certificate \"api\" to 1 listener slot\n"));
  CHECK(Has(plan.out,
            kDefault + " (default certificate of listener cn-hangzhou/" + w.listener + ")"));
  CHECK(Has(plan.out,
            kSni + " (additional certificate web of listener cn-hangzhou/" + w.listener + ")"));
  CHECK(f.Calls() == calls_before);  // plan is offline

  ProcessResult apply = f.Run({"apply", "--auto-approve"});
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_code == 0);
  CHECK(Has(apply.out, "Apply complete! 2 uploaded, 2 applied, 0 failed"));
  CHECK(w.Listener()["default_certificate"] == w.IdOf(kDefault));
  CHECK(w.Additional() == std::vector<std::string>{w.IdOf(kSni) + ":Associated",
                                                   std::string(kForeign) + ":Associated"});
  // Each write dry-run first, then sent once: one UpdateListenerAttribute and one associate of
  // certform's own, besides the test's associate of the foreign certificate.
  CHECK(w.Calls("UpdateListenerAttribute") == 2);
  CHECK(w.Calls("AssociateAdditionalCertificatesWithListener") == 1 + 2);
  CHECK(w.Calls(w.p.api.dissociate) == 0);
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
  ProcessResult drift = f.Run({"drift", "--detailed-exitcode"});
  INFO(drift.out << drift.err);
  CHECK(drift.exit_code == 0);

  // The renewal of the SNI certificate: the new one associated, then certform's old one
  // dissociated; the foreign certificate and the default stay.
  const std::string old_id = w.IdOf(kSni);
  const std::string default_id = w.IdOf(kDefault);
  f.RenewWeb();
  ProcessResult renew_plan = f.Run({"plan"});
  INFO(renew_plan.out << renew_plan.err);
  CHECK(Has(renew_plan.out, "Plan: 1 to upload, 0 to bind, 1 to update, 0 to disable."));
  CHECK(Has(renew_plan.out, "~ update 1 listener slot to certificate \"web\""));
  ProcessResult renew = f.Run({"apply", "--auto-approve"});
  INFO(renew.out << renew.err);
  REQUIRE(renew.exit_code == 0);
  const std::string new_id = w.IdOf(kSni);
  CHECK(new_id != old_id);
  CHECK(w.Additional() ==
        std::vector<std::string>{new_id + ":Associated", std::string(kForeign) + ":Associated"});
  CHECK(w.Listener()["default_certificate"] == default_id);
  CHECK(w.Calls(w.p.api.dissociate) == 2);  // a dry run, then once
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
  CHECK(f.Run({"drift", "--detailed-exitcode"}).exit_code == 0);

  // Behind certform's back: its SNI certificate dissociated. drift names the slot.
  w.Associate(new_id, false);
  ProcessResult drifted = f.Run({"drift", "--detailed-exitcode"});
  INFO(drifted.out << drifted.err);
  CHECK(drifted.exit_code == 2);
  CHECK(Has(drifted.out, kSni));
  CHECK_FALSE(Has(drifted.out, kDefault + " "));
}

TEST_CASE(
    "listener cli: removing a binding forgets its slot and the listener keeps the certificate, "
    "which prune keeps while the listener serves it",
    "[cli][alb][nlb]") {
  ListenerWorkspace w(LISTENER_PRODUCT());
  ApplyFixture& f = w.f;
  const std::string kSni = w.Slot("sni:web");
  w.ApplyOk();
  const std::string sni_id = w.IdOf(kSni);

  w.Bind(false);
  ProcessResult plan = f.Run({"plan"});
  INFO(plan.out << plan.err);
  CHECK(Has(plan.out, kSni));
  CHECK(Has(plan.out, "forget"));
  ProcessResult forget = f.Run({"apply", "--auto-approve"});
  INFO(forget.out << forget.err);
  REQUIRE(forget.exit_code == 0);
  CHECK(f.State().entries.count(kSni) == 0);
  CHECK(w.Additional() ==
        std::vector<std::string>{sni_id + ":Associated", std::string(kForeign) + ":Associated"});
  CHECK(w.Calls(w.p.api.dissociate) == 0);

  // prune lists every listener of the user: the forgotten slot's certificate is still served
  // there, so it is kept, naming the listener, and nothing is deleted.
  const int deletes = w.Calls("DeleteUserCertificate");
  ProcessResult prune = f.Run({"prune", "--auto-approve"});
  INFO(prune.out << prune.err);
  CHECK(prune.exit_code == 0);
  CHECK(Has(prune.out, fmt::format("listener {}:cn-hangzhou/{} serves it as an additional "
                                   "certificate",
                                   w.p.name, w.listener)));
  CHECK(Has(prune.out, "Prune: 0 to delete."));
  CHECK(w.Calls("DeleteUserCertificate") == deletes);
  CHECK(w.Calls("ListListeners") > 0);
}

TEST_CASE("listener cli: a write ALB refuses fails its dry run before any listener changes",
          "[cli][alb][nlb]") {
  ListenerWorkspace w(LISTENER_PRODUCT());
  ApplyFixture& f = w.f;
  // A second listener, on a load balancer that ACK manages: the API refuses every write to it.
  w.PutLoadBalancer("ack", true);
  w.Admin("listeners", w.p.listener_of("ack"),
          w.p.ListenerSeed(w.p.load_balancer + "ack", "8089870-cn-hangzhou"));
  f.cli.dir.Write("ack.toml", w.Binding(w.p.listener_of("ack"), "web", "default"));
  const nlohmann::json before = w.Listener();
  const size_t jobs_before = f.AdminState()[w.p.name]["jobs"].size();
  ProcessResult r = f.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code != 0);
  CHECK(Has(r.out + r.err, "OperationDenied.ServiceManagedResource"));
  // No write was made anywhere: no job started, lsn-a as it was, nothing recorded.
  CHECK(f.AdminState()[w.p.name]["jobs"].size() == jobs_before);
  CHECK(w.Listener() == before);
  if (f.cli.dir.Exists("certform.state.json")) CHECK(f.State().entries.empty());
}

TEST_CASE("listener cli: SIGKILL while a job runs resumes by polling it, without a second write",
          "[cli][alb][nlb][signals]") {
  ListenerWorkspace w(LISTENER_PRODUCT());
  ApplyFixture& f = w.f;
  const std::string kDefault = w.Slot("default");
  w.Bind(false);  // the default certificate alone: one write, one job
  w.Admin("jobs", "", {{"duration_ms", 4000}});
  CHECK_FALSE(w.KillApplyWhileJobRuns().empty());
  const int writes = w.Calls("UpdateListenerAttribute");  // its dry run and the write
  CHECK(writes == 2);

  ProcessResult resumed = f.Run({"apply", "--auto-approve"});
  INFO(resumed.out << resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(w.Calls("UpdateListenerAttribute") == writes);  // polled, not sent again
  CHECK(w.Listener()["default_certificate"] == w.IdOf(kDefault));
  CHECK_FALSE(f.State().entries.at(kDefault).Pending());
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
}

TEST_CASE(
    "listener cli: with on_removal = disable a slot renamed or a default removed is forgotten, and "
    "only certform's own SNI certificate is dissociated, after what replaces it is bound",
    "[cli][alb][nlb]") {
  ListenerWorkspace w(LISTENER_PRODUCT());
  ApplyFixture& f = w.f;
  const std::string kDefault = w.Slot("default"), kSni = w.Slot("sni:web");
  f.cli.dir.Write("removal.toml", "on_removal = \"disable\"\n");
  w.ApplyOk();
  const std::string sni_id = w.IdOf(kSni);
  const std::string default_id = w.IdOf(kDefault);

  // The SNI certificate's key renamed ("web" → "Www", the same files), and the default binding
  // removed. The new slot holds the same certificate, so the old slot's is not dissociated; a
  // listener's default is never removed.
  const std::string renamed = w.Slot("sni:Www");
  std::string config = f.cli.dir.Read("certform.toml");
  config.replace(config.find("[certificate.web]"), 17, "[certificate.Www]");
  f.cli.dir.Write("certform.toml", config);
  f.cli.dir.Write("alb.toml", w.Binding(w.listener, "Www", "additional"));
  // --target takes the slot as written: its key keeps its case.
  ProcessResult targeted = f.Run({"plan", "--target", renamed});
  INFO(targeted.out << targeted.err);
  REQUIRE(targeted.exit_code == 0);
  CHECK(Has(targeted.out, renamed));
  CHECK(Has(targeted.out, "Plan: 1 to bind, 0 to update, 0 to disable."));
  ProcessResult plan = f.Run({"plan"});
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  CHECK(Has(plan.out, "0 to disable"));
  CHECK(Has(plan.out,
            "is also the additional certificate Www of listener cn-hangzhou/" + w.listener));
  CHECK(Has(plan.out, "never removes a listener's default certificate"));
  ProcessResult moved = f.Run({"apply", "--auto-approve"});
  INFO(moved.out << moved.err);
  REQUIRE(moved.exit_code == 0);
  CHECK(w.Additional() ==
        std::vector<std::string>{sni_id + ":Associated", std::string(kForeign) + ":Associated"});
  CHECK(w.Listener()["default_certificate"] == default_id);
  CHECK(w.Calls(w.p.api.dissociate) == 0);
  CHECK(f.State().entries.count(kDefault) == 0);
  CHECK(f.State().entries.count(kSni) == 0);
  CHECK(w.IdOf(renamed) == sni_id);
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);

  // Www replaced by a slot not bound yet: --target on Www alone removes nothing before it.
  f.cli.dir.Write("alb.toml", w.Binding(w.listener, "api", "additional"));
  ProcessResult alone = f.Run({"apply", "--auto-approve", "--target", renamed});
  INFO(alone.out << alone.err);
  CHECK(Has(alone.out + alone.err, renamed + " is not planned: " + w.Slot("sni:api")));
  CHECK(w.Calls(w.p.api.dissociate) == 0);
  CHECK(f.State().entries.count(renamed) == 1);

  // The slot removed for good: its certificate (certform's) is dissociated, the foreign one stays.
  f.cli.dir.Write("alb.toml", "");
  ProcessResult disable = f.Run({"apply", "--auto-approve"});
  INFO(disable.out << disable.err);
  REQUIRE(disable.exit_code == 0);
  CHECK(w.Additional() == std::vector<std::string>{std::string(kForeign) + ":Associated"});
  CHECK(w.Calls(w.p.api.dissociate) == 2);  // a dry run, then once
  CHECK(f.State().entries.empty());
}

TEST_CASE(
    "listener cli: a job the API no longer lists is decided by a read-back, never sent again nor "
    "taken "
    "as the listener gone",
    "[cli][alb][nlb][signals]") {
  ListenerWorkspace w(LISTENER_PRODUCT());
  ApplyFixture& f = w.f;
  const std::string kDefault = w.Slot("default");
  w.Bind(false);
  w.Admin("jobs", "", {{"duration_ms", 1500}});
  const std::string job_id = w.KillApplyWhileJobRuns();
  // The job ends, and ALB's job list forgets it.
  REQUIRE(WaitUntil([&] {
    const nlohmann::json state = f.AdminState();
    for (const auto& j : state[w.p.name]["jobs"]) {
      if (j["id"] == job_id) return j["status"] == "Succeeded";
    }
    return false;
  }));
  w.Admin("jobs", "", {{"forget_ended", true}});
  const int writes = w.Calls("UpdateListenerAttribute");

  ProcessResult resumed = f.Run({"apply", "--auto-approve"});
  INFO(resumed.out << resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(w.Calls("UpdateListenerAttribute") == writes);  // the listener has it: not sent again
  CHECK(w.Listener()["default_certificate"] == w.IdOf(kDefault));
  CHECK_FALSE(f.State().entries.at(kDefault).Pending());
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
}

TEST_CASE(
    "listener cli: one certificate in two slots of a listener is refused, naming file and line",
    "[cli][alb][nlb]") {
  ListenerWorkspace w(LISTENER_PRODUCT());
  ApplyFixture& f = w.f;
  f.cli.dir.Write("cas.toml", R"([certificate.old]
type = "cas"
name = "shop-cert"
cert_id = 8089870

[certificate.same]
type = "cas"
name = "shop-cert"
cert_id = 8089870
)");
  f.cli.dir.Write("alb.toml", w.Binding(w.listener, "old", "default") + "\n" +
                                  w.Binding(w.listener, "same", "additional"));
  ProcessResult r = f.Run({"validate"});
  INFO(r.out << r.err);
  CHECK(r.exit_code != 0);
  CHECK(Has(r.out + r.err, "alb.toml:"));
  CHECK(Has(r.out + r.err, "are one certificate (CAS id 8089870)"));
  CHECK(w.Calls("UpdateListenerAttribute") == 0);

  // A region the state would record, checked at the configuration's door as at the state's.
  f.cli.dir.Write("cas.toml",
                  "[certificate.old]\ntype = \"cas\"\nname = \"shop-cert\"\n"
                  "cert_id = 8089870\ncert_region = \"Hangzhou\"\n");
  f.cli.dir.Write("alb.toml", w.Binding(w.listener, "old", "default"));
  ProcessResult region = f.Run({"validate"});
  INFO(region.out << region.err);
  CHECK(region.exit_code != 0);
  CHECK(Has(region.out + region.err, "cas.toml:5"));
  CHECK_FALSE(Has(region.out + region.err, "needs \"name\""));
  CHECK(Has(region.out + region.err, "\"cert_region\" is not a region id"));
}

TEST_CASE("listener cli: import of an SNI slot reads it through the configured certificate's id",
          "[cli][alb][nlb]") {
  ListenerWorkspace w(LISTENER_PRODUCT());
  ApplyFixture& f = w.f;
  const std::string kSni = w.Slot("sni:web");
  w.ApplyOk();
  const engine::StateEntry applied = f.State().entries.at(kSni);
  REQUIRE(f.Run({"state", "rm", kSni}).exit_code == 0);

  ProcessResult imported = f.Run({"import", kSni});
  INFO(imported.out << imported.err);
  REQUIRE(imported.exit_code == 0);
  const engine::StateEntry e = f.State().entries.at(kSni);
  CHECK(e.https);
  CHECK(e.cert_id == applied.cert_id);
  ProcessResult plan = f.Run({"plan", "--detailed-exitcode"});
  INFO(plan.out << plan.err);
  CHECK(plan.exit_code == 0);
}

TEST_CASE(
    "listener cli: a renewal keeps the old SNI certificate on the listener when another slot has "
    "it",
    "[cli][alb][nlb]") {
  ListenerWorkspace w(LISTENER_PRODUCT());
  ApplyFixture& f = w.f;
  const std::string kSni = w.Slot("sni:web");
  for (int64_t id : {9000101, 9000102}) {
    f.emu.emulator().PutCasCertificate(
        {"c" + std::to_string(id), id, "u1", f.cli.api.CertPem(), false});
  }
  const auto certificates = [&](const std::string& toml) {
    f.cli.dir.Write("certform.toml",
                    "[account.main]\nendpoint = \"http://127.0.0.1:1\"\n\n" + toml);
  };
  certificates("[certificate.web]\ntype = \"cas\"\nname = \"c9000101\"\ncert_id = 9000101\n");
  f.cli.dir.Write("alb.toml", w.Binding(w.listener, "web", "additional"));
  w.ApplyOk();
  // web moves to its own certificate, and 9000101 becomes certificate "all", in a slot of its own
  // on the same listener: web's renewal must not dissociate what "all" serves.
  certificates(
      "[certificate.web]\ntype = \"cas\"\nname = \"c9000102\"\ncert_id = 9000102\n\n"
      "[certificate.all]\ntype = \"cas\"\nname = \"c9000101\"\ncert_id = 9000101\n");
  f.cli.dir.Write("alb.toml", w.Binding(w.listener, "web", "additional") + "\n" +
                                  w.Binding(w.listener, "all", "additional"));
  ProcessResult plan = f.Run({"plan"});
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  CHECK(Has(plan.out,
            "keeps CAS id 9000101 where it is: it is also the additional certificate "
            "all of listener cn-hangzhou/" +
                w.listener));
  w.ApplyOk();
  CHECK(w.Additional() == std::vector<std::string>{"9000005-cn-hangzhou:Associated",
                                                   "9000101-cn-hangzhou:Associated",
                                                   "9000102-cn-hangzhou:Associated"});
  CHECK(w.Calls(w.p.api.dissociate) == 0);
  CHECK(f.State().entries.at(w.Slot("sni:all")).cert_id == 9000101);
  CHECK(f.State().entries.at(kSni).cert_id == 9000102);
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
  CHECK(f.Run({"drift", "--detailed-exitcode"}).exit_code == 0);
}

TEST_CASE("listener cli: the plan shows each listener's default and additional certificates",
          "[cli][alb][nlb][plan]") {
  ListenerWorkspace w(LISTENER_PRODUCT());
  ApplyFixture& f = w.f;
  const std::string where = w.p.api.title + std::string(" listener cn-hangzhou/") + w.listener;
  ProcessResult plan = f.Run({"plan"});
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  CHECK(Has(plan.out, "Per listener (what each one serves after apply):"));
  CHECK(Has(plan.out, where + " (account main)"));
  CHECK(Has(plan.out, "default      default        ~ api (replaces the listener's default)"));
  CHECK(Has(plan.out, "additional   web            + web (added)"));
  CHECK(Has(plan.out, "others       any other certificate of the listener stays"));
  w.ApplyOk();

  // A renewal of the additional certificate: old and new named by content, added before removed.
  f.RenewWeb();
  ProcessResult renew = f.Run({"plan"});
  INFO(renew.out << renew.err);
  CHECK(Has(renew.out, "additional   web            ~ web ("));
  CHECK(Has(renew.out, "the new one is added first, then the old one removed"));
  // The listener's other slots are shown too, unchanged.
  CHECK(Has(renew.out, "default      default        = api (unchanged)"));

  // Removed from the configuration: forgotten, still served.
  w.Bind(false);
  ProcessResult forget = f.Run({"plan"});
  INFO(forget.out << forget.err);
  CHECK(Has(forget.out, "= web (forgotten: the listener keeps serving it)"));

  // A plan with no listener change prints no such section.
  ProcessResult cdn_only = f.Run({"plan", "--target", w.Slot("default")});
  INFO(cdn_only.out);
  CHECK_FALSE(Has(cdn_only.out, "Per listener"));
}
