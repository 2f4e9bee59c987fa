#include "engine/base/suggest.h"

#include <catch2/catch.hpp>

using namespace certform::engine;

TEST_CASE("suggest: edit distance counts insertions, deletions and substitutions", "[suggest]") {
  CHECK(EditDistance("", "") == 0);
  CHECK(EditDistance("plan", "plan") == 0);
  CHECK(EditDistance("pan", "plan") == 1);
  CHECK(EditDistance("plna", "plan") == 1);  // a transposition
  CHECK(EditDistance("pnla", "plan") == 2);
  CHECK(EditDistance("kitten", "sitting") == 3);
}

TEST_CASE("suggest: close typos get the nearest candidate, far words get none", "[suggest]") {
  std::vector<std::string> commands = {"validate", "plan", "apply", "state"};
  CHECK(Suggest("valdate", commands) == "validate");
  CHECK(Suggest("aply", commands) == "apply");
  CHECK(Suggest("destroy", commands).empty());
}
