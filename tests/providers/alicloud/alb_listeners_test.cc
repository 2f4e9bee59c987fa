// ListenerCertificates (providers/alicloud/listener_certificates.h) over HTTP against the
// emulator's ALB and NLB services, each case once per product, on a fake clock that ends the
// jobs: paging, the default and additional certificates' writes as jobs, DryRun, ClientToken, and
// what is sent checked before it is.
#include "providers/alicloud/listener_certificates.h"
#include "providers/alicloud/nlb_provider.h"

#include <catch2/catch.hpp>

#include "tests/providers/alicloud/alb_client_harness.h"

using namespace certform;
using namespace certform::testing;

namespace {
std::string Cert(int i) { return AlbClientHarness::Cert(i); }
}  // namespace

TEST_CASE(
    "listener client: the default and additional certificates change as jobs, read back in pages",
    "[alb][nlb][provider]") {
  AlbClientHarness h(LISTENER_PRODUCT());
  alicloud::ListenerCertificates alb = h.Client();
  engine::CallResult r;
  std::string job;
  // 15 additional certificates in one call (the most the call takes), then the default.
  std::vector<std::string> fifteen;
  for (int i = 1; i <= 15; ++i) fifteen.push_back(Cert(i));
  REQUIRE(alb.Associate(h.listener, fifteen, {}, &job, &r).ok());
  CHECK_FALSE(job.empty());
  CHECK(h.All(alb, h.listener).at(1) == Cert(1) + ":Associating");
  // A second change while the first job runs: the API refuses it, and the client says so.
  std::string second;
  engine::Status busy = alb.SetDefault(h.listener, Cert(16), {}, &second, &r);
  CHECK_FALSE(busy.ok());
  CHECK(r.error_code == "IncorrectStatus.Listener");
  CHECK(second.empty());
  CHECK(h.Wait(alb, job).status == "Succeeded");
  REQUIRE(alb.SetDefault(h.listener, Cert(16), {}, &job, &r).ok());
  CHECK(h.Wait(alb, job).status == "Succeeded");
  const std::vector<std::string> all = h.All(alb, h.listener);
  REQUIRE(all.size() == 16);  // one page (of 100 for ALB, 50 for NLB); default first
  CHECK(all.front() == "*" + Cert(16) + ":Associated");
  CHECK(all.back() == Cert(15) + ":Associated");

  REQUIRE(alb.Dissociate(h.listener, {Cert(1), Cert(2)}, {}, &job, &r).ok());
  CHECK(h.Wait(alb, job).status == "Succeeded");
  CHECK(h.All(alb, h.listener).size() == 14);
}

TEST_CASE("listener client: a dry run changes nothing, a ClientToken makes a retry the same job",
          "[alb][nlb][provider]") {
  AlbClientHarness h(LISTENER_PRODUCT());
  alicloud::ListenerCertificates alb = h.Client();
  engine::CallResult r;
  std::string job = "stale";
  REQUIRE(alb.Associate(h.listener, {Cert(1)}, {.dry_run = true}, &job, &r).ok());
  CHECK(job.empty());
  CHECK(h.All(alb, h.listener) == std::vector<std::string>{"*" + Cert(0) + ":Associated"});
  // A dry run whose checks fail is that failure: an id CAS does not hold.
  CHECK_FALSE(alb.Associate(h.listener, {"1-cn-hangzhou"}, {.dry_run = true}, &job, &r).ok());
  CHECK(r.error_code != "DryRunOperation");

  std::string first, retry;
  REQUIRE(alb.Associate(h.listener, {Cert(1)}, {.client_token = "change-1"}, &first, &r).ok());
  REQUIRE(alb.Associate(h.listener, {Cert(1)}, {.client_token = "change-1"}, &retry, &r).ok());
  CHECK(retry == first);
  CHECK(h.Wait(alb, first).status == "Succeeded");
  CHECK(h.All(alb, h.listener).size() == 2);
}

