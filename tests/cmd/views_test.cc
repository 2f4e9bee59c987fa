// Golden tests of the Markdown and JSON renderings: fixed inputs, outputs compared byte for byte
// with tests/testdata/golden/. Regenerate with CERTFORM_UPDATE_GOLDEN=1 after a deliberate change
// (and review the diff: these files are the documented formats).
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "cmd/certform/drift_view.h"
#include "cmd/certform/markdown_view.h"
#include "cmd/certform/plan_view.h"

using namespace certform;

namespace {

constexpr int64_t kNow = 1795000000;  // 2026-11-18T11:06:40Z

std::string GoldenPath(const std::string& name) {
  return std::string(CERTFORM_SOURCE_DIR) + "/tests/testdata/golden/" + name;
}

void CheckGolden(const std::string& name, const std::string& actual) {
  if (std::getenv("CERTFORM_UPDATE_GOLDEN")) {
    std::ofstream(GoldenPath(name), std::ios::binary) << actual;
  }
  std::ifstream f(GoldenPath(name), std::ios::binary);
  REQUIRE(f.good());
  std::stringstream expected;
  expected << f.rdbuf();
  INFO("golden file " << name);
  CHECK(actual == expected.str());
}

engine::Plan SamplePlan() {
  engine::Plan p;
  p.lineage = "11111111-2222-4333-8444-555555555555";
  p.serial = 7;
  p.config_digest = std::string(64, 'd');
  p.tool_version = "0.1.0";
  engine::CertificateInfo web;
  web.fingerprint = "6b2b56945b463a0bb1ba5c68cacdb4c32f3c1bf42c80fb92bfab1082b08e26cb";
  web.subject = "CN=*.example.com,O=Example";
  web.issuer = "CN=Example Intermediate CA";
  web.sans = {"*.example.com", "example.com"};
  web.not_before = kNow - 86400;
  web.not_after = kNow + 89 * 86400;
  web.key_type = "EC P-256";
  web.serial = "1A2B";
  web.chain_length = 2;
  engine::StateEntry after{.domain = "www.example.com",
                           .account = "main",
                           .https = true,
                           .certificate = "web",
                           .cert_type = "upload",
                           .cert_name = "certform-6b2b56945b463a0b",
                           .fingerprint = web.fingerprint,
                           .not_after = web.not_after};
  engine::Change create{.domain = "img.example.com",
                        .account = "main",
                        .action = engine::Action::kCreate,
                        .reasons = {"not in state: bind the certificate"}};
  create.after = after;
  create.after->domain = "img.example.com";
  create.certificate = web;
  engine::Change update{
      .domain = "www.example.com",
      .account = "main",
      .action = engine::Action::kUpdate,
      .reasons = {"fingerprint 01234567…→6b2b5694…", "CertName a|b→certform-6b2b56945b463a0b"}};
  update.before = after;
  update.before->fingerprint = "0123456789abcdef" + std::string(48, '0');
  update.before->cert_name = "a|b";
  update.after = after;
  update.certificate = web;
  engine::Change del{.domain = "old.example.com",
                     .account = "main",
                     .action = engine::Action::kDelete,
                     .reasons = {"no longer in configuration: switch HTTPS off, then forget"}};
  del.before = engine::StateEntry{.domain = "old.example.com", .account = "main", .https = true};
  engine::Change same{
      .domain = "api.example.com", .account = "main", .action = engine::Action::kNoOp};
  same.after = after;
  same.before = after;
  p.changes = {same, create, del, update};
  return p;
}

engine::DriftReport SampleDrift() {
  engine::DriftReport r;
  r.checked = 4;
  r.drifted = {{"api.example.com", "main", {"domain no longer exists"}},
               {"www.example.com",
                "main",
                {"fingerprint 6b2b5694…→77be12aa… (changed outside certform)",
                 "CertName certform-6b2b56945b463a0b→console"}}};
  r.expiring = {{"img.example.com", kNow + 5 * 86400 + 600, 5}};
  engine::LiveRead failed;
  failed.domain = "shop.example.net";
  failed.account = "main";
  failed.error = "ServiceUnavailable: try later (gave up after 6 attempts)";
  failed.last.error_code = "ServiceUnavailable";
  failed.last.request_id = "REQ-9";
  r.failed = {failed};
  return r;
}

}  // namespace

TEST_CASE("views: plan as Markdown", "[views][golden]") {
  CheckGolden("plan.md", cli::PlanToMarkdown(SamplePlan(), kNow));
}

TEST_CASE("views: a plan without changes as Markdown", "[views][golden]") {
  engine::Plan p = SamplePlan();
  p.changes.resize(1);
  CheckGolden("plan-empty.md", cli::PlanToMarkdown(p, kNow));
}

TEST_CASE("views: plan as JSON", "[views][golden]") {
  const engine::Plan plan = SamplePlan();
  engine::Diagnostics diags;
  diags.Warning({"certform.toml", 12, 13}, "certificate \"web\" expires in 20 days",
                "expiry_warning_days is 30");
  CheckGolden("plan.json", cli::PlanToJson(&plan, diags).dump(2) + "\n");
}

TEST_CASE("views: drift as Markdown and JSON", "[views][golden]") {
  CheckGolden("drift.md", cli::DriftToMarkdown(SampleDrift(), kNow));
  CheckGolden("drift.json", cli::DriftToJson(SampleDrift()).dump(2) + "\n");
}

TEST_CASE("views: long Markdown tables are folded in <details>", "[views]") {
  engine::Plan p = SamplePlan();
  for (int i = 0; i < 30; ++i) {
    engine::Change c = p.changes[1];
    c.domain = "d" + std::to_string(i) + ".example.com";
    p.changes.push_back(c);
  }
  std::string md = cli::PlanToMarkdown(p, kNow);
  CHECK(md.find("<details><summary>33 changes</summary>") != std::string::npos);
}
