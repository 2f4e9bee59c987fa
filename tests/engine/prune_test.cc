#include "engine/apply/prune.h"

#include <algorithm>
#include <map>
#include <memory>

#include <catch2/catch.hpp>

#include "cmd/certform/product_table.h"
#include "engine/calls/cas_lookup.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"

using namespace certform::engine;
using certform::testing::FakeClock;
using certform::testing::SeededRandom;

namespace {

UploadEntry Upload(int64_t id, char fp) {
  return UploadEntry{.account = "main",
                     .fingerprint = std::string(64, fp),
                     .name = "certform-" + std::string(16, fp),
                     .cert_id = id};
}

// CAS as a map of id → certificate, with scripted delete answers; records every call.
class CasStore final : public CertificateStore {
 public:
  CallLimit Limit(CallKind kind) const override { return DefaultCallLimit(kind); }
  Status Upload(const UploadRequest&, int64_t*, CallResult*) override {
    return Status::Failed("prune never uploads");
  }
  Status ListPage(int page, std::vector<StoredCertificate>* list, int64_t* total,
                  CallResult*) override {
    calls.push_back("list " + std::to_string(page));
    std::vector<StoredCertificate> all;
    for (const auto& [id, c] : held) all.push_back(c);
    *total = static_cast<int64_t>(all.size());
    for (size_t i = static_cast<size_t>(page - 1) * 2; i < all.size() && i < size_t(page) * 2;
         ++i) {
      list->push_back({all[i].cert_id, all[i].name, "", 0});  // pages of 2, no fingerprint
    }
    return Status::OK();
  }
  Status Get(int64_t id, StoredCertificate* found, CallResult*) override {
    calls.push_back("get " + std::to_string(id));
    auto it = held.find(id);
    if (it == held.end()) return Status::NotFound("no such certificate");
    *found = it->second;
    return Status::OK();
  }
  Status Peek(int64_t id, std::string* name, CallResult*) override {
    calls.push_back("peek " + std::to_string(id));
    auto it = held.find(id);
    if (it == held.end()) return Status::NotFound("no such certificate");
    *name = it->second.name;
    return Status::OK();
  }
  Status Delete(int64_t id, CallResult* result) override {
    calls.push_back("delete " + std::to_string(id));
    result->request_id = "REQ-" + std::to_string(id);
    if (auto s = delete_answers.find(id); s != delete_answers.end()) return s->second;
    held.erase(id);
    return Status::OK();
  }

  std::map<int64_t, StoredCertificate> held;
  std::map<int64_t, Status> delete_answers;
  std::vector<std::string> calls;
};

// Records what would be journaled; can be told to fail.
class Recorder final : public ApplyRecorder {
 public:
  Status Record(const JournalRecord& record, const State&) override {
    if (fail) return Status::IoError("disk full");
    records.push_back(record);
    return Status::OK();
  }
  std::vector<JournalRecord> records;
  bool fail = false;
};

struct Harness {
  FakeClock clock;
  SeededRandom random;
  PacingRegistry pacing;
  AccountRuntime account;  // no provider: the default limits
  RetryPolicy retry{RetryOptions{}};
  SerialCall call = MakeSerialCall(pacing, account, "main", retry, clock, random);
};

// One product's domains, each serving a CAS id; its listing can be refused (as a RAM user without
// the listing permission is: AccessDenied). Counts the listings.
class DomainsProvider final : public Provider {
 public:
  DomainsProvider(std::vector<std::string> list_actions, std::vector<std::string> read_actions)
      : list_actions_(std::move(list_actions)), read_actions_(std::move(read_actions)) {}

