#include "cmd/certform/plan_summary.h"

#include <algorithm>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "engine/base/clock.h"
#include "engine/base/digest.h"

namespace certform::cli {

namespace {

using engine::Action;
using What = ServedSide::What;

ServedSide FromEntry(const engine::StateEntry& e, const KnownCertificates& known) {
  ServedSide s;
  if (!e.https) {
    s.what = What::kHttpsOff;
    return s;
  }
  s.what = What::kCertificate;
  s.certificate = e.certificate;
  s.cert_type = e.cert_type;
  s.fingerprint = e.fingerprint;
  s.cert_id = e.cert_id;
  s.not_after = e.not_after;
  if (auto it = known.find(e.fingerprint); !e.fingerprint.empty() && it != known.end()) {
    s.info = it->second;
  }
  return s;
}

ServedSide Before(const engine::Change& c, const KnownCertificates& known) {
  return c.before ? FromEntry(*c.before, known) : ServedSide{};
}

// What `c` leaves the domain serving. A change without an `after` makes a call to switch HTTPS
// off (a delete) or makes none and leaves the live binding as it is (a forget, or any state-only
// kind of change).
ServedSide After(const engine::Change& c, const KnownCertificates& known) {
  ServedSide s;
  if (c.action == Action::kForget || !c.after) {
    s.what = c.action != Action::kForget && engine::CallsProvider(c.action) ? What::kHttpsOff
                                                                            : What::kLeftAsIs;
    return s;
  }
  s = FromEntry(*c.after, known);
  if (c.certificate && s.what == What::kCertificate) s.info = c.certificate;
  return s;
}

SanChange CompareSans(const ServedSide& before, const ServedSide& after) {
  SanChange d;
  if (!before.info || !after.info) return d;
  d.known = true;
  const std::set<std::string> old_names(before.info->sans.begin(), before.info->sans.end());
  const std::set<std::string> new_names(after.info->sans.begin(), after.info->sans.end());
  for (const std::string& n : after.info->sans) {
    if (!old_names.count(n)) d.added.push_back(n);
  }
  for (const std::string& n : before.info->sans) {
    if (!new_names.count(n)) d.removed.push_back(n);
  }
  return d;
}

// The content a side serves, for grouping: the fingerprint when known, else the id and type.
std::string ContentKey(const ServedSide& s) {
  return s.fingerprint.empty() ? fmt::format("{}#{}", s.cert_type, s.cert_id) : s.fingerprint;
}

// Certificate changes in review order: the certificates served after (by key and content) first,
// then the switch-offs and the changes that leave the binding as it is; by action, then by what
// was served before. Also the identity of a change: equal keys are one certificate change.
using ChangeKey = std::tuple<int, std::string, std::string, int, int, std::string, std::string>;
ChangeKey KeyOf(Action action, const ServedSide& before, const ServedSide& after) {
  return {after.what == What::kCertificate ? 0 : static_cast<int>(after.what) + 1,
          after.certificate,
          ContentKey(after),
          static_cast<int>(action),
          static_cast<int>(before.what),
          before.certificate,
          ContentKey(before)};
}

// An account and a product, in the plan's order (engine::BindingOrder), which a plan file edited
// by hand need not keep.
using Where = std::tuple<std::string, size_t, std::string>;
Where WhereOf(const engine::Change& c) {
  return {c.account, std::get<1>(engine::BindingOrder(c.account, c.address)), c.address.product};
}

DomainGroup& GroupOf(const engine::Change& c, CertificateChange* change) {
  const auto key = std::tuple_cat(WhereOf(c), std::make_tuple(c.address.Location()));
  const auto key_of = [](const DomainGroup& g) {
    return std::make_tuple(g.account, g.product_rank, g.product, g.location);
  };
  auto it =
      std::lower_bound(change->groups.begin(), change->groups.end(), key,
                       [&](const DomainGroup& g, const decltype(key)& k) { return key_of(g) < k; });
  if (it == change->groups.end() || key_of(*it) != key) {
    it = change->groups.insert(
        it, {c.account, std::get<1>(key), c.address.product, std::get<3>(key), {}, c.reasons});
  }
  return *it;
}

// "a, b, … and 3 more".
std::string Names(const std::vector<std::string>& names, size_t max_names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < max_names; ++i) {
    out += (i == 0 ? "" : ", ") + names[i];
  }
  if (names.size() > max_names) out += fmt::format(", … and {} more", names.size() - max_names);
  return out;
}

void AddToGroups(const engine::Change& c, CertificateChange* change) {
  DomainGroup& g = GroupOf(c, change);
  g.changes.push_back(&c);
  std::erase_if(g.common_reasons, [&](const std::string& r) {
    return std::find(c.reasons.begin(), c.reasons.end(), r) == c.reasons.end();
  });
  ++change->domains;
}

}  // namespace

std::vector<std::string> DomainGroup::OwnReasons(const engine::Change& c) const {
  std::vector<std::string> own;
  for (const std::string& r : c.reasons) {
    if (std::find(common_reasons.begin(), common_reasons.end(), r) == common_reasons.end()) {
      own.push_back(r);
    }
  }
  return own;
}

KnownCertificates CertificatesOf(const engine::Plan& plan) {
  KnownCertificates known;
  for (const engine::Change& c : plan.changes) {
    if (c.certificate && !c.certificate->fingerprint.empty()) {
      known.emplace(c.certificate->fingerprint, *c.certificate);
    }
  }
  for (const engine::UploadStep& u : plan.uploads) {
    if (u.info && !u.info->fingerprint.empty()) known.emplace(u.info->fingerprint, *u.info);
  }
  return known;
}

