// The Markdown plan and drift report fit a pull-request comment (GitHub refuses a body over
// 65,536 characters): a 2,000-domain plan on three accounts and three products whole, a larger one
// shortened to the limit, well-formed, with a note saying what it left out. And the human plan
// of those 2,000 domains reads as a review: each certificate change once per account.
#include <algorithm>
#include <regex>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "cmd/certform/markdown_view.h"
#include "cmd/certform/plan_view.h"
#include "engine/config/binding_address.h"
#include "tests/cmd/markdown_check.h"

using namespace certform;
using test::CheckWellFormed;
using test::Count;

namespace {

constexpr int64_t kNow = 1795000000;  // 2026-11-18T11:06:40Z
constexpr size_t kGitHubCommentLimit = 65536;

engine::CertificateInfo Certificate(const std::string& cn, char digit, int days,
                                    std::vector<std::string> sans) {
  engine::CertificateInfo info;
  info.fingerprint = std::string(64, digit);
  info.subject = "CN=" + cn;
  info.issuer = "CN=R11,O=Let's Encrypt,C=US";
  info.sans = std::move(sans);
  info.not_before = kNow - 86400;
  info.not_after = kNow + days * 86400LL;
  info.key_type = "EC P-256";
  return info;
}

engine::StateEntry Entry(const engine::Address& where, const std::string& account,
                         const std::string& certificate, const engine::CertificateInfo& info) {
  return {.address = where,
          .account = account,
          .https = true,
          .certificate = certificate,
          .cert_type = "upload",
          .cert_name = "certform-" + info.fingerprint.substr(0, 16),
          .fingerprint = info.fingerprint,
          .not_after = info.not_after};
}

// `domains` bindings as a platform team has them: three accounts, each on the CDN, the DCDN and
// OSS (in two buckets), and four certificates: most domains renew the wildcard (its SANs
// changed, the old content still configured), some bind a new certificate, some are unchanged,
// some are forgotten. Names are `label`-NNNN.teamN.example.com.
engine::Plan PlatformPlan(int domains, const std::string& label = "host") {
  const engine::CertificateInfo old_web =
      Certificate("*.example.com", '1', 9, {"*.example.com", "example.com", "legacy.example.net"});
  const engine::CertificateInfo web = Certificate(
      "*.example.com", '2', 89, {"*.example.com", "example.com", "*.teams.example.com"});
  const engine::CertificateInfo shop =
      Certificate("shop.example.com", '3', 60, {"shop.example.com"});
  const engine::CertificateInfo api = Certificate("api.example.com", '4', 70, {"api.example.com"});
  const char* const accounts[] = {"main", "ops", "shop"};
  const char* const places[] = {"", "dcdn:", "oss:cn-hangzhou/static-a/", "oss:cn-shanghai/media/"};
  engine::Plan plan;
  for (int i = 0; i < domains; ++i) {
    const std::string account = accounts[i % 3];
    const engine::Address where = engine::SplitAddress(
        fmt::format("{}{}-{:04}.team{}.example.com", places[(i / 3) % 4], label, i, i % 7));
    engine::Change c{.address = where, .account = account};
    switch (i % 10) {
      case 0:
      case 1:
      case 2:
      case 3:
      case 4:
      case 5:  // the renewal
        c.action = engine::Action::kUpdate;
        c.before = Entry(where, account, "web", old_web);
        c.after = Entry(where, account, "web", web);
        c.certificate = web;
        c.reasons = {"fingerprint 11111111…→22222222…",
                     "CertName certform-1111111111111111→certform-2222222222222222"};
        break;
      case 6:
      case 7:
        c.action = engine::Action::kCreate;
        c.after = Entry(where, account, "shop", shop);
        c.certificate = shop;
        c.reasons = {"not in state: bind the certificate"};
        break;
      case 8:
        c.action = engine::Action::kNoOp;
        c.before = c.after = Entry(where, account, "api", api);
        c.certificate = api;
        break;
      default:
        c.action = engine::Action::kForget;
        c.before = Entry(where, account, "api", api);
        c.reasons = {
            "no longer in configuration: forget; its live certificate stays "
            "(on_removal = \"forget\")"};
    }
    plan.changes.push_back(std::move(c));
  }
  std::sort(plan.changes.begin(), plan.changes.end(),
            [](const engine::Change& a, const engine::Change& b) {
              return engine::BindingOrder(a.account, a.address) <
                     engine::BindingOrder(b.account, b.address);
            });
  return plan;
}

// The old wildcard, still in the configuration (so that its SANs are known).
cli::KnownCertificates OldWildcard() {
  const engine::CertificateInfo old_web =
      Certificate("*.example.com", '1', 9, {"*.example.com", "example.com", "legacy.example.net"});
  return {{old_web.fingerprint, old_web}};
}

// The domain names `md` lists.
size_t Listed(const std::string& md, const std::string& label = "host") {
  return static_cast<size_t>(Count(md, label + "-"));
}

// The note's "N of M domains (K of L sections) are not listed", as numbers.
struct Note {
  size_t left = 0, total = 0, sections_left = 0, sections = 0;
};
Note ReadNote(const std::string& md) {
  static const std::regex kNote(
      R"(\n> \*\*Shortened to stay under ([0-9,]+) characters\*\*: ([0-9,]+) of ([0-9,]+) domains are not listed \(([0-9,]+) of ([0-9,]+) sections cut short or left out\)\. The whole )");
  std::smatch m;
  REQUIRE(std::regex_search(md, m, kNote));
  const auto number = [](std::string s) {
    s.erase(std::remove(s.begin(), s.end(), ','), s.end());
    return static_cast<size_t>(std::stoull(s));
  };
  return {number(m[2]), number(m[3]), number(m[4]), number(m[5])};
}

}  // namespace

