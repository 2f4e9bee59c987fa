// Requests go only where the configuration points (issue 24 point 3, RPC/STS/metadata half):
// endpoints are scheme://host[:port] and nothing more, a signed call leaves only for its own
// endpoint, and what the metadata service and STS answer is checked before it is used or quoted.
#include "providers/request_target.h"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "engine/base/endpoint.h"
#include "providers/alicloud/rpc_client.h"
#include "providers/alicloud/sts_credentials.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"
#include "tests/support/scripted_transport.h"

using namespace certform;
using certform::testing::FakeClock;
using certform::testing::ScriptedTransport;
using certform::testing::SeededRandom;

namespace {

alicloud::Credentials Key() { return {"testid", "testsecret-0123456789", "", "test"}; }

}  // namespace

TEST_CASE("endpoints: scheme://host[:port] only, https except to this machine", "[endpoint]") {
  engine::EndpointParts p;
  CHECK(engine::ParseEndpoint("https://cdn.aliyuncs.com", &p).empty());
  CHECK(p.scheme == "https");
  CHECK(p.host == "cdn.aliyuncs.com");
  CHECK(p.port == 0);
  CHECK(engine::ParseEndpoint("HTTPS://CDN.Aliyuncs.com:8443/", &p).empty());
  CHECK(p.host == "cdn.aliyuncs.com");
  CHECK(p.port == 8443);
  CHECK(engine::ParseEndpoint("http://127.0.0.1:18080", &p).empty());
  CHECK(engine::ParseEndpoint("http://[::1]:9", &p).empty());
  CHECK(p.host == "[::1]");
  CHECK(p.port == 9);
  // Each of these could send a request (and a key) somewhere a reader would not expect.
  for (const char* bad :
       {"https://cdn.aliyuncs.com@evil.example", "https://u:p@cdn.aliyuncs.com",
        "https://cdn.aliyuncs.com/path", "https://cdn.aliyuncs.com?x=1",
        "https://cdn.aliyuncs.com#@evil.example", "https://evil\\@cdn.aliyuncs.com",
        "https://cdn.aliyuncs.com:0", "https://cdn.aliyuncs.com:99999",
        "https://cdn.aliyuncs.com:44x", "https://cdn_x.aliyuncs.com", "https://-cdn.aliyuncs.com",
        "https://cdn..aliyuncs.com", "https://cdn.aliyuncs.com\r\nHost: evil", "https://",
        "ftp://x", "http://cdn.aliyuncs.com", "http://100.100.100.200",
        "https://[fe80::1%25eth0]"}) {
    INFO(bad);
    CHECK_FALSE(engine::ParseEndpoint(bad, nullptr).empty());
    CHECK_FALSE(engine::EndpointProblem(bad).empty());
  }
  // The metadata address takes plain http only where the caller allows it.
  CHECK(engine::ParseEndpoint("http://100.100.100.200", &p, "100.100.100.200").empty());
}

TEST_CASE("request target: a URL must stay on its endpoint", "[endpoint]") {
  const std::string e = "https://cdn.aliyuncs.com";
  CHECK(providers::CheckRequestTarget("https://cdn.aliyuncs.com/", e).ok());
  CHECK(providers::CheckRequestTarget("https://cdn.aliyuncs.com:443/", e).ok());
  CHECK(providers::CheckRequestTarget("https://cdn.aliyuncs.com", e).ok());
  for (const char* bad : {"https://cdn.aliyuncs.com.evil.example/", "https://evil.example/",
                          "http://cdn.aliyuncs.com/", "https://cdn.aliyuncs.com:8443/",
                          "https://cdn.aliyuncs.com@evil.example/", "https://cdn.aliyuncs.com/#x",
                          "https://cdn.aliyuncs.com/a b", "https://cdn.aliyuncs.com/\\evil"}) {
    INFO(bad);
    engine::Status s = providers::CheckRequestTarget(bad, e);
    CHECK(s.code() == engine::Status::Code::kInvalidArgument);
    CHECK(s.message().find("nothing was sent") != std::string::npos);
  }
}

