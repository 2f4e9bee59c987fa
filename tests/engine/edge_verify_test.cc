// Unit tests of verify's engine (engine/plan/edge_verify.h, verify_targets.h, expiry_check.h)
// with a scripted TLS probe and a fake clock that never sleeps, and of the emulator's edge
// (propagation on the emulator's clock).
#include "engine/plan/edge_verify.h"

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "engine/plan/expiry_check.h"
#include "providers/alicloud/emulator/tls_edge.h"
#include "tests/support/fake_clock.h"

using namespace certform;
using namespace certform::engine;
using certform::testing::FakeClock;

namespace {

// Answers by server name from a script that a test changes between rounds; records the
// handshakes and the most that were in flight at once.
class ScriptedProbe final : public TlsProbe {
 public:
  TlsProbeResult Handshake(const TlsProbeRequest& request) override {
    const int now = ++in_flight_;
    int seen = peak_.load();
    while (now > seen && !peak_.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::yield();
    TlsProbeResult out;
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(request);
      auto it = leaves_.find(request.server_name);
      if (it == leaves_.end()) {
        out.status = Status::Unavailable("cannot connect to " + request.host + ": refused");
      } else {
        out.status = Status::OK();
        out.chain.fingerprints = {it->second};
      }
    }
    --in_flight_;
    return out;
  }
  void Serve(const std::string& name, const std::string& leaf) {
    std::lock_guard<std::mutex> lock(mu_);
    leaves_[name] = leaf;
  }
  std::vector<TlsProbeRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  int peak() const { return peak_.load(); }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> leaves_;
  std::vector<TlsProbeRequest> requests_;
  std::atomic<int> in_flight_{0}, peak_{0};
};

VerifyTarget Target(const std::string& domain, const std::string& want,
                    const std::string& old = "") {
  VerifyTarget t;
  t.address = Address{"cdn", {}, domain};
  t.server_name = t.host = domain;
  t.certificate = "web";
  t.want = want;
  t.old = old;
  return t;
}

}  // namespace

TEST_CASE(
    "verify: a handshake presenting the desired leaf serves, the old one is stale, "
    "another is other",
    "[verify]") {
  FakeClock clock;
  ScriptedProbe probe;
  probe.Serve("a.example.com", "new");
  probe.Serve("b.example.com", "old");
  probe.Serve("c.example.com", "intruder");
  const EdgeReport report =
      VerifyEdge({Target("a.example.com", "new", "old"), Target("b.example.com", "new", "old"),
                  Target("c.example.com", "new", "old"), Target("d.example.com", "new")},
                 probe, clock, VerifyOptions{});
  REQUIRE(report.results.size() == 4);
  CHECK(report.results[0].outcome == EdgeOutcome::kServes);
  CHECK(report.results[1].outcome == EdgeOutcome::kStale);
  CHECK(report.results[2].outcome == EdgeOutcome::kOther);
  CHECK(report.results[3].outcome == EdgeOutcome::kFailed);
  CHECK(report.results[3].error.message() == "cannot connect to d.example.com: refused");
  CHECK(report.rounds == 1);
  CHECK(clock.sleeps() == 0);  // no wait asked: one round
  CHECK(report.HasFailure());
  CHECK(report.HasMismatch());
}

TEST_CASE(
    "verify: with a wait, only the domains not serving are checked again, at doubling "
    "pauses, until they serve",
    "[verify]") {
  FakeClock clock;
  ScriptedProbe probe;
  probe.Serve("a.example.com", "new");
  probe.Serve("b.example.com", "old");
  int pauses = 0;
  clock.OnSleep([&] {
    if (++pauses == 2) probe.Serve("b.example.com", "new");  // propagated after two pauses
  });
  VerifyOptions options;
  options.wait = std::chrono::minutes(5);
  std::vector<Clock::Duration> announced;
  const EdgeReport report =
      VerifyEdge({Target("a.example.com", "new", "old"), Target("b.example.com", "new", "old")},
                 probe, clock, options, [&](const EdgeReport& so_far, Clock::Duration pause) {
                   CHECK(so_far.results[1].outcome == EdgeOutcome::kStale);
                   announced.push_back(pause);
                 });
  CHECK(report.AllServe());
  CHECK_FALSE(report.deadline_passed);
  CHECK(report.rounds == 3);
  CHECK(announced ==
        std::vector<Clock::Duration>{std::chrono::milliseconds(500), std::chrono::seconds(1)});
  CHECK(report.results[0].attempts == 1);
  CHECK(report.results[1].attempts == 3);
}

