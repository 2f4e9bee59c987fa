#include "engine/base/suggest.h"

#include <algorithm>

namespace certform::engine {

size_t EditDistance(std::string_view a, std::string_view b) {
  // Optimal string alignment: like Levenshtein, plus adjacent transpositions ("wbe" → "web")
  // at cost 1, the most common typo of all.
  const size_t cols = b.size() + 1;
  std::vector<size_t> d((a.size() + 1) * cols);
  auto at = [&](size_t i, size_t j) -> size_t& { return d[i * cols + j]; };
  for (size_t i = 0; i <= a.size(); ++i) at(i, 0) = i;
  for (size_t j = 0; j <= b.size(); ++j) at(0, j) = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
      }
    }
  }
  return at(a.size(), b.size());
}

std::string Suggest(std::string_view word, const std::vector<std::string>& candidates) {
  const size_t max_distance = std::max<size_t>(1, (word.size() + 2) / 3);
  std::string best;
  size_t best_distance = max_distance + 1;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

}  // namespace certform::engine
