#include "providers/alicloud/credentials.h"

#include <sys/stat.h>

#include <map>

#include <catch2/catch.hpp>

#include "tests/support/temp_dir.h"

using namespace certform;
using alicloud::CredentialKind;
using alicloud::CredentialSpec;
using certform::testing::TempDir;

namespace {

engine::EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

engine::Status Resolve(const std::string& setting, const engine::EnvLookup& env,
                       CredentialSpec* spec, const std::string& profile = "") {
  engine::PosixFileSystem fs;
  return alicloud::ResolveCredentialSpec(setting, profile, env, fs, spec);
}

constexpr char kCliConfig[] = R"({"current":"AK","profiles":[
    {"name":"AK","mode":"AK","access_key_id":"akid","access_key_secret":"secret"},
    {"name":"Sts","mode":"StsToken","access_key_id":"sid","access_key_secret":"ss",
     "sts_token":"tok"},
    {"name":"Role","mode":"RamRoleArn","access_key_id":"rid","access_key_secret":"rs",
     "ram_role_arn":"acs:ram::1:role/deploy","ram_session_name":"ci","expired_seconds":1800},
    {"name":"Ecs","mode":"EcsRamRole","ram_role_name":"cdn-writer"},
    {"name":"Oidc","mode":"OIDC","ram_role_arn":"acs:ram::1:role/gh",
     "oidc_provider_arn":"acs:ram::1:oidc-provider/gh","oidc_token_file":"/run/token"},
    {"name":"Short","mode":"RamRoleArn","access_key_id":"rid","access_key_secret":"rs",
     "ram_role_arn":"acs:ram::1:role/deploy","expired_seconds":60},
    {"name":"Sso","mode":"CloudSSO"}]})";

}  // namespace

TEST_CASE("credentials: env reads ALIBABA_CLOUD_* with an optional STS token", "[credentials]") {
  CredentialSpec c;
  REQUIRE(Resolve("env",
                  Env({{"ALIBABA_CLOUD_ACCESS_KEY_ID", "id1"},
                       {"ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s1"},
                       {"ALIBABA_CLOUD_SECURITY_TOKEN", "t1"},
                       {"ALICLOUD_ACCESS_KEY", "id2"},
                       {"ALICLOUD_SECRET_KEY", "s2"},
                       {"ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/x"}}),
                  &c)
              .ok());
  CHECK(c.kind == CredentialKind::kAccessKey);
  CHECK(c.access_key.access_key_id == "id1");
  CHECK(c.access_key.access_key_secret == "s1");
  CHECK(c.access_key.security_token == "t1");
}

TEST_CASE("credentials: env falls back to Terraform's ALICLOUD_* names", "[credentials]") {
  CredentialSpec c;
  REQUIRE(Resolve("env",
                  Env({{"ALIBABA_CLOUD_ACCESS_KEY_ID", "only-id"},
                       {"ALICLOUD_ACCESS_KEY", "id2"},
                       {"ALICLOUD_SECRET_KEY", "s2"}}),
                  &c)
              .ok());
  CHECK(c.access_key.access_key_id == "id2");
  CHECK(c.access_key.security_token.empty());
}

