#include "engine/plan/plan_file.h"

#include <catch2/catch.hpp>

using namespace certform::engine;

namespace {

Plan SamplePlan() {
  Plan p;
  p.lineage = "6f1c0b4e-0000-4000-8000-000000000000";
  p.serial = 3;
  p.config_digest = std::string(64, 'd');
  p.tool_version = "0.1.0";
  p.created_at = "2026-11-27T00:00:00Z";
  Change create;
  create.address = SplitAddress("www.example.com");
  create.account = "main";
  create.action = Action::kCreate;
  create.reasons = {"not in state: bind the certificate"};
  create.after = StateEntry{.address = SplitAddress("www.example.com"),
                            .account = "main",
                            .https = true,
                            .certificate = "web",
                            .cert_type = "upload",
                            .cert_name = "certform-aaaa",
                            .fingerprint = std::string(64, 'a'),
                            .not_after = 2000000000};
  CertificateInfo info;
  info.fingerprint = std::string(64, 'a');
  info.subject = "CN=www.example.com";
  info.sans = {"www.example.com"};
  info.not_after = 2000000000;
  create.certificate = info;
  Change del;
  del.address = SplitAddress("old.example.com");
  del.account = "main";
  del.action = Action::kDelete;
  del.before = StateEntry{.address = SplitAddress("old.example.com"),
                          .account = "main",
                          .https = true,
                          .request_id = "R1"};
  p.changes = {create, del};
  return p;
}

}  // namespace

TEST_CASE("plan file: a plan survives a round trip unchanged", "[plan_file]") {
  Plan p = SamplePlan();
  Plan back;
  REQUIRE(ParsePlan(SerializePlan(p), "p.cfp", &back).ok());
  CHECK(back.lineage == p.lineage);
  CHECK(back.serial == 3);
  CHECK(back.config_digest == p.config_digest);
  REQUIRE(back.changes.size() == 2);
  CHECK(back.changes[0].action == Action::kCreate);
  CHECK(back.changes[0].after == p.changes[0].after);
  CHECK(back.changes[0].certificate == p.changes[0].certificate);
  CHECK(back.changes[1].action == Action::kDelete);
  CHECK(back.changes[1].before == p.changes[1].before);
  CHECK_FALSE(back.changes[1].after.has_value());
  CHECK(SerializePlan(back) == SerializePlan(p));
}

TEST_CASE("plan file: other JSON, broken JSON and unknown versions are refused", "[plan_file]") {
  Plan p;
  CHECK(ParsePlan("{\"format_version\": 4}", "x.json", &p).message() ==
        "plan file x.json is not a certform plan file");
  Status broken = ParsePlan("{\"kind\": ", "x.cfp", &p);
  CHECK(broken.code() == Status::Code::kCorruption);
  CHECK(broken.message().find("not valid JSON (line 1") != std::string::npos);
  std::string text = SerializePlan(SamplePlan());
  text.replace(text.find("\"format_version\": 2"), 19, "\"format_version\": 9");
  CHECK(ParsePlan(text, "x.cfp", &p).message().find("format_version 9") != std::string::npos);
}

TEST_CASE("plan file: a version 1 plan (before uploads) is still read", "[plan_file]") {
  std::string text = SerializePlan(SamplePlan());
  text.replace(text.find("\"format_version\": 2"), 19, "\"format_version\": 1");
  Plan p;
  REQUIRE(ParsePlan(text, "x.cfp", &p).ok());
  CHECK(p.changes.size() == SamplePlan().changes.size());
}

TEST_CASE("plan file: a change with an unknown action is refused", "[plan_file]") {
  std::string text = SerializePlan(SamplePlan());
  text.replace(text.find("\"create\""), 8, "\"explode\"");
  Plan p;
  Status s = ParsePlan(text, "x.cfp", &p);
  CHECK(s.message().find("unknown action \"explode\"") != std::string::npos);
}

TEST_CASE("plan file: upload steps, upload keys and ForceSet survive the round trip",
          "[planfile][cas]") {
  Plan p = SamplePlan();
  p.changes[0].upload_key = "main/" + std::string(64, 'a');
  p.changes[0].replaces_name = true;
  CertificateInfo info;
  info.fingerprint = std::string(64, 'a');
  info.not_after = 2000000000;
  p.uploads.push_back({"main", "web", std::string(64, 'a'), "", "certform-aaaaaaaaaaaaaaaa", info});
  Plan back;
  REQUIRE(ParsePlan(SerializePlan(p), "p.cfp", &back).ok());
  REQUIRE(back.uploads.size() == 1);
  CHECK(back.uploads[0].account == "main");
  CHECK(back.uploads[0].certificate == "web");
  CHECK(back.uploads[0].name == "certform-aaaaaaaaaaaaaaaa");
  CHECK(back.uploads[0].info->not_after == 2000000000);
  CHECK(back.changes[0].upload_key == p.changes[0].upload_key);
  CHECK(back.changes[0].replaces_name);
  CHECK(back.Summary().upload == 1);
}

TEST_CASE("plan file: a forget and the two halves of a move survive a round trip",
          "[plan_file][removal]") {
  Plan p = SamplePlan();
  p.changes[0].address = SplitAddress("oss:cn-shanghai/archive/www.example.com");
  p.changes[0].after->address = p.changes[0].address;
  p.changes[0].moved_from = "oss:cn-hangzhou/static-site/www.example.com";
  Change old;
  old.address = SplitAddress("oss:cn-hangzhou/static-site/www.example.com");
  old.account = "main";
  old.action = Action::kForget;
  old.reasons = {"moved to oss:cn-shanghai/archive/www.example.com, once bound there: forget"};
  old.before = StateEntry{.address = old.address, .account = "main", .https = true, .cert_id = 7};
  old.moved_to = p.changes[0].address.Key();
  p.changes.push_back(old);
  const std::string text = SerializePlan(p);
  CHECK(text.find("\"action\": \"forget\"") != std::string::npos);
  Plan back;
  REQUIRE(ParsePlan(text, "p.cfp", &back).ok());
  REQUIRE(back.changes.size() == 3);
  CHECK(back.changes[0].moved_from == "oss:cn-hangzhou/static-site/www.example.com");
  CHECK(back.changes[0].moved_to.empty());
  CHECK(back.changes[1].moved_from.empty());  // a plain delete
  CHECK(back.changes[2].action == Action::kForget);
  CHECK(back.changes[2].moved_to == "oss:cn-shanghai/archive/www.example.com");
  CHECK(back.changes[2].before == old.before);
  CHECK_FALSE(back.changes[2].after.has_value());
  CHECK(SerializePlan(back) == text);
  // Only a removal leaves for another address, and only a create arrives from one.
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"moved_to\": \"oss:cn-shanghai", "\"moved_from\": \"oss:cn-shanghai"},
           {"\"moved_from\": \"oss:cn-hangzhou", "\"moved_to\": \"oss:cn-hangzhou"}}) {
    std::string edited = text;
    edited.replace(edited.find(from), from.size(), to);
    Status s = ParsePlan(edited, "p.cfp", &back);
    CHECK(s.code() == Status::Code::kCorruption);
    CHECK(s.message().find("p.cfp, change ") != std::string::npos);
  }
}
