// Typed reading of JSON objects for certform's own files (state, plan), with one clear
// Corruption status naming the first missing or mistyped field. The one adapter around
// nlohmann's exceptions for these files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/base/status.h"

namespace certform::engine {

// Parses `text`; Corruption "<what> is not valid JSON (line L, column C): ..." on failure.
Status ParseJsonDocument(std::string_view text, const std::string& what, nlohmann::json* doc);

class JsonFields {
 public:
  JsonFields(const nlohmann::json& object, std::string what);

  // Each returns the field, or a zero value after recording the first problem in status().
  std::string String(const char* key);
  int64_t Int(const char* key);
  bool Bool(const char* key);
  const nlohmann::json& Object(const char* key);
  const nlohmann::json& Array(const char* key);

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

 private:
  const nlohmann::json* Field(const char* key, nlohmann::json::value_t type, const char* expected);

  const nlohmann::json& object_;
  std::string what_;
  Status status_;
};

}  // namespace certform::engine
