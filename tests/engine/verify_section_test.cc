// [verify] and expiry_fail_days in the configuration (engine/config/verify_section.cc): read
// strictly, every problem an error naming file and line.
#include <catch2/catch.hpp>

#include "engine/config/config_loader.h"
#include "tests/support/temp_dir.h"

using namespace certform::engine;
using certform::testing::TempDir;

namespace {

struct Loaded {
  Config config;
  Diagnostics diags;
};

Loaded LoadText(const TempDir& dir, const std::string& toml) {
  dir.Write("main.toml", toml);
  PosixFileSystem fs;
  Loaded l;
  l.config = LoadConfig(fs, dir.path(), &l.diags);
  l.diags.Sort();
  return l;
}

const Diagnostic& OnlyError(const Diagnostics& diags, const std::string& needle) {
  const Diagnostic* found = nullptr;
  int count = 0;
  std::string all;
  for (const Diagnostic& d : diags.items()) all += d.ToString() + "\n";
  INFO(all);
  for (const Diagnostic& d : diags.items()) {
    if (d.severity == Severity::kError && d.summary.find(needle) != std::string::npos) {
      found = &d;
      ++count;
    }
  }
  INFO("looking for \"" << needle << "\"");
  REQUIRE(count == 1);
  return *found;
}

}  // namespace

TEST_CASE("config [verify]: connect, names, timeout and parallelism are read", "[config][verify]") {
  TempDir dir;
  Loaded l = LoadText(dir, R"(expiry_fail_days = 7
[verify]
connect = { "*.Example.com" = "127.0.0.1:8443", "oss" = "edge.example.net", "*" = "[::1]:9443" }
names = { ".example.com" = "WWW.example.com" }
timeout = "3s"
parallelism = 4
)");
  for (const Diagnostic& d : l.diags.items()) INFO(d.ToString());
  REQUIRE_FALSE(l.diags.HasErrors());
  const VerifySettings& v = l.config.verify;
  CHECK(l.config.expiry_fail_days == 7);
  REQUIRE(v.connect.size() == 3);
  CHECK(v.timeout == std::chrono::seconds(3));
  CHECK(v.parallelism == 4);
  CHECK(v.names.at("*.example.com") == "www.example.com");
  const Address oss{"oss", {"cn-hangzhou", "bucket"}, "static.example.org"};
  CHECK(v.ConnectFor(oss, "static.example.org")->host == "edge.example.net");
  CHECK(v.ConnectFor(oss, "static.example.org")->port == 443);
  const Address www{"cdn", {}, "www.example.com"};
  CHECK(v.ConnectFor(www, "www.example.com")->port == 8443);
  const Address other{"cdn", {}, "a.example.net"};
  CHECK(v.ConnectFor(other, "a.example.net")->host == "[::1]");
}

TEST_CASE("config [verify]: a bad address, rule, name or value is an error at its line",
          "[config][verify]") {
  TempDir dir;
  Loaded l = LoadText(dir, R"([verify]
names = { "www.example.com" = "a.example.com", "*.example.com" = "a.b.example.com" }
timeout = "1h"
parallelism = 0
[verify.connect]
"www.example.com" = "https://127.0.0.1:8443"
"api.example.com" = "127.0.0.1:70000"
"a*b.example.com" = "127.0.0.1"
)");
  CHECK(OnlyError(l.diags, "invalid address for connect rule \"www.example.com\"").where.line == 6);
  CHECK(OnlyError(l.diags, "invalid address for connect rule \"api.example.com\"").where.line == 7);
  CHECK(OnlyError(l.diags, "invalid connect rule \"a*b.example.com\"").where.line == 8);
  const Diagnostic& not_wildcard = OnlyError(l.diags, "is not a wildcard domain");
  CHECK(not_wildcard.where.line == 2);
  CHECK(not_wildcard.where.file.ends_with("main.toml"));
  CHECK(OnlyError(l.diags, "is not a name *.example.com covers").where.line == 2);
  CHECK(OnlyError(l.diags, "\"timeout\" must be a duration from 1s to 5m").where.line == 3);
  CHECK(OnlyError(l.diags, "\"parallelism\" must be an integer").where.line == 4);
}

TEST_CASE("config: expiry_fail_days is an integer from 0 to 3650, and [verify] keys are checked",
          "[config][verify]") {
  TempDir dir;
  Loaded l = LoadText(dir, "expiry_fail_days = -1\n[verify]\nconect = {}\n");
  CHECK(OnlyError(l.diags, "\"expiry_fail_days\" must be between 0 and 3650").where.line == 1);
  CHECK(OnlyError(l.diags, "unknown key \"conect\" in [verify]").detail ==
        "did you mean \"connect\"?");
}
