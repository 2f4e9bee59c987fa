#include "engine/state/journal_record.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/state/state_file.h"

namespace certform::engine {

void ApplyRecord(const JournalRecord& record, State* state) {
  if (record.upload) {
    const std::string key = UploadKey(*record.upload);
    if (record.forget) {
      state->uploads.erase(key);
    } else {
      state->uploads[key] = *record.upload;
    }
  } else if (record.forget) {
    state->entries.erase(record.address.Key());
  } else {
    state->entries[record.address.Key()] = record.entry;
  }
}

std::string JournalRecordToJson(const JournalRecord& record) {
  nlohmann::ordered_json j;
  if (record.upload) {
    j["upload"] = UploadToJson(*record.upload);
    if (record.forget) j["forget"] = true;
    return j.dump();
  }
  j["domain"] = record.address.Key();
  j["forget"] = record.forget;
  if (!record.forget) j["entry"] = EntryToJson(record.entry);
  return j.dump();
}

Status ParseJournalRecord(const std::string& line, const std::string& where, JournalRecord* out) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  const Status not_record = Status::Corruption(where + " is not a certform journal record");
  if (!j.is_object()) return not_record;
  JournalRecord r;
  if (j.contains("upload")) {
    UploadEntry u;
    if (Status s = UploadFromJson(j["upload"], where, &u); !s.ok()) return s;
    r.upload = u;
    if (j.contains("forget")) {
      if (!j["forget"].is_boolean()) return not_record;
      r.forget = j["forget"].get<bool>();
    }
    *out = std::move(r);
    return Status::OK();
  }
  if (!j.contains("domain") || !j["domain"].is_string() || !j.contains("forget") ||
      !j["forget"].is_boolean()) {
    return not_record;
  }
  std::string text = j["domain"].get<std::string>();
  if (Status s = CanonicalAddress(text, where, &r.address); !s.ok()) return s;
  if (const std::string canonical = r.address.Key(); canonical != text) {
    // certform journals canonical addresses only: another spelling was written by hand.
    return Status::Corruption(fmt::format("{}: address {} is not in canonical form ({})", where,
                                          Quoted(text), canonical));
  }
  r.forget = j["forget"].get<bool>();
  if (!r.forget) {
    if (!j.contains("entry")) return not_record;
    if (Status s = EntryFromJson(j["entry"], where, &r.entry); !s.ok()) return s;
    r.entry.address = r.address;
  }
  *out = std::move(r);
  return Status::OK();
}

bool JournalRecordFromJson(const std::string& line, JournalRecord* out) {
  return ParseJournalRecord(line, "journal", out).ok();
}

}  // namespace certform::engine
