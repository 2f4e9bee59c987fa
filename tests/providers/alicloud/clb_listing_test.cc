// ClbProvider's listing (ListDomainsPage: DescribeRegions, then each region's HTTPS listeners,
// paged by NextToken) against the emulator, driven by the engine's own paged listing with its
// retries; answers the emulator never gives (a bad region, load balancer id, port, token, a
// host named by the answer) through a scripted transport: each is refused at the door. And the
// read prune relies on: additional_ids names the CAS certificate of every store copy a listener
// serves, someone else's copy too.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "engine/calls/domain_listing.h"
#include "engine/calls/pacing_registry.h"
#include "engine/calls/paged_listing.h"
#include "providers/alicloud/clb_provider.h"
#include "providers/alicloud/emulator/clb_admin.h"
#include "providers/curl_transport.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"
#include "tests/support/scripted_transport.h"
#include "tests/support/test_pki.h"

using namespace certform;
using namespace certform::testing;

namespace {

constexpr int64_t kCas = 9300001;

struct ListingHarness {
  explicit ListingHarness(int page_size = 2)
      : emu(StandardEmulatorConfig(""), false, &clock),
        provider(
            [this](const std::string& region) {
              return alicloud::SlbCertificates(
                  alicloud::RpcClient(transport, clock, random,
                                      alicloud::Credentials{"testid", "testsecret", "", "test"},
                                      emu.Endpoint(), alicloud::kSlbApiVersion),
                  region);
            },
            page_size) {
    emu.emulator().PutCasCertificate({"c1", kCas, "u1", Cert().CertPem(), false});
    // cn-hangzhou: five HTTPS listeners (one with no certificate) and an HTTP one; cn-shanghai:
    // two HTTPS listeners and a TCP one; another user's load balancer in cn-hangzhou.
    for (const char* lb : {"lb-hz1", "lb-hz2", "lb-hz3"}) Lb(lb, "cn-hangzhou");
    Lb("lb-sh1", "cn-shanghai");
    Lb("lb-theirs", "cn-hangzhou", "u2");
    const std::string hz = Content("cn-hangzhou"), sh = Content("cn-shanghai");
    Listener("lb-hz1", 443, "https", hz);
    Listener("lb-hz1", 80, "http");
    Listener("lb-hz1", 8443, "https", hz);
    Listener("lb-hz2", 443, "https", hz);
    Listener("lb-hz2", 444, "https");
    Listener("lb-hz3", 443, "https", hz);
    Listener("lb-sh1", 443, "https", sh);
    Listener("lb-sh1", 8443, "https", sh);
    Listener("lb-sh1", 53, "tcp");
    Listener("lb-theirs", 443, "https");
  }

  static const TestCert& Cert() {
    static const TestCert cert =
        IssueCert({.cn = "shop.example.com", .sans = {"shop.example.com", "api.example.com"}});
    return cert;
  }

  nlohmann::json Admin(const std::string& kind, const std::string& id, const nlohmann::json& body) {
    nlohmann::json answer;
    INFO(kind << " " << body.dump().substr(0, 200));
    REQUIRE(emulator::ClbAdmin(emu.emulator().clb(), kind, id, body, &answer) == 200);
    return answer;
  }
  void Lb(const std::string& id, const std::string& region, const std::string& user = "u1") {
    Admin("load_balancers", id, {{"region", region}, {"user", user}});
  }
  std::string Content(const std::string& region) {
    return Admin("server_certificates", "",
                 {{"region", region},
                  {"name", "by-hand"},
                  {"cert_pem", Cert().CertPem()},
                  {"key_pem", Cert().KeyPem()}})["server_certificate_id"];
  }
  void Listener(const std::string& lb, int port, const std::string& protocol,
                const std::string& cert = "") {
    nlohmann::json body = {{"load_balancer_id", lb}, {"port", port}, {"protocol", protocol}};
    if (!cert.empty()) body["server_certificate_id"] = cert;
    Admin("listeners", "", body);
  }

