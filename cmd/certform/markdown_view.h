// Markdown renderings for pull-request comments: a summary table, then per-certificate details,
// long lists folded in <details>. Never a secret.
#pragma once

#include <cstdint>
#include <string>

#include "engine/plan/drift.h"
#include "engine/plan/plan.h"

namespace certform::cli {

// Tables longer than this are folded in <details>.
inline constexpr size_t kMarkdownFoldRows = 20;

std::string PlanToMarkdown(const engine::Plan& plan, int64_t now);
std::string DriftToMarkdown(const engine::DriftReport& report, int64_t now);

}  // namespace certform::cli
