// Journal: the apply log that makes each completed call durable before it is reported.
//
// One JSON line per completed call, fsync'd. Records are absolute ("this domain's entry is now
// X", "forget this domain"), so replaying one twice is harmless: a crash between a state
// checkpoint and clearing the journal loses nothing and breaks nothing.
#pragma once

#include <optional>
#include <string>

#include "engine/file_system.h"
#include "engine/state.h"
#include "engine/status.h"

namespace certform::engine {

struct JournalRecord {
  std::string domain;                 // empty for an upload record
  bool forget = false;                // true: the domain (or the upload) leaves the state
  StateEntry entry;                   // the domain's new entry when !forget
  std::optional<UploadEntry> upload;  // a completed upload to CAS, or with `forget` one pruned
                                      // (then no domain)
};

// Applies one record to `state`.
void ApplyRecord(const JournalRecord& record, State* state);

// One record as one line of JSON (no newline), and back; false for anything else. Shared by the
// local journal file and the PostgreSQL journal table.
std::string JournalRecordToJson(const JournalRecord& record);
bool JournalRecordFromJson(const std::string& line, JournalRecord* record);

class Journal {
 public:
  Journal(FileSystem& fs, std::string path) : fs_(fs), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  bool Exists() { return fs_.Exists(path_); }

  // Appends and fsyncs one record (mode 0600).
  Status Append(const JournalRecord& record);

  // Applies every record of the journal to `state` and counts them. A torn last line (a crash in
  // mid-write) is ignored; any other unreadable line is Corruption naming its line number.
  Status Replay(State* state, int* applied);

  Status Clear() { return fs_.Remove(path_); }

 private:
  FileSystem& fs_;
  std::string path_;
};

}  // namespace certform::engine
