// [state]: where the state lives (local files or a PostgreSQL workspace).
#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "engine/base/duration.h"
#include "engine/config/toml_file_reader.h"

namespace certform::engine {

std::string WorkspaceNameProblem(const std::string& name) {
  if (name.empty() || name.size() > 128) return "must be 1 to 128 characters";
  // Never a control character (a NUL, a newline, a tab...) in a name that keys a lock or a row.
  if (std::any_of(name.begin(), name.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) == 0x7f;
      })) {
    return "holds a control character (a NUL, tab or newline)";
  }
  return "";
}

}  // namespace certform::engine

namespace certform::engine::config_reading {

namespace {

const std::vector<std::string> kStateKeys = {"backend",   "conn_str", "schema",
                                             "workspace", "history",  "lock_lease"};
bool IsSqlIdentifier(const std::string& s) {
  if (s.empty() || s.size() > 63 || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

void FileReader::ReadState(const toml::node& n) {
  const toml::table* t = n.as_table();
  if (t == nullptr) return WrongType(n, "state", "a table, like [state]");
  if (!FirstDefinition("[state]", Pos(n))) return;
  CheckKeys(*t, kStateKeys, "[state]");
  StateSettings& s = config_->state;
  s.where = Pos(n);
  if (auto v = String(*t, "backend")) {
    if (*v == "local" || *v == "postgres") {
      s.backend = *v;
    } else {
      diags_->Error(Pos(*t->get("backend")),
                    fmt::format("\"backend\" must be \"local\" or \"postgres\", not \"{}\"", *v));
    }
  }
  if (auto v = String(*t, "conn_str")) {
    // Checked for a password by libpq's own parser where certform opens the backend; never
    // repeated in a message.
    s.conn_str = *v;
    s.conn_str_where = Pos(*t->get("conn_str"));
  }
  // Setting values are never repeated in messages: they may hold anything, control
  // characters included.
  if (auto v = String(*t, "schema")) {
    if (IsSqlIdentifier(*v)) {
      s.schema = *v;
    } else {
      diags_->Error(Pos(*t->get("schema")),
                    "\"schema\" must be a lower-case SQL name: letters a-z, digits and _, not "
                    "starting with a digit, at most 63 characters");
    }
  }
  if (auto v = String(*t, "workspace")) {
    if (std::string problem = WorkspaceNameProblem(*v); !problem.empty()) {
      diags_->Error(Pos(*t->get("workspace")), "\"workspace\" " + problem,
                    "the workspace names the state's row and keys its lock: use printable "
                    "characters only");
    } else {
      s.workspace = *v;
      s.workspace_set = true;
    }
  }
  if (auto v = String(*t, "lock_lease")) {
    const auto d = ParseDuration(*v);
    if (!d || *d < kMinLockLease || *d > kMaxLockLease) {
      diags_->Error(Pos(*t->get("lock_lease")),
                    "\"lock_lease\" must be a duration from 10s to 1h, e.g. \"60s\" or \"2m\"");
    } else {
      s.lock_lease = *d;
    }
  }
  if (const toml::node* h = t->get("history")) {
    if (!h->is_integer() || *h->value<int64_t>() < 1 || *h->value<int64_t>() > 10000) {
      diags_->Error(Pos(*h), "\"history\" must be an integer from 1 to 10000");
    } else {
      s.history = static_cast<int>(*h->value<int64_t>());
    }
  }
  if (s.backend == "local" &&
      (t->get("conn_str") || t->get("schema") || t->get("workspace") || t->get("lock_lease"))) {
    diags_->Warning(s.where,
                    "[state] settings for PostgreSQL are ignored with backend = \"local\"");
  }
}

}  // namespace certform::engine::config_reading
