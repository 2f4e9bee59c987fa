// The saved plan file (`plan --out FILE`, `apply FILE`): JSON, mode 0600, no secret.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/base/file_system.h"
#include "engine/base/status.h"
#include "engine/plan/plan.h"

namespace certform::engine {

// The plan file's format. 2 added `uploads` (the CAS upload steps); version 1 plans (made by a
// certform that did not upload through CAS) are still applied. 3 added changes on products other
// than the CDN ("dcdn:www.example.com"): a plan with none is still written as version 2, one with
// any as 3, which an older certform refuses.
inline constexpr int kPlanFormatVersion = 3;
inline constexpr int kFirstProductPlanFormatVersion = 3;
inline constexpr int kCdnOnlyPlanFormatVersion = 2;  // what a plan without products is written as
inline constexpr int kOldestPlanFormatVersion = 1;

std::string SerializePlan(const Plan& plan);

// One change as the plan file stores it: domain, account, action, reasons, before, after,
// certificate (null where absent). Also the core of `plan --json`.
nlohmann::ordered_json ChangeToJson(const Change& change);

// The upload steps (accounts with upload_via = "cas") as the plan file and `plan --json` store
// them: account, certificate, fingerprint, name, details.
nlohmann::ordered_json UploadsToJson(const std::vector<UploadStep>& uploads);

// Corruption for anything that is not a certform plan file of a known version; `plan` is
// untouched on error.
Status ParsePlan(std::string_view text, const std::string& path, Plan* plan);

// The largest plan file certform reads (ReadBoundedFile).
inline constexpr int64_t kMaxPlanFileBytes = int64_t{256} << 20;

// Reads the plan file at `path` (bounded: ReadBoundedFile) and parses it (ParsePlan).
Status ReadPlanFile(FileSystem& fs, const std::string& path, Plan* plan);

}  // namespace certform::engine
