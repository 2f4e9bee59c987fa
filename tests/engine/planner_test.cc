#include "engine/plan/planner.h"

#include <catch2/catch.hpp>

using namespace certform::engine;

namespace {

Config TwoCertConfig() {
  Config c;
  c.accounts["main"] = AccountConfig{.name = "main"};
  c.accounts["second"] = AccountConfig{.name = "second"};
  CertificateConfig web;
  web.key = "web";
  web.cert_name = "certform-aaaa";
  web.info.fingerprint = std::string(64, 'a');
  web.info.not_after = 2000000000;
  c.certificates["web"] = web;
  CertificateConfig shop;
  shop.key = "shop";
  shop.type = CertType::kCas;
  shop.cert_name = "shop-cert";
  shop.cert_id = 42;
  c.certificates["shop"] = shop;
  return c;
}

DesiredBinding Binding(const std::string& domain, const std::string& cert,
                       const std::string& account = "main") {
  DesiredBinding b;  // field by field: GCC 12 misreads the aggregate (maybe-uninitialized)
  b.address = SplitAddress(domain);
  b.account = account;
  b.https = !cert.empty();
  b.certificate = cert;
  return b;
}

void Bind(Config* c, const std::string& domain, const std::string& cert,
          const std::string& account = "main") {
  c->bindings.push_back(Binding(domain, cert, account));
}

StateEntry Applied(const Config& c, const std::string& domain) {
  StateEntry e = DesiredEntry(c, *c.FindBinding(domain));
  e.applied_at = "2026-01-01T00:00:00Z";
  e.request_id = "REQ";
  return e;
}

const Change& For(const Plan& p, const std::string& domain) {
  for (const Change& c : p.changes) {
    if (c.address.Key() == domain) return c;
  }
  FAIL("no change for " << domain);
  throw;
}

}  // namespace

TEST_CASE("planner: a domain not in state is planned as a create", "[planner]") {
  Config c = TwoCertConfig();
  Bind(&c, "www.example.com", "web");
  Plan p = MakePlan(c, State{});
  REQUIRE(p.changes.size() == 1);
  CHECK(p.changes[0].action == Action::kCreate);
  CHECK(p.changes[0].after->fingerprint == std::string(64, 'a'));
  CHECK(p.changes[0].after->cert_type == "upload");
  CHECK(p.changes[0].reasons == std::vector<std::string>{"not in state: bind the certificate"});
  CHECK(p.Summary().create == 1);
}

TEST_CASE("planner: state that matches the configuration is a no-op", "[planner]") {
  Config c = TwoCertConfig();
  Bind(&c, "www.example.com", "web");
  State s;
  s.entries["www.example.com"] = Applied(c, "www.example.com");
  Plan p = MakePlan(c, s);
  CHECK(p.changes[0].action == Action::kNoOp);
  CHECK_FALSE(p.HasChanges());
}

TEST_CASE("planner: a domain whose certificate fingerprint changed is planned as an update",
          "[planner]") {
  Config c = TwoCertConfig();
  Bind(&c, "www.example.com", "web");
  State s;
  s.entries["www.example.com"] = Applied(c, "www.example.com");
  c.certificates["web"].info.fingerprint = std::string(64, 'b');
  c.certificates["web"].cert_name = "certform-bbbb";
  Plan p = MakePlan(c, s);
  const Change& ch = For(p, "www.example.com");
  CHECK(ch.action == Action::kUpdate);
  CHECK(ch.reasons == std::vector<std::string>{"fingerprint aaaaaaaa…→bbbbbbbb…",
                                               "CertName certform-aaaa→certform-bbbb"});
}

