#include "cmd/certform/markdown_view.h"

#include <map>

#include <fmt/format.h>

#include "cmd/certform/plan_view.h"
#include "engine/base/clock.h"
#include "engine/base/digest.h"
#include "engine/base/text_escape.h"

namespace certform::cli {

namespace {

using engine::Action;

// Every string from the plan file, the state or an answer goes into the Markdown through
// engine::ForMarkdown (text) or engine::MarkdownCode (a code span): a `|`, a backtick, a newline
// or `</details>` in it cannot end a cell, a row or a block.
using engine::ForMarkdown;
using engine::MarkdownCode;

// The parts, each escaped, joined by "; ".
std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + ForMarkdown(p);
  return out;
}

const char* ActionLabel(Action a) {
  switch (a) {
    case Action::kCreate:
      return "➕ bind";
    case Action::kUpdate:
      return "🔄 update";
    case Action::kDelete:
      return "➖ disable";
    case Action::kForget:
      return "➖ forget";
    case Action::kRename:
      return "🏷️ rename (state only)";
    case Action::kNoOp:
      break;
  }
  return "no-op";
}

std::string CertificateCell(const engine::Change& c) {
  if (c.action == Action::kForget) return "stays as it is";
  if (!c.after) return "—";
  if (!c.after->https) return "HTTPS off";
  std::string s =
      fmt::format("{} ({})", ForMarkdown(c.after->certificate), ForMarkdown(c.after->cert_type));
  if (!c.after->fingerprint.empty()) {
    s += " " + MarkdownCode(engine::ShortFingerprint(c.after->fingerprint));
  }
  return s;
}

// `rows` under `header`, folded when long.
void Table(std::string* out, const std::string& header, const std::vector<std::string>& rows,
           const std::string& what) {
  const bool fold = rows.size() > kMarkdownFoldRows;
  if (fold) *out += fmt::format("<details><summary>{} {}</summary>\n\n", rows.size(), what);
  *out += header;
  for (const std::string& r : rows) *out += r;
  if (fold) *out += "\n</details>\n";
}

}  // namespace

std::string PlanToMarkdown(const engine::Plan& plan, int64_t now) {
  if (!plan.HasChanges()) {
    return fmt::format(
        "### certform plan: no changes\n\nThe bindings in the state match the configuration "
        "({} domains).\n",
        plan.Summary().unchanged);
  }
  std::string out = fmt::format("### certform plan\n\n**{}**\n\n", SummaryLine(plan.Summary()));
  std::vector<std::string> rows;
  std::map<std::string, const engine::CertificateInfo*> certificates;
  for (const engine::Change& c : plan.changes) {
    if (c.action == Action::kNoOp) continue;
    const engine::Address& where = c.address;
    const engine::ProductRules* rules = engine::FindProduct(where.product);
    const std::string bucket =
        where.location.empty() || rules == nullptr || rules->location.empty()
            ? ""
            : fmt::format(" ({} {})", rules->location.back().key, MarkdownCode(where.Location()));
    rows.push_back(fmt::format("| {} | {} | {}{} | {} | {} | {} |\n", ActionLabel(c.action),
                               ForMarkdown(engine::ProductTitle(where.product)),
                               MarkdownCode(where.domain), bucket, ForMarkdown(c.account),
                               CertificateCell(c), Join(c.reasons)));
    if (c.certificate) certificates[c.after->certificate] = &*c.certificate;
  }
  Table(&out,
        "| Action | Product | Domain | Account | Certificate | Why |\n|---|---|---|---|---|---|\n",
        rows, "changes");
  if (!certificates.empty()) {
    out += fmt::format("\n<details><summary>Certificate details ({})</summary>\n",
                       certificates.size());
    for (const auto& [key, info] : certificates) {
      out += fmt::format(
          "\n#### {}\n\n- Fingerprint (SHA-256): {}\n- Subject: {}\n- Issuer: {}\n"
          "- SANs: {}\n- Expires: {} ({} days)\n- Key: {}\n",
          MarkdownCode(key), MarkdownCode(info->fingerprint), ForMarkdown(info->subject),
          ForMarkdown(info->issuer), ForMarkdown(fmt::format("{}", fmt::join(info->sans, ", "))),
          engine::FormatUtc(info->not_after), (info->not_after - now) / 86400,
          ForMarkdown(info->key_type));
    }
    out += "\n</details>\n";
  }
  return out;
}

std::string DriftToMarkdown(const engine::DriftReport& report, int64_t now) {
  std::string out;
  if (report.HasDrift()) {
    out += fmt::format("### certform drift: {} of {} domains changed outside certform\n\n",
                       report.drifted.size(), report.checked);
    std::vector<std::string> rows;
    for (const engine::DriftEntry& d : report.drifted) {
      rows.push_back(fmt::format("| {} | {} | {} |\n", MarkdownCode(d.address.Key()),
                                 ForMarkdown(d.account), Join(d.reasons)));
    }
    if (!rows.empty()) {
      Table(&out, "| Domain | Account | What changed |\n|---|---|---|\n", rows, "drifted domains");
    }
    for (const engine::UploadCheck& u : report.uploads) {
      out += fmt::format("\n- upload {} (CertId {}, account {}): {}; run `certform refresh`\n",
                         MarkdownCode(u.upload.name), u.upload.cert_id,
                         ForMarkdown(u.upload.account), ForMarkdown(u.Problem()));
    }
  } else {
    out += fmt::format(
        "### certform drift: in sync\n\nThe live bindings of {} domains match the "
        "state.\n",
        report.checked);
  }
  if (!report.expiring.empty()) {
    out += "\n**Certificates expiring soon**\n\n";
    std::vector<std::string> rows;
    for (const engine::ExpiryWarning& e : report.expiring) {
      rows.push_back(fmt::format("| {} | {} | {} |\n", MarkdownCode(e.address.Key()),
                                 engine::FormatUtc(e.not_after), e.days_left));
    }
    Table(&out, "| Domain | Expires | Days left |\n|---|---|---|\n", rows, "expiring certificates");
  }
  if (!report.failed.empty()) {
    out += "\n**Could not be read**\n\n";
    for (const engine::LiveRead& r : report.failed) {
      out += fmt::format("- {}: {}\n", MarkdownCode(r.address.Key()), ForMarkdown(r.error));
    }
  }
  (void)now;
  return out;
}

}  // namespace certform::cli
