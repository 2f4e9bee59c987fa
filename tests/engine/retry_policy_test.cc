#include "engine/calls/retry_policy.h"

#include <catch2/catch.hpp>

#include "tests/support/emulator_fixture.h"

using namespace certform::engine;
using certform::testing::SeededRandom;
using std::chrono::milliseconds;

TEST_CASE("retry: only retryable failures are retried, within attempts and time", "[retry]") {
  RetryPolicy p({.max_attempts = 3, .max_call_time = std::chrono::seconds(60)});
  CHECK(p.ShouldRetry(Status::Unavailable("Throttling.User"), 1, {}));
  CHECK(p.ShouldRetry(Status::Unavailable("503"), 2, std::chrono::seconds(10)));
  CHECK_FALSE(p.ShouldRetry(Status::Unavailable("503"), 3, {}));
  CHECK_FALSE(p.ShouldRetry(Status::Unavailable("503"), 1, std::chrono::seconds(61)));
  CHECK_FALSE(p.ShouldRetry(Status::InvalidArgument("Certificate.MissMatch"), 1, {}));
  CHECK_FALSE(p.ShouldRetry(Status::PermissionDenied("SignatureDoesNotMatch"), 1, {}));
  CHECK_FALSE(p.ShouldRetry(Status::NotFound("InvalidDomain.NotFound"), 1, {}));
}

TEST_CASE("retry: full jitter stays within the doubling ceiling and the cap", "[retry]") {
  RetryPolicy p({.base = milliseconds(100), .cap = milliseconds(1000)});
  SeededRandom random(1);
  for (int attempts = 1; attempts <= 8; ++attempts) {
    const auto ceiling = std::min(milliseconds(100 << (attempts - 1)), milliseconds(1000));
    Clock::Duration lo = ceiling, hi{0};
    for (int i = 0; i < 500; ++i) {
      Clock::Duration d = p.Backoff(attempts, {}, random);
      REQUIRE(d >= Clock::Duration(0));
      REQUIRE(d <= ceiling);
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    INFO("attempts " << attempts);
    CHECK(lo < ceiling / 4);  // spread over the whole range: jitter, not a fixed wait
    CHECK(hi > ceiling * 3 / 4);
  }
}

TEST_CASE("retry: the server's retry-after hint is honoured, plus a little jitter", "[retry]") {
  RetryPolicy p({.base = milliseconds(100)});
  SeededRandom random(2);
  for (int i = 0; i < 200; ++i) {
    Clock::Duration d = p.Backoff(1, milliseconds(750), random);
    REQUIRE(d >= milliseconds(750));
    REQUIRE(d <= milliseconds(850));
  }
}
