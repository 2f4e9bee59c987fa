// The OSS tests' harness: an emulator with buckets, OssCnames and OssProvider on it, a recording
// transport (every request, when it was sent, answers lost or rewritten on the way back), and
// engine::Apply of OSS changes on a fake clock. Shared by oss_cnames_test.cc (the calls),
// oss_checked_write_test.cc (PreviousCertId, the read before PutCname, lost answers) and
// oss_untrusted_test.cc (ids, buckets and regions that break the rules).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/apply/applier.h"
#include "engine/calls/paged_listing.h"
#include "providers/alicloud/oss_cnames.h"
#include "providers/alicloud/oss_provider.h"
#include "providers/alicloud/sts_credentials.h"
#include "providers/curl_transport.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"

namespace certform::testing {

struct OssHarness {
  explicit OssHarness(int write_limit = 10) : emu(Config(write_limit)) {}

  static emulator::EmulatorConfig Config(int write_limit) {
    TestCert shop = IssueCert({.cn = "shop.example.com", .sans = {"shop.example.com"}});
    emulator::EmulatorConfig c = StandardEmulatorConfig(shop.CertPem());
    c.buckets = {{"static-site", "cn-hangzhou", "u1", {"static.example.com", "files.example.com"}},
                 {"theirs", "cn-shanghai", "u2", {"x.example.com"}}};
    c.oss_write_limit = write_limit;
    c.roles.push_back({"acs:ram::1:role/oss", "u1", {"testid"}, "", "", 3600, ""});
    return c;
  }

  alicloud::OssCnames Cnames(const std::string& secret = "testsecret",
                             engine::Clock* signing_clock = nullptr) {
    return alicloud::OssCnames(transport, signing_clock ? *signing_clock : clock,
                               std::make_shared<alicloud::StaticCredentialSource>(
                                   alicloud::Credentials{"testid", secret, "", "test"}),
                               emu.Endpoint());
  }

  nlohmann::json Live() { return emu.emulator().StateJson()["oss_cnames"]; }

  EmulatorFixture emu;
  providers::CurlTransport transport{providers::CurlOptions{}};
  engine::SystemClock clock;
  TestCert ca = IssueCert({.cn = "OSS CA", .ca = true});
  TestCert site = IssueCert({.cn = "static.example.com", .sans = {"static.example.com"}}, &ca);
};

inline const alicloud::OssBucket kSite{"static-site", "cn-hangzhou"};

// Records every request (and, with a clock, when it was sent), then answers it through `inner`
// (when given) or with `answer`; `before` runs first (e.g. a change made by hand in the instant
// before the request arrives); `lose` says which answers are lost on the way back (the request
// reached the server, the client sees a dropped connection); `rewrite` edits each answer's body.
class RecordingTransport final : public providers::HttpTransport {
 public:
  explicit RecordingTransport(providers::HttpTransport* inner = nullptr,
                              engine::Clock* clock = nullptr)
      : inner_(inner), clock_(clock) {}
  engine::Status Send(const providers::HttpRequest& request,
                      providers::HttpResponse* response) override {
    requests.push_back(request);
    if (clock_ != nullptr) sent_at.push_back(clock_->Monotonic());
    if (before) before(request);
    engine::Status s = engine::Status::OK();
    if (inner_ != nullptr) {
      s = inner_->Send(request, response);
    } else {
      *response = answer;
    }
    if (s.ok() && rewrite) rewrite(&response->body);
    if (s.ok() && lose && lose(request)) {
      *response = providers::HttpResponse();
      return engine::Status::Unavailable("connection reset before the answer arrived");
    }
    return s;
  }

  std::vector<providers::HttpRequest> requests;
  std::vector<engine::Clock::Instant> sent_at;
  std::function<void(const providers::HttpRequest&)> before;
  std::function<bool(const providers::HttpRequest&)> lose;
  std::function<void(std::string* body)> rewrite;  // edits each answer (a hostile server)
  providers::HttpResponse answer;