TEST_CASE("planner: switching to another certificate says which", "[planner]") {
  Config c = TwoCertConfig();
  Bind(&c, "www.example.com", "web");
  State s;
  s.entries["www.example.com"] = Applied(c, "www.example.com");
  c.bindings[0].certificate = "shop";
  Plan p = MakePlan(c, s);
  const Change& ch = For(p, "www.example.com");
  CHECK(ch.action == Action::kUpdate);
  CHECK(ch.reasons[0] == "certificate web→shop");
  CHECK(ch.reasons[1] == "type upload→cas");
  CHECK(ch.after->cert_id == 42);
}

TEST_CASE("planner: https switched off is an update with only that reason", "[planner]") {
  Config c = TwoCertConfig();
  Bind(&c, "www.example.com", "web");
  State s;
  s.entries["www.example.com"] = Applied(c, "www.example.com");
  c.bindings[0].https = false;
  c.bindings[0].certificate.clear();
  Plan p = MakePlan(c, s);
  CHECK(For(p, "www.example.com").reasons == std::vector<std::string>{"https on→off"});
  c.bindings[0] = Binding("www.example.com", "web");
  State off;
  off.entries["www.example.com"] =
      StateEntry{.address = SplitAddress("www.example.com"), .account = "main", .https = false};
  Plan on = MakePlan(c, off);
  CHECK(For(on, "www.example.com").reasons.front() == "https off→on");
}

TEST_CASE("planner: a domain gone from the configuration is forgotten, its live binding left",
          "[planner][removal]") {
  Config c = TwoCertConfig();
  Bind(&c, "www.example.com", "web");
  State s;
  s.entries["www.example.com"] = Applied(c, "www.example.com");
  s.entries["old.example.com"] = Applied(c, "www.example.com");
  s.entries["old.example.com"].address = SplitAddress("old.example.com");
  Plan p = MakePlan(c, s);
  const Change& gone = For(p, "old.example.com");
  CHECK(gone.action == Action::kForget);
  CHECK_FALSE(gone.after.has_value());
  CHECK(gone.before->fingerprint == std::string(64, 'a'));
  CHECK(gone.reasons == std::vector<std::string>{"no longer in configuration: forget; its live "
                                                 "certificate stays (on_removal = \"forget\")"});
  CHECK(gone.moved_to.empty());
  CHECK(p.HasChanges());
  CHECK(p.Summary().forget == 1);
  CHECK(p.Summary().remove == 0);
  CHECK_FALSE(CallsProvider(Action::kForget));
  CHECK(CallsProvider(Action::kDelete));
  CHECK(std::string(ActionName(Action::kForget)) == "forget");
}

TEST_CASE("planner: with on_removal = \"disable\" a removed domain is switched off, then forgotten",
          "[planner][removal]") {
  Config c = TwoCertConfig();
  c.on_removal = OnRemoval::kDisable;
  Bind(&c, "www.example.com", "web");
  State s;
  s.entries["www.example.com"] = Applied(c, "www.example.com");
  s.entries["old.example.com"] = Applied(c, "www.example.com");
  s.entries["old.example.com"].address = SplitAddress("old.example.com");
  s.entries["off.example.com"] =
      StateEntry{.address = SplitAddress("off.example.com"), .account = "main", .https = false};
  Plan p = MakePlan(c, s);
  const Change& del = For(p, "old.example.com");
  CHECK(del.action == Action::kDelete);
  CHECK_FALSE(del.after.has_value());
  CHECK(del.reasons[0] == "no longer in configuration: switch HTTPS off, then forget");
  CHECK(For(p, "off.example.com").reasons[0] ==
        "no longer in configuration: forget (HTTPS already off)");
  CHECK(p.Summary().remove == 2);
  CHECK(p.Summary().forget == 0);
  // The setting is part of what the configuration asks for.
  Config forgetting = c;
  forgetting.on_removal = OnRemoval::kForget;
  CHECK(ConfigDigest(forgetting) != ConfigDigest(c));
}

