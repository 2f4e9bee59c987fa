// Rendering an EdgeReport (what the edge serves, engine/plan/edge_verify.h) and the expiry
// failures that go with it (engine/plan/expiry_check.h): human text, JSON and Markdown, and the
// progress lines printed while apply --verify waits for propagation.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cmd/certform/markdown_view.h"
#include "cmd/certform/style.h"
#include "engine/plan/edge_verify.h"
#include "engine/plan/expiry_check.h"

namespace certform::cli {

void PrintVerify(std::ostream& out, const engine::EdgeReport& report,
                 const std::vector<engine::ExpiryFailure>& expiry, int fail_days,
                 const Style& style);

// One line: which domains still do not serve their certificate, and when the next round is.
void PrintVerifyWaiting(std::ostream& out, const engine::EdgeReport& so_far,
                        engine::Clock::Duration pause, const Style& style);

// Expiry failures alone (drift without --verify), one line each.
void PrintExpiryFailures(std::ostream& out, const std::vector<engine::ExpiryFailure>& expiry,
                         int fail_days, const Style& style);

// {"format_version","checked","serving","rounds","deadline_passed",
//  "domains":[{domain,account,server_name,connect,outcome,certificate,want_fingerprint,
//              served_fingerprint,served_chain,served_not_after,attempts,error,skipped}],
//  "expiry_failures":[{domain,what,not_after,days_left}]}
nlohmann::ordered_json VerifyToJson(const engine::EdgeReport& report,
                                    const std::vector<engine::ExpiryFailure>& expiry);
nlohmann::ordered_json ExpiryFailuresToJson(const std::vector<engine::ExpiryFailure>& expiry);

std::string VerifyToMarkdown(const engine::EdgeReport& report,
                             const std::vector<engine::ExpiryFailure>& expiry,
                             const MarkdownOptions& options = {});
// Expiry failures alone (drift without --verify).
std::string ExpiryFailuresToMarkdown(const std::vector<engine::ExpiryFailure>& expiry,
                                     const MarkdownOptions& options = {});

}  // namespace certform::cli
