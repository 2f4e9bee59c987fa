// The CLI fixture plus an emulator served from the test process: for end-to-end tests of the
// commands that talk to the CDN (apply, drift, refresh, import).
#pragma once

#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "engine/product/product_catalog.h"
#include "engine/state/state_file.h"
#include "providers/curl_transport.h"
#include "tests/cmd/cli_fixture.h"
#include "tests/support/emulator_fixture.h"

namespace certform::testing {

inline constexpr char kSecret[] = "emulator-secret-DO-NOT-PRINT";

inline emulator::EmulatorConfig EmulatorWith(int bulk_domains = 0) {
  emulator::EmulatorConfig c = StandardEmulatorConfig("");
  c.accounts[0].access_key_secret = kSecret;
  c.domains.push_back({"legacy.example.com", "u1", "online"});
  for (int i = 0; i < bulk_domains; ++i) {
    c.domains.push_back({"d" + std::to_string(i) + ".bulk.example.com", "u1", "online"});
  }
  return c;
}

// Every API call the emulator has answered, of every action and user.
inline int CallsTo(EmulatorFixture& emu) {
  // items() refers into its json: the counters stay alive for the loop.
  const nlohmann::json counters = emu.emulator().CountersJson();
  int n = 0;
  for (const auto& [action, users] : counters["calls"].items()) {
    for (const auto& [user, count] : users.items()) n += count.get<int>();
  }
  return n;
}

class ApplyFixture {
 public:
  explicit ApplyFixture(emulator::EmulatorConfig config = EmulatorWith()) : emu(std::move(config)) {
    cli.WriteStandardConfig();
  }

  std::map<std::string, std::string> Env() const {
    return {{"ALIBABA_CLOUD_ACCESS_KEY_ID", "testid"},
            {"ALIBABA_CLOUD_ACCESS_KEY_SECRET", kSecret},
            {"HOME", cli.dir.path()}};
  }

  // certform ARGS; commands that talk to the CDN get --endpoint pointing at the emulator.
  ProcessResult Run(std::vector<std::string> args) {
    static const std::set<std::string> kOnline = {"apply", "drift", "refresh", "import", "prune"};
    const bool refresh = std::find(args.begin(), args.end(), "--refresh") != args.end();
    if (kOnline.count(args[0]) || refresh) {
      args.push_back("--endpoint");
      args.push_back(emu.Endpoint());
    }
    ProcessResult r = cli.Run(args, Env());
    transcript += r.out + r.err;
    return r;
  }

  std::unique_ptr<ChildProcess> Start(std::vector<std::string> args) {
    args.push_back("--endpoint");
    args.push_back(emu.Endpoint());
    ProcessOptions o;
    o.cwd = cli.dir.path();
    o.env = Env();
    o.env["API_KEY"] = cli.api.KeyPem();
    o.env["SSL_CERT_FILE"] = cli.trust.Path("roots.pem");
    return std::make_unique<ChildProcess>(cli.binary, args, o);
  }

  nlohmann::json Live() { return emu.emulator().StateJson()["domains"]; }
  // What the emulator serves, read as any client would: through its admin endpoint
  // (GET /_emulator/state: "domains", "dcdn_domains", "oss_cnames", ...).
  nlohmann::json AdminState() {
    providers::CurlTransport transport{providers::CurlOptions{}};
    providers::HttpRequest request;
    request.method = "GET";
    request.url = emu.Endpoint() + "/_emulator/state";
    providers::HttpResponse response;
    REQUIRE(transport.Send(request, &response).ok());
    REQUIRE(response.status == 200);
    return nlohmann::json::parse(response.body);
  }
  int Calls() { return CallsTo(emu); }

  engine::State State() {
    engine::State s;
    REQUIRE(engine::ParseState(cli.dir.Read("certform.state.json"), "state", &s).ok());
    return s;
  }

  // Domains `plan --json` still wants to change.
  std::set<std::string> Remaining() {
    ProcessResult r = Run({"plan", "--json"});
    REQUIRE(r.exit_code == 0);
    std::set<std::string> out;
    const nlohmann::json doc = nlohmann::json::parse(r.out);
    for (const auto& c : doc["changes"]) {
      if (c["action"] != "no-op") out.insert(c["domain"].get<std::string>());
    }
    return out;
  }

  // prune.toml: [prune] skip_products naming `also` and every product certform cannot list
  // (none of the installed ones: a product without a listing stops prune otherwise), in the
  // configuration directory `dir`.
  void SkipUnlistable(const std::vector<std::string>& also = {}, const std::string& dir = ".") {
    std::string names;
    std::vector<std::string> all = also;
    for (const engine::ProductRules& r : engine::Products()) {
      if (!r.listable) all.push_back(r.name);
    }
    for (const std::string& n : all) names += (names.empty() ? "\"" : ", \"") + n + "\"";
    cli.dir.Write(dir + "/prune.toml", "[prune]\nskip_products = [" + names + "]\n");
  }

  // Renews the "web" certificate (*.example.com): new key, new content, same files.
  TestCert RenewWeb() {
    TestCert next = IssueCert({.cn = "*.example.com", .sans = {"*.example.com"}}, &cli.ca);
    cli.dir.Write("certs/web.pem", next.CertPem());
    cli.dir.Write("certs/web.key", next.KeyPem(), 0600);
    return next;
  }

  // A configuration of `n` bulk domains under one wildcard certificate.
  void WriteBulkConfig(int n, int rate_limit) {
    TestCert bulk =
        IssueCert({.cn = "*.bulk.example.com", .sans = {"*.bulk.example.com"}}, &cli.ca);
    cli.dir.Write("certs/bulk.pem", bulk.CertPem());
    cli.dir.Write("certs/bulk.key", bulk.KeyPem(), 0600);
    std::string domains;
    for (int i = 0; i < n; ++i) domains += "\"d" + std::to_string(i) + ".bulk.example.com\", ";
    cli.dir.Write("certform.toml", "[account.main]\nrate_limit = " + std::to_string(rate_limit) +
                                       "\n[certificate.bulk]\ncert_file = \"certs/bulk.pem\"\n"
                                       "key_file = \"certs/bulk.key\"\n[[binding]]\ncertificate = "
                                       "\"bulk\"\ndomains = [" +
                                       domains + "]\n");
  }

  // WriteBulkConfig, in an account that uploads through CAS (and `extra_account` lines).
  void WriteCasConfig(int n, const std::string& extra_account = "") {
    WriteBulkConfig(n, 30);
    cli.UploadViaCas(extra_account);
  }

  CliFixture cli;
  EmulatorFixture emu;
  std::string transcript;
};

}  // namespace certform::testing