  // The whole listing as the engine walks it: paced and retried (on the fake clock).
  engine::ListedDomains List() {
    engine::AccountRuntime runtime;
    runtime.products["clb"] = &provider;
    return engine::ListProductDomains("main", runtime, "clb", provider, pacing, clock, random);
  }

  int Calls(const std::string& action) {
    const nlohmann::json calls = emu.emulator().CountersJson()["calls"];
    return calls.contains(action) ? calls[action].value("u1", 0) : 0;
  }

  FakeClock clock;
  EmulatorFixture emu;
  providers::CurlTransport transport{providers::CurlOptions{}};
  SeededRandom random;
  engine::PacingRegistry pacing;
  alicloud::ClbProvider provider;
};

std::vector<std::string> Keys(const std::vector<engine::Address>& addresses) {
  std::vector<std::string> keys;
  for (const engine::Address& a : addresses) keys.push_back(a.Key());
  return keys;
}

// Every HTTPS listener of u1, as its default slot, region by region (DescribeRegions' order),
// each region's in the emulator's order (load balancer, then port as text).
const std::vector<std::string> kListed = {
    "clb:cn-hangzhou/lb-hz1/443/default", "clb:cn-hangzhou/lb-hz1/8443/default",
    "clb:cn-hangzhou/lb-hz2/443/default", "clb:cn-hangzhou/lb-hz2/444/default",
    "clb:cn-hangzhou/lb-hz3/443/default", "clb:cn-shanghai/lb-sh1/443/default",
    "clb:cn-shanghai/lb-sh1/8443/default"};

// A provider over a scripted transport, whose clients reach slb.REGION.aliyuncs.com.
struct Scripted {
  Scripted()
      : provider([this](const std::string& region) {
          return alicloud::SlbCertificates(
              alicloud::RpcClient(transport, clock, random,
                                  alicloud::Credentials{"testid", "testsecret", "", "test"},
                                  "https://slb." + region + ".aliyuncs.com",
                                  alicloud::kSlbApiVersion),
              region);
        }) {}

  void Regions(const nlohmann::json& regions) {
    transport.Answer(200,
                     nlohmann::json{{"RequestId", "R"}, {"Regions", {{"Region", regions}}}}.dump());
  }
  void Listeners(const nlohmann::json& listeners, const nlohmann::json& next = "") {
    transport.Answer(
        200,
        nlohmann::json{{"RequestId", "R"}, {"Listeners", listeners}, {"NextToken", next}}.dump());
  }
  static nlohmann::json Https(const nlohmann::json& lb, const nlohmann::json& port,
                              const nlohmann::json& protocol = "https") {
    return {{"LoadBalancerId", lb}, {"ListenerPort", port}, {"ListenerProtocol", protocol}};
  }
  engine::Status Page(int page, std::vector<engine::Address>* out = nullptr,
                      int64_t* total = nullptr) {
    std::vector<engine::Address> addresses;
    int64_t count = 0;
    engine::CallResult result;
    const engine::Status s = provider.ListDomainsPage(page, &addresses, &count, &result);
    if (out != nullptr) *out = addresses;
    if (total != nullptr) *total = count;
    return s;
  }
  std::string Host(size_t i) const {
    const std::string& url = transport.sent.at(i).url;
    const size_t start = url.find("://") + 3;
    return url.substr(start, url.find('/', start) - start);
  }

  ScriptedTransport transport;
  FakeClock clock;
  SeededRandom random;
  alicloud::ClbProvider provider;
};

}  // namespace

TEST_CASE("clb listing: every HTTPS listener of every region, page by page, as its default slot",
          "[clb][provider][listing]") {
  ListingHarness h;
  const engine::ListedDomains listed = h.List();
  INFO(listed.call.status.ToString());
  REQUIRE(listed.call.status.ok());
  CHECK(listed.rejected.empty());
  // HTTP and TCP listeners and another user's are not listed.
  CHECK(Keys(listed.addresses) == kListed);
  CHECK(h.Calls("DescribeRegions") == 1);
  // cn-hangzhou: 2 + 2 + 1; cn-shanghai: 2; ap-southeast-1 (in every DescribeRegions answer): 0.
  CHECK(h.Calls("DescribeLoadBalancerListeners") == 5);

  // Listed again from page 1: the same, from the start.
  const engine::ListedDomains again = h.List();
  REQUIRE(again.call.status.ok());
  CHECK(Keys(again.addresses) == kListed);
}

