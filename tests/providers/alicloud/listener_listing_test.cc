// Prune's listing of a listener product (ListenerProvider::ListDomainsPage): every listener of the
// user that takes certificates, in every region DescribeRegions names, page after page of
// ListListeners, each as its default slot's address, which reads back; what a listing answers is
// outside input, checked at the door, and a page whose answer was lost is asked again as it was.
// Against the emulator over HTTP (once per product), and against scripted answers.
#include "providers/alicloud/listener_provider.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "engine/calls/paged_listing.h"
#include "tests/providers/alicloud/alb_client_harness.h"
#include "tests/support/scripted_transport.h"

using namespace certform;
using namespace certform::testing;

namespace {

struct ListingHarness {
  explicit ListingHarness(const ListenerProduct& p)
      : h(p),
        provider(p.rules(), p.api, [this](const std::string& region) { return h.Client(region); }) {
  }

  // ListDomainsPage from page 1 until the listing says it is done; each page must answer.
  std::vector<std::string> All(int* pages = nullptr) {
    std::vector<std::string> out;
    for (int page = 1; page < 100; ++page) {
      std::vector<engine::Address> listed;
      int64_t total = 0;
      engine::CallResult result;
      const engine::Status s = provider.ListDomainsPage(page, &listed, &total, &result);
      INFO(s.ToString());
      REQUIRE(s.ok());
      for (const engine::Address& a : listed) out.push_back(a.Key());
      if (pages != nullptr) *pages = page;
      if (total != engine::kMorePages) break;
    }
    return out;
  }

  // A load balancer of the product in `region` and a listener `name` of it.
  void Listener(const std::string& lb, const std::string& region, const std::string& name,
                const std::string& user = "u1", const std::string& protocol = "") {
    nlohmann::json seed = h.product.LoadBalancerSeed();
    seed["region"] = region;
    seed["user"] = user;
    h.Admin("load_balancers", h.product.load_balancer + lb, seed);
    nlohmann::json l = h.product.ListenerSeed(h.product.load_balancer + lb,
                                              protocol.empty() ? AlbClientHarness::Cert(1) : "");
    if (!protocol.empty()) l["protocol"] = protocol;
    h.Admin("listeners", h.product.listener_of(name), l);
  }

  std::string Key(const std::string& region, const std::string& name) const {
    return fmt::format("{}:{}/{}/default", h.product.name, region, h.product.listener_of(name));
  }

  AlbClientHarness h;
  alicloud::ListenerProvider provider;
};

}  // namespace

TEST_CASE("listener listing: every region's listeners that take certificates, as default slots",
          "[alb][nlb][provider][listing]") {
  const ListenerProduct& p = LISTENER_PRODUCT();
  INFO(p.name);
  ListingHarness l(p);
  l.Listener("sh", "cn-shanghai", "sh1");
  l.Listener("eu", "eu-central-1", "eu1");
  // Not listed: a listener that takes no certificate, and another user's.
  l.Listener("plain", "cn-shanghai", "plain1", "u1", p.name == "alb" ? "HTTP" : "TCP");
  l.Listener("theirs", "cn-shanghai", "theirs1", "u2");
  // 120 more in cn-hangzhou beside lsn-std: two pages of ListListeners there.
  for (int i = 0; i < 120; ++i) {
    l.h.Admin("listeners", p.listener_of(fmt::format("m{}", i)),
              p.ListenerSeed(p.load_balancer + "std", AlbClientHarness::Cert(2)));
  }
  int pages = 0;
  const std::vector<std::string> all = l.All(&pages);
  std::set<std::string> want = {l.Key("cn-hangzhou", "std"), l.Key("cn-shanghai", "sh1"),
                                l.Key("eu-central-1", "eu1")};
  for (int i = 0; i < 120; ++i) want.insert(l.Key("cn-hangzhou", fmt::format("m{}", i)));
  CHECK(std::set<std::string>(all.begin(), all.end()) == want);
  CHECK(all.size() == want.size());  // none twice
  // DescribeRegions, two pages in cn-hangzhou, one in each other region the emulator offers.
  CHECK(pages > 3);
  // A listed slot reads back: NLB's id got its "@443" back from ListenerPort.
  engine::Address a;
  REQUIRE(engine::ParseAddress(l.Key("cn-shanghai", "sh1"), &a).empty());
  engine::LiveBinding live;
  engine::CallResult result;
  REQUIRE(l.provider.ReadBinding(a, &live, &result).ok());
  CHECK(live.exists);
  CHECK(live.cert_id == 9100001);
  // Page 1 starts over.
  CHECK(l.All().size() == want.size());
}

