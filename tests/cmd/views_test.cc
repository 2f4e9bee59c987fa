// Golden tests of the Markdown and JSON renderings: fixed inputs, outputs compared byte for byte
// with tests/testdata/golden/. Regenerate with CERTFORM_UPDATE_GOLDEN=1 after a deliberate change
// (and review the diff: these files are the documented formats).
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "cmd/certform/drift_view.h"
#include "cmd/certform/markdown_view.h"
#include "cmd/certform/plan_view.h"
#include "tests/cmd/markdown_check.h"

using namespace certform;
using test::CheckNoRawControls;
using test::CheckWellFormed;
using test::LinesStartingWith;
using test::Separators;

namespace {

constexpr int64_t kNow = 1795000000;  // 2026-11-18T11:06:40Z

std::string GoldenPath(const std::string& name) {
  return std::string(CERTFORM_SOURCE_DIR) + "/tests/testdata/golden/" + name;
}

void CheckGolden(const std::string& name, const std::string& actual) {
  if (std::getenv("CERTFORM_UPDATE_GOLDEN")) {
    std::ofstream(GoldenPath(name), std::ios::binary) << actual;
  }
  std::ifstream f(GoldenPath(name), std::ios::binary);
  REQUIRE(f.good());
  std::stringstream expected;
  expected << f.rdbuf();
  INFO("golden file " << name);
  CHECK(actual == expected.str());
}

engine::Plan SamplePlan() {
  engine::Plan p;
  p.lineage = "11111111-2222-4333-8444-555555555555";
  p.serial = 7;
  p.config_digest = std::string(64, 'd');
  p.tool_version = "0.1.0";
  engine::CertificateInfo web;
  web.fingerprint = "6b2b56945b463a0bb1ba5c68cacdb4c32f3c1bf42c80fb92bfab1082b08e26cb";
  web.subject = "CN=*.example.com,O=Example";
  web.issuer = "CN=Example Intermediate CA";
  web.sans = {"*.example.com", "example.com"};
  web.not_before = kNow - 86400;
  web.not_after = kNow + 89 * 86400;
  web.key_type = "EC P-256";
  web.serial = "1A2B";
  web.chain_length = 2;
  web.chain_digest = "c4a17e5f" + std::string(56, '3');
  engine::StateEntry after{.address = engine::SplitAddress("www.example.com"),
                           .account = "main",
                           .https = true,
                           .certificate = "web",
                           .cert_type = "upload",
                           .cert_name = "certform-6b2b56945b463a0b",
                           .fingerprint = web.fingerprint,
                           .chain_digest = web.chain_digest,
                           .not_after = web.not_after};
  engine::Change create{.address = engine::SplitAddress("img.example.com"),
                        .account = "main",
                        .action = engine::Action::kCreate,
                        .reasons = {"not in state: bind the certificate"}};
  create.after = after;
  create.after->address = engine::SplitAddress("img.example.com");
  create.certificate = web;
  engine::Change update{
      .address = engine::SplitAddress("www.example.com"),
      .account = "main",
      .action = engine::Action::kUpdate,
      .reasons = {"fingerprint 01234567…→6b2b5694…", "CertName a|b→certform-6b2b56945b463a0b"}};
  update.before = after;
  update.before->fingerprint = "0123456789abcdef" + std::string(48, '0');
  update.before->cert_name = "a|b";
  update.after = after;
  update.certificate = web;
  engine::Change del{.address = engine::SplitAddress("old.example.com"),
                     .account = "main",
                     .action = engine::Action::kDelete,
                     .reasons = {"no longer in configuration: switch HTTPS off, then forget"}};
  del.before = engine::StateEntry{
      .address = engine::SplitAddress("old.example.com"), .account = "main", .https = true};
  engine::Change same{.address = engine::SplitAddress("api.example.com"),
                      .account = "main",
                      .action = engine::Action::kNoOp};
  same.after = after;
  same.before = after;
  p.changes = {same, create, del, update};
  return p;
}

// SamplePlan as a review sees it at its most varied: the update a renewal (the old certificate
// expiring sooner), the disable of a certificate no longer configured, a second account on
// another product binding the same certificate, a domain bound with HTTPS off.
engine::Plan ReviewSample() {
  engine::Plan p = SamplePlan();
  p.changes[3].before->not_after = kNow + 10 * 86400;
  p.changes[2].before = engine::StateEntry{.address = engine::SplitAddress("old.example.com"),
                                           .account = "main",
                                           .https = true,
                                           .certificate = "legacy",
                                           .cert_type = "upload",
                                           .cert_name = "legacy",
                                           .fingerprint = "9f" + std::string(62, '1'),
                                           .not_after = kNow + 40 * 86400};
  engine::Change other = p.changes[1];
  other.address = engine::SplitAddress("dcdn:shop.example.com");
  other.account = "ops";
  other.after->address = other.address;
  other.after->account = "ops";
  engine::Change off{.address = engine::SplitAddress("plain.example.com"),
                     .account = "main",
                     .action = engine::Action::kCreate,
                     .reasons = {"not in state: switch HTTPS off"}};
  off.after = engine::StateEntry{.address = off.address, .account = "main", .https = false};
  p.changes.insert(p.changes.begin() + 3, off);
  p.changes.push_back(other);
  return p;
}

engine::DriftReport SampleDrift() {
  engine::DriftReport r;
  r.checked = 4;
  r.drifted = {{engine::SplitAddress("api.example.com"), "main", {"domain no longer exists"}},
               {engine::SplitAddress("www.example.com"),
                "main",
                {"fingerprint 6b2b5694…→77be12aa… (changed outside certform)",
                 "CertName certform-6b2b56945b463a0b→console"}}};
  r.expiring = {{engine::SplitAddress("img.example.com"), kNow + 5 * 86400 + 600, 5}};
  engine::LiveRead failed;
  failed.address = engine::SplitAddress("shop.example.net");
  failed.account = "main";
  failed.error = "ServiceUnavailable: try later (gave up after 6 attempts)";
  failed.last.error_code = "ServiceUnavailable";
  failed.last.request_id = "REQ-9";
  r.failed = {failed};
  return r;
}

}  // namespace

