// The emulator's ALB (alb 2020-06-16) in-process on a fake clock: asynchronous jobs, the listener's
// Configuring status, DryRun, ClientToken, the per-instance quota, ACK-managed load balancers and
// certificate ids. Paging, throttling and the admin API: alb_listing_test.cc.
#include <catch2/catch.hpp>

#include "tests/providers/alicloud/alb_harness.h"

using namespace certform;
using namespace certform::testing;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("alb: a write is a job, the listener is Configuring until it ends", "[emulator][alb]") {
  AlbHarness h;
  const std::string job = h.Job("AssociateAdditionalCertificatesWithListener",
                                AlbHarness::With("lsn-std", {AlbHarness::Cert(1)}));
  CHECK(h.Status("lsn-std") == "Configuring");
  CHECK(h.JobStatus(job) == "Processing");
  CHECK(h.Entries("lsn-std") == std::vector<std::string>{"*" + AlbHarness::Cert(0) + ":Associated",
                                                         AlbHarness::Cert(1) + ":Associating"});
  h.clock_.Advance(milliseconds(4999));  // the default job runs 5 s
  CHECK(h.Status("lsn-std") == "Configuring");
  CHECK(h.JobStatus(job) == "Processing");
  h.clock_.Advance(milliseconds(1));
  CHECK(h.JobStatus(job) == "Succeeded");
  CHECK(h.Status("lsn-std") == "Running");
  CHECK(h.Entries("lsn-std") == std::vector<std::string>{"*" + AlbHarness::Cert(0) + ":Associated",
                                                         AlbHarness::Cert(1) + ":Associated"});

  // Dissociating: Dissociating, then gone.
  h.Job("DissociateAdditionalCertificatesFromListener",
        AlbHarness::With("lsn-std", {AlbHarness::Cert(1)}));
  CHECK(h.Entries("lsn-std").back() == AlbHarness::Cert(1) + ":Dissociating");
  h.clock_.Advance(seconds(5));
  CHECK(h.Entries("lsn-std") ==
        std::vector<std::string>{"*" + AlbHarness::Cert(0) + ":Associated"});
}

TEST_CASE("alb: the new default certificate is reported once its job succeeded",
          "[emulator][alb]") {
  AlbHarness h;
  h.Admin("jobs", "", {{"duration_ms", 2000}});
  h.Job("UpdateListenerAttribute", AlbHarness::With("lsn-std", {AlbHarness::Cert(2)}));
  nlohmann::json a = h.Get("GetListenerAttribute", {{"ListenerId", "lsn-std"}});
  CHECK(a["ListenerStatus"] == "Configuring");
  CHECK(a["Certificates"][0]["CertificateId"] == AlbHarness::Cert(0));
  h.clock_.Advance(seconds(2));
  a = h.Get("GetListenerAttribute", {{"ListenerId", "lsn-std"}});
  CHECK(a["ListenerStatus"] == "Running");
  CHECK(a["Certificates"].size() == 1);
  CHECK(a["Certificates"][0]["CertificateId"] == AlbHarness::Cert(2));
  // One default only (NLB's IllegalParamSize.certificateIds, the same rule).
  emulator::ApiResponse r =
      h.Call("UpdateListenerAttribute",
             AlbHarness::With("lsn-std", {AlbHarness::Cert(3), AlbHarness::Cert(4)}));
  CHECK(r.status == 400);
  CHECK(AlbHarness::Code(r) == "IllegalParamSize.Certificates");
}

TEST_CASE("alb: a second write while the listener is Configuring is IncorrectStatus.Listener",
          "[emulator][alb]") {
  AlbHarness h;
  h.Job("AssociateAdditionalCertificatesWithListener",
        AlbHarness::With("lsn-std", {AlbHarness::Cert(1)}));
  // certimate #1215: Dissociate right after Associate.
  emulator::ApiResponse r = h.Call("DissociateAdditionalCertificatesFromListener",
                                   AlbHarness::With("lsn-std", {AlbHarness::Cert(1)}));
  CHECK(r.status == 400);
  CHECK(AlbHarness::Code(r) == "IncorrectStatus.Listener");
  CHECK(r.body.find("lsn-std") != std::string::npos);
  r = h.Call("UpdateListenerAttribute", AlbHarness::With("lsn-std", {AlbHarness::Cert(2)}));
  CHECK(AlbHarness::Code(r) == "IncorrectStatus.Listener");
  // Another listener is not held up by it.
  h.Job("AssociateAdditionalCertificatesWithListener",
        AlbHarness::With("lsn-basic1", {AlbHarness::Cert(2)}));
  h.clock_.Advance(seconds(5));
  h.Job("DissociateAdditionalCertificatesFromListener",
        AlbHarness::With("lsn-std", {AlbHarness::Cert(1)}));
}

