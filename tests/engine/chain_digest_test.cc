// The intermediates under a leaf (CertificateInfo::chain_digest): computed where the PEM is
// parsed, recorded in the state, planned as an update when they change under the same leaf (never
// a rename, never a no-op), unknown (not a change) when an older state does not record them, a new
// CAS upload when corrected, and drift when the served chain differs.
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <catch2/catch.hpp>

#include "engine/base/digest.h"
#include "engine/config/certificate.h"
#include "engine/plan/drift.h"
#include "engine/plan/plan_file.h"
#include "engine/plan/planner.h"
#include "engine/plan/saved_plan.h"
#include "engine/state/state_file.h"
#include "tests/support/test_pki.h"

using namespace certform::engine;
using namespace certform::testing;

namespace {

const std::string kOld = std::string(64, '1');  // chain digests
const std::string kNew = std::string(64, '2');

// The DER of `c`'s certificate.
std::string Der(const TestCert& c) {
  unsigned char* bytes = nullptr;
  const int n = i2d_X509(c.cert(), &bytes);
  REQUIRE(n > 0);
  std::string der(reinterpret_cast<const char*>(bytes), static_cast<size_t>(n));
  OPENSSL_free(bytes);
  return der;
}

// SHA-256 over the DER of `certs`, concatenated: computed here with OpenSSL's own digest.
std::string DerDigest(const std::vector<const TestCert*>& certs) {
  std::string der;
  for (const TestCert* c : certs) der += Der(*c);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  REQUIRE(EVP_Digest(der.data(), der.size(), md, &len, EVP_sha256(), nullptr) == 1);
  return HexEncode(std::string(reinterpret_cast<const char*>(md), len));
}

CertificateConfig Upload(const std::string& key, const std::string& chain) {
  CertificateConfig c;
  c.key = key;
  c.cert_name = "certform-aaaaaaaaaaaaaaaa";
  c.info.fingerprint = std::string(64, 'a');
  c.info.chain_digest = chain;
  c.info.not_after = 2000000000;
  return c;
}

Config With(const CertificateConfig& cert, bool cas = false) {
  Config c;
  c.accounts["main"] = AccountConfig{.name = "main"};
  if (cas) {
    c.accounts["main"].upload_via = "cas";
    c.accounts["main"].products["cdn"].api = "SetCdnDomainSSLCertificate";
  }
  c.certificates[cert.key] = cert;
  for (const char* d : {"www.example.com", "img.example.com"}) {
    DesiredBinding b;
    b.address = SplitAddress(d);
    b.account = "main";
    b.certificate = cert.key;
    c.bindings.push_back(b);
  }
  return c;
}

// The state after `config` was applied (bound by `cert_id` for a CAS upload).
State AppliedState(const Config& config, int64_t cert_id = 0) {
  State s;
  for (const DesiredBinding& b : config.bindings) {
    StateEntry e = DesiredEntry(config, b);
    e.cert_id = cert_id != 0 ? cert_id : e.cert_id;
    e.applied_at = "2026-01-01T00:00:00Z";
    e.request_id = "REQ-1";
    s.entries[b.address.Key()] = e;
  }
  return s;
}

}  // namespace

TEST_CASE(
    "chain digest: SHA-256 of the intermediates' DER in file order, a leaf alone too, and "
    "without a root at the end",
    "[certificate][chain]") {
  TestCert root = IssueCert({.cn = "Root", .ca = true});
  TestCert inter = IssueCert({.cn = "Intermediate", .ca = true}, &root);
  TestCert leaf = IssueCert({.cn = "www.example.com", .sans = {"www.example.com"}}, &inter);
  auto info = [](const std::string& pem) {
    CertificateChain chain;
    REQUIRE(CertificateChain::Parse(pem, &chain).ok());
    return chain.Inspect();
  };
  const CertificateInfo alone = info(leaf.CertPem());
  const CertificateInfo one = info(leaf.CertPem() + inter.CertPem());
  const CertificateInfo full = info(leaf.CertPem() + inter.CertPem() + root.CertPem());
  CHECK(alone.chain_digest == kNoIntermediatesDigest);
  CHECK(alone.chain_digest == Sha256Hex(""));
  CHECK(one.chain_digest == DerDigest({&inter}));
  CHECK(full.chain_digest == DerDigest({&inter, &root}));
  CHECK(info(leaf.CertPem() + root.CertPem() + inter.CertPem()).chain_digest ==
        DerDigest({&root, &inter}));  // file order, not sorted
  // The leaf is the same throughout: its fingerprint cannot tell these apart.
  CHECK(alone.fingerprint == full.fingerprint);
  CHECK(one.chain_digest != full.chain_digest);
  CHECK(ShortChainDigest(alone.chain_digest) == "none");
  CHECK(ShortChainDigest(one.chain_digest) == one.chain_digest.substr(0, 8) + "…");
  // Without a root at the end (what a server that does not send the root presents).
  CHECK(full.chain_digest_without_root == one.chain_digest);
  CHECK(one.chain_digest_without_root == one.chain_digest);  // an intermediate is no root
  CHECK(alone.chain_digest_without_root == kNoIntermediatesDigest);
  // The digest of a handshake's DER list is the file's.
  CHECK(ChainDigestOf({Der(leaf), Der(inter), Der(root)}) == full.chain_digest);
  CHECK(ChainDigestOf({Der(leaf), Der(inter)}) == one.chain_digest);
  CHECK(ChainDigestOf({Der(leaf)}) == kNoIntermediatesDigest);
  CHECK(ChainDigestOf({Der(leaf), Der(root)}) != one.chain_digest);
}

