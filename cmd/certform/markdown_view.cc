#include "cmd/certform/markdown_view.h"

#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "cmd/certform/drift_view.h"
#include "cmd/certform/markdown_budget.h"
#include "engine/base/clock.h"
#include "engine/base/digest.h"
#include "engine/base/text_escape.h"

namespace certform::cli {

namespace {

// Every string from the plan file, the state or an answer goes into the Markdown through
// engine::ForMarkdown (text), engine::MarkdownCode (a code span) or engine::ForHtml (inside a
// <summary>, raw HTML): a `|`, a backtick, a newline or `</details>` in it cannot end a cell, a
// row or a block.
using engine::ForHtml;
using engine::ForMarkdown;
using engine::MarkdownCode;

// SANs named in a table cell before "… and N more" (the certificate details list them all).
constexpr size_t kCellNames = 10;

// The parts, each escaped, joined by "; ".
std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + ForMarkdown(p);
  return out;
}

// The label of an ActionVerb, for Markdown and for a <summary> alike: a kind of change this view
// does not know yet shows as its engine name (plain words, escaped all the same).
std::string VerbLabel(const std::string& verb) {
  if (verb == "bind") return "➕ bind";
  if (verb == "update") return "🔄 update";
  if (verb == "disable") return "➖ disable";
  if (verb == "forget") return "➖ forget";
  if (verb == "rename") return "🏷️ rename (state only)";
  return "• " + ForMarkdown(verb);
}

std::string Plural(size_t n, const char* what) {
  return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
}

std::string CountsTable(const PlanReview& review, std::vector<std::string>* rows) {
  std::string header = "| Account | Product |";
  std::string rule = "|---|---|";
  for (const std::string& verb : review.verbs) {
    header += " " + VerbLabel(verb) + " |";
    rule += "--:|";
  }
  header += " Unchanged |\n";
  rule += "--:|\n";
  for (const AccountProductCount& c : review.counts) {
    std::string row = fmt::format("| {} | {} |", ForMarkdown(c.account),
                                  ForMarkdown(engine::ProductTitle(c.product)));
    for (const std::string& verb : review.verbs) {
      auto it = c.verbs.find(verb);
      row += fmt::format(" {} |", it == c.verbs.end() ? 0 : it->second);
    }
    rows->push_back(row + fmt::format(" {} |\n", c.unchanged));
  }
  return header + rule;
}

std::string ChangeRow(const CertificateChange& c, int64_t now) {
  return fmt::format("| {} | {} | {} | {} | {} | {} |\n", VerbLabel(ActionVerb(c.action, c.after)),
                     c.domains, ForMarkdown(SideText(c.before)), ForMarkdown(SideText(c.after)),
                     ForMarkdown(ExpiryChangeText(c, now)),
                     ForMarkdown(SanChangeText(c, kCellNames)));
}

// Each certificate whose details the changes know, once: what they bind, and what they replace
// when its content is known.
std::vector<std::string> CertificateDetails(const PlanReview& review, int64_t now) {
  std::vector<std::string> blocks;
  std::set<std::pair<std::string, std::string>> seen;
  for (const CertificateChange& c : review.changes) {
    for (const ServedSide* side : {&c.after, &c.before}) {
      if (!side->info || !seen.insert({side->certificate, side->info->fingerprint}).second) {
        continue;
      }
      const engine::CertificateInfo& info = *side->info;
      blocks.push_back(fmt::format(
          "\n#### {} {}\n\n- Fingerprint (SHA-256): {}\n- Subject: {}\n- Issuer: {}\n"
          "- SANs: {}\n- Expires: {} ({} days)\n- Key: {}\n",
          MarkdownCode(side->certificate), MarkdownCode(engine::ShortFingerprint(info.fingerprint)),
          MarkdownCode(info.fingerprint), ForMarkdown(info.subject), ForMarkdown(info.issuer),
          ForMarkdown(fmt::format("{}", fmt::join(info.sans, ", "))),
          engine::FormatUtc(info.not_after), (info.not_after - now) / 86400,
          ForMarkdown(info.key_type)));
    }
  }
  return blocks;
}

// " bucket `REGION/NAME`" when `product` has a location, else "".
std::string LocationText(const std::string& product, const std::string& location) {
  const engine::ProductRules* rules = engine::FindProduct(product);
  if (location.empty() || rules == nullptr || rules->location.empty()) return "";
  return fmt::format(" {} {}", rules->location.back().key, MarkdownCode(location));
}

// A domain in a list, and where it lives when its product has a location. Escaped text, not a
// code span: at 2,000 domains the two backticks each would cost 4 KB (a name GitHub links,
// www.*, is only a link).
std::string AddressItem(const engine::Address& where) {
  const std::string location = LocationText(where.product, where.Location());
  return ForMarkdown(where.domain) + (location.empty() ? "" : " (" + location.substr(1) + ")");
}

// A domain of a group, with the reasons it does not share with the group (a move's).
std::string DomainItem(const engine::Change& c, const DomainGroup& g) {
  std::string item = ForMarkdown(c.address.domain);  // the group says where
  if (std::vector<std::string> own = g.OwnReasons(c); !own.empty()) {
    item += " (" + Join(own) + ")";
  }
  return item;
}

ListSection DomainSection(const CertificateChange& c) {
  ListSection s;
  std::string what = SideText(c.after);
  if (c.before.what == ServedSide::What::kCertificate) what = SideText(c.before) + " → " + what;
  s.summary_html = fmt::format("{} · {} · {}", VerbLabel(ActionVerb(c.action, c.after)),
                               ForHtml(what), Plural(c.domains, "domain"));
  for (const DomainGroup& g : c.groups) {
    ListSection::Part part;
    part.heading = fmt::format(
        "**{}** · {}{} · {}", ForMarkdown(g.account), ForMarkdown(engine::ProductTitle(g.product)),
        LocationText(g.product, g.location), Plural(g.changes.size(), "domain"));
    if (!g.common_reasons.empty()) part.heading += " · why: " + Join(g.common_reasons);
    part.heading += g.common_reasons.empty() ? ":" : " · domains:";
    for (const engine::Change* change : g.changes) part.items.push_back(DomainItem(*change, g));
    s.parts.push_back(std::move(part));
  }
  return s;
}

void Uploads(MarkdownBudget* md, const engine::Plan& plan, int64_t now) {
  if (plan.uploads.empty()) return;
  if (!md->Add(fmt::format("\n**Uploads to Certificate Management Service ({})**\n\n",
                           plan.uploads.size()))) {
    return;
  }
  for (const engine::UploadStep& u : plan.uploads) {
    const std::string expiry = u.info ? ExpiryText(u.info->not_after, now) : "";
    if (!md->Add(fmt::format("- {} for account {}, as {} ({}){}\n", MarkdownCode(u.certificate),
                             ForMarkdown(u.account), MarkdownCode(u.name),
                             MarkdownCode(engine::ShortFingerprint(u.fingerprint)),
                             expiry.empty() ? "" : ", expires " + expiry))) {
      return;
    }
  }
}

// Drift's sections and their counts, by account and product.
struct DriftCount {
  int drifted = 0, expiring = 0, failed = 0;
};
// An account and a product (and where the product is in engine::BindingOrder, to sort by).
using AccountProduct = std::tuple<std::string, size_t, std::string>;

AccountProduct Where(const std::string& account, const engine::Address& address) {
  return {account, std::get<1>(engine::BindingOrder(account, address)), address.product};
}

// Domains under a <summary>, by account and product, each part headed by them.
ListSection Grouped(const std::string& summary_html,
                    const std::vector<std::pair<AccountProduct, std::string>>& domains) {
  ListSection s;
  s.summary_html = summary_html;
  std::map<AccountProduct, std::vector<std::string>> by_where;
  for (const auto& [where, item] : domains) by_where[where].push_back(item);
  for (auto& [where, items] : by_where) {
    const std::string& account = std::get<0>(where);
    s.parts.push_back(
        {fmt::format("**{}** · {} · {}:", account.empty() ? "—" : ForMarkdown(account),
                     ForMarkdown(engine::ProductTitle(std::get<2>(where))),
                     Plural(items.size(), "domain")),
         std::move(items)});
  }
  return s;
}

constexpr char kWholeDrift[] = "The whole report: `certform drift` (or `certform drift --json`).";

constexpr char kWholePlan[] =
    "The whole plan: `certform show` on the saved plan (the plan artifact in CI), or `certform "
    "plan`.";

}  // namespace

