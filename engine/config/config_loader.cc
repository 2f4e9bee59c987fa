#include "engine/config/config_loader.h"

#include <map>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "engine/config/toml_file_reader.h"

// Each section of a configuration file is read in its own file: state_section.cc,
// prune_section.cc, account_section.cc, certificate_section.cc and binding_section.cc.
namespace certform::engine {

namespace config_reading {

namespace {

const std::vector<std::string> kTopKeys = {"expiry_warning_days",
                                           "expiry_fail_days",
                                           "on_removal",
                                           "account",
                                           "certificate",
                                           "binding",
                                           "state",
                                           "prune",
                                           "verify"};

}  // namespace

const char* TypeName(toml::node_type t) {
  switch (t) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
      return "a date or time";
    default:
      return "nothing";
  }
}

void FileReader::Read(const toml::table& root) {
  CheckKeys(root, kTopKeys, "");
  if (const toml::node* n = root.get("expiry_warning_days")) ReadExpiryDays(*n);
  if (const toml::node* n = root.get("expiry_fail_days")) ReadExpiryFailDays(*n);
  if (const toml::node* n = root.get("on_removal")) ReadOnRemoval(*n);
  if (const toml::node* n = root.get("account")) {
    ForEachNamedTable(*n, "account",
                      [&](const std::string& name, const toml::table& t) { ReadAccount(name, t); });
  }
  if (const toml::node* n = root.get("certificate")) {
    ForEachNamedTable(*n, "certificate", [&](const std::string& name, const toml::table& t) {
      ReadCertificate(name, t);
    });
  }
  if (const toml::node* n = root.get("binding")) ReadBindings(*n);
  if (const toml::node* n = root.get("state")) {
    const int errors = diags_->ErrorCount();
    ReadState(*n);
    config_->state.valid = diags_->ErrorCount() == errors;
  }
  if (const toml::node* n = root.get("prune")) ReadPrune(*n);
  if (const toml::node* n = root.get("verify")) ReadVerify(*n);
}

std::vector<std::string> FileReader::CheckKeys(const toml::table& t,
                                               const std::vector<std::string>& allowed,
                                               const std::string& context,
                                               const std::vector<std::string>& reported_elsewhere) {
  std::vector<std::string> suggested;
  for (auto&& [key, value] : t) {
    std::string k(key.str());
    if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
    if (std::find(reported_elsewhere.begin(), reported_elsewhere.end(), k) !=
        reported_elsewhere.end()) {
      continue;
    }
    std::string hint = Suggest(k, allowed);
    if (!hint.empty()) suggested.push_back(hint);
    std::string where = context.empty() ? "" : " in " + context;
    diags_->Error(Pos(key.source()), fmt::format("unknown key \"{}\"{}", k, where),
                  hint.empty() ? fmt::format("allowed keys: {}", fmt::join(allowed, ", "))
                               : fmt::format("did you mean \"{}\"?", hint));
  }
  return suggested;
}

void FileReader::WrongType(const toml::node& n, const std::string& key, const char* expected) {
  diags_->Error(Pos(n),
                fmt::format("\"{}\" must be {}, not {}", key, expected, TypeName(n.type())));
}

std::optional<std::string> FileReader::String(const toml::table& t, const std::string& key) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_string()) {
    WrongType(*n, key, "a string");
    return std::nullopt;
  }
  return n->value<std::string>();
}

// Records a top-level definition; false (and an error naming both places) when seen before.
bool FileReader::FirstDefinition(const std::string& what, SourcePos where) {
  auto [it, inserted] = seen_->emplace(what, where);
  if (!inserted) {
    diags_->Error(where, fmt::format("{} is defined twice", what),
                  fmt::format("first defined at {}", it->second.ToString()));
  }
  return inserted;
}

void FileReader::ReadExpiryDays(const toml::node& n) {
  if (!FirstDefinition("expiry_warning_days", Pos(n))) return;
  if (!n.is_integer()) return WrongType(n, "expiry_warning_days", "an integer");
  int64_t v = *n.value<int64_t>();
  if (v < 0 || v > 3650) {
    diags_->Error(Pos(n), "\"expiry_warning_days\" must be between 0 and 3650",
                  fmt::format("found {}", v));
    return;
  }
  config_->expiry_warning_days = static_cast<int>(v);
}

