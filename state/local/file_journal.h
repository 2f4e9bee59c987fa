// Journal: the local backend's apply log, which makes each completed call durable before it is
// reported: one JSON line per completed call (JournalRecordToJson), fsync'd.
#pragma once

#include <string>

#include "engine/base/file_system.h"
#include "engine/base/status.h"
#include "engine/state/journal_record.h"
#include "engine/state/state.h"

namespace certform::engine {

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
