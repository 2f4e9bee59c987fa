#include "state/local/file_journal.h"

#include <fmt/format.h>

#include "state/local/state_store.h"

namespace certform::engine {

namespace {

constexpr int64_t kMaxJournalBytes = int64_t{256} << 20;  // as the state file

}  // namespace

Status Journal::Append(const JournalRecord& record) {
  return fs_.AppendDurable(path_, JournalRecordToJson(record) + "\n", kPrivateFileMode);
}

Status Journal::Replay(State* state, int* applied) {
  *applied = 0;
  std::string text;
  // The journal is outside input like the state: a regular file of bounded size (a FIFO or
  // /dev/zero in its place is an error, not a hang or an abort).
  Status s = ReadBoundedFile(fs_, path_, kMaxJournalBytes, &text);
  if (s.IsNotFound()) return Status::OK();
  if (!s.ok()) return s;
  size_t start = 0;
  int line_no = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    const bool complete = end != std::string::npos;
    std::string line = text.substr(start, complete ? end - start : std::string::npos);
    ++line_no;
    start = complete ? end + 1 : text.size();
    if (line.empty()) continue;
    JournalRecord r;
    Status parsed = ParseJournalRecord(line, fmt::format("journal {} line {}", path_, line_no), &r);
    if (!parsed.ok()) {
      if (!complete) break;  // torn final write: the call it describes was never reported
      return parsed;
    }
    ApplyRecord(r, state);
    ++*applied;
  }
  return Status::OK();
}

}  // namespace certform::engine
