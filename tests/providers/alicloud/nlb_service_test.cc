// The emulator's NLB (nlb 2022-04-30), ALB's handler in NLB's dialect, in-process on a fake clock:
// NLB's parameter shapes and names, its ListListenerCertificates bounds, listener ids with a port,
// TCPSSL-only certificates, the jobs' Configuring status, DryRun, ClientToken, the fixed quota, the
// routing by version beside ALB, and the admin API under /_emulator/nlb/.
#include <tuple>

#include <catch2/catch.hpp>

#include "providers/curl_transport.h"
#include "tests/providers/alicloud/alb_harness.h"

using namespace certform;
using namespace certform::testing;
using std::chrono::seconds;

namespace {

constexpr char kUpdate[] = "UpdateListenerAttribute";
constexpr char kAssociate[] = "AssociateAdditionalCertificatesWithListener";
constexpr char kDisassociate[] = "DisassociateAdditionalCertificatesWithListener";

alicloud::Params Default(const std::string& listener, const std::vector<std::string>& ids,
                         alicloud::Params extra = {}) {
  return AlbHarness::Ids(listener, "CertificateIds", ids, std::move(extra));
}
alicloud::Params Additional(const std::string& listener, const std::vector<std::string>& ids,
                            alicloud::Params extra = {}) {
  return AlbHarness::Ids(listener, "AdditionalCertificateIds", ids, std::move(extra));
}

std::vector<std::string> Certs(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i <= to; ++i) out.push_back(AlbHarness::Cert(i));
  return out;
}

}  // namespace

TEST_CASE("nlb: writes take CertificateIds.N and AdditionalCertificateIds.N, not ALB's shape",
          "[emulator][nlb]") {
  AlbHarness h(AlbHarness::kNlb);
  h.Job(kUpdate, Default("lsn-tls", {AlbHarness::Cert(2)}));
  nlohmann::json a = h.Get("GetListenerAttribute", {{"ListenerId", "lsn-tls"}});
  CHECK(a["ListenerStatus"] == "Configuring");
  CHECK(a["ListenerProtocol"] == "TCPSSL");
  h.clock_.Advance(seconds(5));
  a = h.Get("GetListenerAttribute", {{"ListenerId", "lsn-tls"}});
  CHECK(a["ListenerStatus"] == "Running");
  CHECK(a["CertificateIds"] == nlohmann::json::array({AlbHarness::Cert(2)}));
  CHECK_FALSE(a.contains("Certificates"));
  // "You can specify only one server certificate."
  emulator::ApiResponse r = h.Call(kUpdate, Default("lsn-tls", Certs(3, 4)));
  CHECK(r.status == 400);
  CHECK(AlbHarness::Code(r) == "IllegalParamSize.CertificateIds");

  const std::string job = h.Job(kAssociate, Additional("lsn-tls", {AlbHarness::Cert(1)}));
  CHECK(h.Entries("lsn-tls") == std::vector<std::string>{"*" + AlbHarness::Cert(2) + ":Associated",
                                                         AlbHarness::Cert(1) + ":Associating"});
  h.clock_.Advance(seconds(5));
  CHECK(h.JobStatus(job) == "Succeeded");
  CHECK(h.Entries("lsn-tls").back() == AlbHarness::Cert(1) + ":Associated");
  // ALB's Certificates.N.CertificateId names no certificate for NLB.
  r = h.Call(kUpdate, AlbHarness::With("lsn-tls", {AlbHarness::Cert(3)}));
  CHECK(AlbHarness::Code(r) == "MissingCertificateIds");
  r = h.Call(kAssociate, AlbHarness::With("lsn-tls", {AlbHarness::Cert(3)}));
  CHECK(AlbHarness::Code(r) == "MissingAdditionalCertificateIds");
  // 1 to 15 a call; N from 1.
  r = h.Call(kAssociate, Additional("lsn-tls", Certs(3, 18)));
  CHECK(AlbHarness::Code(r) == "IllegalParamSize.AdditionalCertificateIds");
  r = h.Call(kAssociate, {{"ListenerId", "lsn-tls"}, {"AdditionalCertificateIds.0", "x"}});
  CHECK(AlbHarness::Code(r) == "IllegalParam.AdditionalCertificateIds");
  CHECK(h.Entries("lsn-tls").size() == 2);
}

