#include "engine/base/clock.h"

#include <cstdio>
#include <ctime>
#include <thread>

namespace certform::engine {

void SystemClock::SleepFor(Duration d) { std::this_thread::sleep_for(d); }

int64_t ToUnixSeconds(Clock::WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

namespace {

std::string FormatWith(int64_t unix_seconds, const char* format) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  size_t n = std::strftime(buf, sizeof buf, format, &tm);
  return std::string(buf, n);
}

}  // namespace

std::string FormatUtc(int64_t unix_seconds) {
  return FormatWith(unix_seconds, "%Y-%m-%dT%H:%M:%SZ");
}

std::string FormatHttpDate(int64_t unix_seconds) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

bool ParseUtc(const std::string& text, int64_t* unix_seconds) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0') return false;
  *unix_seconds = static_cast<int64_t>(timegm(&tm));
  return true;
}

bool ParseHttpDate(const std::string& text, int64_t* unix_seconds) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return false;
  *unix_seconds = static_cast<int64_t>(timegm(&tm));
  return true;
}

}  // namespace certform::engine
