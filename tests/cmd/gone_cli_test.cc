// End-to-end: a bound domain deleted by hand on its product. The apply whose call is answered
// that the domain does not exist records that in the state, so that a plain (offline) `plan`
// shows the binding as gone instead of "No changes.", and `plan --refresh` shows it as gone.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cmd/apply_fixture.h"

using namespace certform;
using namespace certform::testing;

namespace {

constexpr char kGoneHeadline[] = "no longer exists on the CDN";

}  // namespace

TEST_CASE("cli gone: after a repair apply fails on a deleted domain, plain plan shows it gone",
          "[cli][plan][drift]") {
  ApplyFixture f;
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  REQUIRE(f.emu.emulator().RemoveDomain("img.example.com"));  // deleted by hand

  // Offline, certform cannot know yet.
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
  // Read live, the plan says the domain is gone (not "not in state").
  ProcessResult refreshed = f.Run({"plan", "--refresh", "--out", "repair.cfp"});
  INFO(refreshed.out << refreshed.err);
  REQUIRE(refreshed.exit_code == 0);
  CHECK(refreshed.out.find("img.example.com (gone)") != std::string::npos);
  CHECK(refreshed.out.find(kGoneHeadline) != std::string::npos);
  CHECK(refreshed.out.find("a live read found no such domain") != std::string::npos);
  CHECK(refreshed.out.find("not in state") == std::string::npos);

  // The apply of that plan fails: the CDN answers that the domain does not exist.
  ProcessResult apply = f.Run({"apply", "repair.cfp"});
  INFO(apply.out << apply.err);
  CHECK(apply.exit_code == 1);
  CHECK(apply.out.find("InvalidDomain.NotFound") != std::string::npos);
  CHECK(apply.out.find("the state records it as gone") != std::string::npos);
  const engine::StateEntry* img = nullptr;
  engine::State state = f.State();
  img = state.Find("img.example.com");
  REQUIRE(img != nullptr);
  CHECK(!img->gone_at.empty());
  CHECK(!img->gone_request_id.empty());
  CHECK(img->fingerprint == f.cli.web.Fingerprint());  // what was last made true stays

  // Plain plan (offline) no longer says "No changes.": it shows the binding as gone.
  ProcessResult plan = f.Run({"plan", "--detailed-exitcode"});
  INFO(plan.out << plan.err);
  CHECK(plan.exit_code == 2);
  CHECK(plan.out.find("No changes.") == std::string::npos);
  CHECK(plan.out.find("img.example.com (gone)") != std::string::npos);
  CHECK(plan.out.find(kGoneHeadline) != std::string::npos);
  CHECK(plan.out.find("the last apply's call for it was answered so") != std::string::npos);
  CHECK(plan.out.find("RequestId " + img->gone_request_id) != std::string::npos);
  CHECK(plan.out.find("www.example.com") == std::string::npos);  // the others are in sync
  nlohmann::json doc = nlohmann::json::parse(f.Run({"plan", "--json"}).out);
  for (const auto& c : doc["changes"]) {
    if (c["domain"] != "img.example.com") continue;
    CHECK(c["action"] == "update");
    CHECK(c["before"]["gone_at"] == img->gone_at);
  }

  // Once the domain is back, apply binds it and the mark goes.
  std::string error;
  REQUIRE(f.emu.emulator().PutDomain("img.example.com", {{"user", "u1"}}, &error));
  ProcessResult again = f.Run({"apply", "--auto-approve"});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  state = f.State();
  CHECK(state.Find("img.example.com")->gone_at.empty());
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
}

TEST_CASE("cli gone: a renewal that fails on a deleted domain says it is gone, on every plan",
          "[cli][plan]") {
  ApplyFixture f;
  REQUIRE(f.Run({"apply", "--auto-approve"}).exit_code == 0);
  REQUIRE(f.emu.emulator().RemoveDomain("www.example.com"));
  f.RenewWeb();
  ProcessResult apply = f.Run({"apply", "--auto-approve"});
  INFO(apply.out << apply.err);
  CHECK(apply.exit_code == 1);
  CHECK(apply.out.find("1 failed") != std::string::npos);
  ProcessResult plan = f.Run({"plan"});
  INFO(plan.out << plan.err);
  CHECK(plan.out.find("www.example.com (gone)") != std::string::npos);
  CHECK(plan.out.find(kGoneHeadline) != std::string::npos);
  CHECK(plan.out.find("img.example.com") == std::string::npos);  // renewed: in sync
}
