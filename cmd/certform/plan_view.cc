#include "cmd/certform/plan_view.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>

#include "cmd/certform/diagnostics_view.h"
#include "cmd/certform/listener_view.h"
#include "engine/base/clock.h"
#include "engine/base/digest.h"
#include "engine/base/text_escape.h"
#include "engine/plan/plan_file.h"

namespace certform::cli {

namespace {

using engine::Action;
using engine::ForTerminal;
using What = ServedSide::What;

// `value` holds strings from the plan file (or the state): escaped, never raw.
void Field(std::ostream& out, const char* name, const std::string& value) {
  fmt::print(out, "      {:<12} {}\n", name, ForTerminal(value));
}

std::string Plural(size_t n, const char* what) {
  return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
}

// "2027-02-15T11:06:40Z (89 days)"; "" when unknown.
std::string Expiry(int64_t not_after, int64_t now) {
  if (not_after == 0) return "";
  return fmt::format("{} ({} days)", engine::FormatUtc(not_after), (not_after - now) / 86400);
}

// "old → new" when a certificate was served before and the value changed; "new (before: not
// recorded)" when the old content is not known; "new" otherwise.
std::string OldToNew(const ServedSide& before, const std::string& old_value,
                     const std::string& new_value) {
  if (before.what != What::kCertificate) return new_value;
  if (!before.info) return new_value + " (before: not recorded)";
  return old_value == new_value ? new_value : old_value + " → " + new_value;
}

// The symbol and the headline of a block of `n` domains.
// `slots`: the block's changes are all certificate slots (a listener's), not domains.
std::string Headline(const CertificateChange& c, size_t n, bool slots, const Style& style) {
  const std::string verb = ActionVerb(c.action, c.after);
  const std::string domains = Plural(n, slots ? "listener slot" : "domain");
  const std::string to = "\"" + ForTerminal(c.after.certificate) + "\"";
  if (verb == "bind") return style.Green("+") + " bind certificate " + to + " to " + domains;
  if (verb == "update") {
    // From another certificate of the configuration; one it does not name (a binding made by
    // hand and refreshed) has no name to show, and the fields below say what it was.
    const bool renamed = c.before.what == What::kCertificate && !c.before.certificate.empty() &&
                         c.before.certificate != c.after.certificate;
    return style.Yellow("~") + " update " + domains +
           (renamed ? " from certificate \"" + ForTerminal(c.before.certificate) + "\" to " + to
                    : " to certificate " + to);
  }
  if (verb == "disable") {
    return style.Red("-") + " switch HTTPS off on " + domains +
           (c.action == Action::kDelete ? (n == 1 ? ", then forget it" : ", then forget them")
                                        : "");
  }
  if (verb == "rename") {
    return style.Yellow("~") + " rename certificate \"" + ForTerminal(c.before.certificate) +
           "\" → " + to + " on " + domains + ", state only (no call)";
  }
  if (verb == "forget") {
    return style.Yellow("-") + " forget " + domains +
           (n == 1 ? "; its live certificate stays" : "; their live certificates stay");
  }
  return style.Yellow("•") + " " + ForTerminal(verb) + " " + domains;  // a kind added later
}

// What the domains will serve, once for the block: the certificate, and for a change from
// another certificate the old → new fingerprint, issuer, key, SANs and expiry.
void PrintSides(std::ostream& out, const CertificateChange& c, const engine::Change& first,
                int64_t now) {
  const ServedSide& before = c.before;
  const ServedSide& after = c.after;
  if (after.what != What::kCertificate) {
    if (before.what == What::kCertificate) {
      const std::string expiry = Expiry(before.not_after, now);
      Field(out, "was", SideText(before) + (expiry.empty() ? "" : ", expires " + expiry));
    }
    if (after.what == What::kLeftAsIs && c.action != Action::kForget) {
      Field(out, "now", SideText(after));
    }
    return;
  }
  const engine::StateEntry& e = *first.after;
  Field(out, "certificate",
        fmt::format("{} ({}, CertName {}{})", e.certificate, e.cert_type, e.cert_name,
                    e.cert_id ? fmt::format(", id {}", e.cert_id) : ""));
  const bool renewed = before.what == What::kCertificate && !before.fingerprint.empty() &&
                       before.fingerprint != after.fingerprint;
  const std::string was =
      renewed ? " (was " + engine::ShortFingerprint(before.fingerprint) + ")" : "";
  if (after.info) {
    const engine::CertificateInfo& info = *after.info;
    const engine::CertificateInfo old = before.info.value_or(engine::CertificateInfo{});
    Field(out, "fingerprint", "SHA256:" + info.fingerprint + was);
    Field(out, "subject", info.subject);
    Field(out, "issuer", OldToNew(before, old.issuer, info.issuer));
    Field(out, "key", OldToNew(before, old.key_type, info.key_type));
    Field(out, "SANs", fmt::format("{}", fmt::join(info.sans, ", ")));
    if (before.what == What::kCertificate) {
      Field(out, "SAN change", before.info ? SanChangeText(c, 1000) : "not recorded in the state");
    }
  }
  if (!after.info && !after.fingerprint.empty()) {
    Field(out, "fingerprint", "SHA256:" + after.fingerprint + was);
  }
  const std::string old_expiry = Expiry(before.not_after, now);
  const std::string new_expiry = Expiry(after.not_after, now);
  if (before.what == What::kCertificate && old_expiry != new_expiry) {
    Field(out, "expires",
          (old_expiry.empty() ? "not recorded" : old_expiry) + " → " +
              (new_expiry.empty() ? "not recorded" : new_expiry));
  } else if (!new_expiry.empty()) {
    Field(out, "expires", new_expiry);
  }
}

std::string Move(const engine::Change& c) {
  if (!c.moved_from.empty()) return " (moved from " + ForTerminal(c.moved_from) + ")";
  if (!c.moved_to.empty()) return " (moved to " + ForTerminal(c.moved_to) + ")";
  return "";
}

// The domains of `c` on `account` as one block: the certificate once, the reasons they share,
// then one line per domain (its address, and what only it has).
void PrintBlock(std::ostream& out, const CertificateChange& c, const std::string& account,
                const Style& style, int64_t now) {
  std::vector<const engine::Change*> changes;
  std::vector<std::string> common;
  bool first_group = true;
  for (const DomainGroup& g : c.groups) {
    if (g.account != account) continue;
    changes.insert(changes.end(), g.changes.begin(), g.changes.end());
    if (first_group) common = g.common_reasons;
    std::erase_if(common, [&](const std::string& r) {
      return std::find(g.common_reasons.begin(), g.common_reasons.end(), r) ==
             g.common_reasons.end();
    });
    first_group = false;
  }
  if (changes.empty()) return;
  const bool slots = std::all_of(changes.begin(), changes.end(), [](const engine::Change* ch) {
    return engine::IsSlot(ch->address);
  });
  fmt::print(out, "\n  {}\n", Headline(c, changes.size(), slots, style));
  PrintSides(out, c, *changes.front(), now);
  for (const std::string& why : common) Field(out, "why", why);
  const char* label = slots ? "slots" : "domains";
  for (const engine::Change* change : changes) {
    // A domain the state records as gone is marked on its own line: its block's headline is
    // the certificate it should serve, and the reason (a "why") says where it went.
    const bool gone = change->before && change->before->Gone();
    const std::string slot = engine::SlotDescription(change->address);
    fmt::print(
        out, "      {:<12} {}{}{}{}\n", label, style.Bold(ForTerminal(change->address.Key())),
        slot.empty() ? "" : " (" + slot + ")", Move(*change), gone ? style.Red(" (gone)") : "");
    label = "";
    for (const std::string& why : change->reasons) {
      if (std::find(common.begin(), common.end(), why) == common.end()) {
        fmt::print(out, "      {:<12}   why: {}\n", "", ForTerminal(why));
      }
    }
  }
}

}  // namespace

void PrintPlan(std::ostream& out, const engine::Plan& plan, const Style& style, int64_t now,
               const KnownCertificates& known) {
  if (!plan.HasChanges()) {
    fmt::print(out, "{}\n", style.Bold("No changes."));
    fmt::print(out, "The bindings in the state match the configuration ({} domains).\n",
               plan.Summary().unchanged);
    return;
  }
  const PlanReview review = ReviewPlan(plan, known);
  fmt::print(out, "certform will perform the following actions:\n");
  for (const engine::UploadStep& u : plan.uploads) {
    fmt::print(out, "\n  {} upload certificate \"{}\" → CAS as {}\n", style.Green("+"),
               style.Bold(ForTerminal(u.certificate)), ForTerminal(u.name));
    Field(out, "account", u.account);
    Field(out, "fingerprint", u.fingerprint);
    if (u.info) Field(out, "expires", engine::FormatUtc(u.info->not_after));
    Field(out, "why", "not in Certificate Management Service yet: uploaded once, bound by id");
  }
  // Each account once, headed by its name and what changes on it; under it, each certificate
  // change of its domains once.
  std::vector<std::string> accounts;
  for (const AccountProductCount& count : review.counts) {
    if (!count.verbs.empty() && (accounts.empty() || accounts.back() != count.account)) {
      accounts.push_back(count.account);
    }
  }
  for (const std::string& account : accounts) {
    std::map<std::string, int> verbs;
    for (const AccountProductCount& count : review.counts) {
      if (count.account != account) continue;
      for (const auto& [verb, n] : count.verbs) verbs[verb] += n;
    }
    std::string what;
    for (const std::string& verb : review.verbs) {
      if (auto it = verbs.find(verb); it != verbs.end()) {
        what += fmt::format("{}{} to {}", what.empty() ? "" : ", ", it->second, verb);
      }
    }
    fmt::print(out, "\n{} ({}):\n", style.Bold("Account " + ForTerminal(account)), what);
    for (const CertificateChange& c : review.changes) PrintBlock(out, c, account, style, now);
  }
  PrintListeners(out, plan, style);
  fmt::print(out, "\n{}\n", style.Bold(SummaryLine(review.summary)));
}

nlohmann::ordered_json PlanToJson(const engine::Plan* plan, const engine::Diagnostics& diags) {
  nlohmann::ordered_json doc;
  doc["format_version"] = kPlanJsonVersion;
  doc["certform_version"] = CERTFORM_VERSION;
  doc["valid"] = !diags.HasErrors();
  if (plan != nullptr) {
    doc["lineage"] = plan->lineage;
    doc["serial"] = plan->serial;
    doc["config_digest"] = plan->config_digest;
    nlohmann::ordered_json changes = nlohmann::ordered_json::array();
    for (const engine::Change& c : plan->changes) {
      nlohmann::ordered_json j = engine::ChangeToJson(c);
      j["actions"] = {engine::ActionName(c.action)};
      // 1.2: where the domain lives; "domain" stays the binding's address (what --target takes).
      const engine::Address& where = c.address;
      j["product"] = where.product;
      j["domain_name"] = where.domain;
      // 1.3: where the domain lives, one field per location field of its product (OSS: bucket,
      // region).
      if (const engine::ProductRules* rules = engine::FindProduct(where.product)) {
        for (size_t i = rules->location.size(); i-- > 0;) {
          if (i < where.location.size()) j[rules->location[i].key] = where.location[i];
        }
      }
      changes.push_back(std::move(j));
    }
    doc["changes"] = std::move(changes);
    if (!plan->uploads.empty()) doc["uploads"] = engine::UploadsToJson(plan->uploads);
    engine::PlanSummary s = plan->Summary();
    doc["summary"] = {{"create", s.create},   {"update", s.update}, {"delete", s.remove},
                      {"no_op", s.unchanged}, {"forget", s.forget}, {"move", s.move}};
    if (s.rename > 0) doc["summary"]["rename"] = s.rename;
    if (s.upload > 0) doc["summary"]["upload"] = s.upload;
  }
  doc["diagnostics"] = DiagnosticsToJson(diags);
  return doc;
}

}  // namespace certform::cli