TEST_CASE("views: plan as Markdown", "[views][golden]") {
  const std::string md = cli::PlanToMarkdown(ReviewSample(), kNow);
  CheckGolden("plan.md", md);
  CheckWellFormed(md);
}

TEST_CASE("views: plan for people", "[views][golden]") {
  // The renewal's old content still configured (so its issuer, key and SANs are known).
  const engine::Plan plan = ReviewSample();
  engine::CertificateInfo old = *plan.changes[4].certificate;
  old.fingerprint = plan.changes[4].before->fingerprint;
  old.issuer = "CN=Example Old CA";
  old.key_type = "RSA 2048";
  old.sans = {"*.example.com", "www.example.net"};
  old.not_after = plan.changes[4].before->not_after;
  std::ostringstream out;
  cli::PrintPlan(out, plan, cli::Style(false), kNow, {{old.fingerprint, old}});
  CheckGolden("plan.txt", out.str());
}

TEST_CASE("views: a plan without changes as Markdown", "[views][golden]") {
  engine::Plan p = SamplePlan();
  p.changes.resize(1);
  CheckGolden("plan-empty.md", cli::PlanToMarkdown(p, kNow));
}

TEST_CASE("views: plan as JSON", "[views][golden]") {
  const engine::Plan plan = SamplePlan();
  engine::Diagnostics diags;
  diags.Warning({"certform.toml", 12, 13}, "certificate \"web\" expires in 20 days",
                "expiry_warning_days is 30");
  CheckGolden("plan.json", cli::PlanToJson(&plan, diags).dump(2) + "\n");
}