TEST_CASE(
    "markdown size: a 2,000-domain plan on three accounts and three products fits one "
    "comment, whole",
    "[views][markdown-size]") {
  const engine::Plan plan = PlatformPlan(2000);
  const std::string md = cli::PlanToMarkdown(plan, kNow, {}, OldWildcard());
  INFO(md.substr(0, 6000));
  CHECK(md.size() <= cli::kMarkdownMaxSize);
  CHECK(md.size() < kGitHubCommentLimit);
  CHECK(md.find("Shortened") == std::string::npos);
  CHECK(
      md.starts_with("### certform plan\n\n**Plan: 400 to bind, 1200 to update, 0 to disable, "
                     "200 to forget.**\n"));
  // Every changed domain is listed, once; the unchanged ones are only counted.
  CHECK(Listed(md) == 1800);
  CHECK(md.find("host-0008.") == std::string::npos);
  // One row per account and product, one per certificate change, each with old → new.
  CHECK(Count(md, "\n| main | ") == 3);
  CHECK(Count(md, "\n| ops | ") == 3);
  CHECK(md.find("| 🔄 update | 1200 | web (upload, 11111111…) | web (upload, 22222222…) | "
                "2026-11-27 (9 days) → 2027-02-15 (89 days) | added \\*.teams.example.com; "
                "removed legacy.example.net |") != std::string::npos);
  CHECK(md.find("| ➕ bind | 400 | not in state | shop (upload, 33333333…) |") != std::string::npos);
  CHECK(md.find("| ➖ forget | 200 | api (upload, 44444444…) | left as it is |") !=
        std::string::npos);
  // The domains in collapsed sections: three certificate changes, and the certificate details.
  CHECK(CheckWellFormed(md) == 4);
  // By account, product and bucket: what the domains share is said once.
  CHECK(
      md.find("\n- **ops** · OSS bucket `cn-hangzhou/static-a` · 99 domains · why: fingerprint "
              "11111111…→22222222…; CertName certform-1111111111111111→certform-2222222222222222 · "
              "domains: host-0031.team3.example.com, host-0043.team1.example.com, ") !=
      std::string::npos);
}

TEST_CASE(
    "markdown size: a plan too large for one comment is shortened to the limit, "
    "well-formed, and says what it left out",
    "[views][markdown-size]") {
  engine::Plan plan = PlatformPlan(20000);
  // And three domains switched off: a short section, which the long ones must not crowd out.
  for (int i = 0; i < 3; ++i) {
    engine::Change gone{.address = engine::SplitAddress(fmt::format("gone-{}.example.com", i)),
                        .account = "main",
                        .action = engine::Action::kDelete,
                        .reasons = {"no longer in configuration: switch HTTPS off, then forget"}};
    gone.before = engine::StateEntry{.address = gone.address, .account = "main", .https = false};
    plan.changes.push_back(gone);
  }
  const std::string md = cli::PlanToMarkdown(plan, kNow, {}, OldWildcard());
  INFO(md.substr(0, 3000));
  CHECK(md.size() <= cli::kMarkdownMaxSize);
  CHECK(md.size() > cli::kMarkdownMaxSize - 400);  // shortened to the limit, not far below it
  // The summary and every table are whole; the note comes before them.
  CHECK(md.find("**Plan: 4000 to bind, 12000 to update, 3 to disable, 2000 to forget.**\n\n> "
                "**Shortened to stay under 60,000 characters**") != std::string::npos);
  CHECK(md.find("| 🔄 update | 12000 |") != std::string::npos);
  CHECK(md.find("#### `shop`") != std::string::npos);
  const Note note = ReadNote(md);
  CHECK(note.total == 18003);
  CHECK(note.sections == 4);
  CHECK(note.left == note.total - Listed(md) - 3);
  CHECK(note.left > 0);
  CHECK(note.sections_left >= 1);
  CHECK(md.find("certform show") != std::string::npos);  // where the whole plan is
  // The room is shared: the short section whole, each of the three long ones (each too long for
  // a third of the rest) cut between two domains, saying so, and closed.
  CHECK(md.find(
            "<details><summary>➖ disable · HTTPS off · 3 domains</summary>\n\n- **main** · "
            "CDN · 3 domains · why: no longer in configuration: switch HTTPS off, then forget · "
            "domains: gone-0.example.com, gone-1.example.com, gone-2.example.com\n\n</details>") !=
        std::string::npos);
  CHECK(note.sections_left == 3);
  CHECK(Count(md, "*… cut here: the note at the top says what is not shown.*\n\n</details>\n") ==
        3);
  CHECK(CheckWellFormed(md) == 5);
  CHECK(md.find("<details><summary>➖ forget · api (upload, 44444444…) → left as it is · 2000 "
                "domains</summary>") != std::string::npos);
  CHECK(
      md.find("<details><summary>🔄 update · web (upload, 11111111…) → web (upload, "
              "22222222…) · 12000 domains</summary>\n\n- **main** · CDN · 1001 domains · why: ") !=
      std::string::npos);

  SECTION("very long names: fewer fit, the document is as well-formed") {
    const std::string label(60, 'x');
    const std::string long_md =
        cli::PlanToMarkdown(PlatformPlan(2000, label), kNow, {}, OldWildcard());
    CHECK(long_md.size() <= cli::kMarkdownMaxSize);
    const Note long_note = ReadNote(long_md);
    CHECK(long_note.total == 1800);
    CHECK(long_note.left == 1800 - Listed(long_md, label));
    CheckWellFormed(long_md);
  }
  SECTION("a smaller limit, for a workflow that adds its own text") {
    const std::string small = cli::PlanToMarkdown(plan, kNow, {.max_size = 5000}, OldWildcard());
    CHECK(small.size() <= 5000);
    CHECK(ReadNote(small).left == 18003 - Listed(small) - Count(small, "gone-"));
    CheckWellFormed(small);
  }
  SECTION("no limit: everything") {
    const std::string all = cli::PlanToMarkdown(plan, kNow, {.max_size = 0}, OldWildcard());
    CHECK(all.find("Shortened") == std::string::npos);
    CHECK(Listed(all) == 18000);
    CHECK(CheckWellFormed(all) == 5);
  }
}