  CallLimit Limit(CallKind kind) const override {
    CallLimit limit = DefaultCallLimit(kind);
    if (kind == CallKind::kListDomains) limit.ram_actions = list_actions_;
    if (kind == CallKind::kReadBinding) limit.ram_actions = read_actions_;
    return limit;
  }
  Status SetBinding(const BindingRequest&, CallResult*) override { return Status::OK(); }
  Status ReadBinding(const Address& address, LiveBinding* live, CallResult*) override {
    auto it = serves.find(address.Key());
    live->exists = it != serves.end();
    live->https = live->exists;
    live->cert_type = "cas";
    live->cert_id = live->exists ? it->second : 0;
    return Status::OK();
  }
  Status ListDomainsPage(int page, std::vector<Address>* targets, int64_t* total,
                         CallResult*) override {
    ++listings;
    if (refuse) return Status::Failed("AccessDenied: You have no right to access this resource.");
    if (page == 1) {
      for (const auto& [key, id] : serves) targets->push_back(SplitAddress(key));
    }
    *total = static_cast<int64_t>(serves.size());
    return Status::OK();
  }

  std::map<std::string, int64_t> serves;  // address → CertId
  bool refuse = false;
  int listings = 0;

 private:
  std::vector<std::string> list_actions_, read_actions_;
};

// An account with a provider for each known product: the CDN's serves one domain, OSS's one
// custom domain of a bucket.
struct AllProducts {
  DomainsProvider cdn{{"cdn:DescribeUserDomains"}, {"cdn:DescribeDomainCertificateInfo"}};
  DomainsProvider dcdn{{"dcdn:DescribeDcdnUserDomains"},
                       {"dcdn:DescribeDcdnDomainCertificateInfo"}};
  // ListCname serves both the listing (after ListBuckets) and the read: named once.
  DomainsProvider oss{{"oss:ListBuckets", "oss:ListCname"}, {"oss:ListCname"}};
  std::map<std::string, AccountRuntime> runtimes;
  FakeClock clock;
  SeededRandom random;
  PacingRegistry pacing;

  // Every other installed product (the load balancers): listed, serving nothing.
  std::map<std::string, std::unique_ptr<DomainsProvider>> others;

  AllProducts() {
    cdn.serves["www.example.com"] = 5;
    oss.serves["oss:cn-hangzhou/static-site/static.example.com"] = 7;
    AccountRuntime& rt = runtimes["main"];
    rt.products["cdn"] = &cdn;
    rt.products["dcdn"] = &dcdn;
    rt.products["oss"] = &oss;
    for (const ProductRules& r : Products()) {
      if (rt.products.count(r.name)) continue;
      others[r.name] = std::make_unique<DomainsProvider>(std::vector<std::string>{r.name + ":List"},
                                                         std::vector<std::string>{});
      rt.products[r.name] = others[r.name].get();
    }
    rt.user = "u1";
  }
  // Prune's read, skipping `skip` and every product certform cannot list (ALB: its test below).
  UserDomains Read(std::vector<std::string> skip = {}) {
    for (const std::string& name : Unlistable()) skip.push_back(name);
    return ReadUserDomains("main", runtimes, skip, pacing, clock, random);
  }
  UserDomains ReadAll() { return ReadUserDomains("main", runtimes, {}, pacing, clock, random); }
  static std::vector<std::string> Unlistable() {
    std::vector<std::string> out;
    for (const ProductRules& r : Products()) {
      if (!r.listable) out.push_back(r.name);
    }
    return out;
  }
  static std::vector<std::string> Listable() {
    std::vector<std::string> out;
    for (const ProductRules& r : Products()) {
      if (r.listable) out.push_back(r.name);
    }
    return out;
  }
};

}  // namespace

TEST_CASE(
    "prune: every known product is read, so a certificate only an OSS domain serves is "
    "kept",
    "[prune][cas][oss]") {
  AllProducts p;
  const UserDomains live = p.Read();
  CHECK(live.error.empty());
  CHECK(live.read == AllProducts::Listable());
  CHECK(live.skipped == AllProducts::Unlistable());
  CHECK(p.oss.listings == 1);
  std::vector<InUse> kept;
  const std::vector<UploadEntry> unused =
      KeepInUse({Upload(5, 'a'), Upload(7, 'b'), Upload(8, 'c')}, live.reads, &kept);
  REQUIRE(kept.size() == 2);
  CHECK(kept[0].address.Key() == "www.example.com");
  CHECK(kept[1].address.Key() == "oss:cn-hangzhou/static-site/static.example.com");
  REQUIRE(unused.size() == 1);
  CHECK(unused[0].cert_id == 8);
}

