// EndpointWatch: repeated failures without any HTTP answer, before the account ever answered,
// stop the account once; any answer (even an error) shows the endpoint is there.
#include "engine/calls/endpoint_watch.h"

#include <catch2/catch.hpp>

using namespace certform::engine;

namespace {

const Status kRefused = Status::Unavailable("connection refused");
const CallResult kNoAnswer{};  // http_status 0: no HTTP answer came

CallResult Answered(int http_status) {
  CallResult r;
  r.http_status = http_status;
  return r;
}

}  // namespace

TEST_CASE("endpoint watch: the third unanswered attempt stops the account, once",
          "[endpoint_watch]") {
  EndpointWatch w;
  std::string why;
  CHECK_FALSE(w.OnFailure(kRefused, kNoAnswer, 1, &why));
  CHECK_FALSE(w.OnFailure(kRefused, kNoAnswer, EndpointWatch::kRepeats - 1, &why));
  CHECK(why.empty());
  CHECK(w.OnFailure(kRefused, kNoAnswer, EndpointWatch::kRepeats, &why));
  CHECK(why ==
        "the endpoint does not answer (3 attempts, no answer to any call): connection "
        "refused");
  // Told once: the other calls failing the same way say nothing more.
  std::string again;
  CHECK_FALSE(w.OnFailure(kRefused, kNoAnswer, EndpointWatch::kRepeats, &again));
  CHECK_FALSE(w.OnFailure(kRefused, kNoAnswer, EndpointWatch::kRepeats + 1, &again));
  CHECK(again.empty());
}

TEST_CASE("endpoint watch: once any call was answered, network failures concern that call only",
          "[endpoint_watch]") {
  EndpointWatch w;
  w.OnAnswer();
  std::string why;
  CHECK_FALSE(w.OnFailure(kRefused, kNoAnswer, EndpointWatch::kRepeats, &why));
  CHECK_FALSE(w.OnFailure(kRefused, kNoAnswer, 10, &why));
  CHECK(why.empty());
}

TEST_CASE("endpoint watch: a failed attempt that got an HTTP answer shows the endpoint is there",
          "[endpoint_watch]") {
  EndpointWatch w;
  std::string why;
  // A 503 is an answer: the server is there, however unwell.
  CHECK_FALSE(w.OnFailure(Status::Unavailable("ServiceUnavailable"), Answered(503),
                          EndpointWatch::kRepeats, &why));
  CHECK_FALSE(w.OnFailure(kRefused, kNoAnswer, EndpointWatch::kRepeats, &why));
  CHECK(why.empty());
}

TEST_CASE("endpoint watch: only retryable failures count, and each call's own attempts",
          "[endpoint_watch]") {
  EndpointWatch w;
  std::string why;
  // Not retryable (a refusal of this request): it says nothing of the endpoint.
  CHECK_FALSE(w.OnFailure(Status::InvalidArgument("bad"), kNoAnswer, 5, &why));
  // Many calls failing on their first or second attempt do not add up.
  for (int call = 0; call < 10; ++call) {
    CHECK_FALSE(w.OnFailure(kRefused, kNoAnswer, 1, &why));
    CHECK_FALSE(w.OnFailure(kRefused, kNoAnswer, 2, &why));
  }
  CHECK(why.empty());
  // A throttle without an HTTP status is retryable like a refusal.
  CHECK(w.OnFailure(Status::Throttled("slow down"), kNoAnswer, 3, &why));
  CHECK(why.find("slow down") != std::string::npos);
}
