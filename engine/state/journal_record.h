// JournalRecord: one completed call, as the journal of every state backend keeps it (the local
// backend's .journal file, PostgreSQL's journal table) until the state absorbs it.
//
// Records are absolute ("this domain's entry is now
// X", "forget this domain"), so replaying one twice is harmless: a crash between a state
// checkpoint and clearing the journal loses nothing and breaks nothing.
#pragma once

#include <optional>
#include <string>

#include "engine/base/status.h"
#include "engine/state/state.h"

namespace certform::engine {

struct JournalRecord {
  Address address;                    // the binding's; empty for an upload record
  bool forget = false;                // true: the binding (or the upload) leaves the state
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
// The same, saying why a record is refused: not JSON, a missing field, or an address that breaks
// the configuration's rules (a record names its domain in canonical form); `where` names the
// record ("journal PATH line 3").
Status ParseJournalRecord(const std::string& line, const std::string& where, JournalRecord* record);

}  // namespace certform::engine
