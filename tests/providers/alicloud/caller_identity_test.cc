// STS GetCallerIdentity against the emulator (a RAM user's key, an assumed role's), and the
// emulator's RAM policies (EmulatorConfig::ram_denied): a refused action answers 403
// Forbidden.RAM, which certform reads as a missing permission, not as bad credentials.
#include "providers/alicloud/caller_identity.h"

#include <catch2/catch.hpp>

#include "providers/alicloud/cdn_provider.h"
#include "providers/alicloud/errors.h"
#include "providers/alicloud/sts_credentials.h"
#include "providers/curl_transport.h"
#include "tests/support/emulator_fixture.h"

using namespace certform;
using namespace certform::testing;

namespace {

constexpr char kRole[] = "acs:ram::1234:role/certform-deploy";

struct Harness {
  explicit Harness(emulator::EmulatorConfig config) : emu(std::move(config)) {}

  alicloud::RpcClient Sts(std::shared_ptr<alicloud::CredentialSource> source) {
    return alicloud::RpcClient(transport, clock, random, std::move(source), emu.Endpoint(),
                               alicloud::kStsApiVersion);
  }
  std::shared_ptr<alicloud::CredentialSource> Key(const std::string& id,
                                                  const std::string& secret) {
    return std::make_shared<alicloud::StaticCredentialSource>(
        alicloud::Credentials{id, secret, "", "test"});
  }
  std::shared_ptr<alicloud::CredentialSource> Role() {
    alicloud::CredentialSpec spec;
    spec.kind = alicloud::CredentialKind::kRamRoleArn;
    spec.access_key = {"testid", "testsecret", "", "test"};
    spec.role_arn = kRole;
    spec.session_name = "ci-run";
    alicloud::StsSetup setup;
    setup.transport = &transport;
    setup.clock = &clock;
    setup.random = &random;
    setup.fs = &fs;
    setup.sts_endpoint = emu.Endpoint();
    return alicloud::MakeCredentialSource(spec, setup);
  }
  engine::Status Read(std::shared_ptr<alicloud::CredentialSource> source,
                      engine::CallResult* result) {
    alicloud::CdnProvider p(
        alicloud::RpcClient(transport, clock, random, std::move(source), emu.Endpoint()),
        "SetDomainServerCertificate");
    engine::LiveBinding live;
    return p.ReadBinding({"cdn", {}, "www.example.com"}, &live, result);
  }

  EmulatorFixture emu;
  engine::SystemClock clock;
  providers::CurlTransport transport{providers::CurlOptions{}};
  SeededRandom random;
  engine::PosixFileSystem fs;
};

emulator::EmulatorConfig WithRole() {
  emulator::EmulatorConfig c = StandardEmulatorConfig("");
  c.accounts[1].ram_user = "deployer";
  c.roles.push_back({kRole, "u1", {"testid"}, "", "", 3600, ""});
  return c;
}

}  // namespace

TEST_CASE("caller identity: a RAM user's key is RAMUser, with its account and user ids",
          "[sts][emulator][check]") {
  Harness h(WithRole());
  alicloud::RpcClient sts = h.Sts(h.Key("otherid", "othersecret"));
  alicloud::CallerIdentity id;
  engine::CallResult result;
  REQUIRE(alicloud::GetCallerIdentity(sts, &id, &result).ok());
  CHECK(id.identity_type == "RAMUser");
  CHECK(id.account_id.size() == 16);
  CHECK(id.arn == "acs:ram::" + id.account_id + ":user/deployer");
  CHECK(id.user_id.size() == 16);
  CHECK(id.principal_id == id.user_id);
  CHECK(id.role_id.empty());
  CHECK_FALSE(result.request_id.empty());
  // Stable: the same user, the same account id; another user, another.
  alicloud::RpcClient mine = h.Sts(h.Key("testid", "testsecret"));
  alicloud::CallerIdentity me;
  REQUIRE(alicloud::GetCallerIdentity(mine, &me, &result).ok());
  CHECK(me.arn == "acs:ram::" + me.account_id + ":user/testid");
  CHECK(me.account_id != id.account_id);
  // A wrong secret is refused like any call, and the error never quotes it.
  alicloud::RpcClient wrong = h.Sts(h.Key("testid", "not-the-secret"));
  engine::Status s = alicloud::GetCallerIdentity(wrong, &me, &result);
  CHECK(s.IsAccountWide());
  CHECK(result.error_code == "SignatureDoesNotMatch");
  CHECK_FALSE(result.ram_denied);
  CHECK(s.message().find("not-the-secret") == std::string::npos);
}

