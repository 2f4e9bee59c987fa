#include "cmd/certform/markdown_budget.h"

#include <algorithm>

#include <fmt/format.h>

namespace certform::cli {

namespace {

// 60000 → "60,000".
std::string Thousands(size_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

bool MarkdownBudget::Fits(size_t n) const {
  return !spent_ && (limit_ == 0 || out_.size() + kept_ + n <= limit_);
}

bool MarkdownBudget::Add(std::string_view piece) {
  if (!Fits(piece.size())) {
    spent_ = true;
    return false;
  }
  out_ += piece;
  return true;
}

bool MarkdownBudget::Open(std::string_view opening, std::string closing) {
  if (!Fits(opening.size() + closing.size())) {
    spent_ = true;
    return false;
  }
  out_ += opening;
  kept_ += closing.size();
  closings_.push_back(std::move(closing));
  return true;
}

void MarkdownBudget::Close() {
  if (closings_.empty()) return;
  kept_ -= closings_.back().size();
  out_ += closings_.back();
  closings_.pop_back();
}

size_t MarkdownBudget::Room() const {
  if (limit_ == 0) return kNoLimit;
  if (spent_ || out_.size() + kept_ >= limit_) return 0;
  return limit_ - out_.size() - kept_;
}

void MarkdownBudget::CloseWith(std::string_view shorter) {
  if (closings_.empty()) return;
  if (shorter.size() > closings_.back().size()) return Close();
  kept_ -= closings_.back().size();
  out_ += shorter;
  closings_.pop_back();
}

void MarkdownBudget::CloseAll() {
  while (!closings_.empty()) Close();
}

void AddTable(MarkdownBudget* md, const std::string& header, const std::vector<std::string>& rows,
              const std::string& what) {
  if (rows.empty()) return;
  const bool fold = rows.size() > kMarkdownFoldRows;
  if (fold && !md->Open(fmt::format("<details><summary>{} {}</summary>\n\n", rows.size(), what),
                        "\n</details>\n")) {
    return;
  }
  if (md->Add(header + rows[0])) {
    for (size_t i = 1; i < rows.size() && md->Add(rows[i]); ++i) {
    }
  }
  if (fold) md->Close();
}

size_t ListSection::Items() const {
  size_t n = 0;
  for (const Part& p : parts) n += p.items.size();
  return n;
}

namespace {

constexpr char kCutClosing[] =
    "\n\n*… cut here: the note at the top says what is not shown.*\n\n</details>\n";
constexpr char kWholeClosing[] = "\n</details>\n";
constexpr size_t kCutExtra = sizeof kCutClosing - sizeof kWholeClosing;

std::string Opening(const ListSection& s) {
  return fmt::format("<details><summary>{}</summary>\n\n", s.summary_html);
}
// Each part one list item, on one line: no outside string starts a line, where it could start
// a block.
std::string PartOpening(const ListSection::Part& p) { return fmt::format("- {} ", p.heading); }

// The bytes AddListSection appends for `s` whole.
size_t WholeSize(const ListSection& s) {
  size_t n = Opening(s).size() + sizeof kWholeClosing - 1;
  for (const ListSection::Part& p : s.parts) {
    n += PartOpening(p).size() + 1;  // and its newline
    for (size_t i = 0; i < p.items.size(); ++i) n += (i == 0 ? 0 : 2) + p.items[i].size();
  }
  return n;
}

// Appends `section`, within `share` bytes (0: as many as the budget takes).
void AddListSection(MarkdownBudget* md, const ListSection& section, size_t share,
                    ListingCount* count) {
  const size_t items = section.Items();
  count->items += items;
  ++count->sections;
  const size_t start = md->size();
  if (!md->Open(Opening(section), kCutClosing)) return;
  const auto put = [&](const std::string& piece) {
    const size_t closing = sizeof kCutClosing - 1;
    if (share != 0 && md->size() - start + piece.size() + closing > share) return false;
    return md->Add(piece);
  };
  size_t shown = 0;
  for (const ListSection::Part& part : section.parts) {
    if (!put(PartOpening(part))) break;
    size_t i = 0;
    while (i < part.items.size() && put((i == 0 ? "" : ", ") + part.items[i])) ++i;
    shown += i;
    if (i < part.items.size() || !put("\n")) break;
  }
  if (shown < items) {
    md->Close();  // says it was cut
  } else {
    md->CloseWith(kWholeClosing);
    ++count->whole;
  }
  count->shown += shown;
}

// Each section's share of `room` when they do not all fit: the smaller ones whole, the others an
// equal part of what is left (0: no limit).
std::vector<size_t> Shares(const std::vector<ListSection>& sections, size_t room) {
  std::vector<size_t> sizes, shares(sections.size(), 0);
  size_t total = 0;
  for (const ListSection& s : sections) {
    sizes.push_back(WholeSize(s) + kCutExtra);
    total += sizes.back();
  }
  if (room == MarkdownBudget::kNoLimit || total <= room) return shares;
  std::vector<size_t> order(sections.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return sizes[a] < sizes[b]; });
  size_t left = room;
  for (size_t k = 0; k < order.size(); ++k) {
    const size_t fair = left / (order.size() - k);
    shares[order[k]] = std::max<size_t>(1, std::min(sizes[order[k]], fair));
    left -= std::min(left, shares[order[k]]);
  }
  return shares;
}

}  // namespace

void AddListSections(MarkdownBudget* md, const std::vector<ListSection>& sections,
                     ListingCount* count) {
  const std::vector<size_t> shares = Shares(sections, md->Room());
  for (size_t i = 0; i < sections.size(); ++i) {
    AddListSection(md, sections[i], shares[i], count);
  }
}

std::string TruncationNote(const ListingCount& count, size_t limit, const std::string& what,
                           const std::string& whole) {
  std::string left = "the end is not shown";
  if (count.shown < count.items) {
    left = fmt::format("{} of {} {} are not listed ({} of {} sections cut short or left out)",
                       Thousands(count.items - count.shown), Thousands(count.items), what,
                       Thousands(count.sections - count.whole), Thousands(count.sections));
  }
  return fmt::format("> **Shortened to stay under {} characters**: {}. {}\n\n", Thousands(limit),
                     left, whole);
}

size_t NoteRoom(const ListingCount& totals, size_t limit, const std::string& what,
                const std::string& whole) {
  ListingCount none = totals;
  none.shown = 0;
  none.whole = 0;
  return TruncationNote(none, limit, what, whole).size();
}

}  // namespace certform::cli
