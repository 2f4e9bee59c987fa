// Rendering a Plan for people and for machines.
#pragma once

#include <cstdint>
#include <ostream>

#include <nlohmann/json.hpp>

#include "cmd/certform/plan_summary.h"
#include "cmd/certform/style.h"
#include "engine/base/diagnostics.h"
#include "engine/plan/plan.h"

namespace certform::cli {

// plan --json's format_version: 1.1 added `uploads` and `summary.upload` (CAS uploads). Field
// names are stable within a major version; additions bump the minor.
// 1.1 added uploads; 1.2 each change's product and domain_name; 1.3 bucket and region (OSS); 1.4
// the "forget" action, moved_from/moved_to, and summary's forget and move; 1.5 the "rename" action
// (state only) and summary.rename (present when there are any), and gone_at/gone_request_id in
// an entry whose domain was found gone; 1.6 chain_digest (SHA-256 of the intermediates) in
// before/after, certificate and uploads, where known.
inline constexpr char kPlanJsonVersion[] = "1.6";

// The reviewable plan (never a key): the uploads, then each account, headed by what changes on
// it, and under it each certificate change once (plan_summary.h): the certificate's details, for
// a renewal old → new (fingerprint, issuer, key, SANs, expiry), the reasons the domains share,
// then one line per domain; then "Plan: N to bind, N to update, N to disable." (a binding with
// HTTPS off counted as a disable), or "No changes.". `now` (Unix seconds) is used for "expires
// in N days"; `known` may describe the old content a change replaces (the configuration's
// certificates).
void PrintPlan(std::ostream& out, const engine::Plan& plan, const Style& style, int64_t now,
               const KnownCertificates& known = {});

// The `plan --json` document: format_version, changes (no-ops included, each with Terraform-style
// "actions"), summary and diagnostics. `plan` may be null when the configuration had errors.
nlohmann::ordered_json PlanToJson(const engine::Plan* plan, const engine::Diagnostics& diags);

}  // namespace certform::cli
