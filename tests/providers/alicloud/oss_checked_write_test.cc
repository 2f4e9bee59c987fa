// OSS's PreviousCertId instead of Force where certform saw a certificate, checked against a read
// the engine makes first, in ListCname's own lane (through engine::Apply: one API call per paced
// call, a lost answer read again).

#include <catch2/catch.hpp>

#include "tests/providers/alicloud/oss_harness.h"

using namespace certform;
using namespace certform::testing;

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