TEST_CASE(
    "nlb: DisassociateAdditionalCertificatesWithListener removes, ALB's Dissociate is not NLB's",
    "[emulator][nlb]") {
  AlbHarness h(AlbHarness::kNlb);
  h.Job(kAssociate, Additional("lsn-tls", {AlbHarness::Cert(1)}));
  h.clock_.Advance(seconds(5));
  // ALB's name, in NLB's version: no product serves it, nothing changes.
  emulator::ApiResponse r = h.Call("DissociateAdditionalCertificatesFromListener",
                                   Additional("lsn-tls", {AlbHarness::Cert(1)}));
  CHECK(r.status != 200);
  CHECK(r.body.find("JobId") == std::string::npos);
  CHECK(h.Status("lsn-tls") == "Running");

  h.Job(kDisassociate, Additional("lsn-tls", {AlbHarness::Cert(1)}));
  CHECK(h.Entries("lsn-tls").back() == AlbHarness::Cert(1) + ":Dissociating");
  h.clock_.Advance(seconds(5));
  CHECK(h.Entries("lsn-tls") ==
        std::vector<std::string>{"*" + AlbHarness::Cert(0) + ":Associated"});
  // Not associated (any more); at most 15 a call (harsher: the page names no most).
  r = h.Call(kDisassociate, Additional("lsn-tls", {AlbHarness::Cert(1)}));
  CHECK(AlbHarness::Code(r) == "ResourceNotAssociated.Certificate");
  r = h.Call(kDisassociate, Additional("lsn-tls", Certs(1, 16)));
  CHECK(AlbHarness::Code(r) == "IllegalParamSize.AdditionalCertificateIds");
}

TEST_CASE("nlb: ListListenerCertificates takes CertType and MaxResults 1 to 50",
          "[emulator][nlb]") {
  AlbHarness h(AlbHarness::kNlb);
  h.Admin("jobs", "", {{"duration_ms", 0}});
  h.Job(kAssociate, Additional("lsn-tls", Certs(1, 3)));
  nlohmann::json j =
      h.Get("ListListenerCertificates", {{"ListenerId", "lsn-tls"}, {"MaxResults", "2"}});
  CHECK(j["TotalCount"] == 4);
  CHECK(j["MaxResults"] == 2);
  REQUIRE(j["Certificates"].size() == 2);
  CHECK(j["Certificates"][0]["CertType"] == "Server");
  CHECK(j["Certificates"][0]["IsDefault"] == true);
  CHECK_FALSE(j["Certificates"][0].contains("CertificateType"));
  // The older list of ids, of the same page.
  CHECK(j["CertificateIds"] == nlohmann::json::array({AlbHarness::Cert(0), AlbHarness::Cert(1)}));
  j = h.Get("ListListenerCertificates", {{"ListenerId", "lsn-tls"}, {"NextToken", j["NextToken"]}});
  CHECK(j["CertificateIds"] == nlohmann::json::array({AlbHarness::Cert(2), AlbHarness::Cert(3)}));
  CHECK(j["NextToken"] == "");

  CHECK(h.Get("ListListenerCertificates",
              {{"ListenerId", "lsn-tls"}, {"CertType", "Ca"}})["TotalCount"] == 0);
  CHECK(AlbHarness::Code(h.Call("ListListenerCertificates",
                                {{"ListenerId", "lsn-tls"}, {"CertType", "Client"}})) ==
        "IllegalParam.CertType");
  // ALB's CertificateType is no NLB parameter: not read.
  CHECK(h.Get("ListListenerCertificates",
              {{"ListenerId", "lsn-tls"}, {"CertificateType", "Ca"}})["TotalCount"] == 4);
  CHECK(h.Get("ListListenerCertificates",
              {{"ListenerId", "lsn-tls"}, {"MaxResults", "50"}})["MaxResults"] == 50);
  for (const char* max : {"0", "51", "100"}) {
    CHECK(AlbHarness::Code(h.Call("ListListenerCertificates",
                                  {{"ListenerId", "lsn-tls"}, {"MaxResults", max}})) ==
          "IllegalParam.MaxResults");
  }
}

