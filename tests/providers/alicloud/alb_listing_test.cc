// The emulator's ALB: paged reads, ListAsynJobs, failed jobs, the rate windows (per region, API
// and user) and the admin API (over HTTP, and its state document).
#include <catch2/catch.hpp>

#include "providers/curl_transport.h"
#include "tests/providers/alicloud/alb_harness.h"

using namespace certform;
using namespace certform::testing;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("alb: ListListenerCertificates pages the default and the additional certificates",
          "[emulator][alb]") {
  AlbHarness h;
  h.Admin("jobs", "", {{"duration_ms", 0}});
  std::vector<std::string> twelve;
  for (int i = 1; i <= 12; ++i) twelve.push_back(AlbHarness::Cert(i));
  h.Job("AssociateAdditionalCertificatesWithListener", AlbHarness::With("lsn-std", twelve));
  std::vector<std::string> seen;
  std::vector<size_t> pages;
  std::string token;
  do {
    alicloud::Params p = {{"ListenerId", "lsn-std"}, {"MaxResults", "5"}};
    if (!token.empty()) p.emplace_back("NextToken", token);
    nlohmann::json j = h.Get("ListListenerCertificates", p);
    CHECK(j["TotalCount"] == 13);
    CHECK(j["MaxResults"] == 5);
    pages.push_back(j["Certificates"].size());
    for (const auto& c : j["Certificates"]) {
      seen.push_back(c["CertificateId"]);
      CHECK(c["CertificateType"] == "Server");
      CHECK(c["IsDefault"] == (c["CertificateId"] == AlbHarness::Cert(0)));
    }
    token = j["NextToken"];
  } while (!token.empty() && pages.size() < 10);
  CHECK(pages == std::vector<size_t>{5, 5, 3});
  REQUIRE(seen.size() == 13);
  CHECK(seen.front() == AlbHarness::Cert(0));  // the default first
  CHECK(seen.back() == AlbHarness::Cert(12));
  // Twenty unless told; out of range and made-up tokens are refused.
  CHECK(h.Get("ListListenerCertificates", {{"ListenerId", "lsn-std"}})["Certificates"].size() ==
        13);
  for (const char* max : {"0", "101", "ten"}) {
    CHECK(AlbHarness::Code(h.Call("ListListenerCertificates",
                                  {{"ListenerId", "lsn-std"}, {"MaxResults", max}})) ==
          "IllegalParam.MaxResults");
  }
  for (const char* bad : {"FFnt99", "garbage", "FFnt0"}) {
    CHECK(AlbHarness::Code(h.Call("ListListenerCertificates",
                                  {{"ListenerId", "lsn-std"}, {"NextToken", bad}})) ==
          "IllegalParam.NextToken");
  }
  // CA certificates: none; the type is checked.
  CHECK(h.Get("ListListenerCertificates",
              {{"ListenerId", "lsn-std"}, {"CertificateType", "Ca"}})["TotalCount"] == 0);
  CHECK(AlbHarness::Code(h.Call("ListListenerCertificates",
                                {{"ListenerId", "lsn-std"}, {"CertificateType", "Client"}})) ==
        "IllegalParam.CertificateType");
  CHECK(AlbHarness::Code(h.Call("ListListenerCertificates", {})) == "MissingListenerId");
}

