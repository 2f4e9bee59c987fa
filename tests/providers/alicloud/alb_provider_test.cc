// ListenerProvider (providers/alicloud/listener_provider.h) for ALB and NLB, against the
// emulator's services over HTTP, each case once per product, on a fake clock that ends the jobs:
// the default slot set by UpdateListenerAttribute, an additional slot associated, and a renewal
// that associates the new certificate before it dissociates the one certform recorded, leaving
// every other additional certificate on the listener; dry runs change nothing; what certform must
// not do (remove a default, dissociate what it never recorded) it refuses before any call.
#include "providers/alicloud/alb_provider.h"
#include "providers/alicloud/listener_provider.h"

#include <algorithm>

#include <catch2/catch.hpp>

#include "tests/providers/alicloud/alb_client_harness.h"

using namespace certform;
using namespace certform::testing;

namespace {

int64_t Id(int i) { return 9100000 + i; }

struct ProviderHarness {
  explicit ProviderHarness(const ListenerProduct& p = ListenerProducts()[0])
      : h(p),
        provider(p.rules(), p.api, [this](const std::string& region) { return h.Client(region); }) {
  }

  engine::BindingRequest Request(const std::string& slot, int cert, int previous = -1) {
    engine::BindingRequest r;
    r.address = {h.product.name, {"cn-hangzhou", h.listener}, slot};
    r.cert_type = "cas";
    r.cert_id = Id(cert);
    r.cert_region = "cn-hangzhou";
    r.previous_cert_id = previous < 0 ? 0 : Id(previous);
    return r;
  }

  // Sends every step of `request` as the engine does: the write, its job polled until done (the
  // fake clock moving on), then the read-back that confirms it.
  void Change(engine::BindingRequest request) {
    for (int step = 0; step < provider.Steps(request); ++step) {
      INFO("step " << step);
      request.step = step;
      engine::CallResult result;
      engine::Status s = provider.SetBinding(request, &result);
      INFO(s.ToString());
      REQUIRE(s.ok());
      if (const std::string job_id = result.job_id; !job_id.empty()) {
        engine::JobStatus job;
        for (int polls = 0; polls < 30 && !job.done; ++polls) {
          const engine::Status polled = provider.PollJob(request, job_id, &job, &result);
          INFO(polled.ToString() << " " << result.error_code);
          REQUIRE(polled.ok());
          if (!job.done) h.clock.Advance(std::chrono::seconds(1));
        }
        REQUIRE(job.done);
        REQUIRE(job.succeeded);
      }
      s = provider.ConfirmStep(request, &result);
      INFO(s.ToString());
      REQUIRE(s.ok());
    }
  }

  engine::LiveBinding Read(const std::string& slot = "default", std::string listener = "") {
    if (listener.empty()) listener = h.listener;
    engine::LiveBinding live;
    engine::CallResult result;
    const engine::Status s =
        provider.ReadBinding({h.product.name, {"cn-hangzhou", listener}, slot}, &live, &result);
    INFO(s.ToString());
    REQUIRE(s.ok());
    return live;
  }

  void Associate(const std::vector<std::string>& ids) {
    alicloud::ListenerCertificates alb = h.Client();
    engine::CallResult r;
    std::string job;
    REQUIRE(alb.Associate(h.listener, ids, {}, &job, &r).ok());
    REQUIRE(h.Wait(alb, job).status == "Succeeded");
  }

  int Writes() {
    int n = 0;
    for (const char* action :
         {"UpdateListenerAttribute", "AssociateAdditionalCertificatesWithListener",
          h.product.api.dissociate}) {
      const nlohmann::json calls = h.emu.emulator().CountersJson()["calls"];
      if (calls.contains(action)) n += calls[action].value("u1", 0);
    }
    return n;
  }

