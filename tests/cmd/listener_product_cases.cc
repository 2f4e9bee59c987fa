// The load balancers as rows of the product conformance suite (product_case.h): a product whose
// bindings are the certificate slots of listeners. Its three names are, on ALB and NLB, three
// listeners of one load balancer, whose default certificate each binding sets (their additional
// certificates are listener_cli_test.cc's); on CLB, three domain extensions of one listener,
// whose certificate each binding sets through certform's copy in the region's store (a
// listener's default is clb_cli_test.cc's). Each listener starts serving a certificate certform
// does not manage (a listener of HTTPS always serves one), so "switched off" there means serving
// that other certificate again.
#include <fmt/format.h>

#include "engine/base/clock.h"
#include "providers/alicloud/emulator/alb_admin.h"
#include "providers/alicloud/emulator/certificate_check.h"
#include "providers/alicloud/emulator/clb_admin.h"
#include "providers/alicloud/slb_certificates.h"
#include "providers/curl_transport.h"
#include "tests/cmd/product_case.h"
#include "tests/providers/alicloud/listener_products.h"

namespace certform::testing {
namespace {

constexpr char kRegion[] = "cn-hangzhou";
// The emulator's CAS certificate "shop-cert" of user u1 (CdnEmulator's standard configuration):
// what every listener serves before certform binds it.
constexpr int64_t kShopCert = 8089870;

// The fingerprint of CAS certificate `id` of user u1; "" when CAS has none.
std::string CasFingerprint(ApplyFixture& f, int64_t id) {
  if (auto c = f.emu.emulator().cas().FindById("u1", std::to_string(id))) {
    return emulator::FingerprintOf(c->pem);
  }
  return "";
}

// --- ALB and NLB: the default certificate of listeners lsn-a, lsn-b, lsn-c.

void AlbAdmin(ApplyFixture& f, const ListenerProduct& lp, const std::string& kind,
              const std::string& id, const nlohmann::json& body) {
  nlohmann::json answer;
  INFO(answer.dump());
  REQUIRE(emulator::AlbAdmin(lp.service(f.emu.emulator()), kind, id, body, &answer) == 200);
}

// The listener `id` as the emulator holds it.
nlohmann::json AlbListener(ApplyFixture& f, const ListenerProduct& lp, const std::string& id) {
  const nlohmann::json state = f.emu.emulator().StateJson();
  for (const auto& l : state[lp.name]["listeners"]) {
    if (l["id"] == id) return l;
  }
  return {};
}

// Behind certform's back: listener `id` serves CAS certificate `cas_id` by default (the
// emulator's admin API puts the listener anew, as a console's change of its certificate leaves
// it).
void SetAlbDefault(ApplyFixture& f, const ListenerProduct& lp, const std::string& id,
                   int64_t cas_id) {
  AlbAdmin(f, lp, "listeners", id,
           lp.ListenerSeed(lp.load_balancer + "std", fmt::format("{}-{}", cas_id, kRegion)));
}

ProductCase ListenerRow(const ListenerProduct& lp, const std::string& title) {
  ProductCase p;
  p.name = lp.name;
  p.title = title;
  p.domains = {lp.listener_of("a"), lp.listener_of("b"), lp.listener_of("c")};
  p.seed = [](emulator::EmulatorConfig&) {};  // the load balancer and listeners: in set_up
  p.bind_one = [&lp](const std::string& listener) {
    return fmt::format(
        "[[binding]]\nproduct = \"{}\"\nregion = \"{}\"\nlistener = \"{}\"\n"
        "certificate = \"web\"\nrole = \"default\"\n\n",
        lp.name, kRegion, listener);
  };
  p.noun = "listener slot";
  p.address = [&lp](const std::string& listener) {
    return fmt::format("{}:{}/{}/default", lp.name, kRegion, listener);
  };
  p.cas_only = true;
  p.cas_write_action = "UpdateListenerAttribute";
  p.calls_per_write = 2;  // a dry run, then the write (AsyncWrites::dry_run_first)
  p.read_action = "ListListenerCertificates";
  // Each write's job polled once (jobs end at once here), each write read back once before it
  // is recorded.
  p.create_extra_calls = {{"ListAsynJobs", 2}, {"ListListenerCertificates", 2}};
  p.unknown_name = lp.listener_of("nope");
  p.unknown_message = lp.name == "alb" ? "ALB does not know this listener slot"
                                       : "NLB does not know this listener slot";
  p.throttle_code = "Throttling.User";
  p.limit_writes = [](emulator::EmulatorConfig& c, bool, int n) {
    c.call_limits["UpdateListenerAttribute"] = n;
  };
  p.live = [&lp](ApplyFixture& f, const std::string& listener) {
    LiveCert live;
    const nlohmann::json l = AlbListener(f, lp, listener);
    if (l.is_null()) return live;
    live.raw = l;
    live.exists = true;
    const std::string id = l["default_certificate"].get<std::string>();
    live.https = !id.empty();
    live.cert_id = std::stoll(id.substr(0, id.find('-')));
    live.fingerprint = CasFingerprint(f, live.cert_id);
    return live;
  };
  p.off_drift = [](int64_t recorded) {
    return fmt::format("cert_id {}→{} (changed outside certform)", recorded, kShopCert);
  };
  p.switch_off = [&lp](ApplyFixture& f, const std::string& listener) {
    SetAlbDefault(f, lp, listener, kShopCert);
  };
  p.bind_cas = [&lp](ApplyFixture& f, const std::string& listener, int64_t id, const std::string&) {
    SetAlbDefault(f, lp, listener, id);
  };
  p.switches_off = false;  // a listener's default is never taken off
  p.set_up = [&lp](ApplyFixture& f) {
    AlbAdmin(f, lp, "load_balancers", lp.load_balancer + "std", lp.LoadBalancerSeed());
    for (const char* name : {"a", "b", "c"}) {
      SetAlbDefault(f, lp, lp.listener_of(name), kShopCert);
    }
    // Jobs end at once: the CLI runs on the real clock (the applier's and AlbProvider's tests
    // run jobs of every duration on a fake one).
    AlbAdmin(f, lp, "jobs", "", {{"duration_ms", 0}});
  };
  return p;
}

// --- CLB: the domain extensions www, img and files.example.com of listener lb-a:443.

constexpr char kLb[] = "lb-a";
constexpr char kByHand[] = "by-hand";        // the store's certificate certform does not manage
constexpr int64_t kOtherWildcard = 9000007;  // someone else's CAS certificate of *.example.com

nlohmann::json ClbAdmin(ApplyFixture& f, const std::string& kind, const std::string& id,
                        const nlohmann::json& body) {
  nlohmann::json answer;
  const int status = emulator::ClbAdmin(f.emu.emulator().clb(), kind, id, body, &answer);
  INFO(answer.dump());
  REQUIRE(status == 200);
  return answer;
}

// The store certificate named `name`, as the emulator holds it; null when none.
nlohmann::json ClbStored(const nlohmann::json& clb, const std::string& key,
                         const std::string& value) {
  for (const auto& c : clb["server_certificates"]) {
    if (c[key] == value) return c;
  }
  return {};
}

nlohmann::json ClbExtension(const nlohmann::json& clb, const std::string& domain) {
  for (const auto& d : clb["domain_extensions"]) {
    if (d["load_balancer_id"] == kLb && d["port"] == 443 && d["domain"] == domain) return d;
  }
  return {};
}

// Behind certform's back, through the API as a console user's call: the extension of `domain`
// serves store certificate `certificate_id`.
void SetClbExtension(ApplyFixture& f, const std::string& domain,
                     const std::string& certificate_id) {
  const nlohmann::json extension = ClbExtension(f.emu.emulator().StateJson()["clb"], domain);
  REQUIRE_FALSE(extension.is_null());
  providers::CurlTransport transport{providers::CurlOptions{}};
  engine::SystemClock clock;
  static uint64_t calls = 0;
  SeededRandom random{1000 + ++calls};  // a nonce of its own each call (SignatureNonceUsed)
  alicloud::SlbCertificates slb(
      alicloud::RpcClient(transport, clock, random,
                          alicloud::Credentials{"testid", kSecret, "", "test"}, f.emu.Endpoint(),
                          alicloud::kSlbApiVersion),
      kRegion);
  engine::CallResult result;
  const engine::Status s =
      slb.SetExtension(extension["id"].get<std::string>(), certificate_id, &result);
  INFO(s.ToString());
  REQUIRE(s.ok());
}

ProductCase ClbRow() {
  ProductCase p;
  p.name = "clb";
  p.title = "CLB";
  p.domains = {"www.example.com", "img.example.com", "files.example.com"};
  p.seed = [](emulator::EmulatorConfig&) {};  // the load balancer and its listener: in set_up
  p.bind_one = [](const std::string& domain) {
    return fmt::format(
        "[[binding]]\nproduct = \"clb\"\nregion = \"{}\"\nload_balancer = \"{}\"\nport = "
        "\"443\"\ncertificate = \"web\"\nrole = \"additional\"\ndomain = \"{}\"\n\n",
        kRegion, kLb, domain);
  };
  p.noun = "listener slot";
  p.kept_by = [](const std::string&) {
    return fmt::format("listener clb:{}/{}/443 serves a store copy of it", kRegion, kLb);
  };
  p.address = [](const std::string& domain) {
    return fmt::format("clb:{}/{}/443/sni:{}", kRegion, kLb, domain);
  };
  p.cas_only = true;
  p.cas_write_action = "SetDomainExtensionAttribute";
  p.read_action = "DescribeDomainExtensions";
  // certform's copy of the certificate made once into the store, found there by the second
  // write. Each write lists the extensions (for the one of its domain) and the store (for
  // certform's copy); each is read back before it is recorded: the listener, its extensions, the
  // store.
  p.create_extra_calls = {{"UploadServerCertificate", 1},
                          {"DescribeServerCertificates", 4},
                          {"DescribeDomainExtensions", 4},
                          {"DescribeLoadBalancerHTTPSListenerAttribute", 2}};
  p.import_calls = {{"DescribeLoadBalancerHTTPSListenerAttribute", 1},
                    {"DescribeDomainExtensions", 1},
                    {"DescribeServerCertificates", 1}};
  p.unknown_message = "CLB does not know this listener slot";
  p.throttle_code = "Throttling.User";
  // certform writes CLB at 1 a second (its limits are undocumented): a server that admits 1 in 3
  // seconds throttles the second write.
  p.limit_writes = [](emulator::EmulatorConfig& c, bool, int) {
    c.call_limits["SetDomainExtensionAttribute"] = 1;
    c.call_limit_period_ms = 3000;
  };
  p.live = [](ApplyFixture& f, const std::string& domain) {
    LiveCert live;
    const nlohmann::json clb = f.emu.emulator().StateJson()["clb"];
    const nlohmann::json extension = ClbExtension(clb, domain);
    if (extension.is_null()) return live;
    live.exists = true;
    const std::string id = extension["server_certificate_id"].get<std::string>();
    const nlohmann::json served = ClbStored(clb, "id", id);
    live.raw = {{"extension", extension}, {"serves", served}};
    live.https = !served.is_null();
    if (live.https) {
      // The store's own fingerprint is a SHA-1 (D: DescribeServerCertificates); certform's is the
      // SHA-256 of its CAS certificate.
      live.cert_id = served["cas_id"].get<int64_t>();
      live.fingerprint = live.cert_id != 0 ? CasFingerprint(f, live.cert_id)
                                           : "store " + served["fingerprint"].get<std::string>();
    }
    return live;
  };
  // The reason names the store id served instead (drift.cc): "cert_id ID→STORE-ID (not a CAS
  // certificate: changed outside certform)".
  p.off_drift = [](int64_t recorded) { return fmt::format("cert_id {}→", recorded); };
  p.switch_off = [](ApplyFixture& f, const std::string& domain) {
    const nlohmann::json by_hand = ClbStored(f.emu.emulator().StateJson()["clb"], "name", kByHand);
    SetClbExtension(f, domain, by_hand["id"].get<std::string>());
  };
  // Someone else's copy of CAS certificate `id` in the store, bound on the extension.
  p.bind_cas = [](ApplyFixture& f, const std::string& domain, int64_t id, const std::string&) {
    const nlohmann::json copy =
        ClbAdmin(f, "server_certificates", "",
                 {{"region", kRegion}, {"name", fmt::format("copy-{}", id)}, {"cas_id", id}});
    SetClbExtension(f, domain, copy["server_certificate_id"].get<std::string>());
  };
  // CLB refuses an extension a certificate that does not cover its domain: someone else's
  // certificate of *.example.com in CAS (set_up).
  p.other_cas_id = kOtherWildcard;
  p.switches_off = false;  // only deleting an extension takes its certificate off
  p.reads_foreign_cas_ids = false;
  p.set_up = [](ApplyFixture& f) {
    ClbAdmin(f, "load_balancers", kLb, {{"region", kRegion}});
    const TestCert other = IssueCert({.cn = "*.example.com", .sans = {"*.example.com"}}, &f.cli.ca);
    f.emu.emulator().PutCasCertificate(
        {"other-wildcard", kOtherWildcard, "u1", other.CertPem(), false});
    // Uploaded by hand into the store; it covers the extensions' domains (CLB refuses one that
    // does not: docs/emulator.md "CLB").
    const TestCert hand = IssueCert({.cn = "*.example.com", .sans = {"*.example.com"}}, &f.cli.ca);
    const std::string by_hand = ClbAdmin(f, "server_certificates", "",
                                         {{"region", kRegion},
                                          {"name", kByHand},
                                          {"cert_pem", hand.CertPem()},
                                          {"key_pem", hand.KeyPem()}})["server_certificate_id"];
    ClbAdmin(f, "listeners", "",
             {{"load_balancer_id", kLb}, {"port", 443}, {"server_certificate_id", by_hand}});
    for (const char* domain : {"www.example.com", "img.example.com", "files.example.com"}) {
      ClbAdmin(f, "domain_extensions", "",
               {{"load_balancer_id", kLb},
                {"port", 443},
                {"domain", domain},
                {"server_certificate_id", by_hand}});
    }
  };
  return p;
}

}  // namespace

std::vector<ProductCase> ListenerProductCases() {
  return {ListenerRow(ListenerProducts()[0], "ALB"), ListenerRow(ListenerProducts()[1], "NLB"),
          ClbRow()};
}

}  // namespace certform::testing