TEST_CASE("alb: a failed job undoes its change and reads Failed", "[emulator][alb]") {
  AlbHarness h;
  h.Admin("jobs", "", {{"duration_ms", 1000}, {"fail_next", 1}});
  const std::string failed = h.Job("AssociateAdditionalCertificatesWithListener",
                                   AlbHarness::With("lsn-std", {AlbHarness::Cert(1)}));
  h.clock_.Advance(seconds(1));
  nlohmann::json j = h.Get("ListAsynJobs", {{"JobIds.1", failed}});
  REQUIRE(j["Jobs"].size() == 1);
  CHECK(j["Jobs"][0]["Status"] == "Failed");
  CHECK(j["Jobs"][0]["ApiName"] == "AssociateAdditionalCertificatesWithListener");
  CHECK(j["Jobs"][0]["ResourceId"] == "lsn-std");
  CHECK(h.Status("lsn-std") == "Running");
  CHECK(h.Entries("lsn-std").size() == 1);
  // Only the next one failed.
  const std::string ok = h.Job("AssociateAdditionalCertificatesWithListener",
                               AlbHarness::With("lsn-std", {AlbHarness::Cert(1)}));
  h.clock_.Advance(seconds(1));
  CHECK(h.JobStatus(ok) == "Succeeded");
  // Jobs are the caller's and the region's: another region lists none, an unknown id nothing.
  CHECK(h.Get("ListAsynJobs", {})["TotalCount"] == 2);
  CHECK(h.Get("ListAsynJobs", {{"JobIds.1", "nope"}})["TotalCount"] == 0);
  emulator::ApiResponse r = h.Call("ListAsynJobs", {{"JobIds.1", ok}}, "cn-shanghai");
  REQUIRE(r.status == 200);
  CHECK(nlohmann::json::parse(r.body)["TotalCount"] == 0);
  r = h.Call("ListAsynJobs", {{"JobIds.1", ok}}, "cn-hangzhou", "otherid", "othersecret");
  CHECK(nlohmann::json::parse(r.body)["TotalCount"] == 0);
}

TEST_CASE("alb: reads are limited to 20 a second per region, API and user", "[emulator][alb]") {
  AlbHarness h;
  for (int i = 0; i < 20; ++i) {
    REQUIRE(h.Call("GetListenerAttribute", {{"ListenerId", "lsn-std"}}).status == 200);
  }
  emulator::ApiResponse r = h.Call("GetListenerAttribute", {{"ListenerId", "lsn-std"}});
  CHECK(r.status == 400);
  CHECK(AlbHarness::Code(r) == "Throttling.User");
  CHECK(r.headers.count("x-acs-retry-after") == 1);
  // Another API, another region, another user: windows of their own.
  CHECK(h.Call("ListListenerCertificates", {{"ListenerId", "lsn-std"}}).status == 200);
  CHECK(h.Call("GetListenerAttribute", {{"ListenerId", "lsn-std"}}, "cn-shanghai").status == 404);
  CHECK(h.Call("GetListenerAttribute", {{"ListenerId", "lsn-std"}}, "cn-hangzhou", "otherid",
               "othersecret")
            .status == 404);
  h.clock_.Advance(seconds(1));
  CHECK(h.Call("GetListenerAttribute", {{"ListenerId", "lsn-std"}}).status == 200);
}

TEST_CASE("alb: each write is limited to 200 per 60 seconds", "[emulator][alb]") {
  AlbHarness h;
  // Refused writes (the listener is Configuring) count as calls too.
  for (int i = 0; i < 200; ++i) {
    emulator::ApiResponse r =
        h.Call("UpdateListenerAttribute", AlbHarness::With("lsn-std", {AlbHarness::Cert(1)}));
    REQUIRE(AlbHarness::Code(r) != "Throttling.User");
    h.clock_.Advance(milliseconds(250));  // 50 s in all
  }
  emulator::ApiResponse r =
      h.Call("UpdateListenerAttribute", AlbHarness::With("lsn-std", {AlbHarness::Cert(1)}));
  CHECK(AlbHarness::Code(r) == "Throttling.User");
  // Another write API has its own window.
  CHECK(AlbHarness::Code(h.Call("AssociateAdditionalCertificatesWithListener",
                                AlbHarness::With("lsn-basic1", {AlbHarness::Cert(1)}))) == "");
  h.clock_.Advance(seconds(10));  // the first call left the window
  CHECK(AlbHarness::Code(h.Call("UpdateListenerAttribute",
                                AlbHarness::With("lsn-std", {AlbHarness::Cert(1)}))) !=
        "Throttling.User");
}