TEST_CASE(
    "listener client: what is sent is checked first, and a job the API does not know is NotFound",
    "[alb][nlb][provider]") {
  AlbClientHarness h(LISTENER_PRODUCT());
  alicloud::ListenerCertificates alb = h.Client();
  engine::CallResult r;
  std::string job;
  std::vector<std::string> sixteen(16, Cert(1));
  CHECK(alb.Associate(h.listener, sixteen, {}, &job, &r).code() ==
        engine::Status::Code::kInvalidArgument);
  CHECK(alb.Dissociate(h.listener, {}, {}, &job, &r).code() ==
        engine::Status::Code::kInvalidArgument);
  CHECK(alb.SetDefault(h.listener, "9100001", {}, &job, &r).code() ==
        engine::Status::Code::kInvalidArgument);  // no region: not an ALB id
  CHECK(alb.SetDefault("lb-1/../x", Cert(1), {}, &job, &r).code() ==
        engine::Status::Code::kInvalidArgument);
  CHECK(alb.Associate(h.listener, {Cert(1)}, {.client_token = "a b"}, &job, &r).code() ==
        engine::Status::Code::kInvalidArgument);
  CHECK(alb.Associate(h.listener, {Cert(1)}, {.client_token = std::string(65, 't')}, &job, &r)
            .code() == engine::Status::Code::kInvalidArgument);
  CHECK(h.emu.emulator().CountersJson()["calls"].size() == 0);  // none of them was sent

  alicloud::ListenerJob unknown;
  CHECK(alb.Job("no-such-job", &unknown, &r).code() == engine::Status::Code::kNotFound);

  CHECK(alicloud::IsListenerCertificateId("1011-cn-hangzhou"));
  CHECK(alicloud::IsListenerCertificateId("12345678-ap-southeast-1"));
  CHECK_FALSE(alicloud::IsListenerCertificateId("-cn-hangzhou"));
  CHECK_FALSE(alicloud::IsListenerCertificateId("12a-cn-hangzhou"));
  CHECK_FALSE(alicloud::IsListenerCertificateId("1-CN-HANGZHOU"));
  CHECK_FALSE(alicloud::IsListenerCertificateId("1-cn-hangzhou-"));
  CHECK(alicloud::IsLsnId("lsn-5qnirjhpt0"));
  CHECK(alicloud::IsLsnId("lsr-bp1bpn0kn908w4nbw"));
  CHECK_FALSE(alicloud::IsLsnId("lsn-"));
  CHECK_FALSE(alicloud::IsLsnId("lsn-ABC"));
  // NLB's: with "@PORT" (the NLB reference's "lsn-j49ht1jxxqyg45****@80"), never "lsr-"; the
  // bare id is refused, so that one listener has one spelling.
  CHECK_FALSE(alicloud::IsNlbListenerId("lsn-j49ht1jxxqyg45"));
  CHECK(alicloud::IsNlbListenerId("lsn-j49ht1jxxqyg45@80"));
  CHECK(alicloud::IsNlbListenerId("lsn-j49ht1jxxqyg45@65535"));
  CHECK_FALSE(alicloud::IsNlbListenerId("lsr-bp1bpn0kn908w4nbw@443"));
  CHECK_FALSE(alicloud::IsNlbListenerId("lsn-abc@"));
  CHECK_FALSE(alicloud::IsNlbListenerId("lsn-abc@0"));
  CHECK_FALSE(alicloud::IsNlbListenerId("lsn-abc@080"));
  CHECK_FALSE(alicloud::IsNlbListenerId("lsn-abc@65536"));
  CHECK_FALSE(alicloud::IsNlbListenerId("lsn-abc@80@81"));
  CHECK_FALSE(alicloud::IsNlbListenerId("lsn-abc@8a"));
}

TEST_CASE(
    "listener client: a certificate id is a CAS id only when it parses exactly, by the OSS "
    "CertId rules",
    "[alb][nlb][provider]") {
  int64_t id = 0;
  std::string region;
  REQUIRE(alicloud::ParseListenerCertificateId("9100001-cn-hangzhou", &id, &region));
  CHECK(id == 9100001);
  CHECK(region == "cn-hangzhou");
  CHECK(alicloud::IsListenerCertificateId("9223372036854775807-ap-southeast-1"));  // INT64_MAX
  for (const char* bad : {"09100001-cn-hangzhou", "0-cn-hangzhou",
                          "9223372036854775808-cn-hangzhou",  // over INT64_MAX
                          "99999999999999999999-cn-hangzhou", "9100001-hangzhou", "9100001-cn",
                          "9100001-cn-hangzhou_x", "9100001-c-hangzhou",
                          "12315790343_166f8204689_1714763408_70998"}) {
    INFO(bad);
    CHECK_FALSE(alicloud::IsListenerCertificateId(bad));
  }
}

TEST_CASE(
    "listener client: store-shaped and other foreign ids are listed apart from CAS ids, and "
    "never sent",
    "[alb][nlb][provider]") {
  AlbClientHarness h(LISTENER_PRODUCT());
  // Another party's certificates: the load balancer store's (the references' example shape),
  // and a CAS id spelled with a leading zero, beside one CAS certificate.
  const std::string store = "12315790343_166f8204689_1714763408_70998";
  const std::string zero = "0" + Cert(2);
  nlohmann::json seed = h.product.ListenerSeed(h.product.load_balancer + "std", store);
  seed["additional_certificates"] = {store + "1", zero, Cert(3)};
  h.Admin("listeners", h.listener, seed);
  alicloud::ListenerCertificates alb = h.Client();
  std::vector<alicloud::ListenerCertificate> page;
  std::string next;
  engine::CallResult r;
  REQUIRE(alb.ListPage(h.listener, "", &page, &next, &r).ok());
  REQUIRE(page.size() == 4);
  CHECK(page[0].id == store);
  CHECK(page[0].is_default);
  CHECK(page[0].Foreign());
  CHECK(page[1].Foreign());
  CHECK(page[2].id == zero);
  CHECK(page[2].Foreign());  // not CAS id 9100002: no parse may guess what it names
  CHECK(page[2].cas_id == 0);
  CHECK_FALSE(page[3].Foreign());
  CHECK(page[3].cas_id == 9100003);
  CHECK(page[3].cas_region == "cn-hangzhou");

  // None of them is ever sent.
  const size_t calls = h.emu.emulator().CountersJson()["calls"].size();
  std::string job;
  for (const std::string& id : {store, zero}) {
    INFO(id);
    CHECK(alb.Dissociate(h.listener, {id}, {}, &job, &r).code() ==
          engine::Status::Code::kInvalidArgument);
    CHECK(alb.SetDefault(h.listener, id, {}, &job, &r).code() ==
          engine::Status::Code::kInvalidArgument);
  }
  CHECK(h.emu.emulator().CountersJson()["calls"].size() == calls);
}