std::string PlanToMarkdown(const engine::Plan& plan, int64_t now, const MarkdownOptions& options,
                           const KnownCertificates& known) {
  if (!plan.HasChanges()) {
    return fmt::format(
        "### certform plan: no changes\n\nThe bindings in the state match the configuration "
        "({} domains).\n",
        plan.Summary().unchanged);
  }
  const PlanReview review = ReviewPlan(plan, known);
  const std::string head =
      fmt::format("### certform plan\n\n**{}**\n\n", SummaryLine(review.summary));
  std::vector<ListSection> sections;
  ListingCount totals;
  for (const CertificateChange& c : review.changes) {
    sections.push_back(DomainSection(c));
    totals.items += sections.back().Items();
    totals.sections += 1;
  }
  size_t room = 0;
  if (options.max_size != 0) {
    const size_t fixed = head.size() + NoteRoom(totals, options.max_size, "domains", kWholePlan);
    room = options.max_size > fixed ? options.max_size - fixed : 1;
  }
  MarkdownBudget md(room);
  std::vector<std::string> rows;
  AddTable(&md, CountsTable(review, &rows), rows, "accounts and products");
  rows.clear();
  for (const CertificateChange& c : review.changes) rows.push_back(ChangeRow(c, now));
  if (!rows.empty() && md.Add("\n**Certificate changes**\n\n")) {
    AddTable(&md, "| Change | Domains | From | To | Expires | SANs |\n|---|--:|---|---|---|---|\n",
             rows, "certificate changes");
  }
  Uploads(&md, plan, now);
  if (const std::vector<std::string> details = CertificateDetails(review, now);
      !details.empty() &&
      md.Open(
          fmt::format("\n<details><summary>Certificate details ({})</summary>\n", details.size()),
          "\n</details>\n")) {
    for (const std::string& d : details) {
      if (!md.Add(d)) break;
    }
    md.Close();
  }
  ListingCount count;
  if (!sections.empty() && md.Add("\n**Domains**\n\n")) AddListSections(&md, sections, &count);
  md.CloseAll();
  count.items = totals.items;  // sections never started are left out too
  count.sections = totals.sections;
  if (!md.spent() && count.shown == count.items) return head + md.text();
  return head + TruncationNote(count, options.max_size, "domains", kWholePlan) + md.text();
}

