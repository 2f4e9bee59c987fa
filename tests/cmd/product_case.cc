#include "tests/cmd/product_case.h"

#include <memory>

#include "cmd/certform/product_table.h"
#include "engine/base/clock.h"
#include "providers/alicloud/emulator/certificate_check.h"
#include "providers/alicloud/oss_cnames.h"
#include "providers/curl_transport.h"
#include "tests/support/toy/toy_provider.h"
#include "tests/support/toy_service.h"

namespace certform::testing {
namespace {

const std::vector<std::string> kNames = {"www.example.com", "img.example.com", "files.example.com"};

// CDN and DCDN domains: a table per product in the emulator's state.
LiveCert DomainLive(ApplyFixture& f, const std::string& table, const std::string& domain) {
  const nlohmann::json all = f.emu.emulator().StateJson()[table];
  LiveCert live;
  if (!all.contains(domain)) return live;
  live.raw = all[domain];
  live.exists = true;
  live.https = live.raw["https"].get<bool>();
  live.fingerprint = live.raw["fingerprint"].get<std::string>();
  live.cert_id = live.raw["cert_id"].get<int64_t>();
  return live;
}

void PutDomainByHand(ApplyFixture& f, const std::string& product, const std::string& domain,
                     const nlohmann::json& changes) {
  std::string error;
  const bool done = f.emu.emulator().PutDomain(domain, changes, &error, product);
  INFO(error);
  REQUIRE(done);
}

// OSS: someone else's PutCname on the static-site bucket, through the API (the emulator's admin
// API has no door for it).
void PutCnameByHand(ApplyFixture& f, const engine::BindingRequest& request) {
  providers::CurlTransport transport{providers::CurlOptions{}};
  engine::SystemClock clock;
  alicloud::OssCnames oss(transport, clock,
                          std::make_shared<alicloud::StaticCredentialSource>(
                              alicloud::Credentials{"testid", kSecret, "", "test"}),
                          f.emu.Endpoint());
  engine::CallResult result;
  const engine::Status s = oss.Put({"static-site", "cn-hangzhou"}, request, &result);
  INFO(s.ToString());
  REQUIRE(s.ok());
}

ProductCase Cdn() {
  ProductCase p;
  p.name = "cdn";
  p.title = "CDN";
  p.domains = kNames;
  p.seed = [](emulator::EmulatorConfig& c) {
    // www and img are the standard emulator's already.
    c.domains.push_back({"files.example.com", "u1", "online"});
  };
  p.binding_fields = "";  // the default product
  p.address = [](const std::string& d) { return d; };
  p.write_action = "SetDomainServerCertificate";
  p.cas_write_action = "SetCdnDomainSSLCertificate";
  p.read_action = "DescribeDomainCertificateInfo";
  p.throttle_code = "Throttling.User";
  p.unknown_message = "the CDN does not know this domain";
  p.limit_writes = [](emulator::EmulatorConfig& c, bool by_cas, int n) {
    (by_cas ? c.ssl_write_limit : c.write_limit) = n;
  };
  p.live = [](ApplyFixture& f, const std::string& d) { return DomainLive(f, "domains", d); };
  p.switch_off = [](ApplyFixture& f, const std::string& d) {
    PutDomainByHand(f, "cdn", d, {{"https", false}});
  };
  p.bind_cas = [](ApplyFixture& f, const std::string& d, int64_t id, const std::string& pem) {
    PutDomainByHand(f, "cdn", d,
                    {{"https", true}, {"cert_type", "cas"}, {"cert_id", id}, {"cert_pem", pem}});
  };
  return p;
}

ProductCase Dcdn() {
  ProductCase p;
  p.name = "dcdn";
  p.title = "DCDN";
  p.domains = kNames;
  p.seed = [](emulator::EmulatorConfig& c) {
    for (const std::string& d : kNames) c.dcdn_domains.push_back({d, "u1", "online"});
  };
  p.binding_fields = "product = \"dcdn\"\n";
  p.address = [](const std::string& d) { return "dcdn:" + d; };
  p.write_action = "SetDcdnDomainSSLCertificate";
  p.cas_write_action = "SetDcdnDomainSSLCertificate";
  p.read_action = "DescribeDcdnDomainCertificateInfo";
  p.throttle_code = "Throttling.User";
  p.unknown_message = "DCDN does not know this domain";
  p.limit_writes = [](emulator::EmulatorConfig& c, bool, int n) { c.dcdn_write_limit = n; };
  p.live = [](ApplyFixture& f, const std::string& d) { return DomainLive(f, "dcdn_domains", d); };
  p.switch_off = [](ApplyFixture& f, const std::string& d) {
    PutDomainByHand(f, "dcdn", d, {{"https", false}});
  };
  p.bind_cas = [](ApplyFixture& f, const std::string& d, int64_t id, const std::string& pem) {
    PutDomainByHand(f, "dcdn", d,
                    {{"https", true}, {"cert_type", "cas"}, {"cert_id", id}, {"cert_pem", pem}});
  };
  return p;
}

ProductCase Oss() {
  ProductCase p;
  p.name = "oss";
  p.title = "OSS";
  p.domains = kNames;
  p.seed = [](emulator::EmulatorConfig& c) {
    c.buckets.push_back({"static-site", "cn-hangzhou", "u1", kNames});
  };
  p.binding_fields = "product = \"oss\"\nbucket = \"static-site\"\nregion = \"cn-hangzhou\"\n";
  p.address = [](const std::string& d) { return "oss:cn-hangzhou/static-site/" + d; };
  p.cas_only = true;
  p.cas_write_action = "PutCname";
  p.read_action = "ListCname";
  p.throttle_code = "SlowDown";
  p.unknown_message = "OSS does not know this domain";
  p.limit_writes = [](emulator::EmulatorConfig& c, bool, int n) { c.oss_write_limit = n; };
  p.live = [](ApplyFixture& f, const std::string& d) {
    const nlohmann::json all = f.emu.emulator().StateJson()["oss_cnames"];
    LiveCert live;
    if (!all.contains(d)) return live;
    live.raw = all[d];
    live.exists = true;
    live.https = live.raw["https"].get<bool>();
    live.fingerprint = live.raw["fingerprint"].get<std::string>();
    live.cert_id = live.raw["cert_id"].get<int64_t>();
    return live;
  };
  p.switch_off = [](ApplyFixture& f, const std::string& d) {
    PutCnameByHand(f, {.address = {"oss", {"cn-hangzhou", "static-site"}, d}, .https = false});
  };
  p.bind_cas = [](ApplyFixture& f, const std::string& d, int64_t id, const std::string&) {
    PutCnameByHand(
        f,
        {.address = {"oss", {"cn-hangzhou", "static-site"}, d}, .cert_type = "cas", .cert_id = id});
  };
  return p;
}

// The test-only toy product (tests/support/toy/): run by certform_toy (certform with one more row
// in its product table), served by ToyService, plugged into the emulator once it stands.
struct ToyRun {
  ToyService* service = nullptr;  // owned by the current fixture's emulator
  int write_limit = 5;
};
ToyRun& Toy() {
  static ToyRun run;
  return run;
}

ProductCase ToyProduct() {
  ProductCase p;
  p.name = "toy";
  p.title = "Toy";
  p.domains = kNames;
  p.seed = [](emulator::EmulatorConfig&) { Toy().write_limit = 5; };  // domains: in set_up
  p.binding_fields = "product = \"toy\"\n";
  p.address = [](const std::string& d) { return "toy:" + d; };
  p.cas_only = true;
  p.cas_write_action = "SetToyCertificate";
  p.read_action = "DescribeToyCertificate";
  p.throttle_code = "Throttling.User";
  p.unknown_message = "Toy does not know this domain";
  p.limit_writes = [](emulator::EmulatorConfig&, bool, int n) { Toy().write_limit = n; };
  p.live = [](ApplyFixture& f, const std::string& d) {
    LiveCert live;
    const std::optional<ToyBinding> b = Toy().service->Binding(d);
    if (!b) return live;
    live.exists = true;
    live.https = b->enabled;
    live.cert_id = b->cert_id;
    live.raw = {{"enabled", b->enabled}, {"cert_id", b->cert_id}};
    if (b->enabled) {
      if (auto c = f.emu.emulator().cas().FindById("u1", std::to_string(b->cert_id))) {
        live.fingerprint = emulator::FingerprintOf(c->pem);
      }
    }
    return live;
  };
  p.switch_off = [](ApplyFixture&, const std::string& d) {
    REQUIRE(Toy().service->SetBinding(d, {false, 0}));
  };
  p.bind_cas = [](ApplyFixture&, const std::string& d, int64_t id, const std::string&) {
    REQUIRE(Toy().service->SetBinding(d, {true, id}));
  };
  p.binary = CERTFORM_TOY_BINARY;
  p.set_up = [](ApplyFixture& f) {
    // This process reads certform_toy's state files too: it knows the toy product as that
    // binary does, by the same one row.
    if (cli::FindProductRow("toy") == nullptr) {
      cli::ProductTable().push_back({&ToyProvider::Rules, &ToyProvider::Make});
      cli::InstallProductTable();
    }
    auto service = std::make_unique<ToyService>(f.emu.emulator().context(), f.emu.emulator().cas());
    service->SetWriteLimit(Toy().write_limit);
    for (const std::string& d : kNames) service->PutToyDomain(d, "u1");
    Toy().service = service.get();
    f.emu.emulator().AddService(std::move(service));
  };
  return p;
}

}  // namespace

const std::vector<ProductCase>& ProductCases() {
  static const std::vector<ProductCase> rows = [] {
    std::vector<ProductCase> all = {Cdn(), Dcdn(), Oss(), ToyProduct()};
    for (ProductCase& p : ListenerProductCases()) all.push_back(std::move(p));
    return all;
  }();
  return rows;
}

int CallsOf(ApplyFixture& f, const std::string& action) {
  if (action.empty()) return 0;
  const nlohmann::json calls = f.emu.emulator().CountersJson()["calls"];
  return calls.contains(action) ? calls[action].value("u1", 0) : 0;
}

}  // namespace certform::testing