TEST_CASE("caller identity: an assumed role's key is AssumedRoleUser, named by role and session",
          "[sts][emulator][check]") {
  Harness h(WithRole());
  alicloud::RpcClient sts = h.Sts(h.Role());
  alicloud::CallerIdentity id;
  engine::CallResult result;
  REQUIRE(alicloud::GetCallerIdentity(sts, &id, &result).ok());
  CHECK(id.identity_type == "AssumedRoleUser");
  CHECK(id.account_id == "1234");
  CHECK(id.arn == "acs:ram::1234:assumed-role/certform-deploy/ci-run");
  CHECK_FALSE(id.role_id.empty());
  CHECK(id.principal_id == id.role_id + ":ci-run");
  CHECK(id.user_id.empty());
}

TEST_CASE("caller identity: the emulator refuses an action a key's RAM policy lacks, 403",
          "[emulator][check]") {
  emulator::EmulatorConfig config = WithRole();
  config.ram_denied["otherid"] = {"DescribeDomainCertificateInfo"};
  config.ram_denied[kRole] = {"DescribeDomainCertificateInfo"};
  Harness h(config);
  engine::CallResult result;
  // testid's own key is allowed; otherid's is refused, as a missing permission.
  CHECK(h.Read(h.Key("testid", "testsecret"), &result).ok());
  engine::Status denied = h.Read(h.Key("otherid", "othersecret"), &result);
  CHECK(denied.IsAccountWide());
  CHECK(result.http_status == 403);
  CHECK(result.error_code == "Forbidden.RAM");
  CHECK(result.ram_denied);
  CHECK(denied.message().find("User not authorized to operate on the specified resource") !=
        std::string::npos);
  // A role's policy applies to the temporary keys STS issues for it.
  CHECK_FALSE(h.Read(h.Role(), &result).ok());
  CHECK(result.error_code == "Forbidden.RAM");
  // Other calls of the refused key still work: only the action is missing.
  alicloud::RpcClient sts = h.Sts(h.Key("otherid", "othersecret"));
  alicloud::CallerIdentity id;
  CHECK(alicloud::GetCallerIdentity(sts, &id, &result).ok());
  CHECK(h.emu.emulator().CountersJson()["rejected"].get<int>() >= 2);
}

TEST_CASE("caller identity: an answer without Arn or with a control character is refused",
          "[sts][check][hostile]") {
  struct Scripted final : providers::HttpTransport {
    engine::Status Send(const providers::HttpRequest&, providers::HttpResponse* response) override {
      *response = {200, {}, body};
      return engine::Status::OK();
    }
    std::string body;
  } transport;
  engine::SystemClock clock;
  SeededRandom random;
  alicloud::RpcClient sts(transport, clock, random, alicloud::Credentials{"id", "s", "", "t"},
                          "https://sts.aliyuncs.com", alicloud::kStsApiVersion);
  alicloud::CallerIdentity id;
  engine::CallResult result;
  transport.body = R"({"RequestId":"R","AccountId":"1"})";
  CHECK(alicloud::GetCallerIdentity(sts, &id, &result).code() == engine::Status::Code::kCorruption);
  transport.body =
      "{\"RequestId\":\"R\",\"AccountId\":\"1\",\"Arn\":\"acs:ram::1:user/a\\u001b[2J\"}";
  engine::Status s = alicloud::GetCallerIdentity(sts, &id, &result);
  CHECK(s.code() == engine::Status::Code::kCorruption);
  CHECK(s.message().find("control character") != std::string::npos);
  transport.body = R"({"RequestId":"R","AccountId":"1","Arn":"acs:ram::1:user/a","UserId":7})";
  CHECK_FALSE(alicloud::GetCallerIdentity(sts, &id, &result).ok());
}
