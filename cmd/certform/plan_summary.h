// The review model of a plan, which the human and the Markdown views both render: its changes
// counted by account and product, and grouped by certificate change (what the domains served
// before → what they will serve, the expiry and SAN difference), each group's domains by account
// and product. A pure function of the plan; nothing in it is escaped (the views escape).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/config/certificate.h"
#include "engine/config/config.h"
#include "engine/plan/plan.h"

namespace certform::cli {

// Certificates whose content is known, by SHA-256 fingerprint. A change's old side is known only
// by fingerprint and expiry (the state records no SANs, issuer or key): its details come from
// here when the old content is still one of the plan's or the configuration's certificates.
using KnownCertificates = std::map<std::string, engine::CertificateInfo>;

// The certificates a plan itself knows: each change's and each upload's.
KnownCertificates CertificatesOf(const engine::Plan& plan);
// The configuration's certificates whose content was read (upload certificates).
KnownCertificates ConfiguredCertificates(const engine::Config& config);

// What a domain serves at one end of a change.
struct ServedSide {
  enum class What {
    kNotInState,  // before only: certform never bound it (what is live is not known offline)
    kHttpsOff,    // no certificate served
    kLeftAsIs,    // after only: certform stops managing it and makes no call (a forget)
    kCertificate,
  };
  What what = What::kNotInState;
  std::string certificate;  // the configuration's key ("web")
  std::string cert_type;    // "upload" or "cas"
  std::string fingerprint;  // empty when unknown (a cas certificate bound by id)
  int64_t cert_id = 0;
  int64_t not_after = 0;                        // 0 when unknown
  std::optional<engine::CertificateInfo> info;  // the content's details, when known
};

// The SANs a change adds and removes; `known` false when the old side's SANs are not known.
struct SanChange {
  bool known = false;
  std::vector<std::string> added, removed;  // in certificate order
};

// The domains of one certificate change on one account and product, in one location of it (an
// OSS bucket).
struct DomainGroup {
  std::string account;
  size_t product_rank = 0;  // the product's place in the plan's order (engine::BindingOrder)
  std::string product;
  std::string location;  // engine::Address::Location(); empty when the product has none
  std::vector<const engine::Change*> changes;  // in plan order; owned by the plan
  std::vector<std::string> common_reasons;     // the reasons every one of them has
  // The reasons of `c` that are not common ones (a move's, for example).
  std::vector<std::string> OwnReasons(const engine::Change& c) const;
};

// Domains that go from `before` to `after` by the same action: one renewal, one new
// certificate, one switch-off. Sides are the same when they serve the same content (fingerprint,
// else type and id) under the same key: CertNames and ids may differ by account.
struct CertificateChange {
  engine::Action action = engine::Action::kNoOp;
  ServedSide before, after;
  SanChange sans;
  std::vector<DomainGroup> groups;  // by account, product and location, in the plan's order
  size_t domains = 0;
};

// The changes of one account on one product, counted by ActionVerb.
struct AccountProductCount {
  std::string account;
  std::string product;
  std::map<std::string, int> verbs;  // by ActionVerb
  int unchanged = 0;                 // no-ops
};

struct PlanReview {
  std::vector<std::string> verbs;           // the plan's ActionVerbs, in VerbOrder
  std::vector<AccountProductCount> counts;  // by account, then product
  std::vector<CertificateChange> changes;   // by new certificate, action, old certificate
  size_t changed_domains = 0;               // domains with a change (no-ops excluded)
  // The summary line's counts as a reviewer reads them: a change that leaves HTTPS off (a
  // create or update with https = false) is a disable, not a bind or an update.
  engine::PlanSummary summary;
};

// `known`: the certificates whose details may describe an old side (CertificatesOf(plan) is
// always added).
PlanReview ReviewPlan(const engine::Plan& plan, const KnownCertificates& known = {});

// "bind" (create), "update", "disable" (delete, and any change to HTTPS off), "forget"; any other
// action by its engine::ActionName, so that a new kind of change still prints.
std::string ActionVerb(engine::Action a, const ServedSide& after);

// Where `verb` is shown among the others: bind, update, disable, forget, then any other.
int VerbOrder(const std::string& verb);

// One side as plain text (the view escapes it): "web (upload, 6b2b5694…)", "HTTPS off", "not in
// state", "left as it is".
std::string SideText(const ServedSide& side);
// "2027-02-15 (89 days)", "2026-11-01 (expired 17 days ago)", or "" when unknown.
std::string ExpiryText(int64_t not_after, int64_t now);
// A change's expiry, old → new when both are certificates that expire apart: "2026-12-01 (13
// days) → 2027-02-15 (89 days)"; one date when only one side serves a certificate or both expire
// together; "unknown → …" when the old expiry was not recorded.
std::string ExpiryChangeText(const CertificateChange& change, int64_t now);
// A change's SANs: "added a, b; removed c", "unchanged", the new list when nothing was served
// before, "a, b (before: not recorded)" when the old content is not known; "" when the new side
// serves no known certificate. Lists longer than `max_names` end in "… and N more".
std::string SanChangeText(const CertificateChange& change, size_t max_names);

// "Plan: 1 to bind, 2 to update, 0 to disable."
std::string SummaryLine(const engine::PlanSummary& s);

}  // namespace certform::cli
