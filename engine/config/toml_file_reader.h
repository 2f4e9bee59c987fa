// The reading of one configuration file, shared by config_loader.cc and the files that read each
// of its sections (state_section.cc, prune_section.cc, account_section.cc,
// credentials_section.cc, certificate_section.cc, binding_section.cc). Internal to engine/config/:
// nothing outside includes it.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "engine/base/config_name.h"
#include "engine/base/diagnostics.h"
#include "engine/base/file_system.h"
#include "engine/base/suggest.h"
#include "engine/config/config.h"

namespace certform::engine::config_reading {

// "a string", "an integer", ...: a TOML value's type as messages name it.
const char* TypeName(toml::node_type t);

// A binding of one domain, remembered to report the first place when a domain is bound twice.
struct SeenDomain {
  SourcePos where;
};

// Reads one parsed TOML document into the Config, reporting into diags.
class FileReader {
 public:
  FileReader(std::string file, Config* config, Diagnostics* diags,
             std::map<std::string, SourcePos>* top_level_seen)
      : file_(std::move(file)), config_(config), diags_(diags), seen_(top_level_seen) {}

  void Read(const toml::table& root);  // config_loader.cc

  // Bindings as written, before accounts are known to be complete.
  struct RawBinding {
    DesiredBinding binding;
    bool account_given = false;
    SourcePos account_where, certificate_where;
  };
  std::vector<RawBinding>& bindings() { return bindings_; }

 private:
  SourcePos Pos(const toml::source_region& r) const {
    return {file_, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
  }
  SourcePos Pos(const toml::node& n) const { return Pos(n.source()); }

  // Reports each key of `t` not in `allowed` (with a "did you mean" when one is close); returns
  // the allowed keys it suggested, so that a check for a missing key does not count the same
  // typo twice. Keys in `reported_elsewhere` are left to the caller, which explains them better.
  std::vector<std::string> CheckKeys(const toml::table& t, const std::vector<std::string>& allowed,
                                     const std::string& context,
                                     const std::vector<std::string>& reported_elsewhere = {});

  void WrongType(const toml::node& n, const std::string& key, const char* expected);

  std::optional<std::string> String(const toml::table& t, const std::string& key);

  // Records a top-level definition; false (and an error naming both places) when seen before.
  bool FirstDefinition(const std::string& what, SourcePos where);

  template <typename Fn>
  void ForEachNamedTable(const toml::node& n, const std::string& kind, Fn fn) {
    const toml::table* t = n.as_table();
    if (t == nullptr) {
      diags_->Error(Pos(n),
                    fmt::format("\"{}\" must be a table of named {} tables, like "
                                "[{}.main]",
                                kind, kind, kind),
                    fmt::format("found {}", TypeName(n.type())));
      return;
    }
    for (auto&& [key, value] : *t) {
      const toml::table* inner = value.as_table();
      std::string name(key.str());
      if (inner == nullptr) {
        diags_->Error(Pos(key.source()),
                      fmt::format("{}.{} must be a table, like [{}.{}]", kind, name, kind, name),
                      fmt::format("found {}", TypeName(value.type())));
        continue;
      }
      if (std::string problem = ConfigNameProblem(name); !problem.empty()) {
        diags_->Error(Pos(key.source()), fmt::format("{} name \"{}\" {}", kind, name, problem),
                      "use 1 to 64 letters, digits, '_', '-' or '.', like [" + kind + ".main]");
        continue;
      }
      if (!FirstDefinition(fmt::format("{} \"{}\"", kind, name), Pos(key.source()))) continue;
      fn(name, *inner);
    }
  }

  void ReadState(const toml::node& n);  // state_section.cc

  void ReadPrune(const toml::node& n);  // prune_section.cc

  void ReadVerify(const toml::node& n);  // verify_section.cc
  void ReadVerifyConnect(const toml::node& n);
  void ReadVerifyNames(const toml::node& n);

  void ReadExpiryFailDays(const toml::node& n);  // config_loader.cc

  void ReadExpiryDays(const toml::node& n);
  void ReadOnRemoval(const toml::node& n);  // config_loader.cc

  void ReadAccount(const std::string& name, const toml::table& t);  // account_section.cc
  // The account's own credential variables or OIDC role (credentials_section.cc).
  void ReadCredentialNames(const toml::table& t, AccountConfig* a);
  void CheckCredentialNames(const toml::table& t, AccountConfig* a);
  void CheckVariableRoles(const toml::table& t, const AccountConfig& a);

  void ReadProductSettings(const toml::table& t, const ProductRules& rules,
                           const std::string& where, ProductSettings* out);
  void ReadCasSettings(const toml::table& t, AccountConfig* a);
  void ReadEndpoint(const toml::table& t, const char* key, std::string* out);

  std::string ResolvePath(const std::string& path) const {
    if (path.starts_with('/')) return path;
    return JoinPath(DirName(file_), path);
  }

  void ReadCertificate(const std::string& name, const toml::table& t);  // certificate_section.cc

  void ReadBindings(const toml::node& n);  // binding_section.cc

  void ReadBinding(const toml::table& t);
  void ReadSlot(const toml::table& t, const ProductRules& rules,
                const std::vector<std::string>* location, RawBinding raw);

  std::string file_;
  Config* config_;
  Diagnostics* diags_;
  std::map<std::string, SourcePos>* seen_;
  std::vector<RawBinding> bindings_;
};

// The keys of [account.NAME] that say where its credentials are (credentials_section.cc), and
// those that would hold a credential itself, which are refused with a message of their own.
const std::vector<std::string>& CredentialKeys();
const std::vector<std::string>& SecretKeys();

// toml++'s `description` of a syntax error at `line`:`column` of `text` (1-based), in plain words
// where it misleads: a string left open is "unterminated string", not "control characters".
std::string PlainSyntaxError(const std::string& text, int line, int column,
                             const std::string& description);

// Cross-file checks once every file is read: references, the implicit account, duplicates
// (binding_section.cc). `every_file_read`: false when a file could not be read or parsed, whose
// accounts and certificates are then unknown, so that a reference to them is not reported as
// undefined (the file's own error says what is wrong). Each reference error is reported once per
// place it is written, not once per domain of the binding.
void LinkBindings(std::vector<FileReader::RawBinding> raw, Config* config, Diagnostics* diags,
                  bool every_file_read = true);

// Once bindings are linked: a product in [prune] skip_products that a binding uses is an error
// naming both places (prune_section.cc).
void CheckPruneSkips(const Config& config, Diagnostics* diags);

}  // namespace certform::engine::config_reading