TEST_CASE("planner: a domain whose address changed is a move, linked both ways",
          "[planner][removal]") {
  Config c = TwoCertConfig();
  c.accounts["main"].upload_via = "cas";
  c.accounts["main"].products["cdn"].api = "SetCdnDomainSSLCertificate";
  DesiredBinding moved = Binding("oss:cn-shanghai/archive/www.example.com", "web");
  c.bindings.push_back(moved);
  Bind(&c, "img.example.com", "web");  // new, with no old address: a plain create
  State s;
  StateEntry old = DesiredEntry(c, moved);
  old.address = SplitAddress("oss:cn-hangzhou/static-site/www.example.com");
  s.entries[old.address.Key()] = old;
  s.entries["other.example.com"] =
      StateEntry{.address = SplitAddress("other.example.com"), .account = "main"};
  for (OnRemoval policy : {OnRemoval::kForget, OnRemoval::kDisable}) {
    c.on_removal = policy;
    Plan p = MakePlan(c, s);
    const Change& to = For(p, moved.address.Key());
    const Change& from = For(p, old.address.Key());
    CHECK(to.action == Action::kCreate);
    CHECK(to.moved_from == old.address.Key());
    CHECK(to.moved_to.empty());
    CHECK(to.reasons.back().find("moved from " + old.address.Key()) == 0);
    CHECK(from.action == (policy == OnRemoval::kForget ? Action::kForget : Action::kDelete));
    CHECK(from.moved_to == moved.address.Key());
    CHECK(from.moved_from.empty());
    CHECK(from.reasons[0].find("moved to " + moved.address.Key() + ", once bound there: ") == 0);
    // The domain name differs: a removal and a create, no move.
    CHECK(For(p, "other.example.com").moved_to.empty());
    CHECK(For(p, "img.example.com").moved_from.empty());
    CHECK(p.Summary().move == 1);
  }
  // The product changes too (OSS to the CDN), in another account: still a move.
  Config cdn = TwoCertConfig();
  Bind(&cdn, "www.example.com", "web", "second");
  const Plan product = MakePlan(cdn, s);
  CHECK(For(product, "www.example.com").moved_from == old.address.Key());
  CHECK(For(product, old.address.Key()).moved_to == "www.example.com");
  // The same address in another account is an update, as before.
  State same;
  same.entries["www.example.com"] = Applied(cdn, "www.example.com");
  same.entries["www.example.com"].account = "main";
  const Plan account = MakePlan(cdn, same);
  const Change& update = For(account, "www.example.com");
  CHECK(update.action == Action::kUpdate);
  CHECK(update.moved_from.empty());
  CHECK(update.reasons[0] == "account main→second");
  // --target on the old half alone plans nothing for it (it would be dealt with before anything
  // is bound at the new address), and says why; both targeted, the move is planned whole.
  c.on_removal = OnRemoval::kDisable;
  PlanOptions old_only;
  old_only.targets = {old.address.Key()};
  const Plan half = MakePlan(c, s, old_only);
  CHECK(half.changes.empty());
  REQUIRE(half.diags.items().size() == 1);
  CHECK(half.diags.items()[0].summary.find("it moves to " + moved.address.Key() +
                                           ", which is not targeted") != std::string::npos);
  PlanOptions both;
  both.targets = {old.address.Key(), moved.address.Key()};
  const Plan whole = MakePlan(c, s, both);
  CHECK(whole.changes.size() == 2);
  CHECK(For(whole, old.address.Key()).moved_to == moved.address.Key());
}

TEST_CASE("planner: changes are ordered by account, then domain", "[planner]") {
  Config c = TwoCertConfig();
  Bind(&c, "z.example.com", "web", "main");
  Bind(&c, "a.example.com", "web", "second");
  Bind(&c, "b.example.com", "web", "main");
  State s;
  s.entries["c.example.com"] =
      StateEntry{.address = SplitAddress("c.example.com"), .account = "main"};
  Plan p = MakePlan(c, s);
  std::vector<std::string> order;
  for (const Change& ch : p.changes) order.push_back(ch.account + "/" + ch.address.Key());
  CHECK(order == std::vector<std::string>{"main/b.example.com", "main/c.example.com",
                                          "main/z.example.com", "second/a.example.com"});
}

