// Temporary credentials end to end against the emulator's STS and ECS metadata service, with a
// fake clock shared by client and emulator so that expiry and renewal run in microseconds.
#include "providers/alicloud/sts_credentials.h"

#include <catch2/catch.hpp>

#include "providers/alicloud/cdn_provider.h"
#include "providers/curl_transport.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"
#include "tests/support/temp_dir.h"

using namespace certform;
using namespace certform::testing;
using alicloud::CredentialKind;
using alicloud::CredentialSpec;

namespace {

constexpr char kRole[] = "acs:ram::1234:role/certform-deploy";
constexpr char kProvider[] = "acs:ram::1234:oidc-provider/github";
constexpr char kOidcToken[] = "eyJhbGciOiJSUzI1NiJ9.github-actions-token.sig";

emulator::EmulatorConfig WithRoles() {
  emulator::EmulatorConfig c = StandardEmulatorConfig("");
  c.roles.push_back({kRole, "u1", {"testid"}, kProvider, kOidcToken, 3600, "cdn-writer"});
  return c;
}

// One emulator, one fake clock, and providers signing with a CredentialSource.
struct StsHarness {
  StsHarness() : emu(WithRoles(), false, &clock) {}

  alicloud::StsSetup Setup() {
    alicloud::StsSetup s;
    s.transport = &transport;
    s.clock = &clock;
    s.random = &random;
    s.fs = &fs;
    s.sts_endpoint = emu.Endpoint();
    s.metadata_endpoint = emu.Endpoint();
    return s;
  }

  alicloud::CdnProvider Provider(std::shared_ptr<alicloud::CredentialSource> source) {
    return alicloud::CdnProvider(
        alicloud::RpcClient(transport, clock, random, std::move(source), emu.Endpoint()),
        "SetDomainServerCertificate");
  }

  engine::Status Read(alicloud::CdnProvider& p, engine::CallResult* result) {
    engine::LiveBinding live;
    return p.ReadBinding({"cdn", {}, "www.example.com"}, &live, result);
  }

  int Counter(const char* action, const char* user) {
    nlohmann::json calls = emu.emulator().CountersJson()["calls"];
    return calls.contains(action) && calls[action].contains(user) ? calls[action][user].get<int>()
                                                                  : 0;
  }

  FakeClock clock;
  EmulatorFixture emu;
  providers::CurlTransport transport{providers::CurlOptions{}};
  SeededRandom random;
  engine::PosixFileSystem fs;
};

CredentialSpec RoleSpec(const std::string& key_id = "testid",
                        const std::string& secret = "testsecret") {
  CredentialSpec spec;
  spec.kind = CredentialKind::kRamRoleArn;
  spec.access_key = {key_id, secret, "", "test"};
  spec.role_arn = kRole;
  spec.duration_seconds = 900;
  return spec;
}

}  // namespace

TEST_CASE("sts: an assumed role's credentials sign the calls and are renewed before expiry",
          "[sts][emulator]") {
  StsHarness h;
  auto source = alicloud::MakeCredentialSource(RoleSpec(), h.Setup());
  CHECK(source->Identity() == kRole);
  alicloud::CdnProvider provider = h.Provider(source);
  engine::CallResult result;
  REQUIRE(h.Read(provider, &result).ok());
  CHECK(h.Counter("AssumeRole", "u1") == 1);
  CHECK(h.Counter("DescribeDomainCertificateInfo", "u1") == 1);  // the role's user
  // A long apply: 12 minutes in, the 15-minute credentials still serve.
  h.clock.Advance(std::chrono::seconds(715));
  REQUIRE(h.Read(provider, &result).ok());
  CHECK(h.Counter("AssumeRole", "u1") == 1);
  // Fewer than 180 s left: renewed before the call, which succeeds.
  h.clock.Advance(std::chrono::seconds(10));
  REQUIRE(h.Read(provider, &result).ok());
  CHECK(h.Counter("AssumeRole", "u1") == 2);
  // Past the first credentials' expiry, the renewed ones still work.
  h.clock.Advance(std::chrono::seconds(600));
  REQUIRE(h.Read(provider, &result).ok());
  CHECK(h.Counter("AssumeRole", "u1") == 2);
  CHECK(h.emu.emulator().CountersJson()["sts_issued"] == 2);
}