TEST_CASE("verify: past the deadline the report says so and keeps the last outcome", "[verify]") {
  FakeClock clock;
  ScriptedProbe probe;
  probe.Serve("b.example.com", "old");
  VerifyOptions options;
  options.wait = std::chrono::seconds(10);
  const EdgeReport report =
      VerifyEdge({Target("b.example.com", "new", "old")}, probe, clock, options);
  CHECK(report.deadline_passed);
  CHECK(report.results[0].outcome == EdgeOutcome::kStale);
  // 0.5 + 1 + 2 + 4 s of pauses fit in 10 s; the next 8 s would not.
  CHECK(report.rounds == 5);
}

TEST_CASE("verify: no more handshakes are in flight than the parallelism", "[verify]") {
  FakeClock clock;
  ScriptedProbe probe;
  std::vector<VerifyTarget> targets;
  for (int i = 0; i < 200; ++i) {
    const std::string name = "d" + std::to_string(i) + ".example.com";
    probe.Serve(name, "new");
    targets.push_back(Target(name, "new"));
  }
  VerifyOptions options;
  options.parallelism = 4;
  const EdgeReport report = VerifyEdge(targets, probe, clock, options);
  CHECK(report.Count(EdgeOutcome::kServes) == 200);
  CHECK(probe.requests().size() == 200);
  CHECK(probe.peak() <= 4);
}

TEST_CASE("verify: the desired leaf with a chain other than the configured one is reported",
          "[verify]") {
  VerifyTarget t = Target("a.example.com", "leaf");
  t.want_chain = 3;
  t.want_chain_digest = "leaf+intermediate+root";
  t.want_chain_digest_without_root = "leaf+intermediate";
  TlsProbeResult served;
  served.chain.fingerprints = {"leaf", "intermediate", "root"};
  served.chain.chain_digest = "leaf+intermediate+root";
  CHECK(Judge(t, served) == EdgeOutcome::kServes);
  served.chain.fingerprints = {"leaf", "intermediate"};  // the root left out is as good
  served.chain.chain_digest = "leaf+intermediate";
  CHECK(Judge(t, served) == EdgeOutcome::kServes);
  // As many certificates, but another intermediate (a count would not tell).
  served.chain.fingerprints = {"leaf", "other intermediate"};
  served.chain.chain_digest = "leaf+other intermediate";
  CHECK(Judge(t, served) == EdgeOutcome::kChainDiffers);
  served.chain.fingerprints = {"leaf"};
  served.chain.chain_digest = "leaf";
  CHECK(Judge(t, served) == EdgeOutcome::kChainDiffers);
  t.want_chain_digest.clear();  // a CAS certificate named by id: its chain is not known
  CHECK(Judge(t, served) == EdgeOutcome::kServes);
}