TEST_CASE("chain digest: the state records it when known, and older files without it load",
          "[state][chain]") {
  State s = AppliedState(With(Upload("web", kOld)));
  s.uploads[UploadKey("main", std::string(64, 'a'), kOld)] =
      UploadEntry{.account = "main",
                  .certificate = "web",
                  .fingerprint = std::string(64, 'a'),
                  .chain_digest = kOld,
                  .name = "certform-aaaaaaaaaaaaaaaa",
                  .cert_id = 7};
  const std::string text = SerializeState(s);
  CHECK(text.find("\"chain_digest\": \"" + kOld + "\"") != std::string::npos);
  State back;
  REQUIRE(ParseState(text, "s.json", &back).ok());
  CHECK(back.entries == s.entries);
  CHECK(back.uploads == s.uploads);
  // Not recorded: no field written, and a file without it reads as "not recorded".
  State old = s;
  for (auto& [k, e] : old.entries) e.chain_digest.clear();
  old.uploads.clear();
  old.uploads[UploadKey("main", std::string(64, 'a'))] =
      UploadEntry{.account = "main", .fingerprint = std::string(64, 'a'), .cert_id = 7};
  const std::string old_text = SerializeState(old);
  CHECK(old_text.find("chain_digest") == std::string::npos);
  REQUIRE(ParseState(old_text, "s.json", &back).ok());
  CHECK(back.entries.at("www.example.com").chain_digest.empty());
  CHECK(back.uploads.count(UploadKey("main", std::string(64, 'a'))) == 1);
  // Only what certform writes there is accepted.
  std::string bad = text;
  bad.replace(bad.find(kOld), 64, "not hex");
  const Status refused = ParseState(bad, "s.json", &back);
  CHECK(refused.message().find("chain_digest is not 64 lower-case hex digits") !=
        std::string::npos);
}

TEST_CASE("planner: the same leaf with other intermediates is an update, never a no-op",
          "[planner][chain]") {
  const State s = AppliedState(With(Upload("web", kOld)));
  CHECK_FALSE(MakePlan(With(Upload("web", kOld)), s).HasChanges());
  const Plan p = MakePlan(With(Upload("web", kNew)), s);
  REQUIRE(p.changes.size() == 2);
  for (const Change& c : p.changes) {
    CHECK(c.action == Action::kUpdate);
    // The same leaf keeps its CertName: the call replaces the content under it (ForceSet).
    CHECK(c.reasons ==
          std::vector<std::string>{
              "chain changed (intermediates 11111111… → 22222222…)",
              "replaces the content of CertName certform-aaaaaaaaaaaaaaaa (ForceSet)"});
    CHECK(c.replaces_name);
    CHECK(c.after->chain_digest == kNew);
    CHECK(c.before->chain_digest == kOld);
  }
  // cert.pem (a leaf alone) to fullchain.pem.
  const State alone = AppliedState(With(Upload("web", kNoIntermediatesDigest)));
  CHECK(MakePlan(With(Upload("web", kNew)), alone).changes[0].reasons ==
        std::vector<std::string>{
            "chain changed (intermediates none → 22222222…)",
            "replaces the content of CertName certform-aaaaaaaaaaaaaaaa (ForceSet)"});
  // Another leaf says so, once: not twice with the chain.
  CertificateConfig renewed = Upload("web", kNew);
  renewed.info.fingerprint = std::string(64, 'b');
  renewed.cert_name = "certform-bbbbbbbbbbbbbbbb";
  CHECK(MakePlan(With(renewed), s).changes[0].reasons ==
        std::vector<std::string>{"fingerprint aaaaaaaa…→bbbbbbbb…",
                                 "CertName certform-aaaaaaaaaaaaaaaa→certform-bbbbbbbbbbbbbbbb"});
}

