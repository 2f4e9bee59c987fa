// Rendering a DriftReport for people and machines (Markdown is in markdown_view.h).
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

#include "cmd/certform/style.h"
#include "engine/plan/drift.h"

namespace certform::cli {

void PrintDrift(std::ostream& out, const engine::DriftReport& report, const Style& style);

// {"format_version","checked","drift","drifted":[{domain,account,reasons}],
//  "expiring":[{domain,not_after,days_left}],"errors":[{domain,account,error,error_code,request_id}]}
nlohmann::ordered_json DriftToJson(const engine::DriftReport& report);

}  // namespace certform::cli