TEST_CASE("planner: targets narrow the plan to the named domains", "[planner]") {
  Config c = TwoCertConfig();
  Bind(&c, "a.example.com", "web");
  Bind(&c, "b.example.com", "web");
  Plan p = MakePlan(c, State{}, PlanOptions{.targets = {"b.example.com"}});
  REQUIRE(p.changes.size() == 1);
  CHECK(p.changes[0].address.Key() == "b.example.com");
}

TEST_CASE("planner: the plan records the state's lineage and serial and a config digest",
          "[planner]") {
  Config c = TwoCertConfig();
  Bind(&c, "a.example.com", "web");
  State s;
  s.lineage = "L";
  s.serial = 7;
  Plan p = MakePlan(c, s);
  CHECK(p.lineage == "L");
  CHECK(p.serial == 7);
  CHECK(p.config_digest == ConfigDigest(c));
  Config changed = c;
  changed.certificates["web"].info.fingerprint = std::string(64, 'c');
  CHECK(ConfigDigest(changed) != ConfigDigest(c));
  Config moved = c;
  moved.files = {"other.toml"};
  moved.bindings[0].where.line = 99;
  CHECK(ConfigDigest(moved) == ConfigDigest(c));
}

TEST_CASE("planner: a renewal under a fixed name replaces that name's content (ForceSet)",
          "[planner][rotation]") {
  Config c = TwoCertConfig();
  c.certificates["web"].cert_name = "shop-2026";
  c.certificates["web"].explicit_name = true;
  Bind(&c, "a.example.com", "web");
  Bind(&c, "b.example.com", "web");
  State s;
  s.entries["a.example.com"] = Applied(c, "a.example.com");
  s.entries["b.example.com"] = Applied(c, "b.example.com");
  CHECK_FALSE(MakePlan(c, s).HasChanges());
  // certbot re-issued the certificate into the same files: new content, same name.
  c.certificates["web"].info.fingerprint = std::string(64, 'b');
  Plan p = MakePlan(c, s);
  for (const char* d : {"a.example.com", "b.example.com"}) {
    const Change& ch = For(p, d);
    CHECK(ch.action == Action::kUpdate);
    CHECK(ch.replaces_name);
    CHECK(ch.after->cert_name == "shop-2026");
    CHECK(ch.reasons.back() == "replaces the content of CertName shop-2026 (ForceSet)");
  }
  // Once one domain carries the new content the name still holds other content elsewhere.
  s.entries["a.example.com"].fingerprint = std::string(64, 'b');
  const Plan half = MakePlan(c, s);
  CHECK(For(half, "b.example.com").replaces_name);
  // A first binding under a fresh name replaces nothing.
  const Plan fresh = MakePlan(c, State{});
  CHECK_FALSE(For(fresh, "a.example.com").replaces_name);
}

TEST_CASE("planner: with SetCdnDomainSSLCertificate (no ForceSet) each content gets its own name",
          "[planner][rotation]") {
  Config c = TwoCertConfig();
  c.accounts["main"].products["cdn"].api = "SetCdnDomainSSLCertificate";
  c.certificates["web"].cert_name = "shop-2026";
  c.certificates["web"].explicit_name = true;
  Bind(&c, "a.example.com", "web");
  State s;
  s.entries["a.example.com"] = Applied(c, "a.example.com");
  CHECK(s.entries["a.example.com"].cert_name == "shop-2026-aaaaaaaaaaaa");
  c.certificates["web"].info.fingerprint = std::string(64, 'b');
  const Plan p = MakePlan(c, s);
  const Change& ch = For(p, "a.example.com");
  CHECK(ch.action == Action::kUpdate);
  CHECK_FALSE(ch.replaces_name);
  CHECK(ch.after->cert_name == "shop-2026-bbbbbbbbbbbb");
}