TEST_CASE("markdown size: a drift report of 20,000 domains is shortened the same way",
          "[views][markdown-size]") {
  engine::DriftReport report;
  report.checked = 20000;
  for (int i = 0; i < 20000; ++i) {
    const engine::Address where = engine::SplitAddress(fmt::format("host-{:05}.example.com", i));
    if (i % 4 == 3) {
      report.expiring.push_back({where, kNow + 5 * 86400, 5});
      continue;
    }
    report.drifted.push_back({where,
                              i % 2 == 0 ? "main" : "ops",
                              {i % 3 == 0 ? "domain no longer exists"
                                          : "fingerprint 6b2b5694…→77be12aa… (changed outside "
                                            "certform)"}});
  }
  const std::string md = cli::DriftToMarkdown(report, kNow);
  INFO(md.substr(0, 3000));
  CHECK(md.size() <= cli::kMarkdownMaxSize);
  CHECK(
      md.starts_with("### certform drift: 15000 of 20000 domains changed outside certform\n\n> "
                     "**Shortened to stay under 60,000 characters**"));
  const Note note = ReadNote(md);
  CHECK(note.total == 20000);
  CHECK(note.left == 20000 - Listed(md));
  CHECK(md.find("| main | CDN | 10000 | 0 | 0 |") != std::string::npos);
  CheckWellFormed(md);
  // Under the limit, the same report is whole.
  const std::string all = cli::DriftToMarkdown(report, kNow, {.max_size = 0});
  CHECK(Listed(all) == 20000);
  CheckWellFormed(all);
}

TEST_CASE(
    "markdown size: the human plan of 2,000 domains shows each certificate change once per "
    "account, then one line per domain",
    "[views][markdown-size]") {
  std::ostringstream out;
  cli::PrintPlan(out, PlatformPlan(2000), cli::Style(false), kNow, OldWildcard());
  const std::string text = out.str();
  INFO(text.substr(0, 4000));
  CHECK(Count(text, "\nAccount ") == 3);
  CHECK(text.find("\nAccount main (133 to bind, 400 to update, 67 to forget):\n") !=
        std::string::npos);
  // Three accounts, each with its renewal, its new certificate and its forgets: nine blocks,
  // six of which show a certificate's details.
  CHECK(Count(text, "\n  ~ update ") == 3);
  CHECK(Count(text, "\n  + bind certificate \"shop\" to ") == 3);
  CHECK(Count(text, "\n  - forget ") == 3);
  CHECK(Count(text, "fingerprint  SHA256:") == 6);
  CHECK(Count(text, "SAN change   added *.teams.example.com; removed legacy.example.net\n") == 3);
  CHECK(Count(text,
              "expires      2026-11-27T11:06:40Z (9 days) → 2027-02-15T11:06:40Z (89 days)") == 3);
  CHECK(Listed(text) == 1800);
  CHECK(Count(text, "\n") < 1800 + 9 * 16 + 10);  // about one line a domain
  CHECK(text.ends_with("\nPlan: 400 to bind, 1200 to update, 0 to disable, 200 to forget.\n"));
}