 private:
  providers::HttpTransport* inner_;
  engine::Clock* clock_;
};

inline std::string HostOf(const providers::HttpRequest& request) {
  for (const auto& [name, value] : request.headers) {
    if (name == "Host") return value;
  }
  return "";
}

// An OssProvider for testid on the emulator, sending through `transport`; `write_rate`: the
// account's rate_limit for PutCname (0: 10/s).
inline alicloud::OssProvider Provider(OssHarness& h, providers::HttpTransport& transport,
                                      double write_rate = 0) {
  return alicloud::OssProvider(std::make_unique<alicloud::OssCnames>(
                                   transport, h.clock,
                                   std::make_shared<alicloud::StaticCredentialSource>(
                                       alicloud::Credentials{"testid", "testsecret", "", "test"}),
                                   h.emu.Endpoint()),
                               "cn-hangzhou", write_rate);
}

// engine::Apply of OSS changes on static-site through one OssProvider, as `certform apply` makes
// them: paced in the registry's lanes on a fake clock (no real sleeps), retried, recorded in
// memory.
struct OssApply {
  class Material final : public engine::CertificateMaterial {
   public:
    engine::Status Load(const engine::StateEntry&, engine::BindingRequest*) override {
      return engine::Status::OK();  // bound by CAS id: no key
    }
  };
  class Recorder final : public engine::ApplyRecorder {
   public:
    engine::Status Record(const engine::JournalRecord&, const engine::State&) override {
      return engine::Status::OK();
    }
  };
  class Retries final : public engine::ApplyObserver {
   public:
    void OnRetry(const std::string& domain, int, engine::Clock::Duration,
                 const std::string&) override {
      std::lock_guard<std::mutex> lock(mu);
      retried.push_back(domain);
    }
    std::mutex mu;
    std::vector<std::string> retried;
  };

  // A rotation of static.example.com (or `domain`) from the CAS id certform saw there to `to`.
  static engine::Change Rotation(int64_t from, int64_t to,
                                 const std::string& domain = "static.example.com") {
    engine::Change c;
    c.address = engine::SplitAddress("oss:cn-hangzhou/static-site/" + domain);
    c.account = "main";
    c.action = engine::Action::kUpdate;
    c.before = engine::StateEntry{.account = "main",
                                  .https = true,
                                  .certificate = "web",
                                  .cert_type = "cas",
                                  .cert_id = from};
    c.after = engine::StateEntry{
        .account = "main", .https = true, .certificate = "web", .cert_type = "cas", .cert_id = to};
    return c;
  }

  // static.example.com switched off (on_removal = "disable"), where certform's state says it
  // had `from` bound (0: HTTPS off, no certificate seen).
  static engine::Change Disable(int64_t from) {
    engine::Change c = Rotation(from, 0);
    c.action = engine::Action::kDelete;
    c.before->https = from != 0;
    c.after.reset();
    return c;
  }

  engine::ApplyResult Run(engine::Provider& provider, std::vector<engine::Change> changes) {
    engine::Plan plan;
    plan.changes = std::move(changes);
    engine::AccountRuntime main;
    main.user = "u1";
    main.products = {{"oss", &provider}};
    engine::ApplyOptions options;
    options.parallelism = 1;
    engine::ApplyEnv env{clock, random, material, recorder, retries, stop, {}, &pacing};
    return engine::Apply(plan, {}, {{"main", main}}, env, options);
  }

  FakeClock clock;
  SeededRandom random;
  Material material;
  Recorder recorder;
  Retries retries;
  std::atomic<bool> stop{false};
  engine::PacingRegistry pacing{engine::PacingOptions{{}, /*parallelism=*/1}};  // one at a time
};

inline double Seconds(engine::Clock::Duration d) {
  return std::chrono::duration<double>(d).count();
}

// A second CAS certificate of u1 for static.example.com; returns its id.
inline int64_t AddCasCertificate(OssHarness& h, const std::string& name) {
  TestCert cert = IssueCert({.cn = "static.example.com", .sans = {"static.example.com"}}, &h.ca);
  return h.emu.emulator().PutCasCertificate({name, 0, "u1", cert.CertPem(), false});
}

// An OssProvider whose requests go to `transport` alone (OSS's own hosts, never reached).
inline alicloud::OssProvider Offline(providers::HttpTransport& transport, engine::Clock& clock) {
  return alicloud::OssProvider(std::make_unique<alicloud::OssCnames>(
      transport, clock,
      std::make_shared<alicloud::StaticCredentialSource>(
          alicloud::Credentials{"testid", "testsecret", "", "test"})));
}

inline engine::BindingRequest ByCasId(int64_t id, int64_t previous = 0) {
  return {.address = {"oss", {"cn-hangzhou", "static-site"}, "static.example.com"},
          .cert_type = "cas",
          .cert_id = id,
          .cert_region = "cn-hangzhou",
          .previous_cert_id = previous};
}

inline int Calls(OssHarness& h, const char* action) {
  nlohmann::json calls = h.emu.emulator().CountersJson()["calls"];
  return calls.contains(action) ? calls[action].value("u1", 0) : 0;
}

}  // namespace certform::testing
