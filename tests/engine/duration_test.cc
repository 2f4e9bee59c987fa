#include "engine/base/duration.h"

#include <catch2/catch.hpp>

using namespace certform::engine;
using std::chrono::milliseconds;

TEST_CASE("duration: Go's and Terraform's spellings", "[duration]") {
  CHECK(ParseDuration("30s") == milliseconds(30000));
  CHECK(ParseDuration("1.5s") == milliseconds(1500));
  CHECK(ParseDuration("5m30s") == milliseconds(330000));
  CHECK(ParseDuration("1h2m3s") == milliseconds(3723000));
  CHECK(ParseDuration("500ms") == milliseconds(500));
  CHECK(ParseDuration("0.25m") == milliseconds(15000));
  CHECK(ParseDuration("45") == milliseconds(45000));  // a bare number is seconds
  CHECK(ParseDuration("1.5") == milliseconds(1500));
  CHECK(ParseDuration("0s") == milliseconds(0));
  for (const char* bad : {"", "s", "1.5.2s", "-1s", "1x", "1s30", "30 s", "5m 30s",
                          "99999999999999h", ".s", "1e3s"}) {
    INFO(bad);
    CHECK_FALSE(ParseDuration(bad).has_value());
  }
}