  AlbClientHarness h;
  alicloud::ListenerProvider provider;
};

std::vector<int64_t> Sorted(std::vector<int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

TEST_CASE("listener provider: the default slot is set as a job and read back with the SNI ids",
          "[alb][nlb][provider]") {
  ProviderHarness p(LISTENER_PRODUCT());
  p.Associate({AlbClientHarness::Cert(5)});
  engine::LiveBinding before = p.Read();
  CHECK(before.exists);
  CHECK(before.https);
  CHECK(before.cert_id == Id(0));
  CHECK(before.cert_ref == AlbClientHarness::Cert(0));
  CHECK(before.additional_ids == std::vector<int64_t>{Id(5)});

  engine::BindingRequest request = p.Request("default", 1, 0);
  CHECK(p.provider.Steps(request) == 1);
  // A dry run answers OK with no job and changes nothing.
  request.dry_run = true;
  engine::CallResult result;
  REQUIRE(p.provider.SetBinding(request, &result).ok());
  CHECK(result.job_id.empty());
  CHECK(p.Read().cert_id == Id(0));
  // A dry run whose checks fail is refused: a certificate CAS does not hold.
  engine::BindingRequest unknown = p.Request("default", 99);
  unknown.cert_id = 42;
  unknown.dry_run = true;
  CHECK_FALSE(p.provider.SetBinding(unknown, &result).ok());

  request.dry_run = false;
  p.Change(request);
  const engine::LiveBinding after = p.Read();
  CHECK(after.cert_id == Id(1));
  CHECK(after.additional_ids == std::vector<int64_t>{Id(5)});  // the SNI one untouched
}

TEST_CASE(
    "listener provider: a renewal associates the new SNI certificate, then dissociates only the "
    "recorded one",
    "[alb][nlb][provider]") {
  ProviderHarness p(LISTENER_PRODUCT());
  // Two additional certificates certform does not manage, and the slot's recorded one (2).
  p.Associate({AlbClientHarness::Cert(5), AlbClientHarness::Cert(6), AlbClientHarness::Cert(2)});
  engine::BindingRequest renewal = p.Request("sni:web", 3, 2);
  CHECK(p.provider.Steps(renewal) == 2);

  // Step 0 alone: the listener then serves both, the old and the new (it never lacks one).
  engine::CallResult result;
  REQUIRE(p.provider.SetBinding(renewal, &result).ok());
  REQUIRE_FALSE(result.job_id.empty());
  // While the job runs the listener is Configuring: the dissociate ALB would refuse is not
  // confirmed, and a second write is refused by ALB itself (IncorrectStatus.Listener).
  CHECK(p.provider.ConfirmStep(renewal, &result).code() == engine::Status::Code::kUnavailable);
  engine::BindingRequest second = renewal;
  second.step = 1;
  CHECK_FALSE(p.provider.SetBinding(second, &result).ok());
  CHECK(result.error_code == "IncorrectStatus.Listener");
  p.h.clock.Advance(std::chrono::seconds(30));
  REQUIRE(p.provider.ConfirmStep(renewal, &result).ok());
  CHECK(Sorted(p.Read("sni:web").additional_ids) ==
        std::vector<int64_t>{Id(2), Id(3), Id(5), Id(6)});

  p.h.clock.Advance(std::chrono::seconds(30));
  engine::BindingRequest rest = renewal;
  rest.step = 1;
  REQUIRE(p.provider.SetBinding(rest, &result).ok());
  // While it is dissociated, the old certificate is still listed (prune keeps it) but leaving.
  const engine::LiveBinding leaving = p.Read("sni:web");
  CHECK(Sorted(leaving.additional_ids) == std::vector<int64_t>{Id(2), Id(3), Id(5), Id(6)});
  CHECK(leaving.additional_leaving == std::vector<int64_t>{Id(2)});
  p.h.clock.Advance(std::chrono::seconds(30));
  REQUIRE(p.provider.ConfirmStep(rest, &result).ok());
  const engine::LiveBinding after = p.Read("sni:web");
  CHECK(Sorted(after.additional_ids) == std::vector<int64_t>{Id(3), Id(5), Id(6)});
  CHECK(after.cert_id == Id(0));  // the default untouched

  // Sent again (a lost answer, a killed run): already true is OK with no job.
  rest.step = 1;
  REQUIRE(p.provider.SetBinding(rest, &result).ok());
  CHECK(result.job_id.empty());
  renewal.step = 0;
  REQUIRE(p.provider.SetBinding(renewal, &result).ok());
  CHECK(result.job_id.empty());
}

TEST_CASE(
    "listener provider: a first SNI binding is one associate, removing one is refused unless "
    "certform recorded it",
    "[alb][nlb][provider]") {
  ProviderHarness p(LISTENER_PRODUCT());
  engine::BindingRequest first = p.Request("sni:api", 4);
  CHECK(p.provider.Steps(first) == 1);
  p.Change(first);
  CHECK(p.Read("sni:api").additional_ids == std::vector<int64_t>{Id(4)});

  const int writes = p.Writes();
  engine::CallResult result;
  // The default certificate is never removed.
  engine::BindingRequest off_default = p.Request("default", 0, 0);
  off_default.https = false;
  CHECK(p.provider.SetBinding(off_default, &result).code() == engine::Status::Code::kFailed);
  // An SNI slot switched off with nothing recorded: certform dissociates nothing.
  engine::BindingRequest off_unknown = p.Request("sni:api", 4);
  off_unknown.https = false;
  CHECK(p.provider.SetBinding(off_unknown, &result).code() == engine::Status::Code::kFailed);
  // Addresses that are not an ALB slot, however they came in.
  for (const engine::Address& bad :
       {engine::Address{p.h.product.name, {"cn-hangzhou", p.h.listener}, "www.example.com"},
        engine::Address{p.h.product.name, {"cn-hangzhou", "../lsn"}, "default"},
        engine::Address{p.h.product.name, {"cn hangzhou", p.h.listener}, "default"},
        engine::Address{
            p.h.product.name == "alb" ? "nlb" : "alb", {"cn-hangzhou", p.h.listener}, "default"},
        engine::Address{"cdn", {}, "default"}}) {
    INFO(bad.Key());
    engine::BindingRequest r = first;
    r.address = bad;
    CHECK(p.provider.SetBinding(r, &result).code() == engine::Status::Code::kInvalidArgument);
    engine::LiveBinding live;
    CHECK(p.provider.ReadBinding(bad, &live, &result).code() ==
          engine::Status::Code::kInvalidArgument);
  }
  CHECK(p.Writes() == writes);  // none of them was sent

  // With the recorded id, switching the slot off dissociates exactly it.
  engine::BindingRequest off = p.Request("sni:api", 4, 4);
  off.https = false;
  p.Change(off);
  CHECK(p.Read("sni:api").additional_ids.empty());

  // A listener ALB does not know reads as gone, not as an error.
  CHECK_FALSE(p.Read("default", p.h.product.listener_of("gone")).exists);
}

TEST_CASE(
    "listener provider: the recorded certificate is dissociated under the region the state "
    "records, "
    "not the new certificate's",
    "[alb][nlb][provider]") {
  ProviderHarness p(LISTENER_PRODUCT());
  // The slot's recorded certificate came from CAS in another region.
  const std::string old_id = std::to_string(Id(2)) + "-ap-southeast-1";
  p.Associate({old_id, AlbClientHarness::Cert(5)});
  engine::BindingRequest renewal = p.Request("sni:web", 3, 2);
  renewal.previous_cert_region = "ap-southeast-1";
  p.Change(renewal);
  CHECK(Sorted(p.Read("sni:web").additional_ids) == std::vector<int64_t>{Id(3), Id(5)});
}

TEST_CASE("alb provider: its calls are paced at ALB's documented limits, each under its own name",
          "[alb][provider]") {
  ProviderHarness p;
  const engine::CallLimit write = p.provider.Limit(engine::CallKind::kSetBinding);
  CHECK(write.api == "UpdateListenerAttribute");
  CHECK(write.rate == Approx(200.0 / 60.0));
  const engine::CallLimit poll = p.provider.Limit(engine::CallKind::kPollJob);
  CHECK(poll.api == "ListAsynJobs");
  CHECK(poll.rate == Approx(20));
  const engine::CallLimit read = p.provider.Limit(engine::CallKind::kReadBinding);
  CHECK(read.api == "ListListenerCertificates");
  CHECK(read.rate == Approx(20));
}

TEST_CASE(
    "nlb provider: its calls are paced at NLB's limits, the undocumented poll the harsher way",
    "[nlb][provider]") {
  ProviderHarness p(ListenerProducts()[1]);
  const engine::CallLimit write = p.provider.Limit(engine::CallKind::kSetBinding);
  CHECK(write.api == "UpdateListenerAttribute");
  CHECK(write.rate == Approx(200.0 / 60.0));
  CHECK(write.ram_actions ==
        std::vector<std::string>{"nlb:UpdateListenerAttribute",
                                 "nlb:AssociateAdditionalCertificatesWithListener",
                                 "nlb:DisassociateAdditionalCertificatesWithListener"});
  CHECK(p.provider.Limit(engine::CallKind::kPollJob).rate == Approx(10));
  CHECK(p.provider.Limit(engine::CallKind::kReadBinding).rate == Approx(20));
}

TEST_CASE(
    "listener provider: foreign certificate ids are kept apart, and a listed variant of a "
    "dissociated id is never taken for gone",
    "[alb][nlb][provider]") {
  ProviderHarness p(LISTENER_PRODUCT());
  const std::string store = "12315790343_166f8204689_1714763408_70998";
  const std::string variant = "0" + AlbClientHarness::Cert(2);  // CAS id 2 with a leading zero
  nlohmann::json seed = p.h.product.ListenerSeed(p.h.product.load_balancer + "std", store);
  seed["additional_certificates"] = {store + "1", variant, AlbClientHarness::Cert(4)};
  p.h.Admin("listeners", p.h.listener, seed);

  // The read: a foreign default has no CAS id; foreign additional ones are not CAS ids (0).
  const engine::LiveBinding live = p.Read();
  CHECK(live.https);
  CHECK(live.cert_id == 0);
  CHECK(live.cert_ref == store);
  CHECK(live.additional_ids == std::vector<int64_t>{Id(4)});
  CHECK(live.additional_leaving.empty());

  // Dissociating CAS id 2 while its variant is listed: the API refuses the exact id ("not
  // associated"), and the read-back cannot tell that the variant is another certificate.
  engine::BindingRequest off = p.Request("sni:web", 2, 2);
  off.https = false;
  engine::CallResult result;
  REQUIRE(p.provider.SetBinding(off, &result).ok());
  CHECK(result.job_id.empty());
  const engine::Status confirmed = p.provider.ConfirmStep(off, &result);
  INFO(confirmed.ToString());
  CHECK(confirmed.code() == engine::Status::Code::kFailed);
  CHECK(confirmed.message().find("still lists " + variant) != std::string::npos);

  // A store id is provably another certificate: dissociating CAS id 4 beside it is confirmed.
  engine::BindingRequest off4 = p.Request("sni:api", 4, 4);
  off4.https = false;
  p.Change(off4);
  CHECK(p.Read().additional_ids.empty());
}

TEST_CASE(
    "listener provider: an associated certificate another party is dissociating fails its "
    "read-back, saying so",
    "[alb][nlb][provider]") {
  ProviderHarness p(LISTENER_PRODUCT());
  p.Associate({AlbClientHarness::Cert(5)});
  // Someone else's dissociate of it, still running.
  alicloud::ListenerCertificates other = p.h.Client();
  engine::CallResult r;
  std::string job;
  REQUIRE(other.Dissociate(p.h.listener, {AlbClientHarness::Cert(5)}, {}, &job, &r).ok());
  // certform's associate meanwhile: the listener is Configuring, and the API refuses it as busy
  // (retried), not as "already associated" (D: one change per listener at a time).
  engine::BindingRequest bind = p.Request("sni:web", 5);
  engine::CallResult result;
  CHECK_FALSE(p.provider.SetBinding(bind, &result).ok());
  CHECK(result.error_code == "IncorrectStatus.Listener");
  // Had the API answered "already associated", the read-back names what is going on.
  const engine::Status confirmed = p.provider.ConfirmStep(bind, &result);
  INFO(confirmed.ToString());
  CHECK(confirmed.code() == engine::Status::Code::kFailed);
  CHECK(confirmed.message().find("being dissociated by another party") != std::string::npos);
  CHECK(confirmed.message().find(p.h.listener) != std::string::npos);
  CHECK(confirmed.message().find(AlbClientHarness::Cert(5)) != std::string::npos);
}

TEST_CASE("listener provider: a listener the API does not know reads as gone, by each API's code",
          "[alb][nlb][provider]") {
  ProviderHarness p(LISTENER_PRODUCT());
  engine::LiveBinding live;
  engine::CallResult result;
  const engine::Address gone{
      p.h.product.name, {"cn-hangzhou", p.h.product.listener_of("gone")}, "default"};
  REQUIRE(p.provider.ReadBinding(gone, &live, &result).ok());
  CHECK_FALSE(live.exists);
  // NLB spells it with a lower-case "listener" (D: its error tables), ALB with a capital.
  CHECK(result.error_code == p.h.product.api.listener_not_found);
  CHECK(result.error_code ==
        (p.h.product.name == "nlb" ? "ResourceNotFound.listener" : "ResourceNotFound.Listener"));
}

TEST_CASE(
    "listener provider: a listener with more certificates than a page is read and confirmed "
    "over every page",
    "[alb][nlb][provider]") {
  ProviderHarness p(LISTENER_PRODUCT());
  // 55 additional certificates another party put there: two pages of NLB's 50, one of ALB's 100.
  std::vector<std::string> many;
  for (int i = 0; i < 55; ++i) many.push_back(std::to_string(9200000 + i) + "-cn-hangzhou");
  nlohmann::json seed =
      p.h.product.ListenerSeed(p.h.product.load_balancer + "std", AlbClientHarness::Cert(0));
  seed["additional_certificates"] = many;
  p.h.Admin("listeners", p.h.listener, seed);
  CHECK(p.Read().additional_ids.size() == 55);

  // The load balancer's quota (25 unless raised) refuses one more; raised, the 56th is
  // associated and confirmed on the last page.
  engine::BindingRequest bind = p.Request("sni:web", 6);
  engine::CallResult result;
  CHECK_FALSE(p.provider.SetBinding(bind, &result).ok());
  CHECK(result.error_code == "QuotaExceeded.LoadBalancerCertificatesNum");
  nlohmann::json lb = p.h.product.LoadBalancerSeed();
  lb["quota"] = 60;
  p.h.Admin("load_balancers", p.h.product.load_balancer + "std", lb);
  p.Change(bind);
  const engine::LiveBinding after = p.Read("sni:web");
  REQUIRE(after.additional_ids.size() == 56);
  CHECK(after.additional_ids.back() == Id(6));
  const nlohmann::json calls = p.h.emu.emulator().CountersJson()["calls"];
  // Three reads (two by the test, the read-back), each of every page: NLB's two, ALB's one.
  CHECK(calls["ListListenerCertificates"].value("u1", 0) == (p.h.product.name == "nlb" ? 6 : 3));
}
