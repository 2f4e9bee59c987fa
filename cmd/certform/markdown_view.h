// Markdown renderings for pull-request comments and issues: a summary by account and product, one
// row per certificate change (old → new, expiry, SANs), then the domains in collapsed <details>
// sections, all under a size limit. Never a secret; every outside string escaped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "cmd/certform/plan_summary.h"
#include "engine/plan/drift.h"
#include "engine/plan/plan.h"
#include "engine/state/state.h"

namespace certform::cli {

// The default size limit, in bytes (which bound characters): below GitHub's 65,536-character
// limit on a comment or an issue body, with room for a workflow's own lines around it.
inline constexpr size_t kMarkdownMaxSize = 60000;
// The smallest limit --max-size takes (the title, summary line and note must fit).
inline constexpr size_t kMarkdownMinSize = 2000;

struct MarkdownOptions {
  // Bytes; 0: no limit. Over it, the end is left out (whole table rows, lines and <details>
  // blocks only) and a note at the top says how many domains and sections are not shown.
  size_t max_size = kMarkdownMaxSize;
};

// `known`: certificates whose details may describe what a change replaces (the configuration's;
// the plan's own are always used).
std::string PlanToMarkdown(const engine::Plan& plan, int64_t now,
                           const MarkdownOptions& options = {},
                           const KnownCertificates& known = {});
// `state` (optional) names the certificate each drifted domain was recorded with.
std::string DriftToMarkdown(const engine::DriftReport& report, int64_t now,
                            const MarkdownOptions& options = {},
                            const engine::State* state = nullptr);

}  // namespace certform::cli
