// Rendering a DriftReport for people and machines (Markdown is in markdown_view.h).
#pragma once

#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "cmd/certform/style.h"
#include "engine/plan/drift.h"

namespace certform::cli {

void PrintDrift(std::ostream& out, const engine::DriftReport& report, const Style& style);

// "3 domains", "2 listener slots" (all `n` are slots), or "5 bindings" (some are): what drift's
// summaries count.
std::string Bindings(size_t n, size_t slots);

// {"format_version","checked","drift","drifted":[{domain,account,reasons}],
//  "expiring":[{domain,not_after,days_left}],"errors":[{domain,account,error,error_code,request_id}]}
nlohmann::ordered_json DriftToJson(const engine::DriftReport& report);

}  // namespace certform::cli
