// CLB end to end (the certform binary against the emulator's CLB service): a listener's default
// certificate and a domain extension's are planned, applied through certform's own copies in the
// region's SLB store and read back; a renewal replaces the extension's certificate only, with a
// new copy (the old copy deleted once nothing serves it), and leaves every other slot of the
// listener as it is; a change behind certform's back
// is drift; removing a binding forgets it even with on_removal = "disable" (the listener keeps
// serving); a binding to a domain with no extension fails, with nothing copied into the store;
// prune lists every listener and keeps a CAS upload any of them serves a store copy of.
// Facts: docs/products.md "CLB listeners",
// providers/alicloud/clb_provider.h.
#include <map>
#include <set>

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "engine/base/clock.h"
#include "providers/alicloud/emulator/clb_admin.h"
#include "providers/alicloud/slb_certificates.h"
#include "tests/cmd/apply_fixture.h"

using namespace certform;
using namespace certform::testing;

namespace {

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

constexpr char kLb[] = "lb-a";
constexpr char kRegion[] = "cn-hangzhou";

struct ClbWorkspace {
  explicit ClbWorkspace(emulator::EmulatorConfig config = EmulatorWith()) : f(std::move(config)) {
    Admin("load_balancers", kLb, {{"region", kRegion}});
    // Uploaded by hand; it covers the extensions' domains (CLB refuses one that does not:
    // docs/emulator.md "CLB").
    const TestCert hand = IssueCert({.cn = "*.example.com", .sans = {"*.example.com"}}, &f.cli.ca);
    by_hand = Admin("server_certificates", "",
                    {{"region", kRegion},
                     {"name", "by-hand"},
                     {"cert_pem", hand.CertPem()},
                     {"key_pem", hand.KeyPem()}})["server_certificate_id"];
    Admin("listeners", "",
          {{"load_balancer_id", kLb}, {"port", 443}, {"server_certificate_id", by_hand}});
    for (const char* domain : {"www.example.com", "img.example.com"}) {
      Admin("domain_extensions", "",
            {{"load_balancer_id", kLb},
             {"port", 443},
             {"domain", domain},
             {"server_certificate_id", by_hand}});
    }
    f.cli.dir.Write("certform.toml", CliFixture::StandardCertificates(/*via_cas=*/true));
    Bind({{"api", "default", ""}, {"web", "additional", "www.example.com"}});
  }

  struct Slot {
    std::string certificate, role, domain;
  };
  void Bind(const std::vector<Slot>& slots) {
    std::string toml;
    for (const Slot& s : slots) {
      toml += fmt::format(
          "[[binding]]\nproduct = \"clb\"\nregion = \"{}\"\nload_balancer = \"{}\"\nport = "
          "\"443\"\ncertificate = \"{}\"\nrole = \"{}\"\n{}\n",
          kRegion, kLb, s.certificate, s.role,
          s.domain.empty() ? "" : fmt::format("domain = \"{}\"\n", s.domain));
    }
    f.cli.dir.Write("clb.toml", toml);
  }

  static std::string At(const std::string& slot) {
    return fmt::format("clb:{}/{}/443/{}", kRegion, kLb, slot);
  }

  nlohmann::json Admin(const std::string& kind, const std::string& id, const nlohmann::json& body) {
    nlohmann::json answer;
    REQUIRE(emulator::ClbAdmin(f.emu.emulator().clb(), kind, id, body, &answer) == 200);
    return answer;
  }

  // Another client of the same user, as a console user's calls would be.
  alicloud::SlbCertificates Other() {
    return alicloud::SlbCertificates(
        alicloud::RpcClient(transport, clock, random,
                            alicloud::Credentials{"testid", kSecret, "", "test"}, f.emu.Endpoint(),
                            alicloud::kSlbApiVersion),
        kRegion);
  }

