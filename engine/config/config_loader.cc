#include "engine/config/config_loader.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "engine/base/domain_name.h"
#include "engine/base/duration.h"
#include "engine/base/endpoint.h"
#include "engine/base/suggest.h"

namespace certform::engine {

namespace {

constexpr int64_t kMaxConfigFileBytes = 16 << 20;

const std::vector<std::string> kTopKeys = {"expiry_warning_days", "account", "certificate",
                                           "binding", "state"};
const std::vector<std::string> kStateKeys = {"backend",   "conn_str", "schema",
                                             "workspace", "history",  "lock_lease"};

// True when `s` holds a control character (a NUL, a newline, a tab...): never in a name that
// keys a lock or a row.
bool HasControl(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) == 0x7f;
  });
}

bool IsSqlIdentifier(const std::string& s) {
  if (s.empty() || s.size() > 63 || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}
const std::vector<std::string> kAccountKeys = {
    "credentials", "endpoint", "api", "rate_limit", "upload_via", "cas_endpoint", "cas_region"};
const std::vector<std::string> kCertificateKeys = {"type", "cert_file", "key_file",   "key_env",
                                                   "name", "cert_id",   "cert_region"};
const std::vector<std::string> kBindingKeys = {"certificate", "domains", "account", "https"};

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

  void Read(const toml::table& root) {
    CheckKeys(root, kTopKeys, "");
    if (const toml::node* n = root.get("expiry_warning_days")) ReadExpiryDays(*n);
    if (const toml::node* n = root.get("account")) {
      ForEachNamedTable(*n, "account", [&](const std::string& name, const toml::table& t) {
        ReadAccount(name, t);
      });
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
  }

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

  void CheckKeys(const toml::table& t, const std::vector<std::string>& allowed,
                 const std::string& context) {
    for (auto&& [key, value] : t) {
      std::string k(key.str());
      if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
      std::string hint = Suggest(k, allowed);
      std::string where = context.empty() ? "" : " in " + context;
      diags_->Error(Pos(key.source()), fmt::format("unknown key \"{}\"{}", k, where),
                    hint.empty() ? fmt::format("allowed keys: {}", fmt::join(allowed, ", "))
                                 : fmt::format("did you mean \"{}\"?", hint));
    }
  }

  void WrongType(const toml::node& n, const std::string& key, const char* expected) {
    diags_->Error(Pos(n),
                  fmt::format("\"{}\" must be {}, not {}", key, expected, TypeName(n.type())));
  }

  std::optional<std::string> String(const toml::table& t, const std::string& key) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::nullopt;
    if (!n->is_string()) {
      WrongType(*n, key, "a string");
      return std::nullopt;
    }
    return n->value<std::string>();
  }

  // Records a top-level definition; false (and an error naming both places) when seen before.
  bool FirstDefinition(const std::string& what, SourcePos where) {
    auto [it, inserted] = seen_->emplace(what, where);
    if (!inserted) {
      diags_->Error(where, fmt::format("{} is defined twice", what),
                    fmt::format("first defined at {}", it->second.ToString()));
    }
    return inserted;
  }

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
      if (!FirstDefinition(fmt::format("{} \"{}\"", kind, name), Pos(key.source()))) continue;
      fn(name, *inner);
    }
  }

  void ReadState(const toml::node& n) {
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
      if (v->empty() || v->size() > 128) {
        diags_->Error(Pos(*t->get("workspace")), "\"workspace\" must be 1 to 128 characters");
      } else if (HasControl(*v)) {
        diags_->Error(Pos(*t->get("workspace")),
                      "\"workspace\" holds a control character (a NUL, tab or newline)",
                      "the workspace names the state's row and keys its lock: use printable "
                      "characters only");
      } else {
        s.workspace = *v;
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

  void ReadExpiryDays(const toml::node& n) {
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

  void ReadAccount(const std::string& name, const toml::table& t) {
    CheckKeys(t, kAccountKeys, fmt::format("[account.{}]", name));
    AccountConfig a;
    a.name = name;
    a.where = Pos(t);
    if (auto v = String(t, "credentials")) {
      if (*v == "env" || (v->starts_with("profile:") && v->size() > 8)) {
        a.credentials = *v;
      } else {
        diags_->Error(
            Pos(*t.get("credentials")),
            fmt::format("\"credentials\" must be \"env\" or \"profile:NAME\", not \"{}\"", *v));
      }
    }
    if (auto v = String(t, "endpoint")) {
      if (std::string problem = EndpointProblem(*v); problem.empty()) {
        while (v->ends_with('/')) v->pop_back();
        a.endpoint = *v;
      } else {
        diags_->Error(Pos(*t.get("endpoint")), fmt::format("\"endpoint\" \"{}\": {}", *v, problem));
      }
    }
    if (auto v = String(t, "api")) {
      if (*v == kApiSetDomainServerCertificate || *v == kApiSetCdnDomainSslCertificate) {
        a.api = *v;
      } else {
        std::string hint =
            Suggest(*v, {kApiSetDomainServerCertificate, kApiSetCdnDomainSslCertificate});
        diags_->Error(Pos(*t.get("api")), fmt::format("\"api\" \"{}\" is not supported", *v),
                      hint.empty()
                          ? fmt::format("use \"{}\" or \"{}\"", kApiSetDomainServerCertificate,
                                        kApiSetCdnDomainSslCertificate)
                          : fmt::format("did you mean \"{}\"?", hint));
      }
    }
    if (a.api == kApiSetCdnDomainSslCertificate) a.rate_limit = kSetCdnDomainSslCertificateLimit;
    ReadCasSettings(t, &a);
    if (const toml::node* n = t.get("rate_limit")) {
      std::optional<double> rate;
      if (n->is_integer()) rate = static_cast<double>(*n->value<int64_t>());
      if (n->is_floating_point()) rate = *n->value<double>();
      if (!rate) {
        WrongType(*n, "rate_limit", "a number (calls per second)");
      } else if (!std::isfinite(*rate) || *rate <= 0 || *rate > 1000) {
        diags_->Error(Pos(*n), "\"rate_limit\" must be greater than 0 and at most 1000 calls/s",
                      fmt::format("found {}", *rate));
      } else {
        a.rate_limit = *rate;
      }
    }
    config_->accounts[name] = std::move(a);
  }

  // upload_via, cas_endpoint, cas_region. Uploading through CAS binds by CertId, which only
  // SetCdnDomainSSLCertificate takes: it is the api such an account uses (said, or implied).
  void ReadCasSettings(const toml::table& t, AccountConfig* a) {
    if (auto v = String(t, "upload_via")) {
      if (*v == "direct" || *v == "cas") {
        a->upload_via = *v;
      } else {
        diags_->Error(Pos(*t.get("upload_via")),
                      fmt::format("\"upload_via\" must be \"direct\" or \"cas\", not \"{}\"", *v));
      }
    }
    if (a->UploadsViaCas()) {
      if (t.get("api") && a->api != kApiSetCdnDomainSslCertificate) {
        diags_->Error(Pos(*t.get("api")),
                      "upload_via = \"cas\" binds domains by CertId, which only "
                      "SetCdnDomainSSLCertificate takes",
                      "remove \"api\" or set it to \"SetCdnDomainSSLCertificate\"");
      }
      a->api = kApiSetCdnDomainSslCertificate;
      a->rate_limit = kSetCdnDomainSslCertificateLimit;
    }
    if (auto v = String(t, "cas_endpoint")) {
      if (std::string problem = EndpointProblem(*v); problem.empty()) {
        while (v->ends_with('/')) v->pop_back();
        a->cas_endpoint = *v;
      } else {
        diags_->Error(Pos(*t.get("cas_endpoint")),
                      fmt::format("\"cas_endpoint\" \"{}\": {}", *v, problem));
      }
    }
    if (auto v = String(t, "cas_region")) a->cas_region = *v;
  }

  std::string ResolvePath(const std::string& path) const {
    if (path.starts_with('/')) return path;
    return JoinPath(DirName(file_), path);
  }

  void ReadCertificate(const std::string& name, const toml::table& t) {
    CheckKeys(t, kCertificateKeys, fmt::format("[certificate.{}]", name));
    CertificateConfig c;
    c.key = name;
    c.where = Pos(t);
    const std::string context = fmt::format("certificate \"{}\"", name);
    if (auto v = String(t, "type")) {
      if (*v == "cas") {
        c.type = CertType::kCas;
      } else if (*v != "upload") {
        diags_->Error(Pos(*t.get("type")),
                      fmt::format("\"type\" must be \"upload\" or \"cas\", not \"{}\"", *v));
      }
    }
    if (auto v = String(t, "name")) {
      if (v->empty() || v->size() > 128) {
        diags_->Error(Pos(*t.get("name")), "\"name\" must be 1 to 128 characters long",
                      "the API refuses longer names with InvalidCertName.TooLong");
      }
      c.cert_name = *v;
      c.explicit_name = true;
    }
    if (const toml::node* n = t.get("cert_id")) {
      if (!n->is_integer()) {
        WrongType(*n, "cert_id", "an integer");
      } else if (*n->value<int64_t>() <= 0) {
        diags_->Error(Pos(*n), "\"cert_id\" must be a positive integer");
      } else {
        c.cert_id = *n->value<int64_t>();
      }
    }
    if (auto v = String(t, "cert_region")) c.cert_region = *v;
    auto cert_file = String(t, "cert_file");
    auto key_file = String(t, "key_file");
    auto key_env = String(t, "key_env");
    if (c.type == CertType::kUpload) {
      if (!cert_file) {
        if (!t.get("cert_file")) {
          diags_->Error(c.where, fmt::format("{} needs \"cert_file\" (the PEM chain)", context));
        }
      } else {
        c.cert_file = ResolvePath(*cert_file);
        c.cert_file_where = Pos(*t.get("cert_file"));
      }
      if (key_file && key_env) {
        diags_->Error(Pos(*t.get("key_env")),
                      fmt::format("{} sets both \"key_file\" and \"key_env\"; keep one", context));
      } else if (key_file) {
        c.key_file = ResolvePath(*key_file);
        c.key_where = Pos(*t.get("key_file"));
      } else if (key_env) {
        c.key_env = *key_env;
        c.key_where = Pos(*t.get("key_env"));
      } else if (!t.get("key_file") && !t.get("key_env")) {
        diags_->Error(c.where, fmt::format("{} needs \"key_file\" or \"key_env\" (the private key)",
                                           context));
      }
      if (t.get("cert_id") || t.get("cert_region")) {
        diags_->Error(Pos(*(t.get("cert_id") ? t.get("cert_id") : t.get("cert_region"))),
                      "\"cert_id\" and \"cert_region\" belong to type = \"cas\" certificates");
      }
    } else {
      if (c.cert_name.empty() && !t.get("name")) {
        diags_->Error(c.where,
                      fmt::format("{} of type \"cas\" needs \"name\" (its name in Certificate "
                                  "Management Service)",
                                  context));
      }
      for (const char* k : {"cert_file", "key_file", "key_env"}) {
        if (const toml::node* n = t.get(k)) {
          diags_->Error(Pos(*n), fmt::format("\"{}\" does not apply to type = \"cas\"; the "
                                             "certificate already lives in Alibaba Cloud",
                                             k));
        }
      }
    }
    config_->certificates[name] = std::move(c);
  }

  void ReadBindings(const toml::node& n) {
    const toml::array* arr = n.as_array();
    if (arr == nullptr || !arr->is_array_of_tables()) {
      diags_->Error(Pos(n), "\"binding\" must be an array of tables, written [[binding]]");
      return;
    }
    for (const toml::node& item : *arr) ReadBinding(*item.as_table());
  }

  void ReadBinding(const toml::table& t) {
    CheckKeys(t, kBindingKeys, "[[binding]]");
    RawBinding raw;
    raw.binding.where = Pos(t);
    if (const toml::node* h = t.get("https")) {
      if (h->is_boolean()) {
        raw.binding.https = *h->value<bool>();
      } else {
        WrongType(*h, "https", "a boolean");
      }
    }
    if (auto v = String(t, "certificate")) {
      raw.binding.certificate = *v;
      raw.certificate_where = Pos(*t.get("certificate"));
      if (!raw.binding.https) {
        diags_->Error(raw.certificate_where,
                      "a binding with https = false takes no \"certificate\"",
                      "HTTPS off means no certificate is served; remove one of the two");
      }
    } else if (raw.binding.https && !t.get("certificate")) {
      diags_->Error(raw.binding.where, "binding needs \"certificate\" (or https = false)");
    }
    if (auto v = String(t, "account")) {
      raw.binding.account = *v;
      raw.account_given = true;
      raw.account_where = Pos(*t.get("account"));
    }
    const toml::node* domains = t.get("domains");
    if (domains == nullptr) {
      diags_->Error(raw.binding.where, "binding needs \"domains\", a list of CDN domain names");
      return;
    }
    const toml::array* list = domains->as_array();
    if (list == nullptr) return WrongType(*domains, "domains", "an array of strings");
    if (list->empty()) {
      diags_->Error(Pos(*domains), "\"domains\" is empty");
      return;
    }
    for (const toml::node& d : *list) {
      if (!d.is_string()) {
        WrongType(d, "domains[]", "a string");
        continue;
      }
      std::string domain = NormalizeDomain(*d.value<std::string>());
      std::string problem = DomainNameProblem(domain);
      if (!problem.empty()) {
        diags_->Error(Pos(d), fmt::format("invalid domain \"{}\": {}", domain, problem));
        continue;
      }
      RawBinding one = raw;
      one.binding.domain = domain;
      one.binding.where = Pos(d);
      bindings_.push_back(std::move(one));
    }
  }

  std::string file_;
  Config* config_;
  Diagnostics* diags_;
  std::map<std::string, SourcePos>* seen_;
  std::vector<RawBinding> bindings_;
};

// Cross-file checks once every file is read: references, the implicit account, duplicates.
void LinkBindings(std::vector<FileReader::RawBinding> raw, Config* config, Diagnostics* diags) {
  const bool implicit_account = config->accounts.empty();
  if (implicit_account) {
    AccountConfig a;
    a.name = kImplicitAccount;
    config->accounts[a.name] = a;
  }
  std::vector<std::string> account_names, certificate_names;
  for (const auto& [name, a] : config->accounts) account_names.push_back(name);
  for (const auto& [name, c] : config->certificates) certificate_names.push_back(name);

  std::map<std::string, SourcePos> bound;
  for (FileReader::RawBinding& r : raw) {
    DesiredBinding& b = r.binding;
    if (!r.account_given) {
      if (config->accounts.size() == 1) {
        b.account = config->accounts.begin()->first;
      } else {
        diags->Error(b.where, fmt::format("domain \"{}\" needs \"account\" in its binding: there "
                                          "are {} accounts",
                                          b.domain, config->accounts.size()));
      }
    } else if (!config->accounts.count(b.account)) {
      std::string hint = Suggest(b.account, account_names);
      diags->Error(r.account_where, fmt::format("account \"{}\" is not defined", b.account),
                   hint.empty() ? "define it as [account." + b.account + "]"
                                : fmt::format("did you mean \"{}\"?", hint));
    }
    if (!b.certificate.empty() && !config->certificates.count(b.certificate)) {
      std::string hint = Suggest(b.certificate, certificate_names);
      diags->Error(r.certificate_where,
                   fmt::format("certificate \"{}\" is not defined", b.certificate),
                   hint.empty() ? "define it as [certificate." + b.certificate + "]"
                                : fmt::format("did you mean \"{}\"?", hint));
    }
    auto [it, inserted] = bound.emplace(b.domain, b.where);
    if (!inserted) {
      diags->Error(b.where, fmt::format("domain \"{}\" is bound twice", b.domain),
                   fmt::format("first bound at {}", it->second.ToString()));
      continue;
    }
    config->bindings.push_back(std::move(b));
  }
  std::sort(config->bindings.begin(), config->bindings.end(),
            [](const DesiredBinding& a, const DesiredBinding& b) {
              return std::tie(a.account, a.domain) < std::tie(b.account, b.domain);
            });
  for (const auto& [name, c] : config->certificates) {
    if (c.type != CertType::kCas || c.cert_id != 0) continue;
    for (const DesiredBinding& b : config->bindings) {
      auto acc = config->accounts.find(b.account);
      if (b.certificate == name && acc != config->accounts.end() &&
          acc->second.api == kApiSetCdnDomainSslCertificate) {
        diags->Error(c.where, fmt::format("certificate \"{}\" needs \"cert_id\": account \"{}\" "
                                          "uses {}, which selects CAS certificates by id",
                                          name, b.account, kApiSetCdnDomainSslCertificate));
        break;
      }
    }
  }
}

}  // namespace

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
  for (const std::string& name : names) {
    const std::string path = JoinPath(dir, name);
    config.files.push_back(path);
    std::string text;
    if (Status rs = ReadBoundedFile(fs, path, kMaxConfigFileBytes, &text); !rs.ok()) {
      diags->Error({path, 0, 0}, "cannot read configuration file", rs.message());
      continue;
    }
    toml::table root;
    try {
      root = toml::parse(text, path);
    } catch (const toml::parse_error& e) {
      diags->Error({path, static_cast<int>(e.source().begin.line),
                    static_cast<int>(e.source().begin.column)},
                   fmt::format("TOML syntax error: {}", e.description()));
      continue;
    }
    FileReader reader(path, &config, diags, &seen);
    reader.Read(root);
    for (auto& b : reader.bindings()) bindings.push_back(std::move(b));
  }
  LinkBindings(std::move(bindings), &config, diags);
  return config;
}

std::string TomlVersion() {
  return std::to_string(TOML_LIB_MAJOR) + "." + std::to_string(TOML_LIB_MINOR) + "." +
         std::to_string(TOML_LIB_PATCH);
}

}  // namespace certform::engine
