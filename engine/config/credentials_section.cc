// The keys of [account.NAME] that say where that account's credentials are, when they are not
// where the shared conventions (`credentials`) look: its own environment variables for the
// AccessKey, or its own OIDC role (what ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN
// and ALIBABA_CLOUD_OIDC_TOKEN_FILE say for the whole process, alibaba-cdn-api.md §6). A secret
// is never written in the configuration: a key that would hold one is refused, and the value of a
// key that names a variable is never printed (it may be a secret pasted in the wrong place).
#include <cctype>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "engine/base/endpoint.h"
#include "engine/base/text_escape.h"
#include "engine/config/credential_names.h"
#include "engine/config/toml_file_reader.h"

namespace certform::engine {

namespace {

// ARNs: RAM role names are at most 64 characters, OIDC provider names 128; an account id 16
// digits. Anything past this is not an ARN.
constexpr size_t kMaxArn = 256;

// Variables that hold something else than a credential: what the process runs with (a name
// here would send, say, $PATH as an AccessKeyId and print it) and certform's own settings.
bool ReservedVariable(const std::string& v) {
  static const char* const kNames[] = {"PATH",   "HOME",   "USER",     "LOGNAME", "SHELL",
                                       "PWD",    "OLDPWD", "TERM",     "LANG",    "TZ",
                                       "TMPDIR", "IFS",    "HOSTNAME", "MAIL",    "EDITOR"};
  for (const char* name : kNames) {
    if (v == name) return true;
  }
  for (const char* prefix : {"LC_", "LD_", "CERTFORM_"}) {
    if (v.starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace

std::string VariableNameProblem(const std::string& v) {
  if (v.empty()) return "is empty";
  if (v.size() > kMaxVariableName) {
    return fmt::format("is longer than {} characters", kMaxVariableName);
  }
  bool lower = false, upper = false, digit = false, underscore = false, other = false;
  for (char c : v) {
    const unsigned char u = static_cast<unsigned char>(c);
    lower = lower || std::islower(u);
    upper = upper || std::isupper(u);
    digit = digit || std::isdigit(u);
    underscore = underscore || c == '_';
    other = other || (!std::isalnum(u) && c != '_');
  }
  // An AccessKey id or secret (LTAI5t..., 24 to 30 mixed-case letters and digits) pasted where
  // its variable's name belongs: refused, and not printed.
  if (v.size() >= 20 && lower && upper && digit && !underscore && !other) {
    return "looks like a credential itself, not the name of the variable that holds it";
  }
  if (lower || other) {
    return "must name an environment variable: upper-case letters, digits and '_' only";
  }
  if (std::isdigit(static_cast<unsigned char>(v[0]))) {
    return "must name an environment variable, which does not start with a digit";
  }
  if (ReservedVariable(v)) {
    return "names a variable of the system or of certform itself, not one that holds a "
           "credential";
  }
  return "";
}

std::string RamArnProblem(const std::string& v, const std::string& kind) {
  const std::string form = fmt::format("acs:ram::ACCOUNT_ID:{}/NAME", kind);
  if (v.size() > kMaxArn || !v.starts_with("acs:ram::")) return "must be of the form " + form;
  size_t at = 9;
  const size_t digits = at;
  while (at < v.size() && std::isdigit(static_cast<unsigned char>(v[at]))) ++at;
  if (at == digits || v.compare(at, kind.size() + 2, ":" + kind + "/") != 0) {
    return "must be of the form " + form;
  }
  const std::string name = v.substr(at + kind.size() + 2);
  if (name.empty()) return "must be of the form " + form;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') {
      return fmt::format("the {} name holds only letters, digits, '.', '-' and '_'", kind);
    }
  }
  return "";
}

std::string SessionNameProblem(const std::string& v) {
  if (v.size() < 2 || v.size() > 64) return "must be 2 to 64 characters";
  for (char c : v) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '@' && c != '_' &&
        c != '-') {
      return "holds only letters, digits, '.', '@', '_' and '-'";
    }
  }
  return "";
}

std::string StsEndpointProblem(const std::string& endpoint) {
  EndpointParts parts;
  if (std::string problem = ParseEndpoint(endpoint, &parts); !problem.empty()) return problem;
  const std::string& host = parts.host;
  if (IsThisMachine(host)) return "";
  auto region_host = [&](const std::string& prefix) {
    if (!host.starts_with(prefix) || !IsAlibabaCloudHost(host)) return false;
    const std::string region = host.substr(
        prefix.size(), host.size() - prefix.size() - std::string(".aliyuncs.com").size());
    if (region.empty()) return false;
    for (char c : region) {
      if (!std::islower(static_cast<unsigned char>(c)) &&
          !std::isdigit(static_cast<unsigned char>(c)) && c != '-') {
        return false;
      }
    }
    return true;
  };
  if (parts.scheme == "https" &&
      (host == "sts.aliyuncs.com" || region_host("sts.") || region_host("sts-vpc."))) {
    return "";
  }
  return "must be Alibaba Cloud's STS (https://sts.aliyuncs.com, "
         "https://sts.REGION.aliyuncs.com or https://sts-vpc.REGION.aliyuncs.com) or this "
         "machine: roles are assumed there, and an OIDC token is a credential";
}

}  // namespace certform::engine

