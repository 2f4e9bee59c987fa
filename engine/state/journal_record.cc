#include "engine/state/journal_record.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/state/state_file.h"

namespace certform::engine {

void ApplyRecord(const JournalRecord& record, State* state) {
  if (record.upload) {
    const std::string key = UploadKey(record.upload->account, record.upload->fingerprint);
    if (record.forget) {
      state->uploads.erase(key);
    } else {
      state->uploads[key] = *record.upload;
    }
  } else if (record.forget) {
    state->entries.erase(record.domain);
  } else {
    state->entries[record.domain] = record.entry;
  }
}

std::string JournalRecordToJson(const JournalRecord& record) {
  nlohmann::ordered_json j;
  if (record.upload) {
    j["upload"] = UploadToJson(*record.upload);
    if (record.forget) j["forget"] = true;
    return j.dump();
  }
  j["domain"] = record.domain;
  j["forget"] = record.forget;
  if (!record.forget) j["entry"] = EntryToJson(record.entry);
  return j.dump();
}

bool JournalRecordFromJson(const std::string& line, JournalRecord* out) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return false;
  JournalRecord r;
  if (j.contains("upload")) {
    UploadEntry u;
    if (!UploadFromJson(j["upload"], "journal", &u).ok()) return false;
    r.upload = u;
    if (j.contains("forget")) {
      if (!j["forget"].is_boolean()) return false;
      r.forget = j["forget"].get<bool>();
    }
    *out = std::move(r);
    return true;
  }
  if (!j.contains("domain") || !j["domain"].is_string() || !j.contains("forget") ||
      !j["forget"].is_boolean()) {
    return false;
  }
  r.domain = j["domain"].get<std::string>();
  r.forget = j["forget"].get<bool>();
  if (!r.forget) {
    if (!j.contains("entry") || !EntryFromJson(j["entry"], "journal", &r.entry).ok()) return false;
    r.entry.domain = r.domain;
  }
  *out = std::move(r);
  return true;
}

}  // namespace certform::engine
