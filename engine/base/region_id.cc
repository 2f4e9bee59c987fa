#include "engine/base/region_id.h"

#include <algorithm>
#include <vector>

namespace certform::engine {

namespace {

bool Lower(char c) { return c >= 'a' && c <= 'z'; }
bool LowerOrDigit(char c) { return Lower(c) || (c >= '0' && c <= '9'); }

}  // namespace

std::string RegionIdProblem(std::string_view region) {
  constexpr size_t kMax = 32;
  if (region.empty()) return "the region id is empty";
  if (region.size() > kMax) return "a region id has at most 32 characters";
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    const size_t dash = region.find('-', start);
    parts.push_back(region.substr(start, dash == std::string_view::npos ? dash : dash - start));
    if (dash == std::string_view::npos) break;
    start = dash + 1;
  }
  bool ok = parts.size() >= 2 && parts[0].size() >= 2 && parts[0].size() <= 3 &&
            std::all_of(parts[0].begin(), parts[0].end(), Lower) && !parts[1].empty() &&
            std::all_of(parts[1].begin(), parts[1].end(), Lower);
  for (size_t i = 2; ok && i < parts.size(); ++i) {
    ok = !parts[i].empty() && std::all_of(parts[i].begin(), parts[i].end(), LowerOrDigit);
  }
  return ok ? "" : "not a region id such as \"cn-hangzhou\" or \"ap-southeast-1\"";
}

}  // namespace certform::engine