namespace certform::engine::config_reading {

namespace {

constexpr char kIdEnv[] = "access_key_id_env";
constexpr char kSecretEnv[] = "access_key_secret_env";
constexpr char kTokenEnv[] = "security_token_env";
constexpr char kRoleArn[] = "role_arn";
constexpr char kProviderArn[] = "oidc_provider_arn";
constexpr char kTokenFile[] = "oidc_token_file";
constexpr char kSessionName[] = "role_session_name";

// Keys that would hold a secret (or the id that goes with it), and the key to write instead.
const std::vector<std::pair<std::string, std::string>>& SecretKeyHints() {
  static const std::vector<std::pair<std::string, std::string>> kHints = {
      {"access_key_id", kIdEnv},  {"access_key_secret", kSecretEnv}, {"access_key", kIdEnv},
      {"secret_key", kSecretEnv}, {"security_token", kTokenEnv},     {"sts_token", kTokenEnv},
      {"oidc_token", kTokenFile},
  };
  return kHints;
}

}  // namespace

const std::vector<std::string>& CredentialKeys() {
  static const std::vector<std::string> kKeys = {kIdEnv,       kSecretEnv, kTokenEnv,   kRoleArn,
                                                 kProviderArn, kTokenFile, kSessionName};
  return kKeys;
}

const std::vector<std::string>& SecretKeys() {
  static const std::vector<std::string> kKeys = [] {
    std::vector<std::string> keys;
    for (const auto& [key, instead] : SecretKeyHints()) keys.push_back(key);
    return keys;
  }();
  return kKeys;
}

void FileReader::ReadCredentialNames(const toml::table& t, AccountConfig* a) {
  const std::string table = fmt::format("[account.{}]", a->name);
  for (const auto& [key, instead] : SecretKeyHints()) {
    if (const toml::node* n = t.get(key)) {
      diags_->Error(Pos(*n),
                    fmt::format("\"{}\" in {} would put a credential in the configuration, "
                                "which certform never reads",
                                key, table),
                    fmt::format("name where it is instead: {} = \"VARIABLE\"", instead));
    }
  }
  CredentialNames& named = a->named;
  bool first = true;
  auto note = [&](const toml::node& n) {
    if (first) named.where = Pos(n);
    first = false;
  };
  // A key naming a variable: checked, never quoted.
  auto variable = [&](const char* key, const char* example, std::string* out) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    note(*n);
    if (!n->is_string()) return WrongType(*n, key, "a string (the name of a variable)");
    const std::string v = *n->value<std::string>();
    if (std::string problem = VariableNameProblem(v); !problem.empty()) {
      diags_->Error(Pos(*n), fmt::format("\"{}\" {}", key, problem),
                    fmt::format("write the name of the environment variable that holds it, e.g. "
                                "{}; the value is not repeated here",
                                example));
      return;
    }
    *out = v;
  };
  variable(kIdEnv, "PROD_ACCESS_KEY_ID", &named.access_key_id_env);
  variable(kSecretEnv, "PROD_ACCESS_KEY_SECRET", &named.access_key_secret_env);
  variable(kTokenEnv, "PROD_SECURITY_TOKEN", &named.security_token_env);
  auto arn = [&](const char* key, const char* kind, std::string* out) {
    const toml::node* n = t.get(key);
    if (n != nullptr) note(*n);
    auto v = String(t, key);
    if (!v) return;
    if (std::string problem = RamArnProblem(*v, kind); !problem.empty()) {
      diags_->Error(Pos(*n), fmt::format("\"{}\" \"{}\" {}", key,
                                         ForTerminal(v->substr(0, kMaxArn)), problem));
      return;
    }
    *out = *v;
  };
  arn(kRoleArn, "role", &named.role_arn);
  arn(kProviderArn, "oidc-provider", &named.oidc_provider_arn);
  if (const toml::node* n = t.get(kTokenFile)) note(*n);
  if (auto v = String(t, kTokenFile)) {
    if (v->empty()) {
      diags_->Error(Pos(*t.get(kTokenFile)), "\"oidc_token_file\" is empty");
    } else {
      named.oidc_token_file = ResolvePath(*v);
    }
  }
  if (const toml::node* n = t.get(kSessionName)) note(*n);
  if (auto v = String(t, kSessionName)) {
    if (std::string problem = SessionNameProblem(*v); !problem.empty()) {
      diags_->Error(Pos(*t.get(kSessionName)), fmt::format("\"role_session_name\" \"{}\" {}",
                                                           ForTerminal(v->substr(0, 80)), problem));
    } else {
      named.role_session_name = *v;
    }
  }
  CheckCredentialNames(t, a);
}

