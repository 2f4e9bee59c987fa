// "Did you mean" suggestions for misspelt keys, commands and flags (ninja's SpellcheckString).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace certform::engine {

// Edit distance (insertions, deletions, substitutions, adjacent transpositions).
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a likely typo (distance at most
// max(1, (len+2)/3)); empty otherwise.
std::string Suggest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace certform::engine