TEST_CASE("alb: DryRun runs every check and changes nothing", "[emulator][alb]") {
  AlbHarness h;
  emulator::ApiResponse r =
      h.Call("AssociateAdditionalCertificatesWithListener",
             AlbHarness::With("lsn-std", {AlbHarness::Cert(1)}, {{"DryRun", "true"}}));
  CHECK(r.status == 400);
  CHECK(AlbHarness::Code(r) == "DryRunOperation");
  CHECK(h.Status("lsn-std") == "Running");
  CHECK(h.Entries("lsn-std").size() == 1);
  CHECK(h.Get("ListAsynJobs", {})["TotalCount"] == 0);
  // The checks ran: a bad id, a listener not Running.
  r = h.Call("AssociateAdditionalCertificatesWithListener",
             AlbHarness::With("lsn-std", {"1-cn-hangzhou"}, {{"DryRun", "true"}}));
  CHECK(AlbHarness::Code(r) == "ResourceNotFound.Certificate");
  h.Job("UpdateListenerAttribute", AlbHarness::With("lsn-std", {AlbHarness::Cert(2)}));
  r = h.Call("AssociateAdditionalCertificatesWithListener",
             AlbHarness::With("lsn-std", {AlbHarness::Cert(1)}, {{"DryRun", "true"}}));
  CHECK(AlbHarness::Code(r) == "IncorrectStatus.Listener");
  r = h.Call("UpdateListenerAttribute",
             AlbHarness::With("lsn-std", {AlbHarness::Cert(1)}, {{"DryRun", "maybe"}}));
  CHECK(AlbHarness::Code(r) == "IllegalParam.DryRun");
}

TEST_CASE("alb: the same ClientToken and parameters answer the same JobId, once",
          "[emulator][alb]") {
  AlbHarness h;
  const alicloud::Params p =
      AlbHarness::With("lsn-std", {AlbHarness::Cert(1)}, {{"ClientToken", "retry-1"}});
  const std::string first = h.Job("AssociateAdditionalCertificatesWithListener", p);
  // Retried while its own job runs: the same job, not IncorrectStatus, no second change.
  CHECK(h.Job("AssociateAdditionalCertificatesWithListener", p) == first);
  h.clock_.Advance(seconds(5));
  CHECK(h.Job("AssociateAdditionalCertificatesWithListener", p) == first);
  CHECK(h.Entries("lsn-std").size() == 2);
  CHECK(h.Get("ListAsynJobs", {})["TotalCount"] == 1);
  CHECK(h.Status("lsn-std") == "Running");
  // The same token with other parameters is refused.
  emulator::ApiResponse r =
      h.Call("AssociateAdditionalCertificatesWithListener",
             AlbHarness::With("lsn-std", {AlbHarness::Cert(2)}, {{"ClientToken", "retry-1"}}));
  CHECK(r.status == 400);
  CHECK(AlbHarness::Code(r) == "IdempotenceSignatureMismatch");
  // Without a token, a repeat is a new write (and refused: already associated).
  r = h.Call("AssociateAdditionalCertificatesWithListener",
             AlbHarness::With("lsn-std", {AlbHarness::Cert(1)}));
  CHECK(AlbHarness::Code(r) == "ResourceAlreadyAssociated.Certificate");
}

TEST_CASE("alb: additional certificates per instance: Basic 10, Standard 25", "[emulator][alb]") {
  AlbHarness h;
  h.Admin("jobs", "", {{"duration_ms", 0}});
  std::vector<std::string> first, second;
  for (int i = 1; i <= 6; ++i) first.push_back(AlbHarness::Cert(i));
  for (int i = 7; i <= 10; ++i) second.push_back(AlbHarness::Cert(i));
  // Counted over both listeners of alb-basic.
  h.Job("AssociateAdditionalCertificatesWithListener", AlbHarness::With("lsn-basic1", first));
  h.Job("AssociateAdditionalCertificatesWithListener", AlbHarness::With("lsn-basic2", second));
  emulator::ApiResponse r = h.Call("AssociateAdditionalCertificatesWithListener",
                                   AlbHarness::With("lsn-basic2", {AlbHarness::Cert(11)}));
  CHECK(r.status == 400);
  CHECK(AlbHarness::Code(r) == "QuotaExceeded.LoadBalancerCertificatesNum");
  // DryRun checks the quota too.
  r = h.Call("AssociateAdditionalCertificatesWithListener",
             AlbHarness::With("lsn-basic2", {AlbHarness::Cert(11)}, {{"DryRun", "true"}}));
  CHECK(AlbHarness::Code(r) == "QuotaExceeded.LoadBalancerCertificatesNum");

  // Standard: 25, at most 15 a call.
  std::vector<std::string> sixteen;
  for (int i = 1; i <= 16; ++i) sixteen.push_back(AlbHarness::Cert(i));
  r = h.Call("AssociateAdditionalCertificatesWithListener", AlbHarness::With("lsn-std", sixteen));
  CHECK(AlbHarness::Code(r) == "IllegalParamSize.Certificates");
  sixteen.pop_back();
  h.Job("AssociateAdditionalCertificatesWithListener", AlbHarness::With("lsn-std", sixteen));
  std::vector<std::string> ten;
  for (int i = 16; i <= 25; ++i) ten.push_back(AlbHarness::Cert(i));
  h.Job("AssociateAdditionalCertificatesWithListener", AlbHarness::With("lsn-std", ten));
  r = h.Call("AssociateAdditionalCertificatesWithListener",
             AlbHarness::With("lsn-std", {AlbHarness::Cert(26)}));
  CHECK(AlbHarness::Code(r) == "QuotaExceeded.LoadBalancerCertificatesNum");
  CHECK(h.Entries("lsn-std").size() == 26);  // the default is not counted
}