std::string DriftToMarkdown(const engine::DriftReport& report, int64_t now,
                            const MarkdownOptions& options, const engine::State* state) {
  const auto account_of = [&](const engine::Address& a) {
    const engine::StateEntry* e = state == nullptr ? nullptr : state->Find(a);
    return e == nullptr ? std::string() : e->account;
  };
  const auto recorded_of = [&](const engine::Address& a) {
    const engine::StateEntry* e = state == nullptr ? nullptr : state->Find(a);
    return e == nullptr ? std::string() : (e->https ? e->certificate : "HTTPS off");
  };
  std::map<AccountProduct, DriftCount> counts;
  // What changed, by the certificate recorded and the reasons: one row and one section each.
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<AccountProduct, std::string>>>
      changed;
  for (const engine::DriftEntry& d : report.drifted) {
    const std::string recorded = recorded_of(d.address);
    ++counts[Where(d.account, d.address)].drifted;
    changed[{recorded, fmt::format("{}", fmt::join(d.reasons, "; "))}].push_back(
        {Where(d.account, d.address), AddressItem(d.address)});
  }
  // Expiring certificates, by the certificate recorded and the date.
  std::map<std::pair<std::string, int64_t>, std::vector<std::pair<AccountProduct, std::string>>>
      expiring;
  for (const engine::ExpiryWarning& e : report.expiring) {
    const AccountProduct where = Where(account_of(e.address), e.address);
    ++counts[where].expiring;
    expiring[{recorded_of(e.address), e.not_after}].push_back({where, AddressItem(e.address)});
  }
  std::map<std::string, std::vector<std::pair<AccountProduct, std::string>>> failed;
  for (const engine::LiveRead& r : report.failed) {
    ++counts[Where(r.account, r.address)].failed;
    failed[r.error].push_back({Where(r.account, r.address), AddressItem(r.address)});
  }

  std::string head = report.HasDrift()
                         ? fmt::format("### certform drift: {} of {} changed outside certform\n\n",
                                       report.drifted.size(),
                                       Bindings(static_cast<size_t>(report.checked),
                                                static_cast<size_t>(report.checked_slots)))
                         : fmt::format(
                               "### certform drift: in sync\n\nThe live bindings of {} match the "
                               "state.\n\n",
                               Bindings(static_cast<size_t>(report.checked),
                                        static_cast<size_t>(report.checked_slots)));
  // A table row and a section of domains for each kind of change, expiry date and error.
  std::vector<ListSection> sections;
  std::vector<std::string> change_rows, expiry_rows, failure_rows;
  for (const auto& [key, domains] : changed) {
    const auto& [recorded, why] = key;
    change_rows.push_back(fmt::format("| {} | {} | {} |\n",
                                      recorded.empty() ? "—" : ForMarkdown(recorded),
                                      ForMarkdown(why), domains.size()));
    sections.push_back(Grouped(
        fmt::format("changed: {} · {}", ForHtml(why), Plural(domains.size(), "domain")), domains));
  }
  for (const auto& [key, domains] : expiring) {
    const auto& [recorded, not_after] = key;
    expiry_rows.push_back(fmt::format("| {} | {} | {} |\n",
                                      recorded.empty() ? "—" : ForMarkdown(recorded),
                                      ExpiryText(not_after, now), domains.size()));
    sections.push_back(
        Grouped(fmt::format("expiring: {}{} · {}", recorded.empty() ? "" : ForHtml(recorded) + ", ",
                            ExpiryText(not_after, now), Plural(domains.size(), "domain")),
                domains));
  }
  for (const auto& [error, domains] : failed) {
    failure_rows.push_back(fmt::format("| {} | {} |\n", ForMarkdown(error), domains.size()));
    sections.push_back(
        Grouped(fmt::format("not read: {} · {}", ForHtml(error), Plural(domains.size(), "domain")),
                domains));
  }
  ListingCount totals;
  for (const ListSection& s : sections) {
    totals.items += s.Items();
    totals.sections += 1;
  }
  size_t room = 0;
  if (options.max_size != 0) {
    const size_t fixed = head.size() + NoteRoom(totals, options.max_size, "domains", kWholeDrift);
    room = options.max_size > fixed ? options.max_size - fixed : 1;
  }
  MarkdownBudget md(room);
  std::vector<std::string> rows;
  for (const auto& [where, c] : counts) {
    const std::string& account = std::get<0>(where);
    rows.push_back(fmt::format(
        "| {} | {} | {} | {} | {} |\n", account.empty() ? "—" : ForMarkdown(account),
        ForMarkdown(engine::ProductTitle(std::get<2>(where))), c.drifted, c.expiring, c.failed));
  }
  AddTable(&md,
           "| Account | Product | Changed | Expiring soon | Not read |\n|---|---|--:|--:|--:|\n",
           rows, "accounts and products");
  if (!change_rows.empty() && md.Add("\n**What changed**\n\n")) {
    AddTable(&md, "| Recorded certificate | What changed | Domains |\n|---|---|--:|\n", change_rows,
             "kinds of change");
  }
  for (const engine::UploadCheck& u : report.uploads) {
    md.Add(fmt::format("\n- upload {} (CertId {}, account {}): {}; run `certform refresh`\n",
                       MarkdownCode(u.upload.name), u.upload.cert_id, ForMarkdown(u.upload.account),
                       ForMarkdown(u.Problem())));
  }
  for (const engine::UploadCheck& u : report.uploads_failed) {
    md.Add(fmt::format("\n- upload {} (CertId {}, account {}): could not be read: {}\n",
                       MarkdownCode(u.upload.name), u.upload.cert_id, ForMarkdown(u.upload.account),
                       ForMarkdown(u.error)));
  }
  if (!expiry_rows.empty() && md.Add("\n**Certificates expiring soon**\n\n")) {
    AddTable(&md, "| Recorded certificate | Expires | Domains |\n|---|---|--:|\n", expiry_rows,
             "expiry dates");
  }
  if (!failure_rows.empty() && md.Add("\n**Could not be read**\n\n")) {
    AddTable(&md, "| Error | Domains |\n|---|--:|\n", failure_rows, "errors");
  }
  ListingCount count;
  if (!sections.empty() && md.Add("\n**Domains**\n\n")) AddListSections(&md, sections, &count);
  md.CloseAll();
  count.items = totals.items;  // sections never started are left out too
  count.sections = totals.sections;
  std::string out = head;
  if (md.spent() || count.shown < count.items) {
    out += TruncationNote(count, options.max_size, "domains", kWholeDrift);
  }
  out += md.text();
  if (out.ends_with("\n\n")) out.pop_back();
  return out;
}

}  // namespace certform::cli
