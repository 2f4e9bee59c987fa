// The emulator's CLB listing calls (clb_listeners.cc): DescribeRegions (a fixed list of real
// SLB regions and every region a seed uses) and DescribeLoadBalancerListeners (the caller's
// listeners of the region asked for, filtered by protocol, paged by MaxResults and NextToken; an
// out-of-range page size and a token it never handed out are refused).
#include <set>

#include <catch2/catch.hpp>

#include "tests/providers/alicloud/clb_harness.h"

using namespace certform;
using namespace certform::testing;

namespace {

std::vector<std::string> RegionIds(const nlohmann::json& answer) {
  std::vector<std::string> ids;
  for (const auto& r : answer["Regions"]["Region"]) ids.push_back(r["RegionId"]);
  return ids;
}

// "LB:PORT:PROTOCOL" of each listener of an answer.
std::vector<std::string> Listed(const nlohmann::json& answer) {
  std::vector<std::string> out;
  if (!answer.contains("Listeners")) return out;
  for (const auto& l : answer["Listeners"]) {
    out.push_back(l["LoadBalancerId"].get<std::string>() + ":" +
                  std::to_string(l["ListenerPort"].get<int>()) + ":" +
                  l["ListenerProtocol"].get<std::string>());
  }
  return out;
}

}  // namespace

TEST_CASE("clb: DescribeRegions names real SLB regions and every region a seed uses",
          "[emulator][clb][listing]") {
  ClbHarness h;
  h.Admin("load_balancers", "lb-fra", {{"region", "eu-central-1"}, {"user", "u2"}});
  h.Admin("server_certificates", "",
          {{"region", "cn-beijing"},
           {"name", "by-hand"},
           {"cert_pem", ClbHarness::Shop().CertPem()},
           {"key_pem", ClbHarness::Shop().KeyPem()}});
  const nlohmann::json answer = h.Get("DescribeRegions", {});
  const std::vector<std::string> ids = RegionIds(answer);
  CHECK(ids == std::vector<std::string>{"cn-hangzhou", "cn-shanghai", "ap-southeast-1",
                                        "cn-beijing", "eu-central-1"});
  for (const auto& r : answer["Regions"]["Region"]) {
    CHECK(r["RegionEndpoint"] == "slb." + r["RegionId"].get<std::string>() + ".aliyuncs.com");
    CHECK(r["LocalName"].is_string());
  }
  // RegionId is optional there; when given, it is checked as everywhere.
  CHECK(RegionIds(h.Get("DescribeRegions", {}, "")) == ids);
  CHECK(ClbHarness::Code(h.Call("DescribeRegions", {}, "Hangzhou!")) == "InvalidRegionId.NotFound");
  // The emulator forgets its seeds, not its fixed regions.
  h.emulator_.Reset();
  CHECK(RegionIds(h.Get("DescribeRegions", {})) ==
        std::vector<std::string>{"cn-hangzhou", "cn-shanghai", "ap-southeast-1"});
}

TEST_CASE(
    "clb: DescribeLoadBalancerListeners lists the caller's listeners of the region asked for, "
    "of the protocol asked for",
    "[emulator][clb][listing]") {
  ClbHarness h;  // lb-hz1: https 443, http 80; lb-hz2: https 443; lb-sh: none
  h.Admin("listeners", "", {{"load_balancer_id", "lb-sh"}, {"port", 443}});
  h.Admin("load_balancers", "lb-other", {{"region", "cn-hangzhou"}, {"user", "u2"}});
  h.Admin("listeners", "", {{"load_balancer_id", "lb-other"}, {"port", 443}});
  h.Admin("listeners", "", {{"load_balancer_id", "lb-hz2"}, {"port", 53}, {"protocol", "tcp"}});

  const nlohmann::json all = h.Get("DescribeLoadBalancerListeners", {});
  CHECK(Listed(all) == std::vector<std::string>{"lb-hz1:443:https", "lb-hz1:80:http",
                                                "lb-hz2:443:https", "lb-hz2:53:tcp"});
  CHECK(all["TotalCount"] == 4);
  CHECK(all["MaxResults"] == 20);  // the default
  CHECK(all["NextToken"] == "");
  CHECK(h.Get("DescribeLoadBalancerListeners", {{"ListenerProtocol", "https"}})["TotalCount"] == 2);
  CHECK(Listed(h.Get("DescribeLoadBalancerListeners", {{"ListenerProtocol", "http"}})) ==
        std::vector<std::string>{"lb-hz1:80:http"});
  CHECK(Listed(h.Get("DescribeLoadBalancerListeners", {{"ListenerProtocol", "https"}},
                     "cn-shanghai")) == std::vector<std::string>{"lb-sh:443:https"});
  // An HTTPS listener names its certificate; a region with none answers no Listeners at all.
  CHECK(all["Listeners"][0]["HTTPSListenerConfig"]["ServerCertificateId"] == h.seeded_);
  const nlohmann::json none = h.Get("DescribeLoadBalancerListeners", {{"ListenerProtocol", "udp"}});
  CHECK_FALSE(none.contains("Listeners"));
  CHECK(none["TotalCount"] == 0);
  CHECK_FALSE(h.Get("DescribeLoadBalancerListeners", {}, "ap-southeast-1").contains("Listeners"));

  // A protocol of no kind, and no RegionId.
  CHECK(ClbHarness::Code(h.Call("DescribeLoadBalancerListeners",
                                {{"ListenerProtocol", "HTTPS"}})) == "InvalidParameter");
  CHECK(ClbHarness::Code(h.Call("DescribeLoadBalancerListeners", {}, "")) == "MissingRegionId");
}

