// Durations as people write them, as Go's time.ParseDuration and Terraform do: one or more
// decimal numbers each with a unit (ms, s, m, h), e.g. "500ms", "1.5s", "5m30s", "1h"; a bare
// number is seconds.
#pragma once

#include <optional>
#include <string>

#include "engine/base/clock.h"

namespace certform::engine {

// Nothing for anything else, or more than 10,000 hours.
std::optional<Clock::Duration> ParseDuration(const std::string& text);

}  // namespace certform::engine