TEST_CASE("planner: a state entry of an account no longer configured is forgotten without it",
          "[planner][removal]") {
  Config c = TwoCertConfig();
  Bind(&c, "www.example.com", "web");
  State s;
  s.entries["old.example.com"] =
      StateEntry{.address = SplitAddress("old.example.com"), .account = "gone"};
  Plan p = MakePlan(c, s);
  REQUIRE(p.changes.size() == 2);
  CHECK(For(p, "old.example.com").action == Action::kForget);
  CHECK(For(p, "old.example.com").account == "gone");
  CHECK(p.diags.items().empty());
  // Switching it off needs that account's credentials: a warning, not a change.
  c.on_removal = OnRemoval::kDisable;
  Plan disable = MakePlan(c, s);
  REQUIRE(disable.changes.size() == 1);
  CHECK(disable.changes[0].address.Key() == "www.example.com");
  REQUIRE(disable.diags.items().size() == 1);
  CHECK(disable.diags.items()[0].severity == Severity::kWarning);
  CHECK(disable.diags.items()[0].summary.find("account \"gone\"") != std::string::npos);
  CHECK(disable.diags.items()[0].detail.find("certform state rm old.example.com") !=
        std::string::npos);
}

TEST_CASE("planner: targets are compared as the configuration's domains, normalised", "[planner]") {
  Config c = TwoCertConfig();
  Bind(&c, "www.example.com", "web");
  Bind(&c, "img.example.com", "web");
  Plan p = MakePlan(c, State{}, PlanOptions{.targets = {"WWW.Example.COM"}});
  REQUIRE(p.changes.size() == 1);
  CHECK(p.changes[0].address.Key() == "www.example.com");
}

TEST_CASE("planner: an account that uploads through CAS plans one upload per content",
          "[planner][cas]") {
  Config c = TwoCertConfig();
  c.accounts["main"].upload_via = "cas";
  c.accounts["main"].products["cdn"].api = "SetCdnDomainSSLCertificate";
  Bind(&c, "a.example.com", "web");
  Bind(&c, "b.example.com", "web");
  Bind(&c, "c.example.com", "web", "second");  // an account that sends the certificate itself
  Plan p = MakePlan(c, State{});
  REQUIRE(p.uploads.size() == 1);
  CHECK(p.uploads[0].account == "main");
  CHECK(p.uploads[0].certificate == "web");
  CHECK(p.uploads[0].name == "certform-aaaa");
  const Change& a = For(p, "a.example.com");
  CHECK(a.after->cert_type == "cas");
  CHECK(a.upload_key == UploadKey("main", std::string(64, 'a')));
  CHECK(For(p, "c.example.com").after->cert_type == "upload");
  CHECK(For(p, "c.example.com").upload_key.empty());
  // Once uploaded and bound, nothing is left to do; the id comes from the state.
  State s;
  s.uploads[a.upload_key] = UploadEntry{.account = "main",
                                        .certificate = "web",
                                        .fingerprint = std::string(64, 'a'),
                                        .name = "certform-aaaa",
                                        .cert_id = 777};
  for (const char* d : {"a.example.com", "b.example.com"}) {
    StateEntry e = *For(p, d).after;
    e.cert_id = 777;
    s.entries[d] = e;
  }
  s.entries["c.example.com"] = *For(p, "c.example.com").after;
  Plan again = MakePlan(c, s);
  CHECK(again.uploads.empty());
  CHECK_FALSE(again.HasChanges());
  // A target pulls in the upload it needs, and only that.
  c.certificates["web"].info.fingerprint = std::string(64, 'b');
  Plan targeted = MakePlan(c, s, PlanOptions{.targets = {"a.example.com"}});
  CHECK(targeted.uploads.size() == 1);
  CHECK(targeted.Summary().update == 1);
}