TEST_CASE("nlb: a listener id may end in @PORT, and only TCPSSL listeners take certificates",
          "[emulator][nlb]") {
  AlbHarness h(AlbHarness::kNlb);
  h.Admin("listeners", "lsn-j49ht1jx@443",
          {{"load_balancer_id", "nlb-std"}, {"default_certificate", AlbHarness::Cert(0)}});
  h.Job(kAssociate, Additional("lsn-j49ht1jx@443", {AlbHarness::Cert(1)}));
  CHECK(h.Status("lsn-j49ht1jx@443") == "Configuring");
  CHECK(AlbHarness::Code(h.Call(kAssociate, Additional("lsn-j49ht1jx", {AlbHarness::Cert(2)}))) ==
        "ResourceNotFound.listener");  // another id, in NLB's spelling (D)

  // TCP and UDP listeners: the refusal ALB gives an HTTP listener, for writes and the list.
  h.Admin("listeners", "lsn-udp", {{"load_balancer_id", "nlb-std"}, {"protocol", "UDP"}});
  for (const char* listener : {"lsn-tcp", "lsn-udp"}) {
    emulator::ApiResponse r = h.Call(kUpdate, Default(listener, {AlbHarness::Cert(1)}));
    CHECK(r.status == 400);
    CHECK(AlbHarness::Code(r) == "OperationDenied.ListenerProtocolNotSupport");
    CHECK(r.body.find("TCPSSL") != std::string::npos);
    CHECK(AlbHarness::Code(h.Call("ListListenerCertificates", {{"ListenerId", listener}})) ==
          "OperationDenied.ListenerProtocolNotSupport");
  }

  // The admin checks NLB's shapes.
  nlohmann::json answer;
  auto put = [&](const std::string& kind, const std::string& id, const nlohmann::json& body) {
    return emulator::AlbAdmin(h.emulator_.nlb(), kind, id, body, &answer);
  };
  const nlohmann::json tls = {{"load_balancer_id", "nlb-std"},
                              {"default_certificate", AlbHarness::Cert(0)}};
  for (const char* bad : {"lsn-x@0", "lsn-x@65536", "lsn-x@", "lsn-X", "lsn-x@44a", "lsn-",
                          "lsn-x@443@1", "lsn-x_y"}) {
    INFO(bad);
    CHECK(put("listeners", bad, tls) == 400);
  }
  CHECK(put("listeners", "lsn-x@65535", tls) == 200);
  CHECK(put("listeners", "lsn-x",
            {{"load_balancer_id", "nlb-std"},
             {"protocol", "HTTPS"},
             {"default_certificate", AlbHarness::Cert(0)}}) == 400);
  CHECK(put("listeners", "lsn-x",
            {{"load_balancer_id", "nlb-std"},
             {"protocol", "TCP"},
             {"default_certificate", AlbHarness::Cert(0)}}) == 400);
  CHECK(put("listeners", "lsn-x", {{"load_balancer_id", "nlb-std"}}) == 400);  // TCPSSL needs one
  CHECK(put("load_balancers", "alb-x", {{"region", "cn-hangzhou"}}) == 400);
  CHECK(put("load_balancers", "nlb-x", {{"region", "cn-hangzhou"}, {"edition", "Standard"}}) ==
        400);  // NLB has no editions
}