TEST_CASE(
    "verify targets: wildcards use [verify] names, else are skipped, and connect rules pick the "
    "most specific",
    "[verify]") {
  Config config;
  config.certificates["web"].info.fingerprint = "f";
  config.certificates["web"].info.chain_length = 2;
  config.certificates["web"].info.chain_digest = "with root";
  config.certificates["web"].info.chain_digest_without_root = "without";
  for (const char* d : {"www.example.com", ".example.com", "*.other.com", "x.example.org"}) {
    DesiredBinding b;
    b.address = Address{"cdn", {}, d};
    b.certificate = "web";
    config.bindings.push_back(b);
  }
  config.verify.names["*.example.com"] = "img.example.com";
  config.verify.connect = {{"*", "edge.example.net", 8443, {}},
                           {"*.example.com", "127.0.0.1", 9443, {}},
                           {"www.example.com", "127.0.0.2", 443, {}}};
  const std::vector<VerifyTarget> t = VerifyTargets(config, State{});
  REQUIRE(t.size() == 4);
  CHECK(t[0].host == "127.0.0.2");
  CHECK(t[1].server_name == "img.example.com");
  CHECK(t[1].host == "127.0.0.1");
  CHECK(t[1].port == 9443);
  CHECK(t[1].skipped.empty());
  CHECK(t[2].skipped == "a wildcard: [verify] names gives no name to check it on");
  CHECK(t[3].host == "edge.example.net");
  CHECK(t[3].want_chain == 2);
  CHECK(t[3].want_chain_digest == "with root");
  CHECK(t[3].want_chain_digest_without_root == "without");
}

TEST_CASE("expiry check: fails a certificate expiring sooner than expiry_fail_days, never at 0",
          "[verify]") {
  std::vector<ExpiryFailure> out;
  const Address a{"cdn", {}, "www.example.com"};
  CheckExpiry(a, "live", 1000 + 5 * 86400, 1000, 7, &out);
  CheckExpiry(a, "live", 1000 + 8 * 86400, 1000, 7, &out);
  CheckExpiry(a, "live", 1000 + 5 * 86400, 1000, 0, &out);
  CheckExpiry(a, "desired", 1000 - 86400, 1000, 7, &out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].days_left == 5);
  CHECK(out[1].days_left == -1);
  CHECK(out[1].what == "desired");
}

TEST_CASE(
    "emulator edge: the old certificate is served until the delay passes on the "
    "emulator's clock, or PropagateAll",
    "[verify][emulator]") {
  FakeClock clock;
  emulator::TlsEdge edge(clock);
  edge.SetPropagation({std::chrono::minutes(2), 0});
  const emulator::ServedCertificate old{true, "OLD"}, now{true, "NEW"};
  edge.Changed("www.example.com", old);
  CHECK(edge.Serve("www.example.com", now) == old);
  clock.Advance(std::chrono::minutes(1));
  CHECK(edge.Serve("www.example.com", now) == old);
  clock.Advance(std::chrono::minutes(1));
  CHECK(edge.Serve("www.example.com", now) == now);
  CHECK(edge.Pending() == 0);

  edge.Changed("img.example.com", old);
  CHECK(edge.Pending() == 1);
  edge.PropagateAll();
  CHECK(edge.Serve("img.example.com", now) == now);

  // By handshakes: the first N after the change get the old certificate.
  edge.SetPropagation({std::chrono::seconds(0), 2});
  edge.Changed("api.example.com", old);
  CHECK(edge.Serve("api.example.com", now) == old);
  CHECK(edge.Serve("api.example.com", now) == old);
  CHECK(edge.Serve("api.example.com", now) == now);
}

TEST_CASE("verify: a failed handshake where the API serves no certificate is not_serving",
          "[verify]") {
  EdgeReport report;
  for (const char* d : {"off.example.com", "broken.example.com", "served.example.com"}) {
    EdgeResult r;
    r.target = Target(d, "new");
    r.outcome = EdgeOutcome::kFailed;
    r.error = Status::Failed("handshake failure");
    report.results.push_back(r);
  }
  report.results[2].outcome = EdgeOutcome::kServes;  // still propagating the switch-off
  MarkNotServing({{"off.example.com", "HTTPS is off at the API"},
                  {"served.example.com", "HTTPS is off at the API"}},
                 &report);
  CHECK(report.results[0].outcome == EdgeOutcome::kNotServing);
  CHECK(report.results[0].error.message() == "HTTPS is off at the API (handshake failure)");
  CHECK(report.results[1].outcome == EdgeOutcome::kFailed);
  CHECK(report.results[2].outcome == EdgeOutcome::kServes);
  CHECK(report.HasMismatch());
  CHECK(report.HasFailure());  // broken.example.com
  CHECK(std::string(EdgeOutcomeName(EdgeOutcome::kNotServing)) == "not_serving");
}
