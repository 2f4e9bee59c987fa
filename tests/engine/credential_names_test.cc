// [account.NAME]'s own credentials: the variables of its AccessKey, or its OIDC role, checked like
// the rest of the configuration (file:line, "did you mean"), and resolved to where they say.
#include <catch2/catch.hpp>

#include "engine/config/config_loader.h"
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

// The one error whose summary holds `needle` (the test fails unless there is exactly one).
const Diagnostic& ErrorWith(const Diagnostics& diags, const std::string& needle) {
  const Diagnostic* found = nullptr;
  int count = 0;
  for (const Diagnostic& d : diags.items()) {
    if (d.severity == Severity::kError && d.summary.find(needle) != std::string::npos) {
      found = &d;
      ++count;
    }
  }
  INFO("looking for \"" << needle << "\"");
  for (const Diagnostic& d : diags.items()) INFO(d.ToString());
  REQUIRE(count == 1);
  return *found;
}

std::string AllText(const Diagnostics& diags) {
  std::string out;
  for (const Diagnostic& d : diags.items()) out += d.ToString() + "\n";
  return out;
}

constexpr char kBinding[] = R"(
[[binding]]
account = "prod"
https = false
domains = ["www.example.com"]
)";

EnvLookup EnvOf(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

TEST_CASE("credential names: an account names its own AccessKey variables, or its OIDC role",
          "[config][credentials]") {
  TempDir dir;
  Loaded l = LoadText(dir, std::string(R"(
[account.prod]
access_key_id_env = "PROD_AK_ID"
access_key_secret_env = "PROD_AK_SECRET"
security_token_env = "PROD_STS_TOKEN"

[account.ci]
credentials = "oidc"
role_arn = "acs:ram::1234567890123456:role/certform-ci"
oidc_provider_arn = "acs:ram::1234567890123456:oidc-provider/github"
oidc_token_file = "tokens/github"
role_session_name = "certform-ci"
)") + kBinding);
  INFO(AllText(l.diags));
  REQUIRE_FALSE(l.diags.HasErrors());
  const AccountConfig& prod = l.config.accounts.at("prod");
  CHECK(prod.credentials == "env");
  CHECK(prod.named.access_key_id_env == "PROD_AK_ID");
  CHECK(prod.named.access_key_secret_env == "PROD_AK_SECRET");
  CHECK(prod.named.security_token_env == "PROD_STS_TOKEN");
  CHECK(prod.named.where.line == 3);
  const AccountConfig& ci = l.config.accounts.at("ci");
  CHECK(ci.credentials == "oidc");
  CHECK(ci.named.role_arn == "acs:ram::1234567890123456:role/certform-ci");
  CHECK(ci.named.oidc_provider_arn == "acs:ram::1234567890123456:oidc-provider/github");
  // Relative to the file that names it, as every path of the configuration.
  CHECK(ci.named.oidc_token_file == dir.Path("tokens/github"));
  CHECK(ci.named.role_session_name == "certform-ci");
  // Without these keys, nothing is named: the shared conventions apply, as before.
  Loaded plain = LoadText(dir, std::string("[account.prod]\n") + kBinding);
  REQUIRE_FALSE(plain.diags.HasErrors());
  CHECK_FALSE(plain.config.accounts.at("prod").named.NamesAccessKey());
  CHECK_FALSE(plain.config.accounts.at("prod").named.NamesOidcRole());
}

TEST_CASE("credential names: a key that would hold a secret is refused, its value never shown",
          "[config][credentials]") {
  TempDir dir;
  Loaded l = LoadText(dir, std::string(R"(
[account.prod]
access_key_id_env = "PROD_AK_ID"
access_key_secret = "s3cr3t-VALUE-never-printed"
)") + kBinding);
  const Diagnostic& d = ErrorWith(l.diags, "\"access_key_secret\"");
  CHECK(d.where.line == 4);
  CHECK(d.summary.find("would put a credential in the configuration") != std::string::npos);
  CHECK(d.detail.find("access_key_secret_env = \"VARIABLE\"") != std::string::npos);
  // Reported once, with its own words, not also as an unknown key.
  CHECK(AllText(l.diags).find("unknown key \"access_key_secret\"") == std::string::npos);
  CHECK(AllText(l.diags).find("s3cr3t-VALUE") == std::string::npos);
  // The half-written pair is its own error.
  CHECK(ErrorWith(l.diags, "needs \"access_key_secret_env\" too").where.line == 3);
}

TEST_CASE("credential names: a variable name is checked, and a pasted credential is not echoed",
          "[config][credentials]") {
  TempDir dir;
  Loaded l = LoadText(dir, std::string(R"(
[account.prod]
access_key_id_env = "PROD-AK-ID"
access_key_secret_env = "LTAI5tQzXyABcdEF12345678"

[account.other]
access_key_id_env = "1ST_ID"
access_key_secret_env = ""
)") + kBinding);
  CHECK(ErrorWith(l.diags, "must name an environment variable: upper-case letters").where.line ==
        3);
  const Diagnostic& pasted = ErrorWith(l.diags, "looks like a credential itself");
  CHECK(pasted.where.line == 4);
  CHECK(ErrorWith(l.diags, "does not start with a digit").where.line == 7);
  CHECK(ErrorWith(l.diags, "\"access_key_secret_env\" is empty").where.line == 8);
  const std::string text = AllText(l.diags);
  CHECK(text.find("LTAI5tQzXyABcdEF12345678") == std::string::npos);
  CHECK(text.find("PROD-AK-ID") == std::string::npos);
}

TEST_CASE("credential names: typos get a did-you-mean, and the groups are checked together",
          "[config][credentials]") {
  TempDir dir;
  Loaded l = LoadText(dir, std::string(R"(
[account.prod]
acces_key_id_env = "PROD_AK_ID"
role_arn = "acs:ram::1234:role/ci"
oidc_token_file = "token"

[account.mixed]
access_key_id_env = "M_ID"
access_key_secret_env = "M_SECRET"
role_arn = "acs:ram::1234:role/ci"

[account.said]
credentials = "profile"
access_key_id_env = "S_ID"
access_key_secret_env = "S_SECRET"

[account.token]
security_token_env = "T_TOKEN"

[account.arns]
role_arn = "arn:aws:iam::1234:role/ci"
oidc_provider_arn = "acs:ram::1234:role/not-a-provider"
oidc_token_file = "token"
role_session_name = "x"
)") + kBinding);
  const Diagnostic& typo = ErrorWith(l.diags, "unknown key \"acces_key_id_env\"");
  CHECK(typo.where.line == 3);
  CHECK(typo.detail == "did you mean \"access_key_id_env\"?");
  CHECK(ErrorWith(l.diags, "[account.prod] needs \"oidc_provider_arn\"").where.line == 4);
  CHECK(ErrorWith(l.diags, "names both an AccessKey's variables and an OIDC role").where.line ==
        10);
  const Diagnostic& said = ErrorWith(l.diags, "\"credentials\" = \"profile\" contradicts");
  CHECK(said.where.line == 13);
  CHECK(said.detail.find("set it to \"env\"") != std::string::npos);
  CHECK(ErrorWith(l.diags, "\"security_token_env\" needs").where.line == 18);
  CHECK(ErrorWith(l.diags, "\"role_arn\" \"arn:aws:iam::1234:role/ci\" must be of the form")
            .where.line == 21);
  CHECK(ErrorWith(l.diags, "acs:ram::ACCOUNT_ID:oidc-provider/NAME").where.line == 22);
  CHECK(ErrorWith(l.diags, "\"role_session_name\" \"x\" must be 2 to 64").where.line == 24);
}

TEST_CASE("credential names: the named variables are read and nothing else, a missing one named",
          "[config][credentials]") {
  TempDir dir;
  Loaded l = LoadText(dir, std::string(R"(
[account.prod]
access_key_id_env = "PROD_AK_ID"
access_key_secret_env = "PROD_AK_SECRET"
)") + kBinding);
  REQUIRE_FALSE(l.diags.HasErrors());
  const AccountConfig& prod = l.config.accounts.at("prod");
  PosixFileSystem fs;
  alicloud::CredentialSpec spec;
  REQUIRE(
      alicloud::ResolveAccountCredentials(
          prod, "", EnvOf({{"PROD_AK_ID", "prodid"}, {"PROD_AK_SECRET", "prodsecret"}}), fs, &spec)
          .ok());
  CHECK(spec.kind == alicloud::CredentialKind::kAccessKey);
  CHECK(spec.access_key.access_key_id == "prodid");
  CHECK(spec.access_key.access_key_secret == "prodsecret");
  CHECK(spec.access_key.security_token.empty());
  CHECK(spec.source == "environment (PROD_AK_ID, named by [account.prod])");
  // The conventional variables are no fallback: the account said where its key is.
  Status missing = alicloud::ResolveAccountCredentials(
      prod, "",
      EnvOf({{"PROD_AK_ID", "prodid"},
             {"ALIBABA_CLOUD_ACCESS_KEY_ID", "shared"},
             {"ALIBABA_CLOUD_ACCESS_KEY_SECRET", "sharedsecret"}}),
      fs, &spec);
  CHECK(missing.IsNotFound());
  // The message points at the account's table: file and line.
  CHECK(missing.message() ==
        dir.path() +
            "/main.toml:2:1: [account.prod] names PROD_AK_SECRET for its AccessKey, which is not "
            "set (or empty)");
  CHECK(missing.message().find("sharedsecret") == std::string::npos);
}

TEST_CASE("credential names: an account's OIDC role becomes an AssumeRoleWithOIDC spec",
          "[config][credentials]") {
  TempDir dir;
  Loaded l = LoadText(dir, std::string(R"(
[account.prod]
role_arn = "acs:ram::1234:role/ci"
oidc_provider_arn = "acs:ram::1234:oidc-provider/github"
oidc_token_file = "/run/token"
)") + kBinding);
  REQUIRE_FALSE(l.diags.HasErrors());
  PosixFileSystem fs;
  alicloud::CredentialSpec spec;
  // The process-wide OIDC variables name another role: the account's own wins.
  REQUIRE(alicloud::ResolveAccountCredentials(
              l.config.accounts.at("prod"), "",
              EnvOf({{"ALIBABA_CLOUD_ROLE_ARN", "acs:ram::9:role/other"},
                     {"ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "acs:ram::9:oidc-provider/x"},
                     {"ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/elsewhere"}}),
              fs, &spec)
              .ok());
  CHECK(spec.kind == alicloud::CredentialKind::kOidc);
  CHECK(spec.role_arn == "acs:ram::1234:role/ci");
  CHECK(spec.oidc_provider_arn == "acs:ram::1234:oidc-provider/github");
  CHECK(spec.oidc_token_file == "/run/token");
  CHECK(spec.session_name == "certform");
  CHECK(spec.source == "[account.prod]");
}
