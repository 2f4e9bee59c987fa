// The keys of [account.NAME] that say where that account's credentials are, when they are not
// where the shared conventions (`credentials`) look: its own environment variables for the
// AccessKey, or its own OIDC role (what ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN
// and ALIBABA_CLOUD_OIDC_TOKEN_FILE say for the whole process, alibaba-cdn-api.md §6). A secret
// is never written in the configuration: a key that would hold one is refused, and the value of a
// key that names a variable is never printed (it may be a secret pasted in the wrong place).
#include <cctype>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "engine/base/text_escape.h"
#include "engine/config/toml_file_reader.h"

namespace certform::engine::config_reading {

namespace {

constexpr char kIdEnv[] = "access_key_id_env";
constexpr char kSecretEnv[] = "access_key_secret_env";
constexpr char kTokenEnv[] = "security_token_env";
constexpr char kRoleArn[] = "role_arn";
constexpr char kProviderArn[] = "oidc_provider_arn";
constexpr char kTokenFile[] = "oidc_token_file";
constexpr char kSessionName[] = "role_session_name";

// Longer than any variable name a CI system gives (GitHub allows 255 for secrets' names).
constexpr size_t kMaxVariableName = 255;
// ARNs: RAM role names are at most 64 characters, OIDC provider names 128; an account id 16
// digits. Anything past this is not an ARN.
constexpr size_t kMaxArn = 256;

// Keys that would hold a secret (or the id that goes with it), and the key to write instead.
const std::vector<std::pair<std::string, std::string>>& SecretKeyHints() {
  static const std::vector<std::pair<std::string, std::string>> kHints = {
      {"access_key_id", kIdEnv},  {"access_key_secret", kSecretEnv}, {"access_key", kIdEnv},
      {"secret_key", kSecretEnv}, {"security_token", kTokenEnv},     {"sts_token", kTokenEnv},
      {"oidc_token", kTokenFile},
  };
  return kHints;
}

// Empty when `v` may name an environment variable, else why not. Never quotes `v`.
std::string VariableNameProblem(const std::string& v) {
  if (v.empty()) return "is empty";
  if (v.size() > kMaxVariableName) {
    return fmt::format("is longer than {} characters", kMaxVariableName);
  }
  bool lower = false, upper = false, digit = false, underscore = false;
  for (char c : v) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '_') {
      return "must name an environment variable: letters, digits and '_' only";
    }
    lower = lower || std::islower(u);
    upper = upper || std::isupper(u);
    digit = digit || std::isdigit(u);
    underscore = underscore || c == '_';
  }
  if (std::isdigit(static_cast<unsigned char>(v[0]))) {
    return "must name an environment variable, which does not start with a digit";
  }
  // An AccessKey id or secret (LTAI5t..., 24 to 30 mixed-case letters and digits) pasted where
  // its variable's name belongs: refused, and not printed.
  if (v.size() >= 20 && lower && upper && digit && !underscore) {
    return "looks like a credential itself, not the name of the variable that holds it";
  }
  return "";
}

// Empty when `v` is an ARN of RAM `kind` ("role", "oidc-provider"): acs:ram::ACCOUNT:KIND/NAME,
// ACCOUNT digits, NAME letters, digits, '.', '-', '_' (RAM CreateRole and
// CreateOIDCProvider's name rules).
std::string ArnProblem(const std::string& v, const std::string& kind) {
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

// STS RoleSessionName: 2 to 64 of [A-Za-z0-9.@_-] (STS AssumeRoleWithOIDC).
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
    if (std::string problem = ArnProblem(*v, kind); !problem.empty()) {
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

}  // namespace certform::engine::config_reading
