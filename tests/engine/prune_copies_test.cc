#include "engine/apply/prune_copies.h"

#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <catch2/catch.hpp>

#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"

using namespace certform::engine;
using certform::testing::FakeClock;
using certform::testing::SeededRandom;

namespace {

constexpr char kStore[] = "clb";  // the installed product whose provider keeps store copies

Address Listener(const std::string& region, const std::string& lb) {
  return Address{kStore, {region, lb, "443"}, kDefaultSlot};
}

OwnCopy Copy(const std::string& region, const std::string& id, int64_t cas_id) {
  return {region, id, "cas-" + std::to_string(cas_id) + "-cn-hangzhou", cas_id, "cn-hangzhou"};
}

// Every product's provider: lists `domains`, each serving `served` store ids; the store
// product's also keeps `copies` and answers deletes as scripted. Records every store call.
class Fake final : public Provider {
 public:
  explicit Fake(bool store) : store_(store) {}
  Status SetBinding(const BindingRequest&, CallResult*) override { return Status::OK(); }
  Status ReadBinding(const Address& address, LiveBinding* live, CallResult*) override {
    live->exists = true;
    live->https = true;
    auto it = served.find(address.Key());
    if (it != served.end()) live->served_refs = it->second;
    return Status::OK();
  }
  Status ListDomainsPage(int, std::vector<Address>* out, int64_t* total, CallResult*) override {
    calls.push_back("domains");
    if (refuse_listing) return Status::Failed("AccessDenied");
    *out = domains;
    *total = static_cast<int64_t>(domains.size());
    listed_ = listed;
    return Status::OK();
  }
  bool HasOwnCopies() const override { return store_; }
  std::string CopyLocation(const Address& a) const override {
    return a.product == kStore ? a.Field("region") : "";
  }
  Status ListOwnCopiesPage(int page, std::vector<OwnCopy>* out, int64_t* total,
                           CallResult*) override {
    calls.push_back("list " + std::to_string(page));
    *out = copies;
    *total = static_cast<int64_t>(copies.size());
    return Status::OK();
  }
  Status ReadOwnCopies(const std::string& location, std::vector<OwnCopy>* out,
                       CallResult*) override {
    calls.push_back("read " + location);
    for (const OwnCopy& c : copies) {
      if (c.location == location) out->push_back(c);
    }
    return Status::OK();
  }
  Status DeleteOwnCopy(const OwnCopy& copy, bool* in_use, CallResult* result) override {
    calls.push_back("delete " + copy.id);
    result->request_id = "REQ-" + copy.id;
    if (refused.count(copy.id)) {
      *in_use = true;
      return Status::OK();
    }
    std::erase(copies, copy);
    return Status::OK();
  }

  std::vector<Address> domains;
  std::map<std::string, std::vector<std::string>> served;  // address → store ids
  std::vector<OwnCopy> copies;
  std::set<std::string> refused;  // ids the API refuses to delete: still bound
  bool refuse_listing = false;
  std::vector<std::string> calls;
  std::vector<std::string> listed;  // ListedLocations, once a listing reached its end

  std::vector<std::string> ListedLocations() const override { return listed_; }

 private:
  std::vector<std::string> listed_;
  bool store_;
};

struct Harness {
  std::map<std::string, std::unique_ptr<Fake>> providers;
  std::map<std::string, AccountRuntime> runtimes;
  FakeClock clock;
  SeededRandom random;
  PacingRegistry pacing;
  State state;
  Config config;

  Harness() {
    AccountRuntime& rt = runtimes["main"];
    rt.user = "u1";
    for (const ProductRules& r : Products()) {
      providers[r.name] = std::make_unique<Fake>(r.name == kStore);
      rt.products[r.name] = providers[r.name].get();
    }
    config.accounts["main"] = AccountConfig{.name = "main"};
    // certform uploaded CAS certificates 11 and 12.
    for (int64_t id : {11, 12}) {
      UploadEntry u{.account = "main",
                    .fingerprint = std::string(64, id == 11 ? 'a' : 'b'),
                    .name = "certform-x",
                    .cert_id = id};
      state.uploads[UploadKey(u)] = u;
    }
    store().listed = {"cn-hangzhou", "cn-shanghai", "cn-beijing"};
  }
  Fake& store() { return *providers[kStore]; }
  // `read_users`: the users prune reads anyway (CAS candidates); by default u1.
  CopyReview Review(const std::vector<std::string>& skip = {},
                    const std::set<std::string>& read_users = {"u1"}) {
    std::vector<std::string> all = skip;
    for (const ProductRules& r : Products()) {
      if (!r.listable) all.push_back(r.name);
    }
    const CopyListing listing =
        ListCopies({"main"}, state, config, all, runtimes, read_users, pacing, clock, random);
    listing_calls = store().calls;
    std::map<std::string, UserDomains> users;
    return CheckCopies(listing, all, runtimes, users, pacing, clock, random);
  }
  std::vector<std::string> listing_calls;  // the store's calls when the listing was done
};

}  // namespace

