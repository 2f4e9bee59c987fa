// OSS custom domains' certificates against the emulator: PutCname and ListCname with OSS
// signature V1, XML both ways, the domain-ownership and bucket errors, STS tokens, limits; a
// disabled certificate read as HTTPS off; PreviousCertId instead of Force where certform saw a
// certificate, checked against a read the engine makes first, in ListCname's own lane (through
// engine::Apply: one API call per paced call, a lost answer read again); and no request at all to
// a host built from a bucket or region that breaks the rules (a recording transport proves it).
#include "providers/alicloud/oss_cnames.h"

#include <atomic>
#include <functional>

#include "engine/apply/applier.h"
#include "engine/calls/paged_listing.h"

#include "providers/alicloud/oss_provider.h"
#include "providers/alicloud/sts_credentials.h"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "providers/curl_transport.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"

using namespace certform;
using namespace certform::testing;

namespace {

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

const alicloud::OssBucket kSite{"static-site", "cn-hangzhou"};

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

std::string HostOf(const providers::HttpRequest& request) {
  for (const auto& [name, value] : request.headers) {
    if (name == "Host") return value;
  }
  return "";
}

// An OssProvider for testid on the emulator, sending through `transport`; `write_rate`: the
// account's rate_limit for PutCname (0: 10/s).
alicloud::OssProvider Provider(OssHarness& h, providers::HttpTransport& transport,
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

double Seconds(engine::Clock::Duration d) { return std::chrono::duration<double>(d).count(); }

// A second CAS certificate of u1 for static.example.com; returns its id.
int64_t AddCasCertificate(OssHarness& h, const std::string& name) {
  TestCert cert = IssueCert({.cn = "static.example.com", .sans = {"static.example.com"}}, &h.ca);
  return h.emu.emulator().PutCasCertificate({name, 0, "u1", cert.CertPem(), false});
}

// An OssProvider whose requests go to `transport` alone (OSS's own hosts, never reached).
alicloud::OssProvider Offline(providers::HttpTransport& transport, engine::Clock& clock) {
  return alicloud::OssProvider(std::make_unique<alicloud::OssCnames>(
      transport, clock,
      std::make_shared<alicloud::StaticCredentialSource>(
          alicloud::Credentials{"testid", "testsecret", "", "test"})));
}

engine::BindingRequest ByCasId(int64_t id, int64_t previous = 0) {
  return {.address = {"oss", {"cn-hangzhou", "static-site"}, "static.example.com"},
          .cert_type = "cas",
          .cert_id = id,
          .cert_region = "cn-hangzhou",
          .previous_cert_id = previous};
}

int Calls(OssHarness& h, const char* action) {
  nlohmann::json calls = h.emu.emulator().CountersJson()["calls"];
  return calls.contains(action) ? calls[action].value("u1", 0) : 0;
}

}  // namespace

TEST_CASE("oss: a certificate by content, then by CAS id, then deleted, ListCname reads each",
          "[oss][provider][emulator]") {
  OssHarness h;
  alicloud::OssCnames oss = h.Cnames();
  engine::CallResult result;
  engine::LiveBinding live;
  REQUIRE(oss.Read(kSite, "static.example.com", &live, &result).ok());
  CHECK(live.exists);  // attached and verified, no certificate yet
  CHECK_FALSE(live.https);
  REQUIRE(oss.Read(kSite, "unattached.example.com", &live, &result).ok());
  CHECK_FALSE(live.exists);
  engine::BindingRequest upload{
      .address = {"oss", {"cn-hangzhou", "static-site"}, "static.example.com"},
      .cert_type = "upload",
      .cert_pem = h.site.CertPem(),
      .key_pem = h.site.KeyPem()};
  engine::Status s = oss.Put(kSite, upload, &result);
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(result.request_id.size() == 36);  // x-oss-request-id
  CHECK(h.Live()["static.example.com"]["fingerprint"] == h.site.Fingerprint());
  CHECK(h.emu.emulator().CountersJson()["keys_received"] == 1);
  CHECK(h.emu.emulator().StateJson().dump().find("PRIVATE KEY") == std::string::npos);
  REQUIRE(oss.Read(kSite, "static.example.com", &live, &result).ok());
  CHECK(live.exists);
  CHECK(live.https);
  CHECK(live.cert_type == "cas");
  CHECK(live.cert_id == h.Live()["static.example.com"]["cert_id"].get<int64_t>());
  // ValidEndDate (an HTTP date) is the served certificate's expiry, 90 days out.
  const int64_t in_90_days = engine::ToUnixSeconds(std::chrono::system_clock::now()) + 90 * 86400;
  CHECK(live.not_after > in_90_days - 300);
  CHECK(live.not_after < in_90_days + 300);

  engine::BindingRequest cas{
      .address = {"oss", {"cn-hangzhou", "static-site"}, "static.example.com"},
      .cert_type = "cas",
      .cert_id = 8089870,
      .cert_region = "cn-hangzhou"};
  REQUIRE(oss.Put(kSite, cas, &result).ok());
  REQUIRE(oss.Read(kSite, "static.example.com", &live, &result).ok());
  CHECK(live.cert_id == 8089870);
  REQUIRE(oss.Put(kSite,
                  {.address = {"oss", {"cn-hangzhou", "static-site"}, "static.example.com"},
                   .https = false},
                  &result)
              .ok());
  REQUIRE(oss.Read(kSite, "static.example.com", &live, &result).ok());
  CHECK(live.exists);
  CHECK_FALSE(live.https);
  nlohmann::json calls = h.emu.emulator().CountersJson()["calls"];
  CHECK(calls["PutCname"]["u1"] == 3);
  CHECK(calls["ListCname"]["u1"] == 5);
}

TEST_CASE("oss: ListBuckets pages through the user's buckets of every region",
          "[oss][provider][emulator]") {
  emulator::EmulatorConfig c = OssHarness::Config(10);
  for (int i = 0; i < 1005; ++i)
    c.buckets.push_back({fmt::format("b{:04}", i), "cn-beijing", "u1", {}});
  OssHarness h;
  EmulatorFixture emu(c);
  alicloud::OssCnames oss(h.transport, h.clock,
                          std::make_shared<alicloud::StaticCredentialSource>(
                              alicloud::Credentials{"testid", "testsecret", "", "test"}),
                          emu.Endpoint());
  engine::CallResult result;
  std::vector<alicloud::OssBucket> page;
  std::string next;
  REQUIRE(oss.ListBuckets("cn-hangzhou", "", &page, &next, &result).ok());
  CHECK(page.size() == 1000);  // at most 1000 a page
  CHECK(page.front().name == "b0000");
  CHECK(page.front().region == "cn-beijing");
  CHECK(next == "b0999");
  REQUIRE(oss.ListBuckets("cn-hangzhou", next, &page, &next, &result).ok());
  REQUIRE(page.size() == 6);  // b1000..b1004 and static-site; not u2's bucket
  CHECK(page.back().name == "static-site");
  CHECK(page.back().region == "cn-hangzhou");
  CHECK(next.empty());
  std::vector<alicloud::OssCname> cnames;
  REQUIRE(oss.List(page.back(), &cnames, &result).ok());
  CHECK(cnames.size() == 2);  // the verified (attached) domains
}

TEST_CASE("oss: ownership, wildcard, bucket and certificate errors concern one binding",
          "[oss][provider][emulator]") {
  OssHarness h;
  alicloud::OssCnames oss = h.Cnames();
  engine::CallResult result;
  engine::BindingRequest r{
      .address = {"oss", {"cn-hangzhou", "static-site"}, "unverified.example.com"},
      .cert_type = "cas",
      .cert_id = 8089870};
  engine::Status s = oss.Put(kSite, r, &result);
  CHECK(result.error_code == "NeedVerifyDomainOwnership");
  CHECK(result.http_status == 409);
  CHECK_FALSE(s.IsAccountWide());
  CHECK(s.message().find("verify it with its CNAME token first") != std::string::npos);
  r.address = {"oss", {"cn-hangzhou", "static-site"}, ".example.com"};
  CHECK_FALSE(oss.Put(kSite, r, &result).ok());
  CHECK(result.error_code == "InvalidArgument");
  r.address = {"oss", {"cn-hangzhou", "static-site"}, "x.example.com"};
  s = oss.Put({"theirs", "cn-shanghai"}, r, &result);
  CHECK(result.error_code == "AccessDenied");
  CHECK_FALSE(s.IsAccountWide());  // one bucket's policy, not the account's key
  s = oss.Put({"static-site", "cn-beijing"}, r, &result);  // the wrong region
  CHECK(result.error_code == "AccessDenied");
  CHECK(result.http_status == 403);
  CHECK_FALSE(s.IsNotFound());  // never read as "no such bucket" (a refresh would forget it)
  CHECK(s.message().find("the bucket's endpoint is oss-cn-hangzhou.aliyuncs.com: check the "
                         "binding's region") != std::string::npos);
  s = oss.Put({"no-such-bucket", "cn-hangzhou"}, r, &result);
  CHECK(s.IsNotFound());
  CHECK(result.error_code == "NoSuchBucket");
  r.address = {"oss", {"cn-hangzhou", "static-site"}, "files.example.com"};
  r.cert_id = 42;
  s = oss.Put(kSite, r, &result);
  CHECK(s.IsNotFound());
  CHECK(result.error_code == "NoSuchCertificate");
  engine::BindingRequest bad{
      .address = {"oss", {"cn-hangzhou", "static-site"}, "files.example.com"},
      .cert_type = "upload",
      .cert_pem = h.site.CertPem(),
      .key_pem = h.ca.KeyPem()};  // not the certificate's key
  s = oss.Put(kSite, bad, &result);
  CHECK(result.error_code == "InvalidArgument");
  CHECK(s.message().find("PRIVATE KEY") == std::string::npos);
}

TEST_CASE("oss: a wrong secret, a stale clock and an expired STS token stop the account",
          "[oss][provider][emulator]") {
  OssHarness h;
  engine::CallResult result;
  engine::LiveBinding live;
  alicloud::OssCnames wrong = h.Cnames("not-the-secret");
  engine::Status s = wrong.Read(kSite, "static.example.com", &live, &result);
  CHECK(s.IsAccountWide());
  CHECK(result.error_code == "SignatureDoesNotMatch");
  CHECK(s.message().find("not-the-secret") == std::string::npos);
  FakeClock stale(std::chrono::system_clock::now() - std::chrono::minutes(20));
  alicloud::OssCnames late = h.Cnames("testsecret", &stale);
  s = late.Read(kSite, "static.example.com", &live, &result);
  CHECK(s.IsAccountWide());
  CHECK(result.error_code == "RequestTimeTooSkewed");
  alicloud::OssCnames missing_token(
      h.transport, h.clock,
      std::make_shared<alicloud::StaticCredentialSource>(
          alicloud::Credentials{"STS.nope", "x", "CAIS-token", "test"}),
      h.emu.Endpoint());
  s = missing_token.Read(kSite, "static.example.com", &live, &result);
  CHECK(s.IsAccountWide());
  CHECK(result.error_code == "InvalidAccessKeyId");
  CHECK(s.message().find("CAIS-token") == std::string::npos);
  // An assumed role's credentials sign with x-oss-security-token, and are accepted.
  SeededRandom random{9};
  engine::PosixFileSystem fs;
  alicloud::CredentialSpec role;
  role.kind = alicloud::CredentialKind::kRamRoleArn;
  role.access_key = {"testid", "testsecret", "", "test"};
  role.role_arn = "acs:ram::1:role/oss";
  alicloud::StsSetup setup{&h.transport, &h.clock, &random, &fs, h.emu.Endpoint(), ""};
  alicloud::OssCnames sts(h.transport, h.clock, alicloud::MakeCredentialSource(role, setup),
                          h.emu.Endpoint());
  s = sts.Read(kSite, "static.example.com", &live, &result);
  INFO(s.ToString());
  CHECK(s.ok());
  CHECK(h.emu.emulator().CountersJson()["calls"]["ListCname"]["u1"] == 1);
}

TEST_CASE("oss: beyond the limit OSS answers SlowDown, which is throttling",
          "[oss][provider][emulator]") {
  OssHarness h(2);
  alicloud::OssCnames oss = h.Cnames();
  engine::CallResult result;
  engine::BindingRequest off{
      .address = {"oss", {"cn-hangzhou", "static-site"}, "static.example.com"}, .https = false};
  CHECK(oss.Put(kSite, off, &result).ok());
  CHECK(oss.Put(kSite, off, &result).ok());
  engine::Status s = oss.Put(kSite, off, &result);
  CHECK(s.IsThrottled());
  CHECK(result.error_code == "SlowDown");
  CHECK(h.emu.emulator().CountersJson()["peak_per_second"]["u1/oss-write"] == 3);
}

TEST_CASE("oss: a certificate disabled behind certform's back reads as HTTPS off",
          "[oss][provider][emulator]") {
  OssHarness h;
  alicloud::OssCnames oss = h.Cnames();
  engine::CallResult result;
  REQUIRE(oss.Put(kSite,
                  {.address = {"oss", {"cn-hangzhou", "static-site"}, "static.example.com"},
                   .cert_type = "cas",
                   .cert_id = 8089870,
                   .cert_region = "cn-hangzhou"},
                  &result)
              .ok());
  alicloud::OssCname cname;
  REQUIRE(oss.ReadCname(kSite, "static.example.com", &cname, &result).ok());
  CHECK(cname.live.https);
  CHECK(cname.cert_status == "Enabled");
  CHECK(cname.cert_id == "8089870-cn-hangzhou");
  std::string error;
  REQUIRE(h.emu.emulator().SetCnameCertificateStatus("static.example.com", "Disabled", &error));
  REQUIRE(oss.ReadCname(kSite, "static.example.com", &cname, &result).ok());
  CHECK(cname.live.exists);
  CHECK_FALSE(cname.live.https);  // ListCname's Certificate/Status "Disabled": nothing is served
  // Still attached: the id stays, with HTTPS off, so that prune keeps the certificate.
  CHECK(cname.live.cert_id == 8089870);
  CHECK(cname.cert_status == "Disabled");
  CHECK(cname.cert_id == "8089870-cn-hangzhou");  // still the domain's certificate for OSS
  engine::LiveBinding live;
  REQUIRE(oss.Read(kSite, "static.example.com", &live, &result).ok());
  CHECK_FALSE(live.https);
  // The admin refuses what it cannot do.
  CHECK_FALSE(h.emu.emulator().SetCnameCertificateStatus("files.example.com", "Disabled", &error));
  CHECK(error.find("has no certificate") != std::string::npos);
  CHECK_FALSE(h.emu.emulator().SetCnameCertificateStatus("static.example.com", "Off", &error));
}

TEST_CASE("oss: PreviousCertId instead of Force where certform saw a certificate",
          "[oss][provider][emulator]") {
  // The bodies: Force only without a previous CertId.
  const engine::BindingRequest cas{
      .address = {"oss", {"cn-hangzhou", "static-site"}, "static.example.com"},
      .cert_type = "cas",
      .cert_id = 42,
      .cert_region = "cn-shanghai"};
  const std::string guarded = alicloud::OssCnames::PutBody(cas, "41-cn-hangzhou");
  CHECK(guarded.find("<CertId>42-cn-shanghai</CertId>") != std::string::npos);
  CHECK(guarded.find("<PreviousCertId>41-cn-hangzhou</PreviousCertId>") != std::string::npos);
  CHECK(guarded.find("Force") == std::string::npos);
  CHECK(alicloud::OssCnames::PutBody(cas).find("<Force>true</Force>") != std::string::npos);
  const std::string off = alicloud::OssCnames::PutBody(
      {.address = {"oss", {"cn-hangzhou", "static-site"}, "static.example.com"}, .https = false},
      "41-cn-x");
  CHECK(off.find("<DeleteCertificate>true</DeleteCertificate>") != std::string::npos);
  CHECK(off.find("<PreviousCertId>41-cn-x</PreviousCertId>") != std::string::npos);
  CHECK(off.find("Force") == std::string::npos);

  OssHarness h;
  const int64_t second = AddCasCertificate(h, "second");
  const int64_t by_hand = AddCasCertificate(h, "by-hand");
  RecordingTransport recording(&h.transport);
  alicloud::OssProvider provider = Provider(h, recording);
  engine::CallResult result;

  // A first bind (certform saw no certificate there): Force, as the approved plan says "bind".
  engine::Status s = provider.SetBinding(ByCasId(8089870), &result);
  INFO(s.ToString());
  REQUIRE(s.ok());
  REQUIRE(recording.requests.size() == 1);  // no read first
  CHECK(recording.requests.back().body.find("<Force>true</Force>") != std::string::npos);
  CHECK(h.Live()["static.example.com"]["cert_id"] == 8089870);

  // A rotation with the right previous id, through the engine: read, then PutCname with the
  // CertId as listed.
  engine::ApplyResult applied = OssApply().Run(provider, {OssApply::Rotation(8089870, second)});
  REQUIRE(applied.outcomes.size() == 1);
  INFO(applied.outcomes[0].error);
  REQUIRE(applied.outcomes[0].ok);
  REQUIRE(recording.requests.size() == 3);
  CHECK(recording.requests[1].method == "GET");  // ListCname
  CHECK(recording.requests[2].body.find("<PreviousCertId>8089870-cn-hangzhou</PreviousCertId>") !=
        std::string::npos);
  CHECK(recording.requests[2].body.find("Force") == std::string::npos);
  CHECK(h.Live()["static.example.com"]["cert_id"] == second);

  // Changed by hand since the plan (certform last saw `second`): refused before any PutCname,
  // the live binding unchanged, and the error says what it is now and what to do.
  alicloud::OssCnames hand = h.Cnames();
  REQUIRE(hand.Put(kSite, ByCasId(by_hand), &result).ok());
  const int puts = Calls(h, "PutCname");
  applied = OssApply().Run(provider, {OssApply::Rotation(second, 8089870)});
  REQUIRE(applied.outcomes.size() == 1);
  const std::string& refused = applied.outcomes[0].error;
  CHECK_FALSE(applied.outcomes[0].ok);
  CHECK(applied.outcomes[0].attempts == 0);  // decided from the read: no PutCname sent
  CHECK(refused.find("changed since the plan") != std::string::npos);
  CHECK(refused.find(fmt::format("certform last saw CertId {}", second)) != std::string::npos);
  CHECK(refused.find(fmt::format("now it has CertId {}", by_hand)) != std::string::npos);
  CHECK(refused.find("certform refresh") != std::string::npos);
  CHECK(Calls(h, "PutCname") == puts);
  CHECK(h.Live()["static.example.com"]["cert_id"] == by_hand);
  CHECK(applied.state.entries.empty());
  // Switching HTTPS off over the hand-made change is refused too, not forced.
  applied = OssApply().Run(provider, {OssApply::Disable(second)});
  REQUIRE(applied.outcomes.size() == 1);
  CHECK_FALSE(applied.outcomes[0].ok);
  CHECK(applied.outcomes[0].error.find("changed since the plan") != std::string::npos);
  CHECK(applied.outcomes[0].error.find("did not delete it") != std::string::npos);
  // And so is switching it off where certform's state saw no certificate at all: it removes only
  // a certificate it saw, and never forces a delete (review finding R7).
  applied = OssApply().Run(provider, {OssApply::Disable(0)});
  REQUIRE(applied.outcomes.size() == 1);
  CHECK_FALSE(applied.outcomes[0].ok);
  CHECK(applied.outcomes[0].error.find("certform never saw there") != std::string::npos);
  CHECK(applied.outcomes[0].error.find(fmt::format("it has CertId {}", by_hand)) !=
        std::string::npos);
  CHECK(Calls(h, "PutCname") == puts);
  CHECK(h.Live()["static.example.com"]["https"] == true);
  CHECK(h.Live()["static.example.com"]["cert_id"] == by_hand);
}

TEST_CASE("oss: a change in the instant between the read and PutCname is refused by OSS",
          "[oss][provider][emulator]") {
  OssHarness h;
  const int64_t second = AddCasCertificate(h, "second");
  const int64_t by_hand = AddCasCertificate(h, "by-hand");
  alicloud::OssCnames hand = h.Cnames();
  engine::CallResult result;
  REQUIRE(hand.Put(kSite, ByCasId(8089870), &result).ok());
  RecordingTransport racing(&h.transport);
  bool raced = false;
  racing.before = [&](const providers::HttpRequest& request) {
    if (request.method != "POST" || raced) return;
    raced = true;  // someone binds another certificate just before certform's PutCname arrives
    engine::CallResult hand_result;
    REQUIRE(hand.Put(kSite, ByCasId(by_hand), &hand_result).ok());
  };
  alicloud::OssProvider provider = Provider(h, racing);
  // Through the engine: ListCname, PutCname (refused by OSS), ListCname once more (the engine's
  // second read), and no second PutCname: the provider answers from that read.
  OssApply apply;
  engine::ApplyResult applied = apply.Run(provider, {OssApply::Rotation(8089870, second)});
  CHECK(raced);
  REQUIRE(applied.outcomes.size() == 1);
  const engine::ChangeOutcome& o = applied.outcomes[0];
  CHECK_FALSE(o.ok);
  REQUIRE(racing.requests.size() == 3);
  CHECK(racing.requests[0].method == "GET");
  CHECK(racing.requests[1].method == "POST");
  CHECK(racing.requests[2].method == "GET");
  // OSS's refusal (EC 0018-00000209) is kept in the result; the message is certform's.
  CHECK(o.last.http_status == 400);
  CHECK(o.last.error_code == "InvalidArgument");
  CHECK(o.error.find("changed since the plan") != std::string::npos);
  CHECK(o.error.find(fmt::format("now it has CertId {}", by_hand)) != std::string::npos);
  CHECK(o.last.error_message == o.error);
  CHECK(h.Live()["static.example.com"]["cert_id"] == by_hand);  // not overwritten
  CHECK(applied.state.entries.empty());                         // nothing recorded
  CHECK(apply.retries.retried.empty());                         // a refusal is not retried

  // OssCnames alone: the refusal's words come from the EC.
  engine::Status s =
      h.Cnames().Put(kSite,
                     {.address = {"oss", {"cn-hangzhou", "static-site"}, "static.example.com"},
                      .cert_type = "cas",
                      .cert_id = second,
                      .cert_region = "cn-hangzhou"},
                     &result, "8089870-cn-hangzhou");
  CHECK(s.message().find("changed since the plan") != std::string::npos);
  CHECK(h.Live()["static.example.com"]["cert_id"] == by_hand);
}

TEST_CASE("oss: the engine reads before PutCname in ListCname's own lane, one call each",
          "[oss][provider][emulator][limiter]") {
  OssHarness h;
  const int64_t second = AddCasCertificate(h, "second");
  // Both domains have 8089870, as certform last saw.
  alicloud::OssCnames setup = h.Cnames();
  engine::CallResult result;
  for (const char* domain : {"static.example.com", "files.example.com"}) {
    REQUIRE(setup
                .Put(kSite,
                     {.address = {"oss", {"cn-hangzhou", "static-site"}, domain},
                      .cert_type = "cas",
                      .cert_id = 8089870,
                      .cert_region = "cn-hangzhou"},
                     &result)
                .ok());
  }
  const int lists = Calls(h, "ListCname");
  OssApply apply;
  RecordingTransport recording(&h.transport, &apply.clock);
  // The account's rate_limit slows PutCname to 1/s; ListCname keeps its own 10/s.
  alicloud::OssProvider provider = Provider(h, recording, /*write_rate=*/1);
  CHECK(provider.Limit(engine::CallKind::kReadBinding).api == "ListCname");
  CHECK(provider.Limit(engine::CallKind::kReadBinding).rate == 10);
  CHECK(provider.Limit(engine::CallKind::kSetBinding).rate == 1);
  engine::ApplyResult applied =
      apply.Run(provider, {OssApply::Rotation(8089870, second),
                           OssApply::Rotation(8089870, second, "files.example.com")});
  CHECK(applied.summary.applied == 2);
  CHECK(h.Live()["static.example.com"]["cert_id"] == second);
  CHECK(h.Live()["files.example.com"]["cert_id"] == second);
  // Each change is two calls, a ListCname then a PutCname with the CertId as listed.
  REQUIRE(recording.requests.size() == 4);
  for (size_t i = 0; i < 4; i += 2) {
    CHECK(recording.requests[i].method == "GET");
    CHECK(recording.requests[i].url.ends_with("/?cname"));
    CHECK(recording.requests[i + 1].method == "POST");
    CHECK(recording.requests[i + 1].body.find(
              "<PreviousCertId>8089870-cn-hangzhou</PreviousCertId>") != std::string::npos);
  }
  CHECK(Calls(h, "ListCname") == lists + 2);
  // Separate lanes: the second read waited only for ListCname's 10/s, not for the 1/s write slot
  // (the old single slot read at PutCname's pace); the second write waited for its own second.
  const std::vector<engine::Clock::Instant>& at = recording.sent_at;
  CHECK(Seconds(at[2] - at[0]) == Approx(1.025 / 10).epsilon(1e-3));
  CHECK(Seconds(at[3] - at[1]) >= 1.0);
  CHECK(Seconds(at[3] - at[2]) > 0.5);
}

TEST_CASE("oss: a lost ListCname answer is read again before PutCname is sent",
          "[oss][provider][emulator]") {
  OssHarness h;
  const int64_t second = AddCasCertificate(h, "second");
  engine::CallResult result;
  REQUIRE(h.Cnames().Put(kSite, ByCasId(8089870), &result).ok());
  OssApply apply;
  RecordingTransport recording(&h.transport, &apply.clock);
  int gets = 0;
  recording.lose = [&](const providers::HttpRequest& r) {
    return r.method == "GET" && ++gets == 1;
  };
  alicloud::OssProvider provider = Provider(h, recording);
  engine::ApplyResult applied = apply.Run(provider, {OssApply::Rotation(8089870, second)});
  REQUIRE(applied.outcomes.size() == 1);
  INFO(applied.outcomes[0].error);
  CHECK(applied.outcomes[0].ok);
  // The read is retried in its own lane (its answer was lost), then the one PutCname.
  REQUIRE(recording.requests.size() == 3);
  CHECK(recording.requests[0].method == "GET");
  CHECK(recording.requests[1].method == "GET");
  CHECK(recording.requests[2].method == "POST");
  CHECK(Calls(h, "PutCname") == 2);  // the setup's and this one
  CHECK(apply.retries.retried.size() == 1);
  CHECK(applied.outcomes[0].attempts == 1);  // one write
  CHECK(h.Live()["static.example.com"]["cert_id"] == second);
  CHECK(applied.state.entries.at("oss:cn-hangzhou/static-site/static.example.com").cert_id ==
        second);
}

TEST_CASE("oss: a PutCname whose answer was lost is read again, found done and not sent again",
          "[oss][provider][emulator]") {
  OssHarness h;
  const int64_t second = AddCasCertificate(h, "second");
  engine::CallResult result;
  REQUIRE(h.Cnames().Put(kSite, ByCasId(8089870), &result).ok());
  OssApply apply;
  RecordingTransport recording(&h.transport, &apply.clock);
  // The PutCname is carried out, its answer lost on the way back.
  int posts = 0;
  recording.lose = [&](const providers::HttpRequest& r) {
    return r.method == "POST" && ++posts == 1;
  };
  alicloud::OssProvider provider = Provider(h, recording);
  engine::ApplyResult applied = apply.Run(provider, {OssApply::Rotation(8089870, second)});
  REQUIRE(applied.outcomes.size() == 1);
  INFO(applied.outcomes[0].error);
  CHECK(applied.outcomes[0].ok);
  // ListCname, PutCname (lost), ListCname again before the retry: it already has `second`, so
  // the retry sends nothing (a PutCname with PreviousCertId 8089870 would now be refused).
  REQUIRE(recording.requests.size() == 3);
  CHECK(recording.requests[0].method == "GET");
  CHECK(recording.requests[1].method == "POST");
  CHECK(recording.requests[2].method == "GET");
  CHECK(Calls(h, "PutCname") == 2);
  CHECK(applied.outcomes[0].attempts == 1);  // one PutCname sent; the retry decided from the read
  CHECK_FALSE(applied.outcomes[0].last.request_id.empty());  // the read's, which said so
  CHECK(h.Live()["static.example.com"]["cert_id"] == second);
}

TEST_CASE("oss: a PutCname that needs a read is refused unsent without one",
          "[oss][provider][emulator]") {
  OssHarness h;
  RecordingTransport recording(&h.transport);
  alicloud::OssProvider provider = Provider(h, recording);
  engine::CallResult result;
  engine::Status s = provider.SetBinding(ByCasId(42, 8089870), &result);
  CHECK(s.code() == engine::Status::Code::kInvalidArgument);
  CHECK(s.message().find("nothing was sent") != std::string::npos);
  s = provider.SetBinding(
      {.address = {"oss", {"cn-hangzhou", "static-site"}, "static.example.com"}, .https = false},
      &result);
  CHECK(s.code() == engine::Status::Code::kInvalidArgument);
  CHECK(recording.requests.empty());
  // The rules say when, as data the engine evaluates without knowing the product.
  const engine::ReadFirst& read_first = alicloud::OssProvider::Rules().DefaultWrite().read_first;
  CHECK(read_first.Needed(/*https=*/false, 0));
  CHECK(read_first.Needed(/*https=*/true, 8089870));
  CHECK_FALSE(read_first.Needed(/*https=*/true, 0));
}

TEST_CASE("oss: Decide answers from the read alone, and SetBinding never sends what it would not",
          "[oss][provider]") {
  RecordingTransport recording;
  engine::SystemClock clock;
  alicloud::OssProvider provider = Offline(recording, clock);
  engine::LiveBinding now{.exists = true,
                          .https = true,
                          .cert_type = "cas",
                          .cert_id = 7,
                          .cert_ref = "7-cn-hangzhou",
                          .cert_status = "Enabled"};
  engine::BindingRequest rotate = ByCasId(8, 7);
  // The certificate certform saw is there: send, with it as PreviousCertId.
  CHECK(provider.Decide(rotate, now).send);
  // Already the one asked for (a retry after a lost answer): done, nothing sent.
  engine::WriteDecision d = provider.Decide(ByCasId(7, 7), now);
  CHECK_FALSE(d.send);
  CHECK(d.answer.ok());
  // The same id in another CAS region is another certificate: not "already bound".
  engine::BindingRequest elsewhere = ByCasId(7, 7);
  elsewhere.cert_region = "cn-shanghai";
  CHECK(provider.Decide(elsewhere, now).send);
  // Another certificate than the one certform saw: refused, naming it.
  d = provider.Decide(ByCasId(8, 6), now);
  CHECK_FALSE(d.send);
  CHECK(d.answer.code() == engine::Status::Code::kFailed);
  CHECK(d.answer.message().find("now it has CertId 7") != std::string::npos);
  // HTTPS off: nothing attached is NotFound, no certificate is done, one never seen is refused.
  engine::BindingRequest off = ByCasId(0);
  off.https = false;
  CHECK(provider.Decide(off, engine::LiveBinding{}).answer.IsNotFound());
  engine::LiveBinding bare{.exists = true};
  d = provider.Decide(off, bare);
  CHECK_FALSE(d.send);
  CHECK(d.answer.ok());
  d = provider.Decide(off, now);
  CHECK_FALSE(d.send);
  CHECK(d.answer.message().find("certform never saw there") != std::string::npos);
  off.previous_cert_id = 7;
  CHECK(provider.Decide(off, now).send);
  // Attached but disabled (not served): HTTPS is already off, whoever attached it, and it is
  // left as it is; with the one certform saw, a bind sends, to enable it again.
  engine::LiveBinding disabled = now;
  disabled.https = false;
  disabled.cert_status = "Disabled";
  off.previous_cert_id = 0;
  d = provider.Decide(off, disabled);
  CHECK_FALSE(d.send);
  CHECK(d.answer.ok());
  CHECK(provider.Decide(ByCasId(7, 7), disabled).send);
  // The same number in another region names the region in the refusal.
  engine::LiveBinding shanghai = now;
  shanghai.cert_ref = "7-cn-shanghai";
  CHECK(provider.Decide(ByCasId(7, 6), shanghai).answer.message().find("CertId 7-cn-shanghai") !=
        std::string::npos);
  // SetBinding given a read that decides the write refuses it unsent.
  engine::BindingRequest done = ByCasId(7, 7);
  done.live_now = &now;
  engine::CallResult result;
  engine::Status s = provider.SetBinding(done, &result);
  CHECK(s.code() == engine::Status::Code::kInvalidArgument);
  CHECK(s.message().find("nothing was sent") != std::string::npos);
  CHECK(recording.requests.empty());
}

TEST_CASE("oss: a CertId is parsed strictly, and a ListCname that lists another fails the read",
          "[oss][provider][hostile]") {
  int64_t id = 0;
  std::string region;
  REQUIRE(alicloud::ParseOssCertId("8089870-cn-hangzhou", &id, &region));
  CHECK(id == 8089870);
  CHECK(region == "cn-hangzhou");
  CHECK(alicloud::ParseOssCertId("9223372036854775807-cn-x", &id, &region));
  CHECK(id == INT64_MAX);
  for (const char* bad :
       {"", "8089870", "-cn-hangzhou", "08089870-cn-hangzhou", "9223372036854775808-cn-x",
        "12345678901234567890-cn-x", "80x9-cn-x", " 8089870-cn-hangzhou", "+8089870-cn-hangzhou",
        "8089870-", "8089870-CN-HANGZHOU", "8089870-cn-hangzhou/x", "8089870-cn hangzhou"}) {
    INFO(bad);
    CHECK_FALSE(alicloud::ParseOssCertId(bad, &id, &region));
  }
  CHECK(alicloud::OssCertId(42, "") == "42-cn-hangzhou");
  CHECK(alicloud::OssCertId(42, "cn-shanghai") == "42-cn-shanghai");

  OssHarness h;
  const int64_t second = AddCasCertificate(h, "second");
  engine::CallResult result;
  REQUIRE(h.Cnames().Put(kSite, ByCasId(8089870), &result).ok());
  engine::BindingRequest files = ByCasId(second);
  files.address.domain = "files.example.com";
  REQUIRE(h.Cnames().Put(kSite, files, &result).ok());
  RecordingTransport tampering(&h.transport);
  std::string junk = "8089870junk";
  tampering.rewrite = [&junk](std::string* body) {
    const std::string from = "<CertId>8089870-cn-hangzhou</CertId>";
    if (size_t at = body->find(from); at != std::string::npos) {
      body->replace(at, from.size(), "<CertId>" + junk + "</CertId>");
    }
  };
  alicloud::OssProvider provider = Provider(h, tampering);
  engine::LiveBinding live;
  const engine::Address site{"oss", {"cn-hangzhou", "static-site"}, "static.example.com"};
  engine::Status s = provider.ReadBinding(site, &live, &result);
  CHECK(s.code() == engine::Status::Code::kCorruption);
  CHECK(s.message().find("\"8089870junk\"") != std::string::npos);
  // Only that domain: the bucket's others read, and its listing still lists every domain.
  REQUIRE(
      provider
          .ReadBinding({"oss", {"cn-hangzhou", "static-site"}, "files.example.com"}, &live, &result)
          .ok());
  CHECK(live.cert_id == second);
  std::vector<engine::Address> listed;
  int64_t total = 0;
  for (int page = 1; page < 10; ++page) {
    std::vector<engine::Address> one;
    REQUIRE(provider.ListDomainsPage(page, &one, &total, &result).ok());
    listed.insert(listed.end(), one.begin(), one.end());
    if (total != engine::kMorePages) break;
  }
  CHECK(std::count(listed.begin(), listed.end(), site) == 1);
  // A CertId of any length is refused before it is read far, and shown cut short.
  junk = std::string(1 << 20, '7') + "-cn-hangzhou";
  s = provider.ReadBinding(site, &live, &result);
  CHECK(s.code() == engine::Status::Code::kCorruption);
  CHECK(s.message().size() < 400);

  // The domain listed twice, in another case: no one binding to decide from.
  tampering.rewrite = [](std::string* body) {
    const std::string end = "</ListCnameResult>";
    if (size_t at = body->find(end); at != std::string::npos) {
      body->insert(at,
                   "<Cname><Domain>Static.Example.COM</Domain><Status>Enabled</Status></Cname>");
    }
  };
  s = provider.ReadBinding(site, &live, &result);
  CHECK(s.code() == engine::Status::Code::kCorruption);
  CHECK(s.message().find("more than once") != std::string::npos);
}

TEST_CASE("oss: the emulator refuses a CertId that is not ID-REGION, as the harsher reading",
          "[oss][emulator][hostile]") {
  OssHarness h;
  alicloud::OssCnames oss = h.Cnames();
  engine::CallResult result;
  for (const char* region : {"BAD", "cn_hangzhou", "cn-hangzhou/x", "hangzhou"}) {
    INFO(region);
    engine::BindingRequest r = ByCasId(8089870);
    r.cert_region = region;
    engine::Status s = oss.Put(kSite, r, &result);
    CHECK_FALSE(s.ok());
    CHECK(result.http_status == 400);
    CHECK(result.error_code == "InvalidArgument");
  }
  const nlohmann::json refused = h.Live();
  CHECK_FALSE(refused.contains("static.example.com"));      // nothing was bound
  REQUIRE(oss.Put(kSite, ByCasId(8089870), &result).ok());  // the same, well formed
  CHECK(h.Live()["static.example.com"]["cert_id"] == 8089870);
}

TEST_CASE("oss: no request leaves for a bucket or region that breaks the rules",
          "[oss][provider][hostile]") {
  RecordingTransport recording;
  engine::SystemClock clock;
  alicloud::OssCnames oss(recording, clock,
                          std::make_shared<alicloud::StaticCredentialSource>(
                              alicloud::Credentials{"testid", "testsecret", "", "test"}));
  engine::CallResult result;
  const engine::BindingRequest key_by_content{
      .address = {"oss", {"cn-hangzhou", "static-site"}, "static.example.com"},
      .cert_type = "upload",
      .cert_pem = "-----BEGIN CERTIFICATE-----",
      .key_pem =
          "-----BEGIN PRIVATE "
          "KEY-----"};  // made up, the marker split for secret scanners
  for (const std::string bad :
       {"HOST:PORT#", "a/b", "x@evil", "evil.com:443/x?", "UPPER", "ab", "a\r\nX-Injected: 1"}) {
    INFO(bad);
    engine::Status s = oss.Put({bad, "cn-hangzhou"}, key_by_content, &result);
    CHECK(s.code() == engine::Status::Code::kInvalidArgument);
    CHECK(s.message().find("nothing was sent") != std::string::npos);
    CHECK(s.message().find("bucket \"") != std::string::npos);
    engine::LiveBinding live;
    CHECK_FALSE(oss.Read({bad, "cn-hangzhou"}, "static.example.com", &live, &result).ok());
  }
  engine::Status s = oss.Put({"x@evil", "cn-hangzhou"}, key_by_content, &result);
  CHECK(s.message().find("bucket \"x@evil\"") != std::string::npos);
  s = oss.Put({"a\r\nX-Injected: 1", "cn-hangzhou"}, key_by_content, &result);
  CHECK(s.message().find("\\r\\n") != std::string::npos);  // shown escaped
  CHECK(s.message().find('\r') == std::string::npos);
  for (const std::string bad :
       {"hangzhou", "cn-hangzhou.evil.com", "cn-hangzhou:8080", "", "cn-hangzhou/x"}) {
    INFO(bad);
    CHECK(oss.Put({"static-site", bad}, key_by_content, &result).code() ==
          engine::Status::Code::kInvalidArgument);
    std::vector<alicloud::OssBucket> buckets;
    std::string next;
    CHECK_FALSE(oss.ListBuckets(bad, "", &buckets, &next, &result).ok());
  }
  CHECK(oss.Put({"static-site", "hangzhou"}, key_by_content, &result)
            .message()
            .find("did you mean \"cn-hangzhou\"") != std::string::npos);
  // Through the provider, from a target as a state file or a plan could carry it.
  alicloud::OssProvider provider(std::make_unique<alicloud::OssCnames>(
      recording, clock,
      std::make_shared<alicloud::StaticCredentialSource>(
          alicloud::Credentials{"testid", "testsecret", "", "test"})));
  s = provider.SetBinding({.address = {"oss", {"cn-hangzhou", "x@evil"}, "www.example.com"},
                           .cert_type = "cas",
                           .cert_id = 1,
                           .previous_cert_id = 2},
                          &result);
  CHECK(s.message().find("bucket \"x@evil\"") != std::string::npos);
  engine::LiveBinding live;
  CHECK_FALSE(
      provider
          .ReadBinding({"oss", {"evil.com:443#", "static-site"}, "www.example.com"}, &live, &result)
          .ok());
  CHECK(recording.requests.empty());  // not one request left

  // A good one goes to the documented host.
  recording.answer.status = 200;
  recording.answer.body = "<ListCnameResult></ListCnameResult>";
  REQUIRE(oss.Read(kSite, "static.example.com", &live, &result).ok());
  REQUIRE(recording.requests.size() == 1);
  CHECK(recording.requests[0].url == "https://static-site.oss-cn-hangzhou.aliyuncs.com/?cname");
  CHECK(HostOf(recording.requests[0]) == "static-site.oss-cn-hangzhou.aliyuncs.com");
}

TEST_CASE("oss: a bucket or region in a ListBuckets answer that breaks the rules is never used",
          "[oss][provider][hostile]") {
  RecordingTransport recording;
  engine::SystemClock clock;
  alicloud::OssProvider provider = Offline(recording, clock);
  engine::CallResult result;
  for (const auto& [name, region] : std::vector<std::pair<std::string, std::string>>{
           {"evil.com:443#", "cn-hangzhou"}, {"good-bucket", "cn-hangzhou.evil.com"}}) {
    INFO(name << " " << region);
    recording.requests.clear();
    recording.answer.status = 200;
    recording.answer.body =
        "<ListAllMyBucketsResult><Buckets><Bucket><Name>static-site</Name><Location>oss-cn-"
        "hangzhou</Location><Region>cn-hangzhou</Region></Bucket><Bucket><Name>" +
        name + "</Name><Location>oss-" + region + "</Location><Region>" + region +
        "</Region></Bucket></Buckets></ListAllMyBucketsResult>";
    std::vector<engine::Address> targets;
    int64_t total = 0;
    engine::Status s = provider.ListDomainsPage(1, &targets, &total, &result);
    CHECK(s.code() == engine::Status::Code::kCorruption);
    CHECK(s.message().find("ListBuckets answered bucket \"" + name + "\"") != std::string::npos);
    CHECK(s.message().find("which certform will not address") != std::string::npos);
    // The listing does not go on as if it were complete: page 2 lists buckets again.
    s = provider.ListDomainsPage(2, &targets, &total, &result);
    for (const auto& request : recording.requests) {
      CHECK(HostOf(request) == "oss-cn-hangzhou.aliyuncs.com");  // ListBuckets only
    }
  }
}