  // The store id of what `slot` serves ("default", or an extension's domain), and the CAS id
  // of the copy it is (0 when none).
  std::pair<std::string, int64_t> Serves(const std::string& slot) {
    alicloud::SlbCertificates slb = Other();
    engine::CallResult r;
    std::string id;
    if (slot == "default") {
      REQUIRE(slb.ReadListener(kLb, 443, &id, &r).ok());
    } else {
      std::vector<alicloud::DomainExtension> all;
      REQUIRE(slb.ListExtensions(kLb, 443, &all, &r).ok());
      for (const auto& e : all) {
        if (e.domain == slot) id = e.certificate_id;
      }
    }
    std::vector<alicloud::ServerCertificate> store;
    REQUIRE(slb.ListStore(&store, &r).ok());
    for (const auto& c : store) {
      if (c.id == id) return {id, c.cas_id};
    }
    return {id, 0};
  }
  size_t StoreSize() {
    std::vector<alicloud::ServerCertificate> store;
    engine::CallResult r;
    REQUIRE(Other().ListStore(&store, &r).ok());
    return store.size();
  }
  int64_t Recorded(const std::string& address) { return f.State().entries.at(address).cert_id; }
  int Calls(const std::string& action) {
    const nlohmann::json calls = f.emu.emulator().CountersJson()["calls"];
    return calls.contains(action) ? calls[action].value("u1", 0) : 0;
  }
  void ApplyOk() {
    ProcessResult apply = f.Run({"apply", "--auto-approve"});
    INFO(apply.out << apply.err);
    REQUIRE(apply.exit_code == 0);
  }

  ApplyFixture f;
  std::string by_hand;
  providers::CurlTransport transport{providers::CurlOptions{}};
  engine::SystemClock clock;
  SeededRandom random{11};
};

}  // namespace

TEST_CASE(
    "clb cli: a listener's default and an extension's certificates are applied through store "
    "copies and read back, a renewal replaces the extension's only",
    "[cli][clb]") {
  ClbWorkspace w;
  ApplyFixture& f = w.f;
  const std::string kDefault = w.At("default"), kWww = w.At("sni:www.example.com");
  ProcessResult plan = f.Run({"plan"});
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  CHECK(Has(plan.out, "Plan: 2 to upload, 2 to bind, 0 to update, 0 to disable."));
  CHECK(Has(plan.out, kDefault + " (default certificate of listener cn-hangzhou/lb-a/443)"));
  CHECK(Has(plan.out, kWww + " (certificate of domain extension www.example.com of listener "
                             "cn-hangzhou/lb-a/443)"));

  w.ApplyOk();
  CHECK(w.Serves("default").second == w.Recorded(kDefault));
  CHECK(w.Serves("www.example.com").second == w.Recorded(kWww));
  CHECK(w.Serves("img.example.com").first == w.by_hand);  // not the configuration's
  CHECK(w.StoreSize() == 3);                              // by hand, and one copy of each
  CHECK(w.Calls("UploadServerCertificate") == 2);
  CHECK(f.Run({"plan", "--detailed-exitcode"}).exit_code == 0);
  ProcessResult drift = f.Run({"drift", "--detailed-exitcode"});
  INFO(drift.out << drift.err);
  CHECK(drift.exit_code == 0);

  // The renewal of web: a new CAS certificate, a new copy, the extension's certificate set to it.
  const int64_t old_web = w.Recorded(kWww);
  const std::string default_served = w.Serves("default").first;
  f.RenewWeb();
  ProcessResult renew_plan = f.Run({"plan"});
  INFO(renew_plan.out << renew_plan.err);
  CHECK(Has(renew_plan.out, "Plan: 1 to upload, 0 to bind, 1 to update, 0 to disable."));
  w.ApplyOk();
  CHECK(w.Recorded(kWww) != old_web);
  CHECK(w.Serves("www.example.com").second == w.Recorded(kWww));
  CHECK(w.Serves("default").first == default_served);
  CHECK(w.Serves("img.example.com").first == w.by_hand);
  CHECK(w.Calls("UploadServerCertificate") == 3);
  CHECK(w.Calls("DeleteServerCertificate") == 1);  // certform's copy of the old web
  CHECK(w.StoreSize() == 3);
  CHECK(f.Run({"drift", "--detailed-exitcode"}).exit_code == 0);

  // Behind certform's back: the extension set to the certificate uploaded by hand.
  std::vector<alicloud::DomainExtension> all;
  engine::CallResult r;
  alicloud::SlbCertificates slb = w.Other();
  REQUIRE(slb.ListExtensions(kLb, 443, &all, &r).ok());
  for (const auto& e : all) {
    if (e.domain == "www.example.com") REQUIRE(slb.SetExtension(e.id, w.by_hand, &r).ok());
  }
  ProcessResult drifted = f.Run({"drift", "--detailed-exitcode"});
  INFO(drifted.out << drifted.err);
  CHECK(drifted.exit_code == 2);
  CHECK(Has(drifted.out, kWww));
  CHECK_FALSE(Has(drifted.out, kDefault + " "));
}

