#include "cmd/certform/verify_view.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>

#include "cmd/certform/markdown_budget.h"
#include "engine/base/clock.h"
#include "engine/base/digest.h"
#include "engine/base/text_escape.h"
#include "engine/config/certificate.h"

namespace certform::cli {

namespace {

using engine::EdgeOutcome;
using engine::EdgeResult;
using engine::ForTerminal;  // every name, host and error may come from outside

std::string Connect(const engine::VerifyTarget& t) { return fmt::format("{}:{}", t.host, t.port); }

std::string Short(const std::string& fingerprint) {
  return fingerprint.empty() ? "none" : engine::ShortFingerprint(fingerprint);
}

std::string Served(const EdgeResult& r) {
  return r.served.fingerprints.empty() ? "" : r.served.fingerprints.front();
}

// What one result says, without the domain: "serves \"web\" (3f2a1b0c)", ...
std::string Sentence(const EdgeResult& r) {
  const engine::VerifyTarget& t = r.target;
  const std::string want = fmt::format("\"{}\" ({})", t.certificate, Short(t.want));
  switch (r.outcome) {
    case EdgeOutcome::kServes:
      return "serves " + want;
    case EdgeOutcome::kStale:
      return fmt::format("still serves the old certificate {}, not {}", Short(Served(r)), want);
    case EdgeOutcome::kOther:
      return fmt::format("serves another certificate, {} ({}), not {}", Short(Served(r)),
                         r.served.leaf_subject.empty() ? "no subject" : r.served.leaf_subject,
                         want);
    case EdgeOutcome::kChainDiffers:
      return fmt::format(
          "serves {} with another chain: {} certificates, intermediates {}; the configured chain "
          "has {}, intermediates {}",
          want, r.served.fingerprints.size(), engine::ShortChainDigest(r.served.chain_digest),
          t.want_chain, engine::ShortChainDigest(t.want_chain_digest));
    case EdgeOutcome::kFailed:
      return "could not be checked: " + r.error.message();
    case EdgeOutcome::kSkipped:
      return "not checked: " + t.skipped;
    case EdgeOutcome::kNotServing:
      return fmt::format("serves no certificate, not {}: {}", want, r.error.message());
  }
  return "";
}

std::string Where(const engine::VerifyTarget& t) {
  std::string where = Connect(t);
  if (t.server_name != t.address.domain) where = t.server_name + " at " + where;
  return where;
}

std::string Plural(size_t n, const char* what) {
  return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
}

std::string Totals(const engine::EdgeReport& report) {
  const size_t checked = report.results.size() - report.Count(EdgeOutcome::kSkipped);
  std::vector<std::string> parts = {fmt::format("{} of {} serve the configured certificate",
                                                report.Count(EdgeOutcome::kServes),
                                                Plural(checked, "domain"))};
  if (int n = report.Count(EdgeOutcome::kStale)) {
    parts.push_back(fmt::format("{} still the old one", n));
  }
  if (int n = report.Count(EdgeOutcome::kOther)) parts.push_back(fmt::format("{} another", n));
  if (int n = report.Count(EdgeOutcome::kChainDiffers)) {
    parts.push_back(fmt::format("{} another chain", n));
  }
  if (int n = report.Count(EdgeOutcome::kNotServing)) {
    parts.push_back(fmt::format("{} no certificate", n));
  }
  if (int n = report.Count(EdgeOutcome::kFailed)) {
    parts.push_back(fmt::format("{} could not be checked", n));
  }
  if (int n = report.Count(EdgeOutcome::kSkipped)) {
    parts.push_back(fmt::format("{} not checked", n));
  }
  return fmt::format("{}", fmt::join(parts, "; "));
}

std::string ExpiryLine(const engine::ExpiryFailure& e, int fail_days) {
  const std::string when =
      e.days_left < 0
          ? fmt::format("expired on {}", engine::FormatUtc(e.not_after))
          : fmt::format("expires in {} days, on {}", e.days_left, engine::FormatUtc(e.not_after));
  return fmt::format("{}: the {} certificate {} (expiry_fail_days is {})", e.address.Key(), e.what,
                     when, fail_days);
}

void AddExpiryTable(MarkdownBudget* md, const std::vector<engine::ExpiryFailure>& expiry) {
  std::vector<std::string> rows;
  for (const engine::ExpiryFailure& e : expiry) {
    rows.push_back(fmt::format("| {} | {} | {} | {} |\n", engine::MarkdownCode(e.address.Key()),
                               e.what, engine::FormatUtc(e.not_after), e.days_left));
  }
  if (!rows.empty() && md->Add("\n**Certificates expiring too soon**\n\n")) {
    AddTable(md, "| Domain | Certificate | Expires | Days left |\n|---|---|---|--:|\n", rows,
             "expiring certificates");
  }
}

}  // namespace

void PrintVerify(std::ostream& out, const engine::EdgeReport& report,
                 const std::vector<engine::ExpiryFailure>& expiry, int fail_days,
                 const Style& style) {
  for (const EdgeResult& r : report.results) {
    std::string mark;
    switch (r.outcome) {
      case EdgeOutcome::kServes:
        mark = style.Green("✓");
        break;
      case EdgeOutcome::kSkipped:
        mark = style.Dim("-");
        break;
      case EdgeOutcome::kFailed:
        mark = style.Red("!");
        break;
      default:
        mark = style.Yellow("~");
    }
    fmt::print(out, "{} {} {}{}\n", mark, style.Bold(ForTerminal(r.target.address.Key())),
               ForTerminal(Sentence(r)),
               r.outcome == EdgeOutcome::kSkipped ? "" : " on " + ForTerminal(Where(r.target)));
  }
  PrintExpiryFailures(out, expiry, fail_days, style);
  const std::string headline =
      report.AllServe() ? "Verified:"
      : report.deadline_passed
          ? fmt::format("Not verified by the deadline ({} checks):", report.rounds)
          : "Not verified:";
  fmt::print(out, "\n{} {}.\n", style.Bold(headline), Totals(report));
  if (report.Count(EdgeOutcome::kStale) > 0) {
    fmt::print(out,
               "The edge may still be propagating the change: run \"certform verify "
               "--verify-timeout 10m\" to wait for it.\n");
  }
}

void PrintExpiryFailures(std::ostream& out, const std::vector<engine::ExpiryFailure>& expiry,
                         int fail_days, const Style& style) {
  for (const engine::ExpiryFailure& e : expiry) {
    fmt::print(out, "{} {}\n", style.Red("error:"), ForTerminal(ExpiryLine(e, fail_days)));
  }
}

void PrintVerifyWaiting(std::ostream& out, const engine::EdgeReport& so_far,
                        engine::Clock::Duration pause, const Style& style) {
  std::vector<std::string> stale, other;
  for (const EdgeResult& r : so_far.results) {
    if (r.outcome == EdgeOutcome::kServes || r.outcome == EdgeOutcome::kSkipped) continue;
    (r.outcome == EdgeOutcome::kStale ? stale : other)
        .push_back(ForTerminal(r.target.address.Key()));
  }
  auto list = [](const std::vector<std::string>& names) {
    return fmt::format(
        "{}{}", fmt::join(names.begin(), names.begin() + std::min<size_t>(5, names.size()), ", "),
        names.size() > 5 ? fmt::format(" and {} more", names.size() - 5) : "");
  };
  std::vector<std::string> parts;
  if (!stale.empty()) {
    parts.push_back(fmt::format("{} still serve{} the old certificate ({})",
                                Plural(stale.size(), "domain"), stale.size() == 1 ? "s" : "",
                                list(stale)));
  }
  if (!other.empty()) {
    parts.push_back(fmt::format("{} not yet the configured one ({})",
                                Plural(other.size(), "domain"), list(other)));
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(pause).count();
  fmt::print(out, "{} {}; checking again in {}s\n", style.Dim("waiting for propagation:"),
             fmt::join(parts, "; "), ms / 1000.0);
}

nlohmann::ordered_json ExpiryFailuresToJson(const std::vector<engine::ExpiryFailure>& expiry) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const engine::ExpiryFailure& e : expiry) {
    list.push_back({{"domain", e.address.Key()},
                    {"what", e.what},
                    {"not_after", engine::FormatUtc(e.not_after)},
                    {"days_left", e.days_left}});
  }
  return list;
}