TEST_CASE("sts: the emulator refuses an STS key without its token, with another, or expired",
          "[sts][emulator]") {
  StsHarness h;
  alicloud::RpcClient sts(h.transport, h.clock, h.random,
                          alicloud::Credentials{"testid", "testsecret", "", "test"},
                          h.emu.Endpoint(), alicloud::kStsApiVersion);
  nlohmann::json body;
  engine::CallResult result;
  REQUIRE(sts.Call("AssumeRole",
                   {{"RoleArn", kRole}, {"RoleSessionName", "s1"}, {"DurationSeconds", "900"}},
                   &body, &result)
              .ok());
  alicloud::SessionCredentials session;
  REQUIRE(alicloud::ReadSessionCredentials(body["Credentials"], "test", &session));
  CHECK(session.credentials.access_key_id.starts_with("STS."));
  CHECK(session.expiration == engine::ToUnixSeconds(h.clock.Now()) + 900);
  auto read_with = [&](alicloud::Credentials c) {
    alicloud::CdnProvider p = h.Provider(std::make_shared<alicloud::StaticCredentialSource>(c));
    return h.Read(p, &result);
  };
  CHECK(read_with(session.credentials).ok());
  alicloud::Credentials no_token = session.credentials;
  no_token.security_token.clear();
  CHECK(read_with(no_token).IsAccountWide());
  CHECK(result.error_code == "MissingSecurityToken");
  alicloud::Credentials other = session.credentials;
  other.security_token = "CAISnot-this-one";
  CHECK(read_with(other).IsAccountWide());
  CHECK(result.error_code == "InvalidSecurityToken.MismatchWithAccessKey");
  h.clock.Advance(std::chrono::seconds(900));
  engine::Status expired = read_with(session.credentials);
  CHECK(expired.IsAccountWide());
  CHECK(result.error_code == "InvalidSecurityToken.Expired");
  CHECK(expired.message().find(session.credentials.access_key_secret) == std::string::npos);
  CHECK(expired.message().find(session.credentials.security_token) == std::string::npos);
}

TEST_CASE("sts: a role that does not trust the key, or does not exist, stops the account",
          "[sts][emulator]") {
  StsHarness h;
  auto untrusted = alicloud::MakeCredentialSource(RoleSpec("otherid", "othersecret"), h.Setup());
  alicloud::CdnProvider p = h.Provider(untrusted);
  engine::CallResult result;
  engine::Status s = h.Read(p, &result);
  CHECK(s.IsAccountWide());
  CHECK(result.error_code == "NoPermission");
  CHECK(s.message().find(std::string("assuming role ") + kRole + " with AccessKeyId otherid") !=
        std::string::npos);
  CHECK(s.message().find("othersecret") == std::string::npos);
  CHECK(h.Counter("DescribeDomainCertificateInfo", "u1") == 0);

  CredentialSpec missing = RoleSpec();
  missing.role_arn = "acs:ram::1234:role/nope";
  alicloud::CdnProvider q = h.Provider(alicloud::MakeCredentialSource(missing, h.Setup()));
  s = h.Read(q, &result);
  CHECK(s.IsAccountWide());
  CHECK(result.error_code == "EntityNotExist.Role");

  CredentialSpec too_long = RoleSpec();
  too_long.duration_seconds = 7200;  // the role's MaxSessionDuration is 3600
  alicloud::CdnProvider r = h.Provider(alicloud::MakeCredentialSource(too_long, h.Setup()));
  s = h.Read(r, &result);
  CHECK(result.error_code == "InvalidParameter.DurationSeconds");
}