TEST_CASE(
    "nlb: a second write while Configuring is IncorrectStatus.Listener, DryRun changes nothing",
    "[emulator][nlb]") {
  AlbHarness h(AlbHarness::kNlb);
  emulator::ApiResponse r =
      h.Call(kAssociate, Additional("lsn-tls", {AlbHarness::Cert(1)}, {{"DryRun", "true"}}));
  CHECK(r.status == 400);
  CHECK(AlbHarness::Code(r) == "DryRunOperation");
  CHECK(h.Entries("lsn-tls").size() == 1);
  CHECK(h.Get("ListAsynJobs", {})["TotalCount"] == 0);

  h.Job(kAssociate, Additional("lsn-tls", {AlbHarness::Cert(1)}));
  r = h.Call(kDisassociate, Additional("lsn-tls", {AlbHarness::Cert(1)}));
  CHECK(r.status == 400);
  CHECK(AlbHarness::Code(r) == "IncorrectStatus.Listener");
  CHECK(AlbHarness::Code(h.Call(kUpdate, Default("lsn-tls", {AlbHarness::Cert(2)}))) ==
        "IncorrectStatus.Listener");
  // A dry run checks the status too.
  r = h.Call(kUpdate, Default("lsn-tls", {AlbHarness::Cert(2)}, {{"DryRun", "true"}}));
  CHECK(AlbHarness::Code(r) == "IncorrectStatus.Listener");
  h.clock_.Advance(seconds(5));
  h.Job(kDisassociate, Additional("lsn-tls", {AlbHarness::Cert(1)}));
}

TEST_CASE("nlb: the same ClientToken and parameters answer the same JobId", "[emulator][nlb]") {
  AlbHarness h(AlbHarness::kNlb);
  const alicloud::Params p = Default("lsn-tls", {AlbHarness::Cert(1)}, {{"ClientToken", "t-1"}});
  const std::string first = h.Job(kUpdate, p);
  CHECK(h.Job(kUpdate, p) == first);  // while its own job runs
  h.clock_.Advance(seconds(5));
  CHECK(h.Job(kUpdate, p) == first);
  CHECK(h.Get("ListAsynJobs", {})["TotalCount"] == 1);
  CHECK(h.JobStatus(first) == "Succeeded");
  CHECK(AlbHarness::Code(
            h.Call(kUpdate, Default("lsn-tls", {AlbHarness::Cert(2)}, {{"ClientToken", "t-1"}}))) ==
        "IdempotenceSignatureMismatch");
}

TEST_CASE("nlb: additional certificates per instance: 25, over its listeners", "[emulator][nlb]") {
  AlbHarness h(AlbHarness::kNlb);
  h.Admin("jobs", "", {{"duration_ms", 0}});
  h.Admin("listeners", "lsn-tls2",
          {{"load_balancer_id", "nlb-std"}, {"default_certificate", AlbHarness::Cert(0)}});
  h.Job(kAssociate, Additional("lsn-tls", Certs(1, 15)));
  h.Job(kAssociate, Additional("lsn-tls2", Certs(16, 25)));
  emulator::ApiResponse r = h.Call(kAssociate, Additional("lsn-tls2", {AlbHarness::Cert(26)}));
  CHECK(r.status == 400);
  CHECK(AlbHarness::Code(r) == "QuotaExceeded.LoadBalancerCertificatesNum");
  // A certificate id of NLB's SLB store is none the emulator knows.
  r = h.Call(kUpdate, Default("lsn-tls", {"12315790343_166f8204689_1714763408_70998"}));
  CHECK(AlbHarness::Code(r) == "ResourceNotFound.Certificate");
}