TEST_CASE("listener listing: a page whose answer was lost is asked again, nothing skipped",
          "[alb][nlb][provider][listing]") {
  const ListenerProduct& p = LISTENER_PRODUCT();
  INFO(p.name);
  ListingHarness l(p);
  for (int i = 0; i < 150; ++i) {
    l.h.Admin("listeners", p.listener_of(fmt::format("m{}", i)),
              p.ListenerSeed(p.load_balancer + "std", AlbClientHarness::Cert(2)));
  }
  // Half the calls are answered 500 from here on: each failed page is asked again, as the
  // engine's retry would, and the listing's place does not move on a failure.
  emulator::Faults faults;
  faults.error_rate = 0.5;
  faults.seed = 7;
  l.h.emu.emulator().SetFaults(faults);
  std::vector<std::string> all;
  int failures = 0;
  for (int page = 1; page < 100; ++page) {
    int64_t total = 0;
    bool answered = false;
    for (int attempt = 0; attempt < 50 && !answered; ++attempt) {
      std::vector<engine::Address> listed;
      engine::CallResult result;
      const engine::Status s = l.provider.ListDomainsPage(page, &listed, &total, &result);
      if (!s.ok()) {
        ++failures;
        continue;
      }
      answered = true;
      for (const engine::Address& a : listed) all.push_back(a.Key());
    }
    REQUIRE(answered);
    if (total != engine::kMorePages) break;
  }
  CHECK(failures > 0);
  CHECK(all.size() == 151);
  CHECK(std::set<std::string>(all.begin(), all.end()).size() == 151);
}

namespace {

// The provider of `p` given scripted answers.
struct Scripted {
  explicit Scripted(const ListenerProduct& p)
      : product(p), provider(p.rules(), p.api, [this](const std::string& region) {
          return alicloud::ListenerCertificates(
              alicloud::RpcClient(transport, clock, random,
                                  alicloud::Credentials{"testid", "testsecret", "", "test"},
                                  "https://lb.example.test", product.api.version),
              region, product.api);
        }) {}

  void Regions(const nlohmann::json& regions) {
    transport.Answer(200, nlohmann::json{{"RequestId", "R"}, {"Regions", regions}}.dump());
  }
  void Listeners(const std::vector<nlohmann::json>& listeners, const std::string& next = "") {
    nlohmann::json doc = {{"RequestId", "R"}, {"NextToken", next}};
    doc["Listeners"] = nlohmann::json::array();
    for (const nlohmann::json& l : listeners) doc["Listeners"].push_back(l);
    transport.Answer(200, doc.dump());
  }
  static nlohmann::json One(const std::string& id, const std::string& protocol,
                            const nlohmann::json& port = 443) {
    return {{"ListenerId", id},
            {"ListenerProtocol", protocol},
            {"ListenerPort", port},
            {"LoadBalancerId", "lb-1"}};
  }
  engine::Status Page(int page, std::vector<engine::Address>* listed, int64_t* total) {
    engine::CallResult result;
    return provider.ListDomainsPage(page, listed, total, &result);
  }

  const ListenerProduct& product;
  ScriptedTransport transport;
  FakeClock clock;
  SeededRandom random;
  alicloud::ListenerProvider provider;
};

}  // namespace