TEST_CASE("rpc client: an endpoint with a user name, path or odd host sends nothing",
          "[endpoint][rpc]") {
  FakeClock clock;
  SeededRandom random;
  for (const char* endpoint :
       {"https://cdn.aliyuncs.com@evil.example", "https://cdn.aliyuncs.com/x?y",
        "https://cdn.aliyuncs.com#@evil.example", "http://evil.example", "https://ev il"}) {
    INFO(endpoint);
    ScriptedTransport transport;
    alicloud::RpcClient client(transport, clock, random, Key(), endpoint);
    nlohmann::json body;
    engine::CallResult result;
    engine::Status s = client.Call("DescribeUserDomains", {}, &body, &result);
    CHECK(s.code() == engine::Status::Code::kInvalidArgument);
    CHECK(result.error_code == "InvalidEndpoint");
    CHECK(transport.sent.empty());
  }
  ScriptedTransport transport;
  alicloud::RpcClient client(transport, clock, random, Key(), "https://cdn.aliyuncs.com");
  nlohmann::json body;
  engine::CallResult result;
  REQUIRE(client.Call("DescribeUserDomains", {}, &body, &result).ok());
  REQUIRE(transport.sent.size() == 1);
  CHECK(transport.sent[0].url == "https://cdn.aliyuncs.com/");
}

namespace {

alicloud::StsSetup Setup(ScriptedTransport* transport, FakeClock* clock, SeededRandom* random) {
  alicloud::StsSetup s;
  s.transport = transport;
  s.clock = clock;
  s.random = random;
  s.sts_endpoint = "https://sts.aliyuncs.com";
  return s;
}

alicloud::CredentialSpec EcsSpec(const std::string& role) {
  alicloud::CredentialSpec spec;
  spec.kind = alicloud::CredentialKind::kEcsRamRole;
  spec.ecs_role_name = role;
  return spec;
}

constexpr char kIssued[] = "STS-ISSUED-SECRET-abcdefghijklmnop";

}  // namespace

TEST_CASE("sts: an answer that is not JSON is never quoted, even when it holds a secret",
          "[sts][secrets]") {
  FakeClock clock;
  SeededRandom random;
  ScriptedTransport transport;
  // A broken gateway returns the credentials in a non-JSON wrapper.
  transport.Answer(200, std::string("<html>AccessKeySecret=") + kIssued + "</html>");
  transport.Answer(502, std::string("Bad gateway ") + kIssued);
  alicloud::CredentialSpec spec;
  spec.kind = alicloud::CredentialKind::kRamRoleArn;
  spec.access_key = Key();
  spec.role_arn = "acs:ram::1:role/deploy";
  auto source = alicloud::MakeCredentialSource(spec, Setup(&transport, &clock, &random));
  for (int status : {200, 502}) {
    INFO("HTTP " << status);
    alicloud::Credentials out;
    engine::CallResult result;
    engine::Status s = source->Get(&out, &result);
    REQUIRE_FALSE(s.ok());
    CHECK(s.message().find(kIssued) == std::string::npos);
    CHECK(s.message().find("ISSUED") == std::string::npos);
    CHECK(s.message().find("not quoted") != std::string::npos);
    CHECK(s.message().find(fmt::format("HTTP {}", status)) != std::string::npos);
    CHECK(s.message().find("bytes") != std::string::npos);
    CHECK(result.error_message.find(kIssued) == std::string::npos);
    CHECK(s.IsRetryable() == (status == 502));  // a proxy's 5xx stays transient
  }
}