nlohmann::ordered_json VerifyToJson(const engine::EdgeReport& report,
                                    const std::vector<engine::ExpiryFailure>& expiry) {
  nlohmann::ordered_json doc;
  doc["format_version"] = "1.0";
  doc["checked"] = report.results.size() - report.Count(EdgeOutcome::kSkipped);
  doc["serving"] = report.Count(EdgeOutcome::kServes);
  doc["rounds"] = report.rounds;
  doc["deadline_passed"] = report.deadline_passed;
  doc["domains"] = nlohmann::ordered_json::array();
  for (const EdgeResult& r : report.results) {
    const engine::VerifyTarget& t = r.target;
    nlohmann::ordered_json d = {{"domain", t.address.Key()},
                                {"account", t.account},
                                {"server_name", t.server_name},
                                {"connect", Connect(t)},
                                {"outcome", engine::EdgeOutcomeName(r.outcome)},
                                {"certificate", t.certificate},
                                {"want_fingerprint", t.want}};
    if (!r.served.fingerprints.empty()) {
      d["served_fingerprint"] = r.served.fingerprints.front();
      d["served_chain"] = r.served.fingerprints;
      d["served_not_after"] = engine::FormatUtc(r.served.leaf_not_after);
    }
    d["attempts"] = r.attempts;
    if (r.outcome == EdgeOutcome::kFailed || r.outcome == EdgeOutcome::kNotServing) {
      d["error"] = r.error.message();
    }
    if (r.outcome == EdgeOutcome::kSkipped) d["skipped"] = t.skipped;
    doc["domains"].push_back(std::move(d));
  }
  doc["expiry_failures"] = ExpiryFailuresToJson(expiry);
  return doc;
}