TEST_CASE("nlb: calls go to ALB or NLB by their Version, each with its own state and windows",
          "[emulator][nlb]") {
  AlbHarness h(AlbHarness::kNlb);
  nlohmann::json answer;
  REQUIRE(emulator::AlbAdmin(h.emulator_.alb(), "load_balancers", "alb-1",
                             {{"region", "cn-hangzhou"}}, &answer) == 200);
  REQUIRE(emulator::AlbAdmin(
              h.emulator_.alb(), "listeners", "lsn-alb",
              {{"load_balancer_id", "alb-1"}, {"default_certificate", AlbHarness::Cert(0)}},
              &answer) == 200);
  const alicloud::Params in_region = {{"RegionId", "cn-hangzhou"}};
  auto alb_call = [&](const std::string& action, alicloud::Params p) {
    p.insert(p.end(), in_region.begin(), in_region.end());
    return h.Call(action, p, "cn-hangzhou", "testid", "testsecret", "2020-06-16");
  };
  // ALB's version: ALB's listener, ALB's shape; NLB's listener is none to ALB.
  emulator::ApiResponse r =
      alb_call(kAssociate, AlbHarness::With("lsn-alb", {AlbHarness::Cert(1)}));
  REQUIRE(r.status == 200);
  CHECK(
      AlbHarness::Code(alb_call(kAssociate, AlbHarness::With("lsn-tls", {AlbHarness::Cert(1)}))) ==
      "ResourceNotFound.Listener");
  // NLB's version: ALB's listener is none to NLB, and NLB lists no ALB job.
  CHECK(AlbHarness::Code(h.Call(kAssociate, Additional("lsn-alb", {AlbHarness::Cert(1)}))) ==
        "ResourceNotFound.listener");
  CHECK(h.Get("ListAsynJobs", {})["TotalCount"] == 0);
  CHECK(h.Status("lsn-tls") == "Running");
  nlohmann::json state = h.emulator_.StateJson();
  REQUIRE(state["nlb"]["listeners"].size() == 2);
  CHECK(state["nlb"]["load_balancers"][0]["id"] == "nlb-std");
  CHECK_FALSE(state["nlb"]["load_balancers"][0].contains("edition"));
  REQUIRE(state["alb"]["listeners"].size() == 1);
  CHECK(state["alb"]["listeners"][0]["status"] == "Configuring");
  CHECK(state["alb"]["jobs"].size() == 1);
  CHECK(state["nlb"]["jobs"].empty());
  // Reads: 20 a second per region, API and user, NLB's window apart from ALB's.
  for (int i = 0; i < 20; ++i) {
    REQUIRE(h.Call("ListListenerCertificates", {{"ListenerId", "lsn-tls"}}).status == 200);
  }
  CHECK(AlbHarness::Code(h.Call("ListListenerCertificates", {{"ListenerId", "lsn-tls"}})) ==
        "Throttling.User");
  CHECK(alb_call("ListListenerCertificates", {{"ListenerId", "lsn-alb"}}).status == 200);
}

TEST_CASE("nlb: the admin API seeds NLB over HTTP under /_emulator/nlb/", "[emulator][nlb]") {
  EmulatorFixture emu(StandardEmulatorConfig(AlbHarness::Pem()));
  // {path under /_emulator/nlb/, JSON body, the status it answers}, in order.
  const std::vector<std::tuple<std::string, std::string, int>> puts = {
      {"load_balancers/nlb-1", R"({"region":"cn-hangzhou"})", 200},
      {"listeners/lsn-1@443",
       R"({"load_balancer_id":"nlb-1","default_certificate":"8089870-cn-hangzhou"})", 200},
      {"listeners/lsn-2", R"({"load_balancer_id":"nlb-1","protocol":"TCP"})", 200},
      {"listeners/lsn-3", R"({"load_balancer_id":"nlb-1","protocol":"HTTP"})", 400},
      {"jobs", R"({"duration_ms":1500})", 200}};
  providers::CurlTransport transport{providers::CurlOptions{}};
  for (const auto& [path, body, status] : puts) {
    const providers::HttpRequest request{"PUT",
                                         emu.Endpoint() + "/_emulator/nlb/" + path,
                                         {{"Content-Type", "application/json"}},
                                         body};
    providers::HttpResponse response;
    REQUIRE(transport.Send(request, &response).ok());
    INFO(path << ": " << response.body);
    CHECK(response.status == status);
  }
  nlohmann::json nlb = emu.emulator().StateJson()["nlb"];
  CHECK(nlb["job_duration_ms"] == 1500);
  REQUIRE(nlb["listeners"].size() == 2);
  CHECK(nlb["listeners"][0]["id"] == "lsn-1@443");
  CHECK(nlb["listeners"][0]["protocol"] == "TCPSSL");
  CHECK(emu.emulator().StateJson()["alb"]["listeners"].empty());  // ALB's untouched
  emu.emulator().Reset();
  CHECK(emu.emulator().StateJson()["nlb"]["listeners"].empty());
}