TEST_CASE("clb listing: a page whose answer was lost is asked again, nothing skipped or repeated",
          "[clb][provider][listing]") {
  for (int lost : {1, 2, 4}) {  // a region's first page, one with a NextToken, a region's last
    DYNAMIC_SECTION("the answer to listing call " << lost << " lost") {
      ListingHarness h;
      emulator::Faults faults;
      faults.lose_answers["DescribeLoadBalancerListeners"] = 0;
      h.emu.emulator().SetFaults(faults);
      // The first `lost` - 1 calls answer; call `lost` is carried out, its answer dropped.
      alicloud::ClbProvider& p = h.provider;
      std::vector<engine::Address> all;
      int64_t total = engine::kMorePages;
      int failures = 0;
      for (int page = 1; page < 20 && total == engine::kMorePages; ++page) {
        if (page - 1 == lost) {
          faults.lose_answers["DescribeLoadBalancerListeners"] = lost;
          h.emu.emulator().SetFaults(faults);
        }
        std::vector<engine::Address> items;
        engine::CallResult result;
        engine::Status s = p.ListDomainsPage(page, &items, &total, &result);
        if (!s.ok()) {
          ++failures;
          CHECK(s.IsRetryable());
          faults.lose_answers.clear();
          h.emu.emulator().SetFaults(faults);
          s = p.ListDomainsPage(page, &items, &total, &result);  // the engine's retry
        }
        REQUIRE(s.ok());
        all.insert(all.end(), items.begin(), items.end());
      }
      CHECK(failures == 1);
      CHECK(Keys(all) == kListed);
      CHECK(h.Calls("DescribeLoadBalancerListeners") == 6);  // five pages, one of them twice
    }
  }

  // Through the engine's listing and its retry policy (the fake clock's backoff).
  ListingHarness h;
  emulator::Faults faults;
  faults.lose_answers["DescribeLoadBalancerListeners"] = 1;
  h.emu.emulator().SetFaults(faults);
  const engine::ListedDomains listed = h.List();
  REQUIRE(listed.call.status.ok());
  CHECK(Keys(listed.addresses) == kListed);
  CHECK(h.Calls("DescribeLoadBalancerListeners") == 6);
}

TEST_CASE(
    "clb listing: DescribeRegions is sent to one fixed region's endpoint, and no host an answer "
    "names is called",
    "[clb][provider][listing]") {
  Scripted s;
  s.Regions({{{"RegionId", "cn-shanghai"},
              {"RegionEndpoint", "evil.example.com"},
              {"LocalName", "China (Shanghai)"}},
             {{"RegionId", "eu-central-1"}, {"RegionEndpoint", "127.0.0.1:1"}}});
  int64_t total = 0;
  REQUIRE(s.Page(1, nullptr, &total).ok());
  CHECK(total == engine::kMorePages);
  s.Listeners(nlohmann::json::array({Scripted::Https("lb-sh1", 443)}), "Tok1");
  std::vector<engine::Address> page;
  REQUIRE(s.Page(2, &page, &total).ok());
  CHECK(Keys(page) == std::vector<std::string>{"clb:cn-shanghai/lb-sh1/443/default"});
  CHECK(total == engine::kMorePages);
  s.Listeners(nlohmann::json::array());
  REQUIRE(s.Page(3, &page, &total).ok());
  CHECK(page.empty());
  CHECK(total == engine::kMorePages);  // eu-central-1 is next
  s.Listeners(nlohmann::json::array({Scripted::Https("lb-eu", 443)}));
  REQUIRE(s.Page(4, &page, &total).ok());
  CHECK(total == 0);
  REQUIRE(s.transport.sent.size() == 4);
  CHECK(s.Host(0) == "slb.cn-hangzhou.aliyuncs.com");
  CHECK(s.Host(1) == "slb.cn-shanghai.aliyuncs.com");
  CHECK(s.Host(2) == "slb.cn-shanghai.aliyuncs.com");
  CHECK(s.Host(3) == "slb.eu-central-1.aliyuncs.com");
  // The second page of cn-shanghai sent the token the first answered, and asked for HTTPS only.
  CHECK(s.transport.sent[2].body.find("NextToken=Tok1") != std::string::npos);
  CHECK(s.transport.sent[2].body.find("ListenerProtocol=https") != std::string::npos);
  CHECK(s.transport.sent[1].body.find("NextToken") == std::string::npos);

  // No region: nothing to list after page 1.
  Scripted none;
  none.Regions(nlohmann::json::array());
  REQUIRE(none.Page(1, nullptr, &total).ok());
  CHECK(total == 0);
}

