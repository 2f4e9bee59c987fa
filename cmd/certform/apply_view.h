// Rendering the applier's events: a progress line on a terminal, plain lines in CI, or one JSON
// object per event with --json. Never a secret: only domains, codes, messages and RequestIds.
#pragma once

#include <memory>
#include <ostream>

#include "cmd/certform/style.h"
#include "engine/apply/applier.h"

namespace certform::cli {

// apply --json's format_version, on its apply_start event: 1.1 added the `upload` events.
inline constexpr char kApplyJsonVersion[] = "1.1";

// kJson: JSON lines; kTerminal: an updating progress line; kPlain: one line per event.
enum class ViewMode { kPlain, kTerminal, kJson };

std::unique_ptr<engine::ApplyObserver> MakeApplyView(std::ostream& out, ViewMode mode,
                                                     const Style& style);

// The closing report: counts, then every failed domain with code, message and RequestId.
void PrintApplyReport(std::ostream& out, const engine::ApplyResult& result, const Style& style);

// The closing report as one JSON object ({"type":"summary",...}).
void PrintApplyReportJson(std::ostream& out, const engine::ApplyResult& result);

}  // namespace certform::cli