TEST_CASE("planner: a rename whose chain changed is an update, not a rename",
          "[planner][chain][rename]") {
  const State s = AppliedState(With(Upload("web", kOld)));
  CHECK(MakePlan(With(Upload("site", kOld)), s).changes[0].action == Action::kRename);
  const Plan p = MakePlan(With(Upload("site", kNew)), s);
  for (const Change& c : p.changes) {
    CHECK(c.action == Action::kUpdate);
    CHECK(c.reasons ==
          std::vector<std::string>{
              "certificate web→site", "chain changed (intermediates 11111111… → 22222222…)",
              "replaces the content of CertName certform-aaaaaaaaaaaaaaaa (ForceSet)"});
  }
  CHECK(p.Summary().rename == 0);
  CHECK(p.Summary().update == 2);
}

TEST_CASE("planner: a state that records no chain digest is not a change, and a rename keeps it so",
          "[planner][chain]") {
  State older = AppliedState(With(Upload("web", kOld)));
  for (auto& [k, e] : older.entries) e.chain_digest.clear();  // written before chain digests
  const Plan p = MakePlan(With(Upload("web", kNew)), older);
  CHECK_FALSE(p.HasChanges());
  for (const Change& c : p.changes) CHECK(c.action == Action::kNoOp);
  // A rename is state-only: nothing sent, so the state learns nothing of the chain.
  const Plan renamed = MakePlan(With(Upload("site", kNew)), older);
  REQUIRE(renamed.changes[0].action == Action::kRename);
  CHECK(renamed.changes[0].after->chain_digest.empty());
  // A real update records the configured chain.
  CertificateConfig renewed = Upload("web", kNew);
  renewed.info.fingerprint = std::string(64, 'b');
  CHECK(MakePlan(With(renewed), older).changes[0].after->chain_digest == kNew);
}

TEST_CASE("planner: a fixed CertName whose chain changed is replaced (ForceSet)",
          "[planner][chain]") {
  CertificateConfig named = Upload("web", kOld);
  named.cert_name = "web-2026";
  named.explicit_name = true;
  const State s = AppliedState(With(named));
  named.info.chain_digest = kNew;
  const Plan p = MakePlan(With(named), s);
  REQUIRE(p.changes[0].action == Action::kUpdate);
  CHECK(p.changes[0].replaces_name);
  CHECK(p.changes[0].after->cert_name == "web-2026");
}

TEST_CASE("planner: through CAS, a corrected chain is a new upload under a name of its own",
          "[planner][chain][cas]") {
  const std::string fp(64, 'a');
  const Config before = With(Upload("web", kOld), /*cas=*/true);
  State s = AppliedState(before, 777);
  s.uploads[UploadKey("main", fp, kOld)] = UploadEntry{.account = "main",
                                                       .certificate = "web",
                                                       .fingerprint = fp,
                                                       .chain_digest = kOld,
                                                       .name = "certform-aaaaaaaaaaaaaaaa",
                                                       .cert_id = 777};
  CHECK_FALSE(MakePlan(before, s).HasChanges());
  const Plan p = MakePlan(With(Upload("web", kNew), true), s);
  REQUIRE(p.uploads.size() == 1);  // once for both domains
  CHECK(p.uploads[0].name == "certform-aaaaaaaaaaaaaaaa-22222222");
  CHECK(p.uploads[0].chain_digest == kNew);
  for (const Change& c : p.changes) {
    CHECK(c.action == Action::kUpdate);
    CHECK(c.upload_key == UploadKey("main", fp, kNew));
    CHECK(c.after->cert_name == "certform-aaaaaaaaaaaaaaaa-22222222");
  }
  // Once uploaded and bound, the name stays with that content.
  State after = s;
  after.uploads[UploadKey("main", fp, kNew)] =
      UploadEntry{.account = "main",
                  .certificate = "web",
                  .fingerprint = fp,
                  .chain_digest = kNew,
                  .name = "certform-aaaaaaaaaaaaaaaa-22222222",
                  .cert_id = 888};
  for (const Change& c : p.changes) {
    StateEntry e = *c.after;
    e.cert_id = 888;
    after.entries[c.address.Key()] = e;
  }
  CHECK_FALSE(MakePlan(With(Upload("web", kNew), true), after).HasChanges());
  // Back to the old chain: its upload is still recorded, bound again by its id, no upload.
  const Plan back = MakePlan(before, after);
  CHECK(back.uploads.empty());
  CHECK(back.changes[0].after->cert_id == 777);
  CHECK(back.changes[0].after->cert_name == "certform-aaaaaaaaaaaaaaaa");
}