TEST_CASE(
    "clb listing: a malformed region, load balancer id, port, protocol or token in an answer "
    "is refused, naming the call",
    "[clb][provider][listing]") {
  const nlohmann::json too_many = [] {
    nlohmann::json all = nlohmann::json::array();
    for (int i = 0; i <= 100; ++i) all.push_back({{"RegionId", "cn-r" + std::to_string(i)}});
    return all;
  }();
  for (const nlohmann::json& regions :
       {nlohmann::json::array({{{"RegionId", "cn-hangzhou/../x"}}}),
        nlohmann::json::array({{{"RegionId", "CN-HANGZHOU"}}}),
        nlohmann::json::array({{{"RegionId", 7}}}),
        nlohmann::json::array({{{"RegionId", "cn-hangzhou"}}, {{"RegionId", "cn-hangzhou"}}}),
        nlohmann::json::array({"cn-hangzhou"}), too_many}) {
    INFO(regions.dump().substr(0, 200));
    Scripted s;
    s.Regions(regions);
    const engine::Status refused = s.Page(1);
    CHECK(refused.code() == engine::Status::Code::kCorruption);
    CHECK_THAT(refused.message(), Catch::Contains("DescribeRegions"));
    CHECK(s.transport.sent.size() == 1);  // nothing sent anywhere after it
  }

  const nlohmann::json three = nlohmann::json::array(
      {Scripted::Https("lb-a", 443), Scripted::Https("lb-b", 443), Scripted::Https("lb-c", 443)});
  struct Bad {
    nlohmann::json listeners, next;
  };
  for (const Bad& bad :
       std::vector<Bad>{{nlohmann::json::array({Scripted::Https("lb-A1", 443)}), ""},
                        {nlohmann::json::array({Scripted::Https("i-bp1xyz", 443)}), ""},
                        {nlohmann::json::array({Scripted::Https("lb-a/443/default", 443)}), ""},
                        {nlohmann::json::array({Scripted::Https("lb-a", 0)}), ""},
                        {nlohmann::json::array({Scripted::Https("lb-a", 65536)}), ""},
                        {nlohmann::json::array({Scripted::Https("lb-a", "443")}), ""},
                        {nlohmann::json::array({Scripted::Https("lb-a", 443, "quic")}), ""},
                        {nlohmann::json::array({Scripted::Https("lb-a", 443, nullptr)}), ""},
                        {nlohmann::json::object({{"Listener", "lb-a"}}), ""},
                        {three, ""},  // more than the two asked for
                        {nlohmann::json::array(), "tok en"},
                        {nlohmann::json::array(), std::string(300, 'A')},
                        {nlohmann::json::array(), 5}}) {
    INFO(bad.listeners.dump() << " " << bad.next.dump().substr(0, 40));
    Scripted s;
    alicloud::ClbProvider two(
        [&s](const std::string& region) {
          return alicloud::SlbCertificates(
              alicloud::RpcClient(s.transport, s.clock, s.random,
                                  alicloud::Credentials{"testid", "testsecret", "", "test"},
                                  "https://slb." + region + ".aliyuncs.com",
                                  alicloud::kSlbApiVersion),
              region);
        },
        2);
    s.Regions(nlohmann::json::array({{{"RegionId", "cn-hangzhou"}}}));
    s.Listeners(bad.listeners, bad.next);
    std::vector<engine::Address> out;
    int64_t total = 0;
    engine::CallResult result;
    REQUIRE(two.ListDomainsPage(1, &out, &total, &result).ok());
    const engine::Status refused = two.ListDomainsPage(2, &out, &total, &result);
    CHECK(refused.code() == engine::Status::Code::kCorruption);
    CHECK_THAT(refused.message(), Catch::Contains("DescribeLoadBalancerListeners"));
    CHECK(out.empty());
  }

  // A listener of another protocol the filter let through is not listed; a token that comes
  // back as the one sent is a listing that would never end.
  Scripted s;
  s.Regions(nlohmann::json::array({{{"RegionId", "cn-hangzhou"}}}));
  s.Listeners(
      nlohmann::json::array({Scripted::Https("lb-a", 80, "http"), Scripted::Https("lb-a", 443)}),
      "T1");
  s.Listeners(nlohmann::json::array(), "T1");
  std::vector<engine::Address> out;
  REQUIRE(s.Page(1).ok());
  REQUIRE(s.Page(2, &out).ok());
  CHECK(Keys(out) == std::vector<std::string>{"clb:cn-hangzhou/lb-a/443/default"});
  const engine::Status loop = s.Page(3, &out);
  CHECK(loop.code() == engine::Status::Code::kCorruption);
  CHECK_THAT(loop.message(), Catch::Contains("never end"));
  // A page asked for out of order is refused without a call.
  const size_t sent = s.transport.sent.size();
  CHECK(s.Page(7).code() == engine::Status::Code::kInvalidArgument);
  CHECK(s.transport.sent.size() == sent);
}