TEST_CASE("listener listing: what DescribeRegions and ListListeners answer is checked at the door",
          "[alb][nlb][provider][listing]") {
  const ListenerProduct& p = LISTENER_PRODUCT();
  INFO(p.name);
  const std::string takes = p.name == "alb" ? "HTTPS" : "TCPSSL";
  std::vector<engine::Address> listed;
  int64_t total = 0;
  SECTION("a region id of no region's shape, or twice") {
    for (const nlohmann::json& regions :
         {nlohmann::json::array({{{"RegionId", "cn-hangzhou/../x"}}}),
          nlohmann::json::array({{{"RegionId", "cn-hangzhou"}}, {{"RegionId", "cn-hangzhou"}}}),
          nlohmann::json::array({"cn-hangzhou"})}) {
      Scripted s(p);
      s.Regions(regions);
      CHECK(s.Page(1, &listed, &total).code() == engine::Status::Code::kCorruption);
    }
  }
  SECTION("the endpoints DescribeRegions answers are never called") {
    Scripted s(p);
    s.Regions({{{"RegionId", "cn-beijing"}, {"RegionEndpoint", "evil.example.com"}}});
    REQUIRE(s.Page(1, &listed, &total).ok());
    s.Listeners({Scripted::One(p.listener_of("a"), takes)});
    REQUIRE(s.Page(2, &listed, &total).ok());
    CHECK(total == 0);
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].Key() == fmt::format("{}:cn-beijing/{}/default", p.name, p.listener_of("a")));
    for (const auto& r : s.transport.sent) CHECK(r.url.find("evil") == std::string::npos);
    // RegionId names the region asked.
    CHECK(s.transport.sent[1].body.find("RegionId=cn-beijing") != std::string::npos);
  }
  SECTION("a listener of no known protocol, or of an id of another shape") {
    for (const nlohmann::json& bad :
         {Scripted::One(p.listener_of("a"), "GRPC"), Scripted::One("lsn-A/../b", takes),
          Scripted::One("", takes), Scripted::One(p.listener_of("a"), takes, "443x")}) {
      Scripted s(p);
      s.Regions({{{"RegionId", "cn-hangzhou"}}});
      REQUIRE(s.Page(1, &listed, &total).ok());
      s.Listeners({bad});
      const engine::Status st = s.Page(2, &listed, &total);
      INFO(bad.dump() << " " << st.ToString());
      if (p.name == "alb" && bad["ListenerPort"] == "443x") {
        CHECK(st.ok());  // ALB's ids carry no port: the port is not read
      } else {
        CHECK(st.code() == engine::Status::Code::kCorruption);
      }
    }
  }
  SECTION("a NextToken that repeats the last one") {
    Scripted s(p);
    s.Regions({{{"RegionId", "cn-hangzhou"}}});
    REQUIRE(s.Page(1, &listed, &total).ok());
    s.Listeners({Scripted::One(p.listener_of("a"), takes)}, "T1");
    REQUIRE(s.Page(2, &listed, &total).ok());
    CHECK(total == engine::kMorePages);
    s.Listeners({Scripted::One(p.listener_of("b"), takes)}, "T1");
    CHECK(s.Page(3, &listed, &total).code() == engine::Status::Code::kCorruption);
  }
  SECTION("listeners that take no certificate are left out") {
    Scripted s(p);
    s.Regions({{{"RegionId", "cn-hangzhou"}}});
    REQUIRE(s.Page(1, &listed, &total).ok());
    s.Listeners({Scripted::One(p.listener_of("a"), p.name == "alb" ? "HTTP" : "UDP"),
                 Scripted::One(p.listener_of("b"), takes)});
    REQUIRE(s.Page(2, &listed, &total).ok());
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].Field("listener") == p.listener_of("b"));
  }
  if (p.name == "nlb") {
    SECTION("NLB: a bare id gets the listed port, an id with another port is refused") {
      Scripted s(p);
      s.Regions({{{"RegionId", "cn-hangzhou"}}});
      REQUIRE(s.Page(1, &listed, &total).ok());
      s.Listeners({Scripted::One("lsn-a", takes, 8443)});
      REQUIRE(s.Page(2, &listed, &total).ok());
      REQUIRE(listed.size() == 1);
      CHECK(listed[0].Field("listener") == "lsn-a@8443");
      Scripted t(p);
      t.Regions({{{"RegionId", "cn-hangzhou"}}});
      REQUIRE(t.Page(1, &listed, &total).ok());
      t.Listeners({Scripted::One("lsn-a@443", takes, 8443)});
      CHECK(t.Page(2, &listed, &total).code() == engine::Status::Code::kCorruption);
    }
  }
}