TEST_CASE("alb: listeners of an ACK-managed load balancer refuse writes", "[emulator][alb]") {
  AlbHarness h;
  h.Admin("load_balancers", "alb-ack", {{"region", "cn-hangzhou"}, {"ack_managed", true}});
  h.Admin("listeners", "lsn-ack",
          {{"load_balancer_id", "alb-ack"}, {"default_certificate", AlbHarness::Cert(0)}});
  for (const char* action :
       {"UpdateListenerAttribute", "AssociateAdditionalCertificatesWithListener"}) {
    emulator::ApiResponse r = h.Call(action, AlbHarness::With("lsn-ack", {AlbHarness::Cert(1)}));
    CHECK(r.status == 400);
    CHECK(AlbHarness::Code(r) == "OperationDenied.ServiceManagedResource");
  }
  CHECK(h.Status("lsn-ack") == "Running");  // reads are answered
  CHECK(h.Entries("lsn-ack").size() == 1);
}

TEST_CASE("alb: ids that name no certificate, listener or region of the caller are refused",
          "[emulator][alb]") {
  AlbHarness h;
  auto code = [&](const std::string& listener, const std::string& cert,
                  const std::string& region = "cn-hangzhou") {
    return AlbHarness::Code(h.Call("AssociateAdditionalCertificatesWithListener",
                                   AlbHarness::With(listener, {cert}), region));
  };
  CHECK(code("lsn-std", "123-cn-hangzhou") == "ResourceNotFound.Certificate");  // not in CAS
  CHECK(code("lsn-std", "9000001") == "ResourceNotFound.Certificate");          // no region
  CHECK(code("lsn-std", "09000001-cn-hangzhou") == "ResourceNotFound.Certificate");
  CHECK(code("lsn-std", "9000001-CN HANGZHOU") == "ResourceNotFound.Certificate");
  h.emulator_.PutCasCertificate({"theirs", 7000001, "u2", AlbHarness::Pem(), false});
  CHECK(code("lsn-std", "7000001-cn-hangzhou") == "ResourceNotFound.Certificate");  // u2's
  CHECK(code("lsn-nope", AlbHarness::Cert(1)) == "ResourceNotFound.Listener");
  CHECK(code("lsn-std", AlbHarness::Cert(1), "cn-shanghai") == "ResourceNotFound.Listener");
  // Another user's listener is none to the caller.
  h.Admin("load_balancers", "alb-u2", {{"region", "cn-hangzhou"}, {"user", "u2"}});
  h.Admin("listeners", "lsn-u2",
          {{"load_balancer_id", "alb-u2"}, {"default_certificate", "7000001-cn-hangzhou"}});
  CHECK(code("lsn-u2", AlbHarness::Cert(1)) == "ResourceNotFound.Listener");
  emulator::ApiResponse r = h.Call("GetListenerAttribute", {{"ListenerId", "lsn-u2"}});
  CHECK(r.status == 404);
  // An HTTP listener takes no certificates.
  h.Admin("listeners", "lsn-http", {{"load_balancer_id", "alb-std"}, {"protocol", "HTTP"}});
  CHECK(code("lsn-http", AlbHarness::Cert(1)) == "OperationDenied.ListenerProtocolNotSupport");
  // Dissociating one that is not associated.
  r = h.Call("DissociateAdditionalCertificatesFromListener",
             AlbHarness::With("lsn-std", {AlbHarness::Cert(1)}));
  CHECK(AlbHarness::Code(r) == "ResourceNotAssociated.Certificate");
  CHECK(h.Get("ListAsynJobs", {})["TotalCount"] == 0);  // nothing was started
}