TEST_CASE(
    "prune: a product that cannot be listed stops the deletion, naming it and the RAM "
    "actions it needs",
    "[prune][cas][oss]") {
  AllProducts p;
  p.oss.refuse = true;
  const UserDomains live = p.Read();
  CHECK(live.error.find("cannot list the user's OSS domains") != std::string::npos);
  CHECK(live.error.find("AccessDenied") != std::string::npos);
  CHECK(live.error.find("the user needs oss:ListBuckets and oss:ListCname") != std::string::npos);
  CHECK(live.error.find("skip_products = [\"oss\"]") != std::string::npos);
  CHECK(live.reads.empty());  // nothing is read, so nothing can be judged unused
}

TEST_CASE("prune: a skipped product is not listed, and is reported as skipped", "[prune][oss]") {
  AllProducts p;
  p.oss.refuse = true;
  const UserDomains live = p.Read({"oss"});
  CHECK(live.error.empty());
  CHECK(p.oss.listings == 0);
  CHECK(live.skipped.front() == "oss");
  std::vector<std::string> others = AllProducts::Listable();
  others.erase(std::find(others.begin(), others.end(), "oss"));
  CHECK(live.read == others);
}

namespace {

// The installed products plus two certform cannot list ("dock" and "pier"): what prune does when a
// product cannot be listed is the engine's, whatever products are installed.
struct WithUnlistable {
  WithUnlistable() {
    std::vector<ProductRules> products = Products();
    for (const char* name : {"dock", "pier"}) {
      ProductRules r;
      r.name = name;
      r.title = name;
      r.what = std::string("a ") + name + " slot";
      r.listable = false;
      r.write_calls = {{{std::string("Put") + name, 1}, false, false, true, false}};
      products.push_back(r);
    }
    InstallProducts(products);
  }
  WithUnlistable(const WithUnlistable&) = delete;
  WithUnlistable& operator=(const WithUnlistable&) = delete;
  ~WithUnlistable() { certform::cli::InstallProductTable(); }
};

}  // namespace

TEST_CASE("prune: a product certform cannot list stops the deletion unless it is skipped",
          "[prune]") {
  WithUnlistable installed;
  AllProducts p;
  const std::vector<std::string> unlistable = AllProducts::Unlistable();
  REQUIRE(unlistable == std::vector<std::string>{"dock", "pier"});
  // The products to skip, as one skip_products line names them.
  const auto skip_line = [](const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names) out += (out.empty() ? "\"" : ", \"") + n + "\"";
    return "skip_products = [" + out + "]";
  };
  const UserDomains live = p.ReadAll();
  INFO(live.error);
  CHECK(live.error.find("cannot tell whether a certificate is bound on") != std::string::npos);
  CHECK(live.error.find(skip_line(unlistable)) != std::string::npos);
  CHECK(live.reads.empty());  // nothing is read, so nothing can be judged unused

  // One of them skipped: the others still stop it, and only they are named.
  const UserDomains one =
      ReadUserDomains("main", p.runtimes, {unlistable.front()}, p.pacing, p.clock, p.random);
  INFO(one.error);
  CHECK(one.error.find(skip_line({unlistable.begin() + 1, unlistable.end()})) != std::string::npos);
  CHECK(one.reads.empty());
}

TEST_CASE("prune: a known product the account has no provider for stops the deletion",
          "[prune][oss]") {
  AllProducts p;
  p.runtimes["main"].products.erase("oss");
  const UserDomains live = p.Read();
  CHECK(live.error.find("no OSS provider for account \"main\"") != std::string::npos);
}

