#include "engine/base/json_fields.h"

#include <fmt/format.h>

namespace certform::engine {

namespace {

const nlohmann::json& EmptyObject() {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  return kEmpty;
}

const nlohmann::json& EmptyArray() {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  return kEmpty;
}

// Line and column of a byte offset, for messages about JSON syntax.
std::pair<int, int> LineColumn(std::string_view text, size_t offset) {
  int line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

}  // namespace

Status ParseJsonDocument(std::string_view text, const std::string& what, nlohmann::json* doc) {
  try {
    *doc = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    auto [line, column] = LineColumn(text, e.byte > 0 ? e.byte - 1 : 0);
    std::string reason = e.what();
    size_t colon = reason.rfind(": ");
    if (colon != std::string::npos) reason = reason.substr(colon + 2);
    return Status::Corruption(
        fmt::format("{} is not valid JSON (line {}, column {}): {}", what, line, column, reason));
  } catch (const nlohmann::json::exception& e) {
    // Not only syntax: a number too large for a double is out_of_range (found by state_fuzzer).
    return Status::Corruption(fmt::format("{} is not valid JSON: {}", what, e.what()));
  }
  if (!doc->is_object()) return Status::Corruption(what + " is not a JSON object");
  return Status::OK();
}

JsonFields::JsonFields(const nlohmann::json& object, std::string what)
    : object_(object), what_(std::move(what)) {
  if (!object_.is_object()) status_ = Status::Corruption(what_ + " is not a JSON object");
}

const nlohmann::json* JsonFields::Field(const char* key, nlohmann::json::value_t type,
                                        const char* expected) {
  if (!status_.ok()) return nullptr;
  auto it = object_.find(key);
  if (it == object_.end()) {
    status_ = Status::Corruption(fmt::format("{}: field \"{}\" is missing", what_, key));
    return nullptr;
  }
  bool matches = it->type() == type ||
                 (type == nlohmann::json::value_t::number_integer && it->is_number_integer());
  if (!matches) {
    status_ = Status::Corruption(
        fmt::format("{}: field \"{}\" must be {}, not {}", what_, key, expected, it->type_name()));
    return nullptr;
  }
  return &*it;
}

std::string JsonFields::String(const char* key) {
  const nlohmann::json* v = Field(key, nlohmann::json::value_t::string, "a string");
  return v ? v->get<std::string>() : "";
}

int64_t JsonFields::Int(const char* key) {
  const nlohmann::json* v = Field(key, nlohmann::json::value_t::number_integer, "an integer");
  return v ? v->get<int64_t>() : 0;
}

bool JsonFields::Bool(const char* key) {
  const nlohmann::json* v = Field(key, nlohmann::json::value_t::boolean, "a boolean");
  return v ? v->get<bool>() : false;
}

const nlohmann::json& JsonFields::Object(const char* key) {
  const nlohmann::json* v = Field(key, nlohmann::json::value_t::object, "an object");
  return v ? *v : EmptyObject();
}

const nlohmann::json& JsonFields::Array(const char* key) {
  const nlohmann::json* v = Field(key, nlohmann::json::value_t::array, "an array");
  return v ? *v : EmptyArray();
}

}  // namespace certform::engine
