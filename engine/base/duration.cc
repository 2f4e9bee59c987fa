#include "engine/base/duration.h"

#include <cmath>

namespace certform::engine {

namespace {

constexpr double kMaxSeconds = 10000.0 * 3600;

}  // namespace

std::optional<Clock::Duration> ParseDuration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  double seconds = 0;
  size_t i = 0;
  bool bare = true;
  while (i < text.size()) {
    const size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) != 0)) ++i;
    if (i < text.size() && text[i] == '.') {
      ++i;
      while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) != 0)) ++i;
    }
    const std::string number = text.substr(start, i - start);
    if (number.empty() || number == "." || number.size() > 12) return std::nullopt;
    const double value = std::stod(number);
    const size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i])) != 0) ++i;
    const std::string unit = text.substr(unit_start, i - unit_start);
    double scale = 0;
    if (unit == "ms") {
      scale = 0.001;
    } else if (unit == "s") {
      scale = 1;
    } else if (unit == "m") {
      scale = 60;
    } else if (unit == "h") {
      scale = 3600;
    } else if (unit.empty() && bare && i == text.size()) {
      scale = 1;  // a bare number: seconds
    } else {
      return std::nullopt;
    }
    bare = false;
    seconds += value * scale;
    if (seconds > kMaxSeconds) return std::nullopt;
  }
  return std::chrono::duration_cast<Clock::Duration>(
      std::chrono::microseconds(std::llround(seconds * 1e6)));
}

}  // namespace certform::engine