TEST_CASE("prune: candidates are this state's own unused uploads, never a name prefix alone",
          "[prune][cas]") {
  Config c;
  c.accounts["main"] = AccountConfig{.name = "main"};
  CertificateConfig web;
  web.key = "web";
  web.info.fingerprint = std::string(64, 'b');
  c.certificates["web"] = web;
  DesiredBinding x;  // field by field: GCC 12 misreads the aggregate (maybe-uninitialized)
  x.address = SplitAddress("x.example.com");
  x.account = "main";
  x.certificate = "web";
  c.bindings.push_back(x);
  State s;
  s.entries["a.example.com"] = StateEntry{.address = SplitAddress("a.example.com"),
                                          .account = "main",
                                          .cert_type = "cas",
                                          .cert_id = 1};
  s.uploads[UploadKey("main", std::string(64, 'a'))] = Upload(1, 'a');  // bound in the state
  s.uploads[UploadKey("main", std::string(64, 'b'))] = Upload(2, 'b');  // wanted by the config
  s.uploads[UploadKey("main", std::string(64, 'c'))] = Upload(5, 'c');  // unused: a candidate
  std::vector<UploadEntry> out = PruneCandidates("main", s, c);
  REQUIRE(out.size() == 1);
  CHECK(out[0].cert_id == 5);
  // Another account of the same state has no recorded uploads: a certform- name is not enough.
  CHECK(PruneCandidates("other", s, c).empty());
  // An account of the same user bound to that id keeps it too.
  s.entries["b.example.com"] = StateEntry{.address = SplitAddress("b.example.com"),
                                          .account = "second",
                                          .cert_type = "cas",
                                          .cert_id = 5};
  CHECK(PruneCandidates("main", s, c).empty());
}

TEST_CASE("prune: a certificate any live domain serves is kept, naming the domain",
          "[prune][cas]") {
  const std::vector<UploadEntry> candidates = {Upload(5, 'c'), Upload(6, 'd'), Upload(7, 'e')};
  std::vector<LiveRead> reads(4);
  reads[0] = {SplitAddress("other-team.example.com"),
              "main",
              true,
              {.exists = true, .https = true, .cert_id = 5}};
  reads[1] = {SplitAddress("off.example.com"),
              "main",
              true,
              {.exists = true, .https = false, .cert_id = 7}};
  // A CAS binding that reports no id but serves the same content counts as in use.
  reads[2] = {SplitAddress("noid.example.com"),
              "main",
              true,
              {.exists = true, .https = true, .fingerprint = std::string(64, 'd')}};
  reads[3] = {SplitAddress("plain.example.com"),
              "main",
              true,
              {.exists = true, .https = true, .cert_id = 99}};
  std::vector<InUse> kept;
  std::vector<UploadEntry> unused = KeepInUse(candidates, reads, &kept);
  // HTTPS is off on off.example.com, but the certificate is still attached there (as OSS keeps a
  // "Disabled" one): switched on again, it would be served, so it is in use.
  CHECK(unused.empty());
  REQUIRE(kept.size() == 3);
  CHECK(kept[0].address.Key() == "other-team.example.com");
  CHECK(kept[1].address.Key() == "noid.example.com");
  CHECK(kept[2].address.Key() == "off.example.com");
  // Off and without an id, a matching fingerprint proves nothing: nothing is served.
  reads[1] = {SplitAddress("off.example.com"),
              "main",
              true,
              {.exists = true, .https = false, .fingerprint = std::string(64, 'e')}};
  kept.clear();
  unused = KeepInUse(candidates, reads, &kept);
  REQUIRE(unused.size() == 1);
  CHECK(unused[0].cert_id == 7);
}