TEST_CASE("views: drift as Markdown and JSON", "[views][golden]") {
  // The state names the certificate each drifted domain was recorded with, and the account of
  // each expiring one.
  engine::State state;
  for (const char* domain : {"api.example.com", "www.example.com", "img.example.com"}) {
    state.entries[domain] = engine::StateEntry{.address = engine::SplitAddress(domain),
                                               .account = "main",
                                               .https = true,
                                               .certificate = "web",
                                               .cert_type = "upload"};
  }
  const std::string md = cli::DriftToMarkdown(SampleDrift(), kNow, {}, &state);
  CheckGolden("drift.md", md);
  CheckWellFormed(md);
  CheckGolden("drift.json", cli::DriftToJson(SampleDrift()).dump(2) + "\n");
  engine::DriftReport clean;
  clean.checked = 3;
  CHECK(cli::DriftToMarkdown(clean, kNow) ==
        "### certform drift: in sync\n\nThe live bindings of 3 domains match the state.\n");
}

TEST_CASE("views: long Markdown tables are folded in <details>", "[views]") {
  engine::Plan p = SamplePlan();
  for (int i = 0; i < 30; ++i) {
    engine::Change c = p.changes[1];
    c.address = engine::SplitAddress("d" + std::to_string(i) + ".example.com");
    c.account = fmt::format("team{:02}", i);
    p.changes.push_back(c);
  }
  const std::string md = cli::PlanToMarkdown(p, kNow);
  INFO(md);
  // 31 accounts: the account table is folded, the three certificate changes are not.
  CHECK(md.find("<details><summary>31 accounts and products</summary>") != std::string::npos);
  CHECK(md.find("| ➕ bind | 31 | not in state | web (upload, 6b2b5694…) |") != std::string::npos);
  CHECK(md.find("\n- **team29** · CDN · 1 domain · why: not in state: bind the certificate · "
                "domains: d29.example.com\n") != std::string::npos);
  CheckWellFormed(md);
}

TEST_CASE(
    "views: a certificate change shows the SANs it adds and removes when the old content "
    "is known",
    "[views]") {
  engine::Plan p = SamplePlan();
  engine::CertificateInfo old = *p.changes[3].certificate;
  old.fingerprint = p.changes[3].before->fingerprint;
  old.sans = {"example.com", "legacy.example.com"};
  old.issuer = "CN=Old CA";
  old.not_after = kNow + 3 * 86400;
  p.changes[3].before->not_after = old.not_after;
  // Without the old content: its SANs are not recorded in the state.
  CHECK(cli::PlanToMarkdown(p, kNow).find(
            "| \\*.example.com, example.com (before: not recorded) |") != std::string::npos);
  // With it (the configuration still has it, under another name): added and removed.
  const std::string md = cli::PlanToMarkdown(p, kNow, {}, {{old.fingerprint, old}});
  INFO(md);
  CHECK(md.find("| 🔄 update | 1 | web (upload, 01234567…) | web (upload, 6b2b5694…) | "
                "2026-11-21 (3 days) → 2027-02-15 (89 days) | added \\*.example.com; removed "
                "legacy.example.com |") != std::string::npos);
  CHECK(md.find("- Issuer: CN=Old CA") != std::string::npos);
  CheckWellFormed(md);
}

namespace {

// What a hostile editor of a saved plan (or of the state, or an API answer) can put in strings.
constexpr char kAnsiFake[] = "evil.example.com\x1b[2K\r\x1b[1mNo changes.\x1b[0m";
constexpr char kMarkdownBreak[] = "x` | forged | row |\n</details>\n## Approved [ok](http://e)";
constexpr char kBidi[] = "moc.elpmaxe\xe2\x80\xae.www";

engine::Plan HostilePlan() {
  engine::Plan p = SamplePlan();
  engine::Change& create = p.changes[1];
  create.address = engine::SplitAddress(kAnsiFake);
  create.account = kMarkdownBreak;
  create.reasons = {kMarkdownBreak, kAnsiFake, kBidi};
  create.after->certificate = kMarkdownBreak;
  create.after->cert_name = kAnsiFake;
  create.certificate->subject = kMarkdownBreak;
  create.certificate->issuer = kAnsiFake;
  create.certificate->sans = {kBidi, "*_x_*"};
  p.changes[3].address = engine::SplitAddress(kMarkdownBreak);  // the update
  return p;
}

}  // namespace