void FileReader::ReadExpiryFailDays(const toml::node& n) {
  if (!FirstDefinition("expiry_fail_days", Pos(n))) return;
  if (!n.is_integer()) return WrongType(n, "expiry_fail_days", "an integer");
  int64_t v = *n.value<int64_t>();
  if (v < 0 || v > 3650) {
    diags_->Error(Pos(n), "\"expiry_fail_days\" must be between 0 and 3650",
                  fmt::format("found {}; 0 turns the check off", v));
    return;
  }
  config_->expiry_fail_days = static_cast<int>(v);
  config_->expiry_fail_where = Pos(n);
}

void FileReader::ReadOnRemoval(const toml::node& n) {
  if (!FirstDefinition("on_removal", Pos(n))) return;
  if (!n.is_string()) return WrongType(n, "on_removal", "a string");
  const std::string v = *n.value<std::string>();
  static const std::vector<std::string> kValues = {"forget", "disable"};
  if (v == "forget" || v == "disable") {
    config_->on_removal = v == "disable" ? OnRemoval::kDisable : OnRemoval::kForget;
    return;
  }
  const std::string hint = Suggest(v, kValues);
  diags_->Error(
      Pos(n), fmt::format("\"on_removal\" must be \"forget\" or \"disable\", not \"{}\"", v),
      hint.empty() ? "\"forget\" (the default) leaves a removed binding's live certificate "
                     "as it is; \"disable\" switches its HTTPS off"
                   : fmt::format("did you mean \"{}\"?", hint));
}
std::string PlainSyntaxError(const std::string& text, int line, int column,
                             const std::string& description) {
  // toml++ reports a string left open as the line break that follows it ("unescaped control
  // characters ..."): say what the user did.
  size_t start = 0;
  for (int l = 1; l < line && start != std::string::npos; ++l) {
    start = text.find('\n', start);
    if (start != std::string::npos) ++start;
  }
  if (start == std::string::npos || line < 1 || column < 1) return description;
  const size_t end = text.find('\n', start);
  const size_t length = (end == std::string::npos ? text.size() : end) - start;
  const bool at_line_end =
      static_cast<size_t>(column) > length ||
      (static_cast<size_t>(column) == length && text[start + length - 1] == '\r');
  if (at_line_end && description.find("control characters") != std::string::npos) {
    return "unterminated string: a quoted value must end on its own line (add the closing quote, "
           "or use \"\"\" for a value over several lines)";
  }
  return description;
}

}  // namespace config_reading

using config_reading::FileReader;

Config LoadConfig(FileSystem& fs, const std::string& dir, Diagnostics* diags) {
  Config config;
  config.dir = dir;
  std::vector<std::string> names;
  Status s = fs.ListFiles(dir, ".toml", &names);
  if (!s.ok()) {
    diags->Error({dir, 0, 0}, "cannot read the configuration directory", s.message());
    return config;
  }
  if (names.empty()) {
    diags->Error({dir, 0, 0}, "no *.toml configuration files in this directory",
                 "pass the configuration directory with --config DIR");
    return config;
  }
  std::map<std::string, SourcePos> seen;
  std::vector<FileReader::RawBinding> bindings;
  bool every_file_read = true;
  for (const std::string& name : names) {
    const std::string path = JoinPath(dir, name);
    config.files.push_back(path);
    std::string text;
    if (Status rs = ReadBoundedFile(fs, path, kMaxConfigFileBytes, &text); !rs.ok()) {
      diags->Error({path, 0, 0}, "cannot read configuration file", rs.message());
      every_file_read = false;
      continue;
    }
    toml::table root;
    try {
      root = toml::parse(text, path);
    } catch (const toml::parse_error& e) {
      const int line = static_cast<int>(e.source().begin.line);
      const int column = static_cast<int>(e.source().begin.column);
      diags->Error({path, line, column},
                   fmt::format("TOML syntax error: {}",
                               config_reading::PlainSyntaxError(text, line, column,
                                                                std::string(e.description()))),
                   "nothing else of this file was read: what it defines is checked once it "
                   "parses");
      every_file_read = false;
      continue;
    }
    FileReader reader(path, &config, diags, &seen);
    reader.Read(root);
    for (auto& b : reader.bindings()) bindings.push_back(std::move(b));
  }
  LinkBindings(std::move(bindings), &config, diags, every_file_read);
  config_reading::CheckPruneSkips(config, diags);
  return config;
}

std::string TomlVersion() {
  return std::to_string(TOML_LIB_MAJOR) + "." + std::to_string(TOML_LIB_MINOR) + "." +
         std::to_string(TOML_LIB_PATCH);
}

}  // namespace certform::engine