TEST_CASE("ecs metadata: a role name that could change the URL is refused before any request",
          "[sts][metadata]") {
  FakeClock clock;
  SeededRandom random;
  const std::vector<std::string> roles = {
      "../../latest/user-data", "role?x=1", "role#x", "a b", "r\r\nX: y", "%2e%2e",
      std::string(65, 'r')};
  for (const std::string& role : roles) {
    INFO(role);
    ScriptedTransport transport;
    auto source = alicloud::MakeCredentialSource(EcsSpec(role), Setup(&transport, &clock, &random));
    alicloud::Credentials out;
    engine::CallResult result;
    engine::Status s = source->Get(&out, &result);
    CHECK(s.code() == engine::Status::Code::kInvalidArgument);
    CHECK(transport.sent.empty());
  }
}

TEST_CASE("ecs metadata: a listed role name or a token that is not one stops at once",
          "[sts][metadata]") {
  FakeClock clock;
  SeededRandom random;
  SECTION("a token with a line break never goes into a header") {
    ScriptedTransport transport;
    transport.Answer(200, "tok\r\nX-Injected: 1");
    auto source = alicloud::MakeCredentialSource(EcsSpec(""), Setup(&transport, &clock, &random));
    alicloud::Credentials out;
    engine::CallResult result;
    engine::Status s = source->Get(&out, &result);
    REQUIRE_FALSE(s.ok());
    CHECK(transport.sent.size() == 1);  // the PUT for the token, nothing after it
    CHECK(s.message().find("not a session token") != std::string::npos);
    CHECK(s.message().find("X-Injected") == std::string::npos);
  }
  SECTION("an oversized token") {
    ScriptedTransport transport;
    transport.Answer(200, std::string(5000, 'a'));
    auto source = alicloud::MakeCredentialSource(EcsSpec(""), Setup(&transport, &clock, &random));
    alicloud::Credentials out;
    engine::CallResult result;
    REQUIRE_FALSE(source->Get(&out, &result).ok());
    CHECK(transport.sent.size() == 1);
  }
  SECTION("a listed role name with a path in it") {
    ScriptedTransport transport;
    transport.Answer(200, "token-123");
    transport.Answer(200, "../../../latest/meta-data/secret\n");
    auto source = alicloud::MakeCredentialSource(EcsSpec(""), Setup(&transport, &clock, &random));
    alicloud::Credentials out;
    engine::CallResult result;
    engine::Status s = source->Get(&out, &result);
    REQUIRE_FALSE(s.ok());
    CHECK(transport.sent.size() == 2);  // the token and the listing; no third request
    CHECK(s.message().find("meta-data/secret") == std::string::npos);
  }
  SECTION("an answer that is not the credentials is not quoted") {
    ScriptedTransport transport;
    transport.Answer(200, "token-123");
    transport.Answer(200, std::string("oops AccessKeySecret=") + kIssued);
    auto source =
        alicloud::MakeCredentialSource(EcsSpec("cdn-writer"), Setup(&transport, &clock, &random));
    alicloud::Credentials out;
    engine::CallResult result;
    engine::Status s = source->Get(&out, &result);
    REQUIRE_FALSE(s.ok());
    REQUIRE(transport.sent.size() == 2);
    CHECK(transport.sent[1].url ==
          "http://100.100.100.200/latest/meta-data/ram/security-credentials/cdn-writer");
    CHECK(transport.sent[1].headers.at(0).second == "token-123");
    CHECK(s.message().find(kIssued) == std::string::npos);
    CHECK(s.message().find("not quoted") != std::string::npos);
  }
  SECTION("a metadata endpoint elsewhere than the metadata address or this machine") {
    ScriptedTransport transport;
    alicloud::StsSetup setup = Setup(&transport, &clock, &random);
    setup.metadata_endpoint = "http://169.254.169.254.evil.example";
    auto source = alicloud::MakeCredentialSource(EcsSpec("cdn-writer"), setup);
    alicloud::Credentials out;
    engine::CallResult result;
    CHECK(source->Get(&out, &result).code() == engine::Status::Code::kInvalidArgument);
    CHECK(transport.sent.empty());
  }
}