TEST_CASE(
    "clb: DescribeLoadBalancerListeners pages by MaxResults (1 to 100) and NextToken, and "
    "refuses a token it never handed out",
    "[emulator][clb][listing]") {
  ClbHarness h;
  for (int port = 1000; port < 1023; ++port) {
    h.Admin("listeners", "", {{"load_balancer_id", "lb-hz2"}, {"port", port}});
  }
  // lb-hz1's 443 and 80, lb-hz2's 443 and 23 more: 26 in cn-hangzhou.
  std::vector<std::string> seen;
  std::vector<size_t> pages;
  std::string token, first_token;
  do {
    alicloud::Params p = {{"MaxResults", "10"}};
    if (!token.empty()) p.emplace_back("NextToken", token);
    const nlohmann::json page = h.Get("DescribeLoadBalancerListeners", p);
    CHECK(page["TotalCount"] == 26);
    CHECK(page["MaxResults"] == 10);
    const std::vector<std::string> listed = Listed(page);
    pages.push_back(listed.size());
    seen.insert(seen.end(), listed.begin(), listed.end());
    token = page["NextToken"];
    if (first_token.empty()) first_token = token;
  } while (!token.empty() && pages.size() < 10);
  CHECK(pages == std::vector<size_t>{10, 10, 6});
  REQUIRE(seen.size() == 26);
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 26);  // none twice

  // Twenty unless told; the default then continues with its own token. (Each group of calls in
  // a second of its own: 20 a second is the read window.)
  h.clock_.Advance(std::chrono::seconds(2));
  const nlohmann::json twenty = h.Get("DescribeLoadBalancerListeners", {});
  CHECK(Listed(twenty).size() == 20);
  CHECK(
      Listed(h.Get("DescribeLoadBalancerListeners", {{"NextToken", twenty["NextToken"]}})).size() ==
      6);

  // A token may be sent again (a retry after a lost answer): the same page.
  const nlohmann::json again =
      h.Get("DescribeLoadBalancerListeners", {{"MaxResults", "10"}, {"NextToken", first_token}});
  CHECK(Listed(again) == std::vector<std::string>(seen.begin() + 10, seen.begin() + 20));

  // A listener added after the first page moves nothing the token continues from.
  h.Admin("listeners", "", {{"load_balancer_id", "lb-hz1"}, {"port", 1}});
  CHECK(Listed(h.Get("DescribeLoadBalancerListeners",
                     {{"MaxResults", "10"}, {"NextToken", first_token}})) == Listed(again));

  h.clock_.Advance(std::chrono::seconds(2));
  for (const char* max : {"0", "101", "ten", "-1", "1000"}) {
    INFO(max);
    const emulator::ApiResponse r = h.Call("DescribeLoadBalancerListeners", {{"MaxResults", max}});
    CHECK(r.status == 400);
    CHECK(ClbHarness::Code(r) == "InvalidParameter");
  }
  CHECK(Listed(h.Get("DescribeLoadBalancerListeners", {{"MaxResults", "100"}})).size() == 27);
  CHECK(Listed(h.Get("DescribeLoadBalancerListeners", {{"MaxResults", "1"}})).size() == 1);

  // Made up, of another region, of another protocol's listing: refused.
  h.clock_.Advance(std::chrono::seconds(2));
  for (const std::string& bad : {std::string("FFmyTO70tTpLG6I3FmYAXGKPd"), first_token + "0"}) {
    CHECK(ClbHarness::Code(h.Call("DescribeLoadBalancerListeners", {{"NextToken", bad}})) ==
          "InvalidParameter");
  }
  CHECK(ClbHarness::Code(h.Call("DescribeLoadBalancerListeners", {{"NextToken", first_token}},
                                "cn-shanghai")) == "InvalidParameter");
  CHECK(ClbHarness::Code(h.Call("DescribeLoadBalancerListeners",
                                {{"NextToken", first_token}, {"ListenerProtocol", "https"}})) ==
        "InvalidParameter");
  // The tokens are forgotten with the rest.
  h.emulator_.Reset();
  CHECK(ClbHarness::Code(h.Call("DescribeLoadBalancerListeners", {{"NextToken", first_token}})) ==
        "InvalidParameter");
}