TEST_CASE("credentials: env without an AccessKey takes the OIDC variables (the SDKs' order)",
          "[credentials]") {
  auto oidc = Env({{"ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/gh"},
                   {"ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "acs:ram::1:oidc-provider/gh"},
                   {"ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/run/token"},
                   {"ALIBABA_CLOUD_ROLE_SESSION_NAME", "run-42"}});
  for (const char* setting : {"env", "oidc"}) {
    CredentialSpec c;
    REQUIRE(Resolve(setting, oidc, &c).ok());
    CHECK(c.kind == CredentialKind::kOidc);
    CHECK(c.role_arn == "acs:ram::1:role/gh");
    CHECK(c.oidc_provider_arn == "acs:ram::1:oidc-provider/gh");
    CHECK(c.oidc_token_file == "/run/token");
    CHECK(c.session_name == "run-42");
  }
  CredentialSpec c;
  engine::Status s = Resolve("oidc", Env({{"ALIBABA_CLOUD_ROLE_ARN", "r"}}), &c);
  CHECK(s.IsNotFound());
  CHECK(s.message().find("ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE") !=
        std::string::npos);
  CHECK(s.message().find("ALIBABA_CLOUD_ROLE_ARN") == std::string::npos);
}

TEST_CASE("credentials: missing env credentials list where certform looked", "[credentials]") {
  CredentialSpec c;
  engine::Status s = Resolve("env", Env({}), &c);
  CHECK(s.IsNotFound());
  CHECK(s.message().find("ALIBABA_CLOUD_ACCESS_KEY_ID") != std::string::npos);
  CHECK(s.message().find("ALICLOUD_ACCESS_KEY") != std::string::npos);
  CHECK(s.message().find("ALIBABA_CLOUD_OIDC_TOKEN_FILE") != std::string::npos);
}

TEST_CASE("credentials: profile:NAME reads the INI credentials file, roles included",
          "[credentials]") {
  TempDir home;
  home.Write(
      ".alibabacloud/credentials",
      "[default]\ntype = access_key\naccess_key_id = d\naccess_key_secret = ds\n\n"
      "[prod]\naccess_key_id = p\naccess_key_secret = ps\n"
      "[ram]\ntype = ram_role_arn\naccess_key_id = r\naccess_key_secret = rs\n"
      "role_arn = acs:ram::1:role/x\nrole_session_name = s1\n"
      "[ecs]\ntype = ecs_ram_role\nrole_name = writer\n"
      "[broken]\ntype = ram_role_arn\naccess_key_id = r\naccess_key_secret = Zq7SecretBroken\n"
      "[rsa]\ntype = rsa_key_pair\nprivate_key_file = /k\n");
  auto env = Env({{"HOME", home.path()}});
  CredentialSpec c;
  REQUIRE(Resolve("profile:prod", env, &c).ok());
  CHECK(c.access_key.access_key_id == "p");
  CHECK(c.access_key.access_key_secret == "ps");
  REQUIRE(Resolve("profile:ram", env, &c).ok());
  CHECK(c.kind == CredentialKind::kRamRoleArn);
  CHECK(c.access_key.access_key_id == "r");
  CHECK(c.role_arn == "acs:ram::1:role/x");
  CHECK(c.session_name == "s1");
  REQUIRE(Resolve("profile:ecs", env, &c).ok());
  CHECK(c.kind == CredentialKind::kEcsRamRole);
  CHECK(c.ecs_role_name == "writer");
  engine::Status broken = Resolve("profile:broken", env, &c);
  CHECK(broken.code() == engine::Status::Code::kInvalidArgument);
  CHECK(broken.message().find("[broken] lacks role_arn") != std::string::npos);
  // A distinctive secret: a short one could occur by chance in the temporary path.
  CHECK(broken.message().find("Zq7SecretBroken") == std::string::npos);
  engine::Status rsa = Resolve("profile:rsa", env, &c);
  CHECK(rsa.message().find("type \"rsa_key_pair\"") != std::string::npos);
}

TEST_CASE("credentials: profile:NAME falls back to the aliyun CLI config, every mode",
          "[credentials]") {
  TempDir dir;
  const std::string cli = dir.Write("cli.json", kCliConfig);
  auto env = Env({{"ALIBABA_CLOUD_CONFIG_FILE", cli},
                  {"ALIBABA_CLOUD_CREDENTIALS_FILE", dir.Path("none.ini")}});
  CredentialSpec c;
  REQUIRE(Resolve("profile:Sts", env, &c).ok());
  CHECK(c.access_key.access_key_id == "sid");
  CHECK(c.access_key.security_token == "tok");
  CHECK(c.source.find(cli) != std::string::npos);
  REQUIRE(Resolve("profile:Role", env, &c).ok());
  CHECK(c.kind == CredentialKind::kRamRoleArn);
  CHECK(c.role_arn == "acs:ram::1:role/deploy");
  CHECK(c.session_name == "ci");
  CHECK(c.duration_seconds == 1800);
  REQUIRE(Resolve("profile:Ecs", env, &c).ok());
  CHECK(c.kind == CredentialKind::kEcsRamRole);
  CHECK(c.ecs_role_name == "cdn-writer");
  REQUIRE(Resolve("profile:Oidc", env, &c).ok());
  CHECK(c.kind == CredentialKind::kOidc);
  CHECK(c.oidc_token_file == "/run/token");
  engine::Status shortlived = Resolve("profile:Short", env, &c);
  CHECK(shortlived.message().find("900 to 43200 seconds, not \"60\"") != std::string::npos);
  engine::Status sso = Resolve("profile:Sso", env, &c);
  CHECK(sso.message().find("mode CloudSSO") != std::string::npos);

  auto disabled = Env({{"ALIBABA_CLOUD_CONFIG_FILE", cli},
                       {"ALIBABA_CLOUD_CREDENTIALS_FILE", dir.Path("none.ini")},
                       {"ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true"}});
  engine::Status s = Resolve("profile:AK", disabled, &c);
  CHECK(s.IsNotFound());
  CHECK(s.message().find(dir.Path("none.ini")) != std::string::npos);
  CHECK(s.message().find("cli.json") == std::string::npos);
}

TEST_CASE(
    "credentials: \"profile\" takes --profile, then ALIBABA_CLOUD_PROFILE, then the CLI's "
    "current profile",
    "[credentials]") {
  TempDir dir;
  const std::string cli = dir.Write("cli.json", kCliConfig);
  std::map<std::string, std::string> vars = {
      {"ALIBABA_CLOUD_CONFIG_FILE", cli}, {"ALIBABA_CLOUD_CREDENTIALS_FILE", dir.Path("none.ini")}};
  CredentialSpec c;
  REQUIRE(Resolve("profile", Env(vars), &c).ok());
  CHECK(c.access_key.access_key_id == "akid");  // "current": "AK"
  vars["ALIBABA_CLOUD_PROFILE"] = "Sts";
  REQUIRE(Resolve("profile", Env(vars), &c).ok());
  CHECK(c.access_key.access_key_id == "sid");
  REQUIRE(Resolve("profile", Env(vars), &c, "Role").ok());
  CHECK(c.kind == CredentialKind::kRamRoleArn);
  // An account that names its profile keeps it.
  REQUIRE(Resolve("profile:AK", Env(vars), &c, "Role").ok());
  CHECK(c.access_key.access_key_id == "akid");
  engine::Status s = Resolve("profile", Env(vars), &c, "nope");
  CHECK(s.IsNotFound());
  CHECK(s.message().find("profile \"nope\" (--profile)") != std::string::npos);
}

TEST_CASE("credentials: ecs-ram-role names the role or asks the metadata service",
          "[credentials]") {
  CredentialSpec c;
  REQUIRE(Resolve("ecs-ram-role:writer", Env({}), &c).ok());
  CHECK(c.kind == CredentialKind::kEcsRamRole);
  CHECK(c.ecs_role_name == "writer");
  REQUIRE(Resolve("ecs-ram-role", Env({{"ALIBABA_CLOUD_ECS_METADATA", "named"}}), &c).ok());
  CHECK(c.ecs_role_name == "named");
  REQUIRE(Resolve("ecs-ram-role", Env({}), &c).ok());
  CHECK(c.ecs_role_name.empty());
}

TEST_CASE("credentials: a profile file that is a device, a FIFO or too large is a clear error",
          "[credentials][hostile]") {
  TempDir home;
  const std::string fifo = home.Path("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  home.Write("big.ini",
             "[default]\naccess_key_id = a\naccess_key_secret = b\n" + std::string(1 << 20, '#'));
  struct Case {
    const char* variable;
    std::string path;
    const char* expect;
  };
  for (const Case& c : {Case{"ALIBABA_CLOUD_CREDENTIALS_FILE", "/dev/zero", "character device"},
                        Case{"ALIBABA_CLOUD_CREDENTIALS_FILE", fifo, "FIFO"},
                        Case{"ALIBABA_CLOUD_CREDENTIALS_FILE", home.Path("big.ini"), "too large"},
                        Case{"ALIBABA_CLOUD_CONFIG_FILE", "/dev/zero", "character device"},
                        Case{"ALIBABA_CLOUD_CONFIG_FILE", fifo, "FIFO"}}) {
    INFO(c.variable << "=" << c.path);
    CredentialSpec spec;
    // No bad_alloc, no hang: each is refused before it is read.
    engine::Status s =
        Resolve("profile:default", Env({{"HOME", home.path()}, {c.variable, c.path}}), &spec);
    CHECK(s.code() == engine::Status::Code::kInvalidArgument);
    CHECK(s.message().find(c.path) != std::string::npos);
    CHECK(s.message().find(c.expect) != std::string::npos);
    // `profile` also reads config.json for its "current" profile.
    s = Resolve("profile", Env({{"HOME", home.path()}, {c.variable, c.path}}), &spec);
    CHECK_FALSE(s.ok());
  }
}

TEST_CASE("credentials: an ECS role name that could change the metadata URL is refused",
          "[credentials][hostile]") {
  CredentialSpec c;
  for (const std::string& role : {std::string("../user-data"), std::string("a?b"),
                                  std::string("a b"), std::string(65, 'r')}) {
    INFO(role);
    engine::Status s = Resolve("ecs-ram-role:" + role, Env({}), &c);
    CHECK(s.code() == engine::Status::Code::kInvalidArgument);
    CHECK(s.message().find("the credentials setting") != std::string::npos);
    s = Resolve("ecs-ram-role", Env({{"ALIBABA_CLOUD_ECS_METADATA", role}}), &c);
    CHECK(s.message().find("ALIBABA_CLOUD_ECS_METADATA") != std::string::npos);
  }
  TempDir home;
  home.Write(".alibabacloud/credentials", "[ecs]\ntype = ecs_ram_role\nrole_name = x/../y\n");
  engine::Status s = Resolve("profile:ecs", Env({{"HOME", home.path()}}), &c);
  CHECK(s.code() == engine::Status::Code::kInvalidArgument);
  CHECK(s.message().find("[ecs]") != std::string::npos);
  // The names RAM allows pass: letters, digits, '.', '-', '_' (ROS), up to 64.
  REQUIRE(Resolve("ecs-ram-role:Cdn.Writer-2_x", Env({}), &c).ok());
  REQUIRE(Resolve("ecs-ram-role:" + std::string(64, 'r'), Env({}), &c).ok());
  CHECK(alicloud::RamRoleNameProblem("").size() > 0);
}