std::string VerifyToMarkdown(const engine::EdgeReport& report,
                             const std::vector<engine::ExpiryFailure>& expiry,
                             const MarkdownOptions& options) {
  using engine::ForMarkdown;
  using engine::MarkdownCode;
  MarkdownBudget md(options.max_size);
  const bool ok = report.AllServe() && expiry.empty();
  md.Add(fmt::format("### certform verify: {}\n\n**{}**\n", ok ? "verified" : "not verified",
                     ForMarkdown(Totals(report))));
  std::vector<std::string> rows;
  for (const EdgeResult& r : report.results) {
    if (r.outcome == EdgeOutcome::kServes) continue;
    rows.push_back(fmt::format("| {} | {} | {} |\n", MarkdownCode(r.target.address.Key()),
                               engine::EdgeOutcomeName(r.outcome), ForMarkdown(Sentence(r))));
  }
  if (!rows.empty() && md.Add("\n**Domains not serving the configured certificate**\n\n")) {
    AddTable(&md, "| Domain | Outcome | Detail |\n|---|---|---|\n", rows, "domains");
  }
  AddExpiryTable(&md, expiry);
  md.CloseAll();
  return md.text();
}

std::string ExpiryFailuresToMarkdown(const std::vector<engine::ExpiryFailure>& expiry,
                                     const MarkdownOptions& options) {
  MarkdownBudget md(options.max_size);
  md.Add(fmt::format("### certform: {} expiring within expiry_fail_days\n",
                     Plural(expiry.size(), "certificate")));
  AddExpiryTable(&md, expiry);
  md.CloseAll();
  return md.text();
}

}  // namespace certform::cli