TEST_CASE(
    "prune copies: a candidate is a copy of a CAS id the state knows, that no entry records and "
    "no binding wants in its region",
    "[prune][clb]") {
  Harness h;
  // 12 is bound by the state in cn-hangzhou, and wanted by the configuration in cn-shanghai.
  StateEntry e;
  e.address = Listener("cn-hangzhou", "lb-a");
  e.account = "main";
  e.cert_type = "cas";
  e.cert_id = 12;
  h.state.entries[e.address.Key()] = e;
  CertificateConfig web;
  web.key = "web";
  web.info.fingerprint = std::string(64, 'b');
  h.config.certificates["web"] = web;
  h.config.bindings.push_back({Listener("cn-shanghai", "lb-b"), "main", true, "web", {}});
  const std::vector<OwnCopy> listed = {
      Copy("cn-hangzhou", "s-11", 11),   // known, unused: a candidate
      Copy("cn-hangzhou", "s-12", 12),   // the state binds 12 here
      Copy("cn-shanghai", "s-12b", 12),  // the configuration wants 12 here
      Copy("cn-beijing", "s-12c", 12),   // 12 elsewhere: a candidate
      Copy("cn-hangzhou", "s-99", 99),   // a CAS id certform never recorded: never
  };
  const std::vector<OwnCopy> c = CopyCandidates(listed, kStore, h.store(), h.state, h.config);
  REQUIRE(c.size() == 2);
  CHECK(c[0].id == "s-11");
  CHECK(c[1].id == "s-12c");
}

TEST_CASE("prune copies: a copy any listener serves is kept, naming it, the others go",
          "[prune][clb]") {
  Harness h;
  h.store().copies = {Copy("cn-hangzhou", "s-11", 11), Copy("cn-hangzhou", "s-12", 12)};
  h.store().domains = {Listener("cn-hangzhou", "lb-a")};
  // An extension of lb-a serves s-11 (served_refs holds every store id of the listener).
  h.store().served["clb:cn-hangzhou/lb-a/443/default"] = {"s-default", "s-11"};
  const CopyReview r = h.Review();
  INFO(fmt::format("{}", fmt::join(r.blocked, "\n")));
  CHECK_FALSE(r.failed);
  REQUIRE(r.kept.size() == 1);
  CHECK(r.kept[0].copy.copy.id == "s-11");
  CHECK(r.kept[0].address.Key() == "clb:cn-hangzhou/lb-a/443/default");
  REQUIRE(r.unused.size() == 1);
  CHECK(r.unused[0].copy.id == "s-12");
  CHECK(r.unused[0].account == "main");
}

TEST_CASE("prune copies: nothing is deleted when the listeners were skipped or not all listed",
          "[prune][clb]") {
  Harness h;
  h.store().copies = {Copy("cn-hangzhou", "s-11", 11)};
  SECTION("skipped") {
    // Bound nowhere on the product, read only for CAS: the skip is said once, by ReviewPrune.
    CopyReview r = h.Review({kStore});
    CHECK(r.unused.empty());
    CHECK(r.blocked.empty());
    // The state binds the user there: this review says why no copy is deleted.
    StateEntry e;
    e.address = Listener("cn-shanghai", "lb-b");
    e.account = "main";
    e.cert_id = 12;
    h.state.entries[e.address.Key()] = e;
    r = h.Review({kStore});
    CHECK(r.unused.empty());
    CHECK_FALSE(r.failed);
    REQUIRE(r.blocked.size() == 1);
    CHECK(r.blocked[0].find("skip_products") != std::string::npos);
    CHECK(h.store().calls.empty());  // not even listed
  }
  SECTION("a listing that failed") {
    h.store().refuse_listing = true;
    const CopyReview r = h.Review();
    CHECK(r.unused.empty());
    CHECK(r.failed);
    REQUIRE(r.blocked.size() == 1);
    CHECK(r.blocked[0].find("did not complete") != std::string::npos);
  }
}

