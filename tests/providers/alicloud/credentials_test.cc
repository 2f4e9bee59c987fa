#include "providers/alicloud/credentials.h"

#include <map>

#include <catch2/catch.hpp>

#include "tests/support/temp_dir.h"

using namespace certform;
using certform::testing::TempDir;

namespace {

engine::EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

TEST_CASE("credentials: env reads ALIBABA_CLOUD_* with an optional STS token", "[credentials]") {
  engine::PosixFileSystem fs;
  alicloud::Credentials c;
  REQUIRE(alicloud::ResolveCredentials("env",
                                       Env({{"ALIBABA_CLOUD_ACCESS_KEY_ID", "id1"},
                                            {"ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s1"},
                                            {"ALIBABA_CLOUD_SECURITY_TOKEN", "t1"},
                                            {"ALICLOUD_ACCESS_KEY", "id2"},
                                            {"ALICLOUD_SECRET_KEY", "s2"}}),
                                       fs, &c)
              .ok());
  CHECK(c.access_key_id == "id1");
  CHECK(c.access_key_secret == "s1");
  CHECK(c.security_token == "t1");
}

TEST_CASE("credentials: env falls back to Terraform's ALICLOUD_* names", "[credentials]") {
  engine::PosixFileSystem fs;
  alicloud::Credentials c;
  REQUIRE(alicloud::ResolveCredentials("env",
                                       Env({{"ALIBABA_CLOUD_ACCESS_KEY_ID", "only-id"},
                                            {"ALICLOUD_ACCESS_KEY", "id2"},
                                            {"ALICLOUD_SECRET_KEY", "s2"}}),
                                       fs, &c)
              .ok());
  CHECK(c.access_key_id == "id2");
  CHECK(c.security_token.empty());
}

TEST_CASE("credentials: missing env credentials list where certform looked", "[credentials]") {
  engine::PosixFileSystem fs;
  alicloud::Credentials c;
  engine::Status s = alicloud::ResolveCredentials("env", Env({}), fs, &c);
  CHECK(s.IsNotFound());
  CHECK(s.message().find("ALIBABA_CLOUD_ACCESS_KEY_ID") != std::string::npos);
  CHECK(s.message().find("ALICLOUD_ACCESS_KEY") != std::string::npos);
}

TEST_CASE("credentials: profile:NAME reads the INI credentials file", "[credentials]") {
  TempDir home;
  home.Write(".alibabacloud/credentials",
             "[default]\ntype = access_key\naccess_key_id = d\naccess_key_secret = ds\n\n"
             "[prod]\naccess_key_id = p\naccess_key_secret = ps\n"
             "[ram]\ntype = ram_role_arn\naccess_key_id = r\naccess_key_secret = rs\n");
  engine::PosixFileSystem fs;
  alicloud::Credentials c;
  REQUIRE(alicloud::ResolveCredentials("profile:prod", Env({{"HOME", home.path()}}), fs, &c).ok());
  CHECK(c.access_key_id == "p");
  CHECK(c.access_key_secret == "ps");
  engine::Status ram =
      alicloud::ResolveCredentials("profile:ram", Env({{"HOME", home.path()}}), fs, &c);
  CHECK(ram.IsNotFound());
  CHECK(ram.message().find("type \"ram_role_arn\"") != std::string::npos);
  CHECK(ram.message().find("rs") == std::string::npos);
}

TEST_CASE("credentials: profile:NAME falls back to the aliyun CLI config, honouring overrides",
          "[credentials]") {
  TempDir dir;
  const std::string cli = dir.Write("cli.json", R"({"current":"AK","profiles":[
      {"name":"AK","mode":"AK","access_key_id":"akid","access_key_secret":"secret"},
      {"name":"Sts","mode":"StsToken","access_key_id":"sid","access_key_secret":"ss",
       "sts_token":"tok"}]})");
  engine::PosixFileSystem fs;
  alicloud::Credentials c;
  auto env = Env({{"ALIBABA_CLOUD_CONFIG_FILE", cli},
                  {"ALIBABA_CLOUD_CREDENTIALS_FILE", dir.Path("none.ini")}});
  REQUIRE(alicloud::ResolveCredentials("profile:Sts", env, fs, &c).ok());
  CHECK(c.access_key_id == "sid");
  CHECK(c.security_token == "tok");
  CHECK(c.source == cli);
  auto disabled = Env({{"ALIBABA_CLOUD_CONFIG_FILE", cli},
                       {"ALIBABA_CLOUD_CREDENTIALS_FILE", dir.Path("none.ini")},
                       {"ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true"}});
  engine::Status s = alicloud::ResolveCredentials("profile:AK", disabled, fs, &c);
  CHECK(s.IsNotFound());
  CHECK(s.message().find(dir.Path("none.ini")) != std::string::npos);
  CHECK(s.message().find("cli.json") == std::string::npos);
}