TEST_CASE(
    "clb cli: removing a binding forgets it even with on_removal = \"disable\", a missing "
    "extension fails with nothing copied",
    "[cli][clb]") {
  ClbWorkspace w;
  ApplyFixture& f = w.f;
  const std::string kWww = w.At("sni:www.example.com");
  w.ApplyOk();
  const auto served = w.Serves("www.example.com");
  const int sets = w.Calls("SetDomainExtensionAttribute");

  f.cli.dir.Write("removal.toml", "on_removal = \"disable\"\n");
  w.Bind({{"api", "default", ""}});
  ProcessResult plan = f.Run({"plan"});
  INFO(plan.out << plan.err);
  CHECK(Has(plan.out, kWww));
  CHECK(Has(plan.out, "forget"));
  CHECK(Has(plan.out, "never removes an additional certificate from a CLB listener"));
  w.ApplyOk();
  CHECK(f.State().entries.count(kWww) == 0);
  CHECK(w.Serves("www.example.com") == served);
  CHECK(w.Calls("SetDomainExtensionAttribute") == sets);

  // A domain the listener has no extension for.
  w.Bind({{"api", "default", ""}, {"web", "additional", "shop.example.com"}});
  const size_t store = w.StoreSize();
  ProcessResult apply = f.Run({"apply", "--auto-approve"});
  INFO(apply.out << apply.err);
  CHECK(apply.exit_code == 1);
  CHECK(Has(apply.out + apply.err, "has no domain extension for shop.example.com"));
  CHECK(w.StoreSize() == store);
  CHECK(f.State().entries.count(w.At("sni:shop.example.com")) == 0);
}

TEST_CASE("clb cli: import of a listener slot reads the CAS id of the copy it serves",
          "[cli][clb]") {
  ClbWorkspace w;
  ApplyFixture& f = w.f;
  const std::string kWww = w.At("sni:www.example.com");
  w.ApplyOk();
  const engine::StateEntry applied = f.State().entries.at(kWww);
  REQUIRE(f.Run({"state", "rm", kWww}).exit_code == 0);

  ProcessResult imported = f.Run({"import", kWww});
  INFO(imported.out << imported.err);
  REQUIRE(imported.exit_code == 0);
  const engine::StateEntry e = f.State().entries.at(kWww);
  CHECK(e.https);
  CHECK(e.cert_id == applied.cert_id);
  ProcessResult plan = f.Run({"plan", "--detailed-exitcode"});
  INFO(plan.out << plan.err);
  CHECK(plan.exit_code == 0);

  // An address of no CLB shape is refused at the door, naming it.
  ProcessResult bad = f.Run({"import", "clb:cn-hangzhou/lb-a/0443/sni:www.example.com"});
  INFO(bad.out << bad.err);
  CHECK(bad.exit_code == 1);
  CHECK(Has(bad.out + bad.err, "port \"0443\""));
}

