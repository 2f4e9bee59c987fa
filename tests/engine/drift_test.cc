#include "engine/plan/drift.h"

#include <atomic>

#include <catch2/catch.hpp>

#include "engine/calls/live_reader.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"

using namespace certform::engine;
using namespace certform::testing;

namespace {

// shop.example.com bound by CAS id to "shop-cert", as the state records it.
StateEntry ShopEntry() {
  return StateEntry{.address = SplitAddress("shop.example.com"),
                    .account = "main",
                    .https = true,
                    .certificate = "shop",
                    .cert_type = "cas",
                    .cert_name = "shop-cert",
                    .cert_id = 8089870,
                    .applied_at = "2026-01-01T00:00:00Z",
                    .request_id = "REQ-1"};
}

}  // namespace

TEST_CASE("drift: a CAS binding switched to another certificate id is drift, even by name",
          "[drift]") {
  StateEntry recorded = ShopEntry();
  LiveBinding live{.exists = true,
                   .https = true,
                   .cert_name = "shop-cert",
                   .cert_type = "cas",
                   .cert_id = 8089870};
  CHECK(DriftReasons(recorded, live).empty());
  live.cert_id = 9000001;  // same name, another certificate
  CHECK(DriftReasons(recorded, live) ==
        std::vector<std::string>{"cert_id 8089870→9000001 (changed outside certform)"});
}

TEST_CASE(
    "drift: a listener serving a certificate that is no CAS id, where certform recorded one, "
    "is drift",
    "[drift][clb][alb]") {
  StateEntry recorded = ShopEntry();
  // What a listener product reads back: ids only, no fingerprint.
  LiveBinding live{.exists = true,
                   .https = true,
                   .cert_type = "cas",
                   .cert_id = 8089870,
                   .cert_ref = "8089870-cn-hangzhou"};
  CHECK(DriftReasons(recorded, live).empty());
  live.cert_id = 0;  // a store certificate of someone else's (ALB's store shape, CLB by content)
  live.cert_ref = "1231579_166f8204689_1714763408_709981430";
  CHECK(DriftReasons(recorded, live) ==
        std::vector<std::string>{"cert_id 8089870→1231579_166f8204689_1714763408_709981430 (not "
                                 "a CAS certificate: changed outside certform)"});
  // A product that reads the served leaf compares fingerprints instead.
  live.fingerprint = "ab";
  CHECK(DriftReasons(recorded, live).empty());
}

TEST_CASE("refresh: a CAS binding recorded without its leaf learns the one the API serves",
          "[drift]") {
  StateEntry recorded = ShopEntry();
  LiveRead read{.address = recorded.address, .account = "main", .ok = true};
  read.live = LiveBinding{.exists = true,
                          .https = true,
                          .cert_name = "shop-cert",
                          .cert_type = "cas",
                          .cert_id = 8089870,
                          .fingerprint = std::string(64, 'f'),
                          .not_after = 1900000000};
  State s;
  s.entries["shop.example.com"] = recorded;
  const State next = RefreshedState(s, {read}, Config{}, "2026-02-01T00:00:00Z");
  const StateEntry& learned = next.entries.at("shop.example.com");
  CHECK(learned.fingerprint == std::string(64, 'f'));
  CHECK(learned.not_after == 1900000000);
  CHECK(learned.request_id == "REQ-1");  // the same binding, not a new one
  CHECK(learned.certificate == "shop");
  // Another certificate id is drift: replaced from the read, not learned into the entry.
  read.live.cert_id = 9000001;
  CHECK(RefreshedState(s, {read}, Config{}, "2026-02-01T00:00:00Z")
            .entries.at("shop.example.com")
            .request_id.empty());
  // HTTPS off recorded: nothing to learn.
  recorded.https = false;
  s.entries["shop.example.com"] = recorded;
  read.live.https = false;
  CHECK(RefreshedState(s, {read}, Config{}, "2026-02-01T00:00:00Z")
            .entries.at("shop.example.com")
            .fingerprint.empty());
}

namespace {

// Answers every read with `status`, counting the calls.
class RefusingProvider final : public Provider {
 public:
  explicit RefusingProvider(Status status) : status_(std::move(status)) {}
  Status SetBinding(const BindingRequest&, CallResult*) override { return status_; }
  Status ReadBinding(const Address&, LiveBinding*, CallResult*) override {
    ++calls;
    return status_;
  }
  std::atomic<int> calls{0};

 private:
  Status status_;
};

}  // namespace

TEST_CASE("live reader: an error that concerns the whole account stops its reads", "[drift]") {
  FakeClock clock;
  SeededRandom random;
  RefusingProvider refusing(Status::PermissionDenied("InvalidAccessKeyId.NotFound: unknown"));
  std::vector<DomainRef> domains;
  for (int i = 0; i < 30; ++i)
    domains.push_back({SplitAddress("d" + std::to_string(i) + ".example.com"), "main"});
  PacingRegistry pacing(PacingOptions{.parallelism = 1});
  AccountRuntime main;
  main.user = "main-user";
  main.products = {{"cdn", &refusing}};
  std::vector<LiveRead> reads = ReadLive(domains, {{"main", main}}, pacing, clock, random);
  CHECK(refusing.calls == 1);
  for (const LiveRead& r : reads) {
    CHECK_FALSE(r.ok);
    CHECK(r.error == "InvalidAccessKeyId.NotFound: unknown");
  }
}