TEST_CASE("alb: the region is the endpoint's, else RegionId, and the admin checks what it is given",
          "[emulator][alb]") {
  AlbHarness h;
  emulator::ApiResponse r =
      h.Call("GetListenerAttribute", {{"ListenerId", "lsn-std"}, {"RegionId", "cn-shanghai"}});
  CHECK(AlbHarness::Code(r) == "IllegalParam.RegionId");  // two regions named
  r = h.Call("GetListenerAttribute", {{"ListenerId", "lsn-std"}}, "bad_region!");
  CHECK(r.status == 400);
  r = h.Call("GetListenerAttribute", {{"ListenerId", "lsn-std"}, {"RegionId", "cn-hangzhou"}});
  CHECK(r.status == 200);
  // NLB's action of the same name (2022-04-30) is not ALB's: ALB does not answer it.
  r = h.Call("UpdateListenerAttribute", AlbHarness::With("lsn-std", {AlbHarness::Cert(1)}),
             "cn-hangzhou", "testid", "testsecret", "2022-04-30");
  CHECK(r.status != 200);
  CHECK(r.body.find("JobId") == std::string::npos);
  CHECK(h.Status("lsn-std") == "Running");
  nlohmann::json answer;
  CHECK(emulator::AlbAdmin(h.emulator_.alb(), "jobs", "", {{"duration_ms", -1}}, &answer) == 400);
  CHECK(emulator::AlbAdmin(
            h.emulator_.alb(), "listeners", "lsn-x",
            {{"load_balancer_id", "alb-none"}, {"default_certificate", "1-cn-hangzhou"}},
            &answer) == 400);
  CHECK(emulator::AlbAdmin(h.emulator_.alb(), "listeners", "lsn-x",
                           {{"load_balancer_id", "alb-std"}}, &answer) == 400);  // HTTPS needs one
  CHECK(emulator::AlbAdmin(h.emulator_.alb(), "load_balancers", "alb-x",
                           {{"region", "cn-hangzhou"}, {"edition", "Gold"}}, &answer) == 400);
  CHECK(emulator::AlbAdmin(h.emulator_.alb(), "load_balancers", "alb-x", {{"region", 7}},
                           &answer) == 400);
}

TEST_CASE("alb: the admin API seeds ALB over HTTP, the state shows it, reset forgets it",
          "[emulator][alb]") {
  EmulatorFixture emu(StandardEmulatorConfig(AlbHarness::Pem()));
  providers::CurlTransport transport{providers::CurlOptions{}};
  auto put = [&](const std::string& path, const std::string& body) {
    providers::HttpRequest request;
    request.method = "PUT";
    request.url = emu.Endpoint() + "/_emulator/alb/" + path;
    request.headers = {{"Content-Type", "application/json"}};
    request.body = body;
    providers::HttpResponse response;
    REQUIRE(transport.Send(request, &response).ok());
    INFO(response.body);
    return response.status;
  };
  CHECK(put("load_balancers/alb-1", R"({"region":"cn-hangzhou","edition":"Basic"})") == 200);
  CHECK(put("listeners/lsn-1",
            R"({"load_balancer_id":"alb-1","default_certificate":"8089870-cn-hangzhou"})") == 200);
  CHECK(put("jobs", R"({"duration_ms":1500})") == 200);
  CHECK(put("jobs", "not json") == 400);
  CHECK(put("listeners/lsn-2", R"({"load_balancer_id":"alb-1","protocol":"FTP"})") == 400);
  nlohmann::json alb = emu.emulator().StateJson()["alb"];
  CHECK(alb["job_duration_ms"] == 1500);
  REQUIRE(alb["listeners"].size() == 1);
  CHECK(alb["listeners"][0]["default_certificate"] == "8089870-cn-hangzhou");
  CHECK(alb["listeners"][0]["status"] == "Running");
  CHECK(alb["load_balancers"][0]["edition"] == "Basic");
  CHECK(emu.emulator().StateJson().dump().find("PRIVATE KEY") == std::string::npos);
  emu.emulator().Reset();
  alb = emu.emulator().StateJson()["alb"];
  CHECK(alb["listeners"].empty());
  CHECK(alb["job_duration_ms"] == 5000);
}