TEST_CASE("sts: OIDC exchanges the token file's content, read again at each renewal",
          "[sts][emulator]") {
  StsHarness h;
  TempDir dir;
  CredentialSpec spec;
  spec.kind = CredentialKind::kOidc;
  spec.role_arn = kRole;
  spec.oidc_provider_arn = kProvider;
  spec.oidc_token_file = dir.Write("token", std::string(kOidcToken) + "\n");
  auto source = alicloud::MakeCredentialSource(spec, h.Setup());
  alicloud::CdnProvider p = h.Provider(source);
  engine::CallResult result;
  REQUIRE(h.Read(p, &result).ok());
  CHECK(h.Counter("AssumeRoleWithOIDC", "anonymous") == 1);
  // The platform rotated the token to one the role does not trust: the renewal fails, once.
  dir.Write("token", "expired-token");
  h.clock.Advance(std::chrono::seconds(3500));
  engine::Status s = h.Read(p, &result);
  CHECK(s.IsAccountWide());
  CHECK(result.error_code == "AuthenticationFail.OIDCToken.Invalid");
  CHECK(s.message().find("with the OIDC token in " + spec.oidc_token_file) != std::string::npos);
  CHECK(s.message().find("expired-token") == std::string::npos);
  dir.Write("token", kOidcToken);
  REQUIRE(h.Read(p, &result).ok());
  CHECK(h.Counter("AssumeRoleWithOIDC", "anonymous") == 3);

  spec.oidc_token_file = dir.Path("missing");
  alicloud::CdnProvider q = h.Provider(alicloud::MakeCredentialSource(spec, h.Setup()));
  s = h.Read(q, &result);
  CHECK(s.IsAccountWide());
  CHECK(s.message().find("cannot read the token") != std::string::npos);
}

TEST_CASE("sts: an ECS instance's role comes from the metadata service (IMDSv2)",
          "[sts][emulator]") {
  StsHarness h;
  CredentialSpec spec;
  spec.kind = CredentialKind::kEcsRamRole;  // no name: asked from the service
  auto source = alicloud::MakeCredentialSource(spec, h.Setup());
  alicloud::CdnProvider p = h.Provider(source);
  engine::CallResult result;
  engine::Status first = h.Read(p, &result);
  INFO(first.ToString());
  REQUIRE(first.ok());
  CHECK(h.emu.emulator().CountersJson()["sts_issued"] == 1);
  h.clock.Advance(std::chrono::seconds(3500));  // within 180 s of the hour: renewed
  REQUIRE(h.Read(p, &result).ok());
  CHECK(h.emu.emulator().CountersJson()["sts_issued"] == 2);

  spec.ecs_role_name = "not-this-instance";
  alicloud::CdnProvider q = h.Provider(alicloud::MakeCredentialSource(spec, h.Setup()));
  engine::Status s = h.Read(q, &result);
  CHECK(s.IsAccountWide());
  CHECK(s.message().find("role not-this-instance") != std::string::npos);
  CHECK(s.message().find("HTTP 404") != std::string::npos);
}

TEST_CASE("sts: a role name the metadata service answers is checked before it goes into a URL",
          "[sts][emulator]") {
  // The service (or whoever answers in its place) names a role that would change the path.
  emulator::EmulatorConfig config = StandardEmulatorConfig("");
  config.roles.push_back({kRole, "u1", {}, "", "", 3600, "../../latest/api/token?x=\x1b[2J"});
  FakeClock clock;
  EmulatorFixture emu(config, false, &clock);
  providers::CurlTransport transport{providers::CurlOptions{}};
  SeededRandom random;
  engine::PosixFileSystem fs;
  alicloud::StsSetup setup;
  setup.transport = &transport;
  setup.clock = &clock;
  setup.random = &random;
  setup.fs = &fs;
  setup.sts_endpoint = emu.Endpoint();
  setup.metadata_endpoint = emu.Endpoint();
  CredentialSpec spec;
  spec.kind = CredentialKind::kEcsRamRole;
  auto source = alicloud::MakeCredentialSource(spec, setup);
  alicloud::Credentials got;
  engine::CallResult result;
  engine::Status s = source->Get(&got, &result);
  INFO(s.ToString());
  CHECK_FALSE(s.ok());
  CHECK(result.error_code == "MetadataError");
  CHECK(s.message().find("named a role that cannot be one") != std::string::npos);
  CHECK(s.message().find("not quoted") != std::string::npos);
  CHECK(s.message().find("latest/api/token?x") == std::string::npos);
  CHECK(s.message().find('\x1b') == std::string::npos);
  CHECK(emu.emulator().CountersJson()["sts_issued"] == 0);  // no credentials were asked for
}