TEST_CASE("views: strings from a hostile plan cannot drive the terminal", "[views][escape]") {
  std::ostringstream out;
  cli::PrintPlan(out, HostilePlan(), cli::Style(false), kNow);
  const std::string text = out.str();
  INFO(text);
  CheckNoRawControls(text);
  CHECK(text.find("evil.example.com\\x1b[2K\\r\\x1b[1mNo changes.\\x1b[0m") != std::string::npos);
  CHECK(text.find("moc.elpmaxe\\u{202e}.www") != std::string::npos);
  // Every line the view prints is its own: the newline in the account did not make a new one.
  CHECK(text.find("\n</details>") == std::string::npos);
  CHECK(text.find("\n## Approved") == std::string::npos);
}

TEST_CASE("views: strings from a hostile plan cannot break the Markdown comment",
          "[views][escape]") {
  const std::string md = cli::PlanToMarkdown(HostilePlan(), kNow);
  INFO(md);
  CheckNoRawControls(md);
  // Only certform's own <details> blocks, each opened and closed once: an HTML block starts only
  // at the start of a line, and no outside string can start one (inside a code span, as a
  // domain, `</details>` is literal text; in a <summary>, an entity).
  CHECK(CheckWellFormed(md) == 4);  // the certificate details, and a section per change
  CHECK(LinesStartingWith(md, "## ") == 0);
  CHECK(md.find("\\[ok\\](http://e)") != std::string::npos);  // a link as plain text
  // Each row of the certificate changes table has exactly its seven separators.
  std::istringstream lines(md);
  std::string line;
  int rows = 0;
  while (std::getline(lines, line)) {
    if (!line.starts_with("| ➕ ") && !line.starts_with("| 🔄 ") && !line.starts_with("| ➖ ")) {
      continue;
    }
    INFO(line);
    CHECK(Separators(line) == 7);
    ++rows;
  }
  CHECK(rows == 3);
  CHECK(md.find("- SANs: moc.elpmaxe\\\\u{202e}.www, \\*\\_x\\_\\*") != std::string::npos);
  // The hostile certificate name in a <summary> (raw HTML) is entities, not a tag.
  CHECK(md.find("&lt;/details&gt;") != std::string::npos);
}

TEST_CASE("views: drift from hostile answers is escaped in both renderings", "[views][escape]") {
  engine::DriftReport r = SampleDrift();
  r.drifted[0].address = engine::SplitAddress(kMarkdownBreak);
  r.drifted[0].reasons = {kAnsiFake};
  r.failed[0].error = kMarkdownBreak;
  r.failed[0].address = engine::SplitAddress(kAnsiFake);
  std::ostringstream out;
  cli::PrintDrift(out, r, cli::Style(false));
  CheckNoRawControls(out.str());
  const std::string md = cli::DriftToMarkdown(r, kNow);
  INFO(md);
  CheckNoRawControls(md);
  CHECK(CheckWellFormed(md) == 4);  // two kinds of change, one expiry date, one failure
  CHECK(LinesStartingWith(md, "## ") == 0);
}

TEST_CASE("views: drift's line per failure cause counts domains, listener slots or bindings",
          "[views][drift]") {
  const auto failing = [](const std::vector<std::string>& keys) {
    engine::DriftReport r;
    for (const std::string& key : keys) {
      engine::LiveRead read;
      read.address = engine::SplitAddress(key);
      read.account = "main";
      read.error = "Throttling";
      r.failed.push_back(read);
    }
    r.checked = static_cast<int>(keys.size());
    std::ostringstream out;
    cli::PrintDrift(out, r, cli::Style(false));
    return out.str();
  };
  const std::string domains = failing({"a.example.com", "b.example.com"});
  INFO(domains);
  CHECK(domains.find("! 2 domains could not be read (a.example.com, b.example.com): account "
                     "main: Throttling") != std::string::npos);
  const std::string slots =
      failing({"alb:cn-hangzhou/lsn-1/default", "alb:cn-hangzhou/lsn-1/sni:web"});
  INFO(slots);
  CHECK(slots.find("! 2 listener slots could not be read (") != std::string::npos);
  const std::string mixed = failing({"a.example.com", "alb:cn-hangzhou/lsn-1/default"});
  INFO(mixed);
  CHECK(mixed.find("! 2 bindings could not be read (") != std::string::npos);
}