TEST_CASE("prune: the state forgets an upload before its delete, and takes it back on refusal",
          "[prune][cas]") {
  Harness h;
  CasStore cas;
  cas.held[5] = {5, Upload(5, 'c').name, std::string(64, 'c'), 0};
  cas.held[6] = {6, Upload(6, 'd').name, std::string(64, 'd'), 0};
  cas.held[8] = {8, "someone-else", std::string(64, 'f'), 0};  // the id now holds another
  cas.delete_answers[6] = Status::Failed("Certificate in use");
  State state;
  for (const UploadEntry& u : {Upload(5, 'c'), Upload(6, 'd'), Upload(7, 'e'), Upload(8, 'f')}) {
    state.uploads[UploadKey(u.account, u.fingerprint)] = u;
  }
  Recorder recorder;
  std::vector<PruneOutcome> out =
      DeleteUploads({Upload(5, 'c'), Upload(6, 'd'), Upload(7, 'e'), Upload(8, 'f')}, cas,
                    {h.call, recorder}, &state);
  REQUIRE(out.size() == 4);
  CHECK(out[0].deleted);
  CHECK(out[1].error == "Certificate in use");
  CHECK(out[2].already_gone);  // id 7 was no longer in CAS: forgotten, nothing sent
  CHECK(out[3].error.find("CertId 8 now holds another certificate") != std::string::npos);
  CHECK(cas.held.count(8) == 1);  // never deleted
  CHECK(cas.calls ==
        std::vector<std::string>{"get 5", "delete 5", "get 6", "delete 6", "get 7", "get 8"});
  // 5: forget before the delete; 6: forget, then back after the refusal; 7: forget.
  REQUIRE(recorder.records.size() == 4);
  CHECK((recorder.records[0].forget && recorder.records[0].upload->cert_id == 5));
  CHECK((recorder.records[1].forget && recorder.records[1].upload->cert_id == 6));
  CHECK((!recorder.records[2].forget && recorder.records[2].upload->cert_id == 6));
  CHECK((recorder.records[3].forget && recorder.records[3].upload->cert_id == 7));
  CHECK(state.uploads.size() == 2);  // 6 (refused) and 8 (not ours any more) remain
}

TEST_CASE("prune: nothing is deleted when the deletion cannot be recorded first", "[prune][cas]") {
  Harness h;
  CasStore cas;
  cas.held[5] = {5, Upload(5, 'c').name, std::string(64, 'c'), 0};
  State state;
  state.uploads[UploadKey("main", std::string(64, 'c'))] = Upload(5, 'c');
  Recorder recorder;
  recorder.fail = true;
  std::vector<PruneOutcome> out = DeleteUploads({Upload(5, 'c')}, cas, {h.call, recorder}, &state);
  REQUIRE(out.size() == 1);
  CHECK(out[0].error.find("could not record the deletion before sending it") != std::string::npos);
  CHECK(cas.held.count(5) == 1);
  CHECK(state.uploads.size() == 1);
}

TEST_CASE("cas lookup: an upload is found by listing every page and matching the exact name",
          "[cas]") {
  Harness h;
  CasStore cas;
  cas.held[1] = {1, "certform-aaaa", std::string(64, 'a'), 0};
  cas.held[2] = {2, "certform-aaaa-old", std::string(64, 'b'), 0};
  cas.held[3] = {3, "x", std::string(64, 'c'), 0};
  cas.held[4] = {4, "certform-bbbb", std::string(64, 'd'), 0};
  StoredCertificate found;
  PacedCallResult r = FindUpload(cas, "certform-bbbb", h.call, &found);
  REQUIRE(r.status.ok());
  CHECK(found.cert_id == 4);
  CHECK(found.fingerprint == std::string(64, 'd'));  // read by id: the list has none
  CHECK(cas.calls == std::vector<std::string>{"list 1", "list 2", "get 4"});
  CHECK(FindUpload(cas, "certform-", h.call, &found).status.IsNotFound());  // no prefix match
}

TEST_CASE("prune: a state record naming someone's own certificate is never a candidate",
          "[prune][cas]") {
  State s;
  UploadEntry theirs = Upload(9, 'e');
  theirs.name = "attacker-cert";  // a hand upload's name, recorded in an edited state
  UploadEntry explicit_name = Upload(10, 'f');
  explicit_name.name = "shop-2026-" + std::string(12, 'f');  // certform's NAME-12 form
  for (const UploadEntry& u : {theirs, explicit_name, Upload(11, 'a')}) {
    s.uploads[UploadKey(u.account, u.fingerprint)] = u;
  }
  const std::vector<UploadEntry> candidates = PruneCandidates("main", s, Config{});
  REQUIRE(candidates.size() == 2);
  CHECK(candidates[0].cert_id == 10);
  CHECK(candidates[1].cert_id == 11);
  CHECK_FALSE(NamedByCertform(theirs));
}
