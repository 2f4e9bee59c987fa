// Hostile input where an account's credentials are named: a variable that holds something else
// (PATH, certform's own settings, another account's secret), an AccessKeyId that is not one, an
// ARN or session name from the environment or a profile, an STS endpoint that is not Alibaba's,
// a profile file others may write. Each is refused where it is read, naming the file and line,
// and never quoting what may be a secret.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "engine/base/endpoint.h"
#include "engine/config/config_loader.h"
#include "engine/config/credential_names.h"
#include "providers/alicloud/credentials.h"
#include "tests/support/temp_dir.h"

using namespace certform;
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

// The errors whose summary holds `needle`.
std::vector<Diagnostic> ErrorsWith(const Diagnostics& diags, const std::string& needle) {
  std::vector<Diagnostic> out;
  for (const Diagnostic& d : diags.items()) {
    if (d.severity == Severity::kError && d.summary.find(needle) != std::string::npos) {
      out.push_back(d);
    }
  }
  return out;
}

EnvLookup EnvOf(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

constexpr char kBinding[] = R"(
[[binding]]
account = "prod"
https = false
domains = ["www.example.com"]
)";

}  // namespace

TEST_CASE("credential shapes: a variable name is [A-Z_][A-Z0-9_]*, bounded, and not the system's",
          "[config][credentials]") {
  CHECK(VariableNameProblem("PROD_AK_ID").empty());
  CHECK(VariableNameProblem("_X1").empty());
  CHECK(VariableNameProblem("prod_ak_id").find("upper-case") != std::string::npos);
  CHECK(VariableNameProblem("PROD AK").find("upper-case") != std::string::npos);
  CHECK(VariableNameProblem("1ST").find("does not start with a digit") != std::string::npos);
  CHECK(VariableNameProblem(std::string(kMaxVariableName, 'A')).empty());
  CHECK(VariableNameProblem(std::string(kMaxVariableName + 1, 'A')).find("longer than 128") !=
        std::string::npos);
  for (const char* reserved : {"PATH", "HOME", "LD_PRELOAD", "LC_ALL", "CERTFORM_LOG"}) {
    INFO(reserved);
    CHECK(VariableNameProblem(reserved).find("of the system or of certform") != std::string::npos);
  }
  TempDir dir;
  Loaded l = LoadText(dir, std::string(R"(
[account.prod]
access_key_id_env = "PATH"
access_key_secret_env = "CERTFORM_LOG"
)") + kBinding);
  CHECK(ErrorsWith(l.diags, "of the system or of certform").size() == 2);
}

TEST_CASE("credential shapes: an id variable may not be one that holds a secret, anywhere",
          "[config][credentials]") {
  TempDir dir;
  Loaded l = LoadText(dir, std::string(R"(
[account.prod]
access_key_id_env = "PROD_AK_ID"
access_key_secret_env = "PROD_AK_SECRET"

[account.thief]
access_key_id_env = "PROD_AK_SECRET"
access_key_secret_env = "THIEF_AK_SECRET"

[account.conv]
access_key_id_env = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
access_key_secret_env = "CONV_SECRET"

[account.same]
access_key_id_env = "SAME"
access_key_secret_env = "SAME"

[account.late]
access_key_id_env = "LATE_ID"
access_key_secret_env = "PROD_AK_ID"
)") + kBinding);
  const auto thief = ErrorsWith(l.diags, "names PROD_AK_SECRET, which [account.prod]");
  REQUIRE(thief.size() == 1);
  CHECK(thief[0].where.line == 7);
  CHECK(thief[0].summary.find("main.toml:2") != std::string::npos);  // where prod is
  const auto conv = ErrorsWith(l.diags, "names ALIBABA_CLOUD_ACCESS_KEY_SECRET, which holds");
  REQUIRE(conv.size() == 1);
  CHECK(conv[0].where.line == 11);
  const auto same = ErrorsWith(l.diags, "names SAME, which the table also names for a secret");
  REQUIRE(same.size() == 1);
  CHECK(same[0].where.line == 15);
  // The other way round (one error, at whichever of the two tables is read second): an account
  // names another's id variable for its secret.
  std::vector<Diagnostic> late;
  for (const Diagnostic& d : ErrorsWith(l.diags, "PROD_AK_ID")) {
    if (d.summary.find("[account.late]") != std::string::npos) late.push_back(d);
  }
  REQUIRE(late.size() == 1);
  CHECK((late[0].where.line == 20 || late[0].where.line == 3));
}

TEST_CASE("credential shapes: the STS endpoint is Alibaba's STS or this machine",
          "[config][credentials]") {
  for (const char* good : {"https://sts.aliyuncs.com", "https://sts.cn-hangzhou.aliyuncs.com",
                           "https://sts-vpc.ap-southeast-1.aliyuncs.com", "http://127.0.0.1:8080",
                           "http://localhost"}) {
    INFO(good);
    CHECK(StsEndpointProblem(good).empty());
  }
  for (const char* bad : {"https://sts.example.com", "https://sts.aliyuncs.com.example.com",
                          "https://evil.aliyuncs.com", "https://sts.a.b.aliyuncs.com",
                          "https://aliyuncs.com", "https://sts..aliyuncs.com"}) {
    INFO(bad);
    CHECK_FALSE(StsEndpointProblem(bad).empty());
  }
  TempDir dir;
  Loaded l = LoadText(dir, std::string(R"(
[account.prod]
sts_endpoint = "https://sts.attacker.example"
)") + kBinding);
  const auto e = ErrorsWith(l.diags, "\"sts_endpoint\" \"https://sts.attacker.example\"");
  REQUIRE(e.size() == 1);
  CHECK(e[0].where.line == 3);
}

TEST_CASE("credential shapes: API endpoints are under .aliyuncs.com or this machine",
          "[config][credentials]") {
  for (const char* good : {"https://cdn.aliyuncs.com", "https://CAS.ap-southeast-1.Aliyuncs.com",
                           "http://127.0.0.1:18080", "http://localhost", "http://[::1]:9"}) {
    INFO(good);
    CHECK(EndpointProblem(good).empty());
  }
  for (const char* bad : {"https://cdn.example.com", "https://cdn.aliyuncs.com.example.com",
                          "https://aliyuncs.com", "https://evilaliyuncs.com", "http://10.0.0.1"}) {
    INFO(bad);
    CHECK_FALSE(EndpointProblem(bad).empty());
  }
  TempDir dir;
  Loaded l = LoadText(dir, std::string(R"(
[account.prod]
endpoint = "https://cdn.attacker.example"
dcdn_endpoint = "https://dcdn.attacker.example"
cas_endpoint = "https://cas.attacker.example"
)") + kBinding);
  int line = 3;
  for (const char* key : {"endpoint", "dcdn_endpoint", "cas_endpoint"}) {
    INFO(key);
    const auto e = ErrorsWith(l.diags, fmt::format("\"{}\" \"https://", key));
    REQUIRE(e.size() == 1);
    CHECK(e[0].where.line == line++);
    CHECK(e[0].summary.find("must be under .aliyuncs.com") != std::string::npos);
  }
}

TEST_CASE("credential shapes: a named variable holding no AccessKeyId is refused, not quoted",
          "[config][credentials]") {
  TempDir dir;
  Loaded l = LoadText(dir, std::string(R"(
[account.prod]
access_key_id_env = "PROD_AK_ID"
access_key_secret_env = "PROD_AK_SECRET"
)") + kBinding);
  REQUIRE_FALSE(l.diags.HasErrors());
  PosixFileSystem fs;
  alicloud::CredentialSpec spec;
  // Say the variable holds a GitHub token, or a PEM: it is not sent, nor printed.
  for (const char* value : {"ghs_Zq7TokenNotAnId16charsXYZ", "Zq7/base64+secret=", "-----BEGIN Zq7",
                            "Zq7 with space"}) {
    INFO(value);
    Status s = alicloud::ResolveAccountCredentials(
        l.config.accounts.at("prod"), "",
        EnvOf({{"PROD_AK_ID", value}, {"PROD_AK_SECRET", "Zq7Secret"}}), fs, &spec);
    CHECK(s.code() == Status::Code::kInvalidArgument);
    CHECK(s.message().find(dir.path() + "/main.toml:2:1: [account.prod] names PROD_AK_ID") == 0);
    CHECK(s.message().find("not shown") != std::string::npos);
    CHECK(s.message().find("Zq7") == std::string::npos);
  }
  CHECK(alicloud::AccessKeyIdProblem("LTAI5tAbC123").empty());
  CHECK(alicloud::AccessKeyIdProblem("STS.NUgYrLnoC37mZZCNnAbez2PLo").empty());
  CHECK_FALSE(alicloud::AccessKeyIdProblem(std::string(129, 'A')).empty());
  CHECK_FALSE(alicloud::AccessKeyIdProblem("").empty());
}

TEST_CASE("credential shapes: ARNs and session names from the environment are checked too",
          "[credentials]") {
  PosixFileSystem fs;
  alicloud::CredentialSpec spec;
  const std::map<std::string, std::string> good = {
      {"ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/gh"},
      {"ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "acs:ram::1:oidc-provider/gh"},
      {"ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/run/token"}};
  REQUIRE(alicloud::ResolveCredentialSpec("oidc", "", EnvOf(good), fs, &spec).ok());
  auto with = [&](const char* name, const char* value) {
    std::map<std::string, std::string> vars = good;
    vars[name] = value;
    return alicloud::ResolveCredentialSpec("oidc", "", EnvOf(vars), fs, &spec);
  };
  Status role = with("ALIBABA_CLOUD_ROLE_ARN", "arn:aws:iam::1:role/x\x1b[2J");
  CHECK(role.code() == Status::Code::kInvalidArgument);
  CHECK(role.message().find("the role ARN") != std::string::npos);
  CHECK(role.message().find('\x1b') == std::string::npos);  // escaped when quoted
  Status provider = with("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "acs:ram::1:role/not-a-provider");
  CHECK(provider.message().find("the OIDC provider ARN") != std::string::npos);
  Status session = with("ALIBABA_CLOUD_ROLE_SESSION_NAME", "a b");
  CHECK(session.message().find("the role session name") != std::string::npos);
}

TEST_CASE("credential shapes: a profile file others may write is refused, errors give its line",
          "[credentials]") {
  TempDir home;
  const std::string path = home.Write(".alibabacloud/credentials",
                                      "# certform\n\n[default]\naccess_key_id = d\n"
                                      "access_key_secret = Zq7SecretWritable\n\n"
                                      "[broken]\ntype = ram_role_arn\naccess_key_id = r\n"
                                      "access_key_secret = Zq7SecretBroken\n",
                                      0664);
  PosixFileSystem fs;
  alicloud::CredentialSpec spec;
  Status s = alicloud::ResolveCredentialSpec("profile:default", "", EnvOf({{"HOME", home.path()}}),
                                             fs, &spec);
  CHECK(s.code() == Status::Code::kInvalidArgument);
  CHECK(s.message().find("may be written by other users (mode 0664)") != std::string::npos);
  CHECK(s.message().find("chmod 600 " + path) != std::string::npos);
  CHECK(s.message().find("Zq7") == std::string::npos);
  home.Write(".alibabacloud/credentials",
             "# certform\n\n[default]\naccess_key_id = d\naccess_key_secret = Zq7SecretWritable\n"
             "\n[broken]\ntype = ram_role_arn\naccess_key_id = r\n"
             "access_key_secret = Zq7SecretBroken\n",
             0600);
  REQUIRE(alicloud::ResolveCredentialSpec("profile:default", "", EnvOf({{"HOME", home.path()}}), fs,
                                          &spec)
              .ok());
  Status broken = alicloud::ResolveCredentialSpec("profile:broken", "",
                                                  EnvOf({{"HOME", home.path()}}), fs, &spec);
  CHECK(broken.message().find(path + ":7 [broken] lacks role_arn") != std::string::npos);
  CHECK(broken.message().find("Zq7") == std::string::npos);
}