KnownCertificates ConfiguredCertificates(const engine::Config& config) {
  KnownCertificates known;
  for (const auto& [key, c] : config.certificates) {
    if (!c.info.fingerprint.empty()) known.emplace(c.info.fingerprint, c.info);
  }
  return known;
}

PlanReview ReviewPlan(const engine::Plan& plan, const KnownCertificates& extra) {
  KnownCertificates known = CertificatesOf(plan);
  known.insert(extra.begin(), extra.end());
  PlanReview review;
  review.summary = plan.Summary();
  std::set<std::string> verbs;
  std::map<ChangeKey, CertificateChange> changes;
  std::map<Where, AccountProductCount> counts;
  for (const engine::Change& c : plan.changes) {
    AccountProductCount& count = counts[WhereOf(c)];
    count.account = c.account;
    count.product = c.address.product;
    if (c.action == Action::kNoOp) {
      ++count.unchanged;
      continue;
    }
    ++review.changed_domains;
    ServedSide before = Before(c, known), after = After(c, known);
    const std::string verb = ActionVerb(c.action, after);
    ++count.verbs[verb];
    verbs.insert(verb);
    if ((c.action == Action::kCreate || c.action == Action::kUpdate) &&
        after.what == What::kHttpsOff) {
      --(c.action == Action::kCreate ? review.summary.create : review.summary.update);
      ++review.summary.remove;
    }
    auto [it, added] = changes.try_emplace(KeyOf(c.action, before, after));
    if (added) {
      it->second.action = c.action;
      it->second.before = before;
      it->second.after = after;
      it->second.sans = CompareSans(before, after);
    }
    AddToGroups(c, &it->second);
  }
  review.verbs.assign(verbs.begin(), verbs.end());
  std::stable_sort(
      review.verbs.begin(), review.verbs.end(),
      [](const std::string& a, const std::string& b) { return VerbOrder(a) < VerbOrder(b); });
  for (auto& [key, change] : changes) review.changes.push_back(std::move(change));
  for (auto& [where, count] : counts) review.counts.push_back(std::move(count));
  return review;
}

std::string ActionVerb(Action a, const ServedSide& after) {
  if (a == Action::kDelete) return "disable";
  if ((a == Action::kCreate || a == Action::kUpdate) && after.what == What::kHttpsOff) {
    return "disable";
  }
  if (a == Action::kCreate) return "bind";
  return engine::ActionName(a);  // update, forget, and any kind of change added later
}

int VerbOrder(const std::string& verb) {
  static const char* const kOrder[] = {"bind", "update", "disable", "forget", "rename"};
  for (int i = 0; i < 5; ++i) {
    if (verb == kOrder[i]) return i;
  }
  return 5;
}

std::string SideText(const ServedSide& side) {
  switch (side.what) {
    case What::kNotInState:
      return "not in state";
    case What::kHttpsOff:
      return "HTTPS off";
    case What::kLeftAsIs:
      return "left as it is";
    case What::kCertificate:
      break;
  }
  std::string s = side.certificate.empty() ? "a certificate" : side.certificate;
  std::string detail = side.cert_type;
  if (!side.fingerprint.empty()) {
    detail += (detail.empty() ? "" : ", ") + engine::ShortFingerprint(side.fingerprint);
  } else if (side.cert_id != 0) {
    detail += fmt::format("{}id {}", detail.empty() ? "" : ", ", side.cert_id);
  }
  return detail.empty() ? s : fmt::format("{} ({})", s, detail);
}

std::string ExpiryText(int64_t not_after, int64_t now) {
  if (not_after == 0) return "";
  const std::string date = engine::FormatUtc(not_after).substr(0, 10);
  const int64_t days = (not_after - now) / 86400;
  if (not_after <= now) return fmt::format("{} (expired {} days ago)", date, -days);
  return fmt::format("{} ({} days)", date, days);
}

std::string ExpiryChangeText(const CertificateChange& change, int64_t now) {
  const bool old_cert = change.before.what == What::kCertificate;
  const bool new_cert = change.after.what == What::kCertificate;
  const std::string old_expiry = ExpiryText(change.before.not_after, now);
  const std::string new_expiry = ExpiryText(change.after.not_after, now);
  if (!new_cert) return old_expiry;
  if (!old_cert || old_expiry == new_expiry) return new_expiry;
  return fmt::format("{} → {}", old_expiry.empty() ? "unknown" : old_expiry,
                     new_expiry.empty() ? "unknown" : new_expiry);
}

std::string SanChangeText(const CertificateChange& change, size_t max_names) {
  if (!change.after.info) return "";
  const std::vector<std::string>& now = change.after.info->sans;
  if (change.before.what != What::kCertificate) return Names(now, max_names);
  if (!change.sans.known) return Names(now, max_names) + " (before: not recorded)";
  std::vector<std::string> parts;
  if (!change.sans.added.empty()) parts.push_back("added " + Names(change.sans.added, max_names));
  if (!change.sans.removed.empty()) {
    parts.push_back("removed " + Names(change.sans.removed, max_names));
  }
  if (parts.empty()) return "unchanged";
  return parts.size() == 1 ? parts[0] : parts[0] + "; " + parts[1];
}

std::string SummaryLine(const engine::PlanSummary& s) {
  return fmt::format("Plan: {}{} to bind, {} to update, {} to disable{}{}{}.",
                     s.upload > 0 ? fmt::format("{} to upload, ", s.upload) : "", s.create,
                     s.update, s.remove,
                     s.forget > 0 ? fmt::format(", {} to forget", s.forget) : "",
                     s.rename > 0 ? fmt::format(", {} to rename (state only)", s.rename) : "",
                     s.move > 0 ? fmt::format(" ({} move{})", s.move, s.move == 1 ? "" : "s") : "");
}

}  // namespace certform::cli