// Which keys go together, and with which `credentials`.
void FileReader::CheckCredentialNames(const toml::table& t, AccountConfig* a) {
  const std::string table = fmt::format("[account.{}]", a->name);
  auto pos = [&](const char* key) { return Pos(*t.get(key)); };
  const bool key_group = t.get(kIdEnv) || t.get(kSecretEnv) || t.get(kTokenEnv);
  const bool role_group =
      t.get(kRoleArn) || t.get(kProviderArn) || t.get(kTokenFile) || t.get(kSessionName);
  if (key_group && role_group) {
    const char* role_key = t.get(kRoleArn)       ? kRoleArn
                           : t.get(kProviderArn) ? kProviderArn
                           : t.get(kTokenFile)   ? kTokenFile
                                                 : kSessionName;
    diags_->Error(pos(role_key),
                  fmt::format("{} names both an AccessKey's variables and an OIDC role", table),
                  "keep one way to find its credentials");
    return;
  }
  // Both of a pair, or neither: one alone is a half-written setting, not a fallback.
  auto require = [&](const char* given, const char* missing, const char* why) {
    if (t.get(given) != nullptr && t.get(missing) == nullptr) {
      diags_->Error(pos(given), fmt::format("\"{}\" needs \"{}\" too in {}", given, missing, table),
                    why);
    }
  };
  const char* kKeyWhy = "an AccessKey is its id and its secret; name the variable of each";
  require(kIdEnv, kSecretEnv, kKeyWhy);
  require(kSecretEnv, kIdEnv, kKeyWhy);
  if (t.get(kTokenEnv) && !t.get(kIdEnv) && !t.get(kSecretEnv)) {
    diags_->Error(pos(kTokenEnv),
                  fmt::format("\"security_token_env\" needs \"access_key_id_env\" and "
                              "\"access_key_secret_env\" in {}",
                              table),
                  "an STS token goes with the temporary AccessKey it was issued for");
  }
  const char* kRoleWhy =
      "an OIDC role needs role_arn, oidc_provider_arn and oidc_token_file (and optionally "
      "role_session_name)";
  if (role_group) {
    for (const char* key : {kRoleArn, kProviderArn, kTokenFile}) {
      if (t.get(key) == nullptr) {
        diags_->Error(a->named.where, fmt::format("{} needs \"{}\" for its OIDC role", table, key),
                      kRoleWhy);
      }
    }
  }
  CheckVariableRoles(t, *a);
  // `credentials` says the same, or nothing.
  const toml::node* setting = t.get("credentials");
  const char* implied = key_group ? "env" : role_group ? "oidc" : nullptr;
  if (implied == nullptr) return;
  if (setting != nullptr && setting->is_string() && *setting->value<std::string>() != implied) {
    diags_->Error(Pos(*setting),
                  fmt::format("\"credentials\" = \"{}\" contradicts the {} of {}",
                              ForTerminal(*setting->value<std::string>()),
                              key_group ? "AccessKey variables" : "OIDC role", table),
                  fmt::format("remove \"credentials\" (or set it to \"{}\")", implied));
  }
  a->credentials = implied;
}

// A variable holds one thing. The AccessKeyId is printed (it says which key is used); a
// variable that holds a secret (an account's, or the conventional ones) named as an AccessKeyId
// would print that secret, so a variable named for an id may not be named for a secret or a
// token anywhere, and one account's three variables differ.
void FileReader::CheckVariableRoles(const toml::table& t, const AccountConfig& a) {
  const CredentialNames& named = a.named;
  const std::string table = fmt::format("[account.{}]", a.name);
  if (named.access_key_id_env.empty()) return;
  const std::string& id = named.access_key_id_env;
  auto refuse = [&](const std::string& why) {
    diags_->Error(Pos(*t.get(kIdEnv)), fmt::format("\"{}\" of {} {}", kIdEnv, table, why),
                  "an AccessKeyId is printed; name the variable that holds the id");
  };
  if (id == named.access_key_secret_env || id == named.security_token_env) {
    return refuse(fmt::format("names {}, which the table also names for a secret", id));
  }
  if (!named.security_token_env.empty() &&
      named.security_token_env == named.access_key_secret_env) {
    diags_->Error(
        Pos(*t.get(kTokenEnv)),
        fmt::format("\"{}\" and \"{}\" of {} name the same variable", kTokenEnv, kSecretEnv, table),
        "the STS token and the AccessKey secret are two values");
    return;
  }
  for (const char* secret : {"ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY",
                             "ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"}) {
    if (id == secret) return refuse(fmt::format("names {}, which holds a secret", id));
  }
  for (const auto& [name, other] : config_->accounts) {
    const CredentialNames& o = other.named;
    if (o.access_key_secret_env == id || o.security_token_env == id) {
      return refuse(fmt::format("names {}, which [account.{}] ({}) names for a secret", id, name,
                                other.where.ToString()));
    }
    if (o.access_key_id_env == named.access_key_secret_env ||
        (!named.security_token_env.empty() && o.access_key_id_env == named.security_token_env)) {
      diags_->Error(Pos(*t.get(kSecretEnv)),
                    fmt::format("{} names {} for a secret, which [account.{}] ({}) names for its "
                                "AccessKeyId",
                                table, o.access_key_id_env, name, other.where.ToString()),
                    "an AccessKeyId is printed; each variable holds one thing");
      return;
    }
  }
}

}  // namespace certform::engine::config_reading