TEST_CASE(
    "clb listing: a listed listener's read names the CAS certificate of every copy it serves, "
    "someone else's copy too, while its cert_id stays certform's own",
    "[clb][provider][listing]") {
  ListingHarness h;
  // Someone else's copy of kCas (not under certform's name) on an extension of lb-hz1:443; the
  // default serves a certificate uploaded by content.
  const std::string theirs = h.Admin(
      "server_certificates", "",
      {{"region", "cn-hangzhou"}, {"name", "theirs"}, {"cas_id", kCas}})["server_certificate_id"];
  h.Admin("domain_extensions", "",
          {{"load_balancer_id", "lb-hz1"},
           {"port", 443},
           {"domain", "api.example.com"},
           {"server_certificate_id", theirs}});
  const engine::ListedDomains listed = h.List();
  REQUIRE(listed.call.status.ok());
  REQUIRE_FALSE(listed.addresses.empty());
  const engine::Address& first = listed.addresses.front();
  REQUIRE(first.Key() == "clb:cn-hangzhou/lb-hz1/443/default");
  engine::LiveBinding live;
  engine::CallResult result;
  REQUIRE(h.provider.ReadBinding(first, &live, &result).ok());
  CHECK(live.exists);
  CHECK(live.https);
  CHECK(live.cert_id == 0);  // the default is no copy of certform's
  CHECK(live.additional_ids == std::vector<int64_t>{kCas});
  // The extension's own slot: not certform's copy either.
  REQUIRE(h.provider
              .ReadBinding({"clb", {"cn-hangzhou", "lb-hz1", "443"}, "sni:api.example.com"}, &live,
                           &result)
              .ok());
  CHECK(live.cert_id == 0);
  CHECK(live.cert_ref == theirs);
  CHECK(live.additional_ids == std::vector<int64_t>{kCas});

  // The default set to the same copy: still one id. Another listener's copy counts only there.
  h.Listener("lb-hz2", 443, "https", theirs);
  REQUIRE(
      h.provider.ReadBinding({"clb", {"cn-hangzhou", "lb-hz2", "443"}, "default"}, &live, &result)
          .ok());
  CHECK(live.additional_ids == std::vector<int64_t>{kCas});
  REQUIRE(
      h.provider.ReadBinding({"clb", {"cn-hangzhou", "lb-hz3", "443"}, "default"}, &live, &result)
          .ok());
  CHECK(live.additional_ids.empty());
}
