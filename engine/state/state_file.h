// The state file's JSON form, both ways. Entries are also embedded in plan files, so their
// codec is shared here.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/base/status.h"
#include "engine/state/state.h"

namespace certform::engine {

// The largest serial a state may hold (2^53, exact in any JSON reader): far more writes than any
// workspace makes, and far from int64's end.
inline constexpr int64_t kMaxStateSerial = int64_t{1} << 53;

// Serialises to the state file's JSON form (stable key order, trailing newline).
std::string SerializeState(const State& state);

// Parses `text`, read from `path` (used in messages). Corruption for invalid JSON (with line and
// column), a missing or mistyped field; InvalidArgument for a format_version this certform does
// not know. `state` is untouched on error.
Status ParseState(std::string_view text, const std::string& path, State* state);

// One entry without its domain (the domain is the key it is stored under).
nlohmann::ordered_json EntryToJson(const StateEntry& e);
// Reads an entry written by EntryToJson; `what` names it in a Corruption status.
nlohmann::ordered_json UploadToJson(const UploadEntry& u);
Status UploadFromJson(const nlohmann::json& j, const std::string& what, UploadEntry* u);
Status EntryFromJson(const nlohmann::json& j, const std::string& what, StateEntry* e);

// `text` from outside (a file, a row, the command line) quoted for messages, escaped as every
// view escapes outside text (engine::ForTerminal), cut after 300 bytes.
std::string Quoted(std::string_view text);

// The canonical form of address `text` (config/binding_address.h: AddressProblem) in
// `*canonical`; Corruption naming `where` (e.g. "state file PATH") and the problem otherwise.
Status CanonicalAddress(const std::string& text, const std::string& where, std::string* canonical);
// The same, yielding the typed address (config/binding_address.h: ParseAddress).
Status CanonicalAddress(const std::string& text, const std::string& where, Address* address);

}  // namespace certform::engine
