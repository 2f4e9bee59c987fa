// A Markdown document built under a size limit (a pull-request comment's) from pieces that are
// each well-formed on their own: a paragraph, a table row, a line of a list, a <details> block's
// opening and closing. A piece is appended whole or not at all, and a <details> block is opened
// only with room kept for its closing, so that however the limit falls the document never ends
// inside a tag, a table row or an open <details>.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace certform::cli {

class MarkdownBudget {
 public:
  // At most `limit` bytes (0: no limit). A byte count bounds the character count GitHub limits.
  explicit MarkdownBudget(size_t limit) : limit_(limit) {}

  // Appends `piece` when it fits with the open blocks' closings still fitting after it; otherwise
  // appends nothing and the budget is spent: every later Add and Open fails too, so that nothing
  // after the cut is shown.
  bool Add(std::string_view piece);
  // Opens a block: appends `opening` when it and `closing` fit; Close() appends that `closing`
  // (its room is kept, so it always fits). False, and the budget spent, when they do not fit.
  bool Open(std::string_view opening, std::string closing);
  void Close();
  // Closes the innermost block with `shorter` instead of its closing (when no longer than it: a
  // block opened with the closing that says it was cut may close whole with a plain one).
  void CloseWith(std::string_view shorter);
  // Closes every open block.
  void CloseAll();

  // The bytes an Add may still take (kNoLimit without a limit).
  static constexpr size_t kNoLimit = static_cast<size_t>(-1);
  size_t Room() const;

  bool spent() const { return spent_; }
  size_t size() const { return out_.size(); }
  const std::string& text() const { return out_; }

 private:
  bool Fits(size_t n) const;

  size_t limit_;
  size_t kept_ = 0;  // bytes kept for the open blocks' closings
  bool spent_ = false;
  std::string out_;
  std::vector<std::string> closings_;  // of the open blocks, innermost last
};

// Tables longer than this are folded in <details>.
inline constexpr size_t kMarkdownFoldRows = 20;

// Appends a table, `header` (its heading and rule lines) with its first row, then one row after
// the other, folded in <details><summary>N `what`</summary> when it has more than
// kMarkdownFoldRows rows. Rows are whole lines, escaped by the caller; stops where the budget
// does.
void AddTable(MarkdownBudget* md, const std::string& header, const std::vector<std::string>& rows,
              const std::string& what);

// A collapsed list of domains: <details><summary>`summary_html`</summary>, then each part as one
// list item ("- heading item, item, …"), then </details>. Every string is escaped by the caller
// (`summary_html` for raw HTML: engine::ForHtml) and holds no newline.
struct ListSection {
  struct Part {
    std::string heading;  // inline Markdown, ending as it leads to the items ("…:")
    std::vector<std::string> items;
  };
  std::string summary_html;
  std::vector<Part> parts;

  size_t Items() const;
};

// What the sections appended so far listed, for the note on a shortened document.
struct ListingCount {
  size_t items = 0, shown = 0;     // items of every section; those appended
  size_t sections = 0, whole = 0;  // sections; those appended with every item
};

// Appends `sections`, adding to `count`. When they do not all fit, the room left is shared: the
// smaller sections whole, the others an equal part of what remains, so that a long section cannot
// crowd out the others; each cut short between two items, closed, and saying so.
void AddListSections(MarkdownBudget* md, const std::vector<ListSection>& sections,
                     ListingCount* count);

// The note a shortened document starts with: what is not shown (`count`'s items as `what`,
// "domains"), the limit, and where the whole is (`whole`, Markdown). The longest note for
// `count`'s totals is NoteRoom(count, ...)'s size.
std::string TruncationNote(const ListingCount& count, size_t limit, const std::string& what,
                           const std::string& whole);
size_t NoteRoom(const ListingCount& totals, size_t limit, const std::string& what,
                const std::string& whole);

}  // namespace certform::cli