TEST_CASE(
    "clb cli: a certificate that does not cover its extension's domain is refused by validate",
    "[cli][clb]") {
  ClbWorkspace w;
  ApplyFixture& f = w.f;
  // web is *.example.com: not www.example.org's.
  w.Bind({{"api", "default", ""}, {"web", "additional", "www.example.org"}});
  ProcessResult r = f.Run({"validate"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(Has(r.out + r.err,
            "certificate \"web\" does not cover domain "
            "\"clb:cn-hangzhou/lb-a/443/sni:www.example.org\""));
  CHECK(Has(r.out + r.err, "clb.toml:"));
}

TEST_CASE("clb cli: two load balancers of one region bound in one apply share one store copy",
          "[cli][clb]") {
  ClbWorkspace w;
  ApplyFixture& f = w.f;
  w.Admin("load_balancers", "lb-b", {{"region", kRegion}});
  w.Admin("listeners", "",
          {{"load_balancer_id", "lb-b"}, {"port", 443}, {"server_certificate_id", w.by_hand}});
  // api is the default of both listeners: the second write finds the first's copy (the store is
  // listed before any upload, under a per-region lock), so it is copied into the store once.
  w.Bind({{"api", "default", ""}});
  f.cli.dir.Write("b.toml",
                  fmt::format("[[binding]]\nproduct = \"clb\"\nregion = \"{}\"\nload_balancer = "
                              "\"lb-b\"\nport = \"443\"\ncertificate = \"api\"\nrole = "
                              "\"default\"\n",
                              kRegion));
  w.ApplyOk();
  CHECK(w.Calls("UploadServerCertificate") == 1);
  CHECK(w.StoreSize() == 2);
  CHECK(w.Recorded("clb:cn-hangzhou/lb-b/443/default") == w.Recorded(w.At("default")));
}

TEST_CASE(
    "clb cli: prune keeps a CAS upload whose store copy an unmanaged listener's extension "
    "serves, naming the listener, and deletes one no listener serves",
    "[cli][clb][prune]") {
  ClbWorkspace w;
  ApplyFixture& f = w.f;
  w.ApplyOk();
  const int64_t api = w.Recorded(w.At("default")), web = w.Recorded(w.At("sni:www.example.com"));
  REQUIRE(api != web);
  // Both bindings leave the configuration (the listener keeps serving, certform forgets), and
  // someone sets lb-a back to the certificate uploaded by hand (its extensions go with it): no
  // listener serves certform's copies any more, and both uploads are prune's candidates.
  w.Bind({});
  w.ApplyOk();
  REQUIRE(f.State().entries.empty());
  w.Admin("listeners", "",
          {{"load_balancer_id", kLb}, {"port", 443}, {"server_certificate_id", w.by_hand}});
  // A load balancer certform never managed: its extension serves someone else's store copy of
  // web's CAS upload.
  w.Admin("load_balancers", "lb-x", {{"region", kRegion}});
  const std::string theirs =
      w.Admin("server_certificates", "",
              {{"region", kRegion}, {"name", "theirs"}, {"cas_id", web}})["server_certificate_id"];
  w.Admin("listeners", "",
          {{"load_balancer_id", "lb-x"}, {"port", 443}, {"server_certificate_id", w.by_hand}});
  w.Admin("domain_extensions", "",
          {{"load_balancer_id", "lb-x"},
           {"port", 443},
           {"domain", "www.example.com"},
           {"server_certificate_id", theirs}});

  f.SkipUnlistable();  // ALB and NLB; CLB is listed
  REQUIRE_FALSE(Has(f.cli.dir.Read("prune.toml"), "\"clb\""));
  ProcessResult r = f.Run({"prune", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(Has(r.out, "and CLB domain of account"));  // read, not skipped
  CHECK(Has(r.out, fmt::format("= keep CertId {} (account main): listener "
                               "clb:cn-hangzhou/lb-x/443 serves a store copy of it",
                               web)));
  CHECK(Has(r.out, fmt::format(": deleted (CertId {}", api)));
  CHECK(w.Calls("DescribeRegions") >= 1);  // CLB's (and other products' of that name)
  CHECK(w.Calls("DescribeLoadBalancerListeners") >= 1);
  nlohmann::json cas = f.emu.emulator().StateJson()["cas_certificates"];
  std::set<int64_t> ids;
  for (const auto& c : cas) ids.insert(c["id"].get<int64_t>());
  CHECK(ids.count(web) == 1);
  CHECK(ids.count(api) == 0);

  // Once no listener serves a copy of it, it goes too.
  w.Admin("listeners", "",
          {{"load_balancer_id", "lb-x"}, {"port", 443}, {"server_certificate_id", w.by_hand}});
  r = f.Run({"prune", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(Has(r.out, fmt::format(": deleted (CertId {}", web)));
  CHECK_FALSE(Has(r.out, "= keep"));
  cas = f.emu.emulator().StateJson()["cas_certificates"];
  ids.clear();
  for (const auto& c : cas) ids.insert(c["id"].get<int64_t>());
  CHECK(ids.count(web) == 0);
  CHECK(f.State().uploads.empty());
}

TEST_CASE(
    "clb cli: prune deletes certform's store copy of a forgotten binding once no listener serves "
    "it, never while one does, never when CLB is skipped, never a copy the state never knew",
    "[cli][clb][prune]") {
  ClbWorkspace w;
  ApplyFixture& f = w.f;
  w.ApplyOk();
  const int64_t web = w.Recorded(w.At("sni:www.example.com"));
  const std::string copy = w.Serves("www.example.com").first;
  const std::string copy_name = alicloud::StoreCopyName(web, kRegion);
  REQUIRE(w.Serves("www.example.com").second == web);
  // By hand: the img extension serves certform's copy too, and www goes back to by_hand.
  alicloud::SlbCertificates slb = w.Other();
  engine::CallResult call;
  std::vector<alicloud::DomainExtension> extensions;
  REQUIRE(slb.ListExtensions(kLb, 443, &extensions, &call).ok());
  std::map<std::string, std::string> extension_of;
  for (const auto& e : extensions) extension_of[e.domain] = e.id;
  REQUIRE(slb.SetExtension(extension_of.at("img.example.com"), copy, &call).ok());
  REQUIRE(slb.SetExtension(extension_of.at("www.example.com"), w.by_hand, &call).ok());
  // The web binding leaves the configuration: forgotten, its copy stays in the store.
  w.Bind({{"api", "default", ""}});
  w.ApplyOk();
  REQUIRE_FALSE(f.State().entries.count(w.At("sni:www.example.com")));
  // Someone's certificate under certform's naming, of a CAS id certform's state never recorded.
  const int64_t stranger = f.emu.emulator().PutCasCertificate(
      {"team-legacy", 0, "u1", IssueCert({.cn = "x.example.com"}, &f.cli.ca).CertPem(), true});
  const std::string stranger_name = alicloud::StoreCopyName(stranger, "cn-hangzhou");
  w.Admin("server_certificates", "",
          {{"region", kRegion}, {"name", stranger_name}, {"cas_id", stranger}});
  const auto store_names = [&] {
    std::vector<alicloud::ServerCertificate> store;
    engine::CallResult r;
    REQUIRE(w.Other().ListStore(&store, &r).ok());
    std::set<std::string> names;
    for (const auto& c : store) names.insert(c.name);
    return names;
  };
  REQUIRE(store_names().count(copy_name) == 1);

  // An extension still serves the copy: kept, naming the listener, and so is web's CAS upload.
  f.SkipUnlistable();
  ProcessResult r = f.Run({"prune", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(Has(r.out, fmt::format("= keep store copy {} (CLB cn-hangzhou, id {}): listener "
                               "clb:cn-hangzhou/lb-a/443 serves it",
                               copy_name, copy)));
  CHECK_FALSE(Has(r.out, "- delete store copy"));
  CHECK(store_names().count(copy_name) == 1);

  // Nobody serves it any more, but CLB is skipped (allowed only while the configuration binds
  // no CLB slot): nothing of it is deleted, and prune says why.
  REQUIRE(slb.SetExtension(extension_of.at("img.example.com"), w.by_hand, &call).ok());
  w.Bind({});
  f.SkipUnlistable({"clb"});
  r = f.Run({"prune", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(Has(r.out, "CLB store copies of account \"main\" were not checked"));
  CHECK_FALSE(Has(r.out, "- delete store copy"));
  CHECK(store_names().count(copy_name) == 1);

  // Listed again: the copy goes (with web's CAS upload, unused too), the stranger stays.
  w.Bind({{"api", "default", ""}});
  f.SkipUnlistable();
  r = f.Run({"prune", "--dry-run"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(Has(r.out, fmt::format("- delete store copy {} (CLB cn-hangzhou, id {}, account main): "
                               "no listener serves it",
                               copy_name, copy)));
  CHECK(Has(r.out, "Prune: 2 to delete."));
  CHECK(store_names().count(copy_name) == 1);  // a dry run deletes nothing
  r = f.Run({"prune", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(
      Has(r.out, fmt::format("store copy {} (CLB cn-hangzhou, id {}): deleted", copy_name, copy)));
  CHECK(Has(r.out, fmt::format(": deleted (CertId {}", web)));
  const std::set<std::string> left = store_names();
  CHECK(left.count(copy_name) == 0);
  CHECK(left.count(stranger_name) == 1);
  CHECK_FALSE(Has(r.out, stranger_name));
}

TEST_CASE(
    "clb cli: when certform's store copy cannot be deleted, prune keeps its CAS certificate too "
    "and exits 1",
    "[cli][clb][prune]") {
  emulator::EmulatorConfig config = EmulatorWith();
  config.ram_denied["testid"] = {"DeleteServerCertificate"};  // a policy without it
  ClbWorkspace w(std::move(config));
  ApplyFixture& f = w.f;
  w.ApplyOk();
  const int64_t web = w.Recorded(w.At("sni:www.example.com"));
  const std::string copy_name = alicloud::StoreCopyName(web, kRegion);
  // www goes back to the certificate uploaded by hand, and the web binding is forgotten: its
  // copy and its CAS upload are unused.
  alicloud::SlbCertificates slb = w.Other();
  engine::CallResult call;
  std::vector<alicloud::DomainExtension> extensions;
  REQUIRE(slb.ListExtensions(kLb, 443, &extensions, &call).ok());
  for (const auto& e : extensions) {
    if (e.domain == "www.example.com") REQUIRE(slb.SetExtension(e.id, w.by_hand, &call).ok());
  }
  w.Bind({{"api", "default", ""}});
  w.ApplyOk();

  f.SkipUnlistable();
  ProcessResult r = f.Run({"prune", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(Has(r.out, "- delete store copy " + copy_name));
  CHECK(Has(r.out, "store copy " + copy_name));
  CHECK(Has(r.out, ": FAILED: "));
  CHECK(Has(r.out, fmt::format("kept (CertId {}): a store copy of it was not deleted", web)));
  CHECK_FALSE(Has(r.out, fmt::format(": deleted (CertId {}", web)));
  const nlohmann::json cas = f.emu.emulator().StateJson()["cas_certificates"];
  std::set<int64_t> ids;
  for (const auto& c : cas) ids.insert(c["id"].get<int64_t>());
  CHECK(ids.count(web) == 1);
  CHECK(f.State().uploads.size() >= 1);  // the upload's record stays: the copy is a candidate
}
