// Plan: what apply would do, as a value (Terraform's plans.Plan).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/diagnostics.h"
#include "engine/config/certificate.h"
#include "engine/state/state.h"

namespace certform::engine {

enum class Action {
  kNoOp,    // state already matches the configuration
  kCreate,  // bind: the domain is not in state yet
  kUpdate,  // certificate, name, type or HTTPS switch differs
  kDelete,  // in state, gone from configuration, on_removal = "disable": HTTPS off, then forget
  kForget,  // in state, gone from configuration: forgotten, the live binding left as it is
  // Only the certificate's key ([certificate.NAME]) differs, for the same content (fingerprint) or
  // CAS id, CertName, type and HTTPS switch: the call would send what the state says is live, so
  // the new key is recorded in the state only, without a call (like Terraform's `moved`).
  kRename,
};

// "no-op", "create", "update", "delete" (Terraform's JSON action names); "forget" (as Terraform's
// `removed` blocks say); "rename" (a state-only update).
const char* ActionName(Action a);

// True for the actions apply makes a call for (create, update, delete): a forget or a rename is
// recorded in the state only, and needs no provider or credentials.
bool CallsProvider(Action a);

struct Change {
  Address address;
  std::string account;
  Action action = Action::kNoOp;
  std::vector<std::string> reasons;  // human, e.g. "fingerprint 3f2a1b0c…→9c1d2e3f…"
  std::optional<StateEntry> before;  // the state's entry, if any
  std::optional<StateEntry> after;   // the entry apply records; none for a delete
  // The certificate `after` serves, for review (upload certificates; empty otherwise).
  std::optional<CertificateInfo> certificate;
  // The state shows `after`'s CertName holding other content: the call replaces that content
  // (SetDomainServerCertificate's ForceSet=1), as a renewal under a fixed name needs.
  bool replaces_name = false;
  // Bound by CertId to the certificate uploaded to CAS under this UploadKey (upload_via = "cas");
  // the id comes from the state's uploads when apply makes the call.
  std::string upload_key;
  // A move: the domain's address changed (product, bucket or region). The new address's change (a
  // create) names the old address in moved_from; the old address's change (a forget or delete)
  // names the new one in moved_to, and apply deals with it only once the new binding succeeded.
  std::string moved_from;
  std::string moved_to;
  // A listener slot's renewal: the certificate it replaces is also another slot's of the same
  // listener (shared_slots.h), so it stays there; only the new one is bound.
  bool keeps_previous = false;
};

// A certificate to upload to Certificate Management Service before the bindings that use it
// (accounts with upload_via = "cas"): once per account and content.
struct UploadStep {
  std::string account;
  std::string certificate;  // the configuration's certificate key
  std::string fingerprint;
  std::string chain_digest;             // CertificateInfo::chain_digest ("" in older plan files)
  std::string name;                     // its CAS Name
  std::optional<CertificateInfo> info;  // for review
};

struct PlanSummary {
  int create = 0, update = 0, remove = 0, unchanged = 0, upload = 0;
  int forget = 0;  // forgotten, live binding left as it is (remove: HTTPS switched off first)
  int move = 0;    // domains bound at a new address before the old one is dealt with
  int rename = 0;  // state-only: recorded under the certificate's new key, no call
};

struct Plan {
  std::string lineage;  // of the state the plan was made against ("" if there was none)
  int64_t serial = 0;   // of that state
  std::string config_digest;
  std::string tool_version;
  std::string created_at;           // UTC
  std::vector<UploadStep> uploads;  // done first, by account then certificate
  std::vector<Change> changes;      // one per domain, no-ops included, by account then domain
  // The addresses the plan was limited to (`plan --target`), canonical; empty: every binding.
  // `apply PLANFILE` plans again with the same targets and applies only an equal plan.
  std::vector<std::string> targets;
  // Made against the state with the live bindings read in (`plan --refresh`): `apply PLANFILE`
  // reads them again and plans against them.
  bool refreshed = false;
  Diagnostics diags;  // warnings about what the plan cannot change (not in plan files)

  PlanSummary Summary() const;
  bool HasChanges() const;
};

}  // namespace certform::engine