TEST_CASE(
    "prune copies: each delete re-reads the store, one gone or changed is kept, a refusal as "
    "still bound stops every delete after it",
    "[prune][clb]") {
  Harness h;
  h.store().copies = {Copy("cn-hangzhou", "s-1", 11), Copy("cn-hangzhou", "s-2", 12)};
  std::vector<StoreCopyRef> go = {{"main", kStore, Copy("cn-hangzhou", "gone", 11)},
                                  {"main", kStore, Copy("cn-hangzhou", "s-2", 12)}};
  // Renamed meanwhile: no longer certform's copy under that name, never deleted.
  h.store().copies.push_back(Copy("cn-hangzhou", "s-3", 11));
  h.store().copies.back().name = "someone-else";
  go.push_back({"main", kStore, Copy("cn-hangzhou", "s-3", 11)});
  // Refused as still bound: kept, and s-4 after it is never sent.
  h.store().refused = {"s-1"};
  go.push_back({"main", kStore, Copy("cn-hangzhou", "s-1", 11)});
  h.store().copies.push_back(Copy("cn-hangzhou", "s-4", 12));
  go.push_back({"main", kStore, Copy("cn-hangzhou", "s-4", 12)});
  Status lost;
  const std::vector<CopyOutcome> out =
      DeleteCopies(go, h.runtimes, h.pacing, h.clock, h.random, {}, &lost);
  REQUIRE(out.size() == 4);
  CHECK(out[0].already_gone);
  CHECK(out[1].deleted);
  CHECK(out[1].request_id == "REQ-s-2");
  CHECK(out[2].changed);
  CHECK_FALSE(out[2].already_gone);
  CHECK_FALSE(out[2].deleted);
  CHECK(out[3].in_use);
  CHECK_FALSE(out[3].deleted);
  CHECK(h.store().calls == std::vector<std::string>{"read cn-hangzhou", "read cn-hangzhou",
                                                    "delete s-2", "read cn-hangzhou",
                                                    "read cn-hangzhou", "delete s-1"});
  CHECK(std::count(h.store().copies.begin(), h.store().copies.end(),
                   Copy("cn-hangzhou", "s-4", 12)) == 1);
}

TEST_CASE("prune copies: the stores are listed before any listener is read", "[prune][clb]") {
  Harness h;
  h.store().copies = {Copy("cn-hangzhou", "s-11", 11)};
  h.store().domains = {Listener("cn-hangzhou", "lb-a")};
  const CopyReview r = h.Review();
  REQUIRE(r.unused.size() == 1);
  CHECK(h.listing_calls == std::vector<std::string>{"list 1"});  // no listener listed yet
  CHECK(std::count(h.store().calls.begin(), h.store().calls.end(), "domains") == 1);
}

TEST_CASE(
    "prune copies: a copy in a region the listener listing did not cover, or beside a listener "
    "serving a certificate of no id, is never deleted",
    "[prune][clb]") {
  Harness h;
  h.store().copies = {Copy("cn-hangzhou", "s-11", 11), Copy("cn-qingdao", "s-12", 12)};
  h.store().domains = {Listener("cn-hangzhou", "lb-a")};
  SECTION("a region no listener listing covered (two DescribeRegions answers that differ)") {
    const CopyReview r = h.Review();
    CHECK(r.failed);
    REQUIRE(r.unused.size() == 1);
    CHECK(r.unused[0].copy.id == "s-11");
    INFO(fmt::format("{}", fmt::join(r.blocked, "\n")));
    REQUIRE(r.blocked.size() == 1);
    CHECK(r.blocked[0].find("is in cn-qingdao, which the listing of listeners did not cover") !=
          std::string::npos);
  }
  SECTION("an id the answer left out") {
    h.store().listed.push_back("cn-qingdao");
    h.store().served["clb:cn-hangzhou/lb-a/443/default"] = {"s-default", ""};
    const CopyReview r = h.Review();
    CHECK(r.failed);
    CHECK(r.unused.empty());
    REQUIRE(r.blocked.size() == 1);
    CHECK(r.blocked[0].find("serves a certificate its answer gives no id for") !=
          std::string::npos);
  }
}

TEST_CASE(
    "prune copies: a user with no binding on the product and no CAS candidate read is never "
    "asked for its store",
    "[prune][clb]") {
  Harness h;
  h.store().copies = {Copy("cn-hangzhou", "s-11", 11)};
  CHECK(CopyAccounts(h.state, h.config, {}).empty());
  const CopyReview none = h.Review({}, {});
  CHECK(none.unused.empty());
  CHECK(h.store().calls.empty());
  // Once the configuration binds the product, its store is listed.
  h.config.bindings.push_back({Listener("cn-shanghai", "lb-b"), "main", true, "web", {}});
  CHECK(CopyAccounts(h.state, h.config, {}) == std::set<std::string>{"main"});
  const CopyReview some = h.Review({}, {});
  CHECK(some.unused.size() == 1);
}
