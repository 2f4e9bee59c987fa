// End-to-end tests of credentials without a long-lived AccessKey in the environment: the aliyun
// CLI's current profile and --profile, an assumed RAM role, GitHub-style OIDC and an ECS
// instance's role, all against the emulator's STS and metadata service.
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cmd/apply_fixture.h"

using namespace certform;
using namespace certform::testing;

namespace {

constexpr char kRole[] = "acs:ram::1234:role/certform-deploy";
constexpr char kProvider[] = "acs:ram::1234:oidc-provider/github";
constexpr char kOidcToken[] = "eyJhbGciOiJSUzI1NiJ9.github-actions-token.sig";

emulator::EmulatorConfig WithRoles() {
  emulator::EmulatorConfig c = EmulatorWith();
  c.roles.push_back({kRole, "u1", {"testid"}, kProvider, kOidcToken, 3600, "cdn-writer"});
  return c;
}

struct CredentialsFixture {
  CredentialsFixture() : f(WithRoles()) {
    f.cli.dir.Write("aliyun.json", fmt::format(R"({{"current":"Deploy","profiles":[
        {{"name":"Deploy","mode":"RamRoleArn","access_key_id":"testid",
          "access_key_secret":"{}","ram_role_arn":"{}","ram_session_name":"ci"}},
        {{"name":"Stranger","mode":"RamRoleArn","access_key_id":"otherid",
          "access_key_secret":"othersecret","ram_role_arn":"{}"}},
        {{"name":"Instance","mode":"EcsRamRole","ram_role_name":"cdn-writer"}}]}})",
                                               kSecret, kRole, kRole));
    std::string toml = f.cli.dir.Read("certform.toml");
    toml.replace(toml.find("[account.main]\n"), 15, "[account.main]\ncredentials = \"profile\"\n");
    f.cli.dir.Write("certform.toml", toml);
  }

  // No AccessKey in the environment: only the profile files (and `extra`).
  ProcessResult Run(std::vector<std::string> args, std::map<std::string, std::string> extra = {}) {
    args.push_back("--endpoint");
    args.push_back(f.emu.Endpoint());
    extra["HOME"] = f.cli.dir.path();
    extra["ALIBABA_CLOUD_CONFIG_FILE"] = f.cli.dir.Path("aliyun.json");
    extra["ALIBABA_CLOUD_CREDENTIALS_FILE"] = f.cli.dir.Path("none.ini");
    ProcessResult r = f.cli.Run(args, extra);
    f.transcript += r.out + r.err;
    return r;
  }

  int Calls(const char* action, const char* user) {
    nlohmann::json calls = f.emu.emulator().CountersJson()["calls"];
    return calls.contains(action) && calls[action].contains(user) ? calls[action][user].get<int>()
                                                                  : 0;
  }

  ApplyFixture f;
};

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("cli credentials: the aliyun CLI's current profile assumes a role, --profile picks "
    "another",
    "[cli][credentials]") {
  CredentialsFixture c;
  ProcessResult r = c.Run({"apply", "--auto-approve"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(c.Calls("AssumeRole", "u1") == 1);  // once for the whole run, CDN calls all signed by it
  CHECK(c.Calls("SetDomainServerCertificate", "u1") == 4);
  // The ECS instance's role, chosen on the command line, reads the bindings back.
  ProcessResult drift = c.Run({"drift", "--detailed-exitcode", "--profile", "Instance"},
                              {{"CERTFORM_ECS_METADATA_ENDPOINT", c.f.emu.Endpoint()}});
  INFO(drift.out << drift.err);
  CHECK(drift.exit_code == 0);
  CHECK(c.f.emu.emulator().CountersJson()["sts_issued"] == 2);
  CHECK(c.Calls("AssumeRole", "u1") == 1);
  // ALIBABA_CLOUD_PROFILE names a profile as well; --profile wins over it.
  ProcessResult stranger = c.Run({"drift"}, {{"ALIBABA_CLOUD_PROFILE", "Stranger"}});
  CHECK(stranger.exit_code == 1);
  CHECK((stranger.out + stranger.err).find("with AccessKeyId otherid") != std::string::npos);
  CHECK(
      c.Run({"drift", "--profile", "Deploy"}, {{"ALIBABA_CLOUD_PROFILE", "Stranger"}}).exit_code ==
      0);
  CHECK(FindSecret(c.f.transcript, {kSecret, "othersecret"}).empty());
}

TEST_CASE("cli credentials: a role that will not be assumed stops the account with one message",
          "[cli][credentials]") {
  CredentialsFixture c;
  ProcessResult r = c.Run({"apply", "--auto-approve", "--profile", "Stranger"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  // One failed call, the other domains not attempted, summed up in one line.
  CHECK(Count(r.out, std::string("FAILED: assuming role ") + kRole) == 1);
  CHECK(r.out.find(std::string("3 changes not attempted: assuming role ") + kRole) !=
        std::string::npos);
  CHECK(r.out.find("NoPermission") != std::string::npos);
  CHECK(c.Calls("SetDomainServerCertificate", "u1") == 0);
  CHECK(c.Calls("AssumeRole", "u2") == 1);  // asked once, not once per domain
  CHECK(FindSecret(r.out + r.err, {"othersecret"}).empty());
}

TEST_CASE("cli credentials: GitHub-style OIDC, no AccessKey anywhere", "[cli][credentials]") {
  CredentialsFixture c;
  std::string toml = c.f.cli.dir.Read("certform.toml");
  toml.replace(toml.find("credentials = \"profile\""), 23, "credentials = \"env\"");
  c.f.cli.dir.Write("certform.toml", toml);
  const std::map<std::string, std::string> oidc = {
      {"CERTFORM_LOG", "debug"},
      {"ALIBABA_CLOUD_ROLE_ARN", kRole},
      {"ALIBABA_CLOUD_OIDC_PROVIDER_ARN", kProvider},
      {"ALIBABA_CLOUD_OIDC_TOKEN_FILE", c.f.cli.dir.Write("token", kOidcToken)}};
  ProcessResult r = c.Run({"apply", "--auto-approve"}, oidc);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(c.Calls("AssumeRoleWithOIDC", "anonymous") == 1);
  CHECK(c.Calls("SetDomainServerCertificate", "u1") == 4);
  CHECK(r.err.find("Action=AssumeRoleWithOIDC") != std::string::npos);  // the debug log
  CHECK(r.err.find("OIDCToken=<redacted>") != std::string::npos);
  CHECK((r.out + r.err).find(kOidcToken) == std::string::npos);
  CHECK(r.err.find("SecurityToken=<redacted>") != std::string::npos);
  // Without the variables, the error lists every way it looked.
  ProcessResult none = c.Run({"drift"});
  CHECK(none.exit_code == 1);
  CHECK(none.err.find("ALIBABA_CLOUD_OIDC_TOKEN_FILE (all three)") != std::string::npos);
}