TEST_CASE("planner: through CAS, an upload recorded without its chain is not uploaded again",
          "[planner][chain][cas]") {
  const std::string fp(64, 'a');
  State older = AppliedState(With(Upload("web", kOld), true), 777);
  for (auto& [k, e] : older.entries) e.chain_digest.clear();
  older.uploads[UploadKey("main", fp)] = UploadEntry{.account = "main",
                                                     .certificate = "web",
                                                     .fingerprint = fp,
                                                     .name = "certform-aaaaaaaaaaaaaaaa",
                                                     .cert_id = 777};
  const Plan p = MakePlan(With(Upload("web", kNew), true), older);
  CHECK(p.uploads.empty());  // no mass re-upload after an upgrade
  CHECK_FALSE(p.HasChanges());
  CHECK(p.changes[0].after->cert_name == "certform-aaaaaaaaaaaaaaaa");
  // Once a binding to it records another chain (plan --refresh read it), it is not this one.
  older.entries["www.example.com"].chain_digest = kOld;
  const Plan known = MakePlan(With(Upload("web", kNew), true), older);
  REQUIRE(known.uploads.size() == 1);
  CHECK(known.uploads[0].name == "certform-aaaaaaaaaaaaaaaa-22222222");
}

TEST_CASE("drift: a served chain other than the recorded one is drift, an unknown one is not",
          "[drift][chain]") {
  StateEntry recorded{.address = SplitAddress("www.example.com"),
                      .account = "main",
                      .https = true,
                      .certificate = "web",
                      .cert_type = "upload",
                      .cert_name = "certform-aaaaaaaaaaaaaaaa",
                      .fingerprint = std::string(64, 'a'),
                      .chain_digest = kOld};
  LiveBinding live{.exists = true,
                   .https = true,
                   .cert_name = "certform-aaaaaaaaaaaaaaaa",
                   .cert_type = "upload",
                   .fingerprint = std::string(64, 'a'),
                   .chain_digest = kOld};
  CHECK(DriftReasons(recorded, live).empty());
  live.chain_digest = kNoIntermediatesDigest;
  CHECK(DriftReasons(recorded, live) ==
        std::vector<std::string>{
            "chain differs (intermediates 11111111… → none, changed outside certform)"});
  // A product that answers no PEM says nothing of the chain, nor does an older state.
  live.chain_digest.clear();
  CHECK(DriftReasons(recorded, live).empty());
  live.chain_digest = kNew;
  recorded.chain_digest.clear();
  CHECK(DriftReasons(recorded, live).empty());
  // plan --refresh learns the served chain of an entry that records none.
  State s;
  s.entries["www.example.com"] = recorded;
  LiveRead read;
  read.address = recorded.address;
  read.account = "main";
  read.ok = true;
  read.live = live;
  const State next = RefreshedState(s, {read}, Config{}, "2026-02-01T00:00:00Z");
  CHECK(next.entries.at("www.example.com").chain_digest == kNew);
  CHECK(next.entries.at("www.example.com").request_id == recorded.request_id);
}

TEST_CASE("plan file: the chain digest survives the file, and a chain changed since is stale",
          "[planfile][chain]") {
  const std::string fp(64, 'a');
  State s = AppliedState(With(Upload("web", kOld), true), 777);
  s.uploads[UploadKey("main", fp, kOld)] = UploadEntry{.account = "main",
                                                       .certificate = "web",
                                                       .fingerprint = fp,
                                                       .chain_digest = kOld,
                                                       .name = "certform-aaaaaaaaaaaaaaaa",
                                                       .cert_id = 777};
  const Plan saved = MakePlan(With(Upload("web", kNew), true), s);
  REQUIRE(saved.uploads.size() == 1);
  Plan read;
  REQUIRE(ParsePlan(SerializePlan(saved), "p.json", &read).ok());
  CHECK(read.uploads[0].chain_digest == kNew);
  CHECK(read.uploads[0].info->chain_digest == kNew);
  CHECK(read.changes[0].after->chain_digest == kNew);
  CHECK(read.changes[0].before->chain_digest == kOld);
  CHECK(CheckApproved(read, saved, "p.json").ok());
  // The file changed again under the same leaf: the plan made now is not the one approved.
  CertificateConfig other = Upload("web", std::string(64, '3'));
  const Status stale = CheckApproved(read, MakePlan(With(other, true), s), "p.json");
  CHECK(stale.code() == Status::Code::kStale);
}
