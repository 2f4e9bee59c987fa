#include "providers/alicloud/credentials.h"

#include <cctype>
#include <map>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/base/text_escape.h"
#include "engine/config/credential_names.h"

namespace certform::alicloud {

namespace {

using engine::Status;

// STS DurationSeconds bounds (STS 2015-04-01 AssumeRole: minimum 900, at most the role's
// MaxSessionDuration, which itself is at most 43200).
constexpr int kMinDuration = 900;
constexpr int kMaxDuration = 43200;

// The INI credentials file and the CLI's config.json hold a few profiles: a few KiB. Anything
// near a MiB is not one (or is /dev/zero), and is refused before it is held in memory.
constexpr int64_t kMaxProfileFileBytes = int64_t{1} << 20;

// AccessKeyIds are 16 to 30 characters (LTAI...), STS ones a few dozen (STS....); twice that is
// the bound.
constexpr size_t kMaxAccessKeyId = 128;

std::string Get(const engine::EnvLookup& env, const char* name) {
  std::optional<std::string> v = env(name);
  return v ? *v : "";
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

bool AccessKeyFromEnvironment(const engine::EnvLookup& env, CredentialSpec* out) {
  struct Names {
    const char *id, *secret, *token;
  };
  for (Names n : {Names{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                        "ALIBABA_CLOUD_SECURITY_TOKEN"},
                  Names{"ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN"}}) {
    std::string id = Get(env, n.id), secret = Get(env, n.secret);
    if (id.empty() || secret.empty()) continue;
    *out = CredentialSpec();
    out->access_key = {id, secret, Get(env, n.token), fmt::format("environment ({})", n.id)};
    out->source = out->access_key.source;
    return true;
  }
  return false;
}

constexpr const char* kOidcVariables[] = {
    "ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE"};

bool OidcFromEnvironment(const engine::EnvLookup& env, CredentialSpec* out) {
  for (const char* name : kOidcVariables) {
    if (Get(env, name).empty()) return false;
  }
  *out = CredentialSpec();
  out->kind = CredentialKind::kOidc;
  out->role_arn = Get(env, "ALIBABA_CLOUD_ROLE_ARN");
  out->oidc_provider_arn = Get(env, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN");
  out->oidc_token_file = Get(env, "ALIBABA_CLOUD_OIDC_TOKEN_FILE");
  if (std::string s = Get(env, "ALIBABA_CLOUD_ROLE_SESSION_NAME"); !s.empty()) {
    out->session_name = s;
  }
  out->source = "environment (ALIBABA_CLOUD_ROLE_ARN)";
  return true;
}

// A field a profile must have; `problem` says which is missing.
bool Require(const std::map<std::string, std::string>& values, const std::string& key,
             const std::string& where, std::string* value, std::string* problem) {
  auto it = values.find(key);
  if (it == values.end() || it->second.empty()) {
    if (problem->empty()) *problem = fmt::format("{} lacks {}", where, key);
    return false;
  }
  *value = it->second;
  return true;
}

bool ReadDuration(const std::string& text, const std::string& where, CredentialSpec* out,
                  std::string* problem) {
  if (text.empty() || text == "0") return true;
  char* end = nullptr;
  long v = std::strtol(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || v < kMinDuration || v > kMaxDuration) {
    *problem = fmt::format("{}: the session duration must be {} to {} seconds, not \"{}\"", where,
                           kMinDuration, kMaxDuration, engine::ForTerminal(text.substr(0, 32)));
    return false;
  }
  out->duration_seconds = static_cast<int>(v);
  return true;
}

// One profile's fields (INI or CLI, the names mapped to the INI's) as a spec. `type` uses the
// INI's names: access_key, sts, ram_role_arn, ecs_ram_role, oidc_role_arn.
bool SpecOf(const std::string& type, const std::map<std::string, std::string>& v,
            const std::string& where, CredentialSpec* out, std::string* problem) {
  CredentialSpec spec;
  spec.source = where;
  bool ok = true;
  auto field = [&](const char* key) {
    auto it = v.find(key);
    return it == v.end() ? std::string() : it->second;
  };
  if (type == "access_key" || type == "sts" || type == "ram_role_arn") {
    spec.access_key.source = where;
    ok = Require(v, "access_key_id", where, &spec.access_key.access_key_id, problem) &&
         Require(v, "access_key_secret", where, &spec.access_key.access_key_secret, problem);
    if (type == "sts") {
      ok = ok && Require(v, "security_token", where, &spec.access_key.security_token, problem);
    }
  }
  if (type == "ram_role_arn" || type == "oidc_role_arn") {
    spec.kind = type == "ram_role_arn" ? CredentialKind::kRamRoleArn : CredentialKind::kOidc;
    ok = ok && Require(v, "role_arn", where, &spec.role_arn, problem);
    if (!field("role_session_name").empty()) spec.session_name = field("role_session_name");
    ok = ok && ReadDuration(field("duration_seconds"), where, &spec, problem);
  }
  if (type == "oidc_role_arn") {
    ok = ok && Require(v, "oidc_provider_arn", where, &spec.oidc_provider_arn, problem) &&
         Require(v, "oidc_token_file", where, &spec.oidc_token_file, problem);
  }
  if (type == "ecs_ram_role") {
    spec.kind = CredentialKind::kEcsRamRole;
    spec.ecs_role_name = field("role_name");
  }
  if (ok) *out = std::move(spec);
  return ok;
}

// The [profile] section of an INI credentials file: false when absent or unusable (`problem`).
bool FromIni(const std::string& text, const std::string& profile, const std::string& path,
             CredentialSpec* out, std::string* problem) {
  std::istringstream in(text);
  std::string line, section;
  std::map<std::string, std::string> values;
  bool found = false;
  int number = 0, section_line = 0;
  while (std::getline(in, line)) {
    ++number;
    line = Trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = Trim(line.substr(1, line.size() - 2));
      if (section == profile && !found) section_line = number;
      found = found || section == profile;
      continue;
    }
    size_t eq = line.find('=');
    if (section == profile && eq != std::string::npos) {
      values[Trim(line.substr(0, eq))] = Trim(line.substr(eq + 1));
    }
  }
  if (!found) return false;
  const std::string where =
      fmt::format("{}:{} [{}]", path, section_line, engine::ForTerminal(profile));
  const std::string type = values.count("type") ? values["type"] : "access_key";
  if (type != "access_key" && type != "ram_role_arn" && type != "ecs_ram_role") {
    *problem = fmt::format(
        "{} is of type \"{}\"; certform supports the types access_key, ram_role_arn and "
        "ecs_ram_role",
        where, engine::ForTerminal(type.substr(0, 64)));
    return false;
  }
  return SpecOf(type, values, where, out, problem);
}

// The aliyun CLI's field names of each mode, mapped to the INI's.
std::map<std::string, std::string> CliFields(const nlohmann::json& p) {
  static const std::map<std::string, std::string> kNames = {
      {"access_key_id", "access_key_id"},
      {"access_key_secret", "access_key_secret"},
      {"sts_token", "security_token"},
      {"ram_role_arn", "role_arn"},
      {"ram_session_name", "role_session_name"},
      {"ram_role_name", "role_name"},
      {"oidc_provider_arn", "oidc_provider_arn"},
      {"oidc_token_file", "oidc_token_file"}};
  std::map<std::string, std::string> out;
  for (const auto& [cli, ini] : kNames) {
    if (p.contains(cli) && p[cli].is_string()) out[ini] = p[cli].get<std::string>();
  }
  if (p.contains("expired_seconds") && p["expired_seconds"].is_number_integer()) {
    out["duration_seconds"] = std::to_string(p["expired_seconds"].get<int64_t>());
  }
  return out;
}

// The profile of the aliyun CLI's config.json.
bool ReadCliConfig(const nlohmann::json& doc, const std::string& profile, const std::string& path,
                   CredentialSpec* out, std::string* problem) {
  static const std::map<std::string, std::string> kModes = {{"AK", "access_key"},
                                                            {"StsToken", "sts"},
                                                            {"RamRoleArn", "ram_role_arn"},
                                                            {"EcsRamRole", "ecs_ram_role"},
                                                            {"OIDC", "oidc_role_arn"}};
  for (const nlohmann::json& p : doc["profiles"]) {
    if (!p.is_object() || p.value("name", "") != profile) continue;
    const std::string mode = p.value("mode", "AK");
    const std::string where = fmt::format("{} profile \"{}\"", path, engine::ForTerminal(profile));
    auto type = kModes.find(mode);
    if (type == kModes.end()) {
      *problem = fmt::format(
          "{} has mode {}; certform supports AK, StsToken, RamRoleArn, EcsRamRole and OIDC", where,
          engine::ForTerminal(mode.substr(0, 64)));
      return false;
    }
    return SpecOf(type->second, CliFields(p), where, out, problem);
  }
  return false;
}

// The CLI configuration as JSON; null (and `problem`) when it is not one.
nlohmann::json ParseCliConfig(const std::string& text, const std::string& path,
                              std::string* problem) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_object() || !doc.contains("profiles") || !doc["profiles"].is_array()) {
    *problem = path + " is not an aliyun CLI configuration (no \"profiles\" list)";
    return nullptr;
  }
  return doc;
}

// Reads a profile file: false when it is absent (a place looked at, nothing more) and when it
// cannot be used (not a regular file, too large, unreadable), which `problem` then names.
// A file others may write could say which key or role certform uses: refused (as ssh refuses
// such a key file), naming the fix.
bool ReadProfileFile(engine::FileSystem& fs, const std::string& path, std::string* text,
                     std::string* problem) {
  Status s = engine::ReadBoundedFile(fs, path, kMaxProfileFileBytes, text);
  if (!s.ok() && !s.IsNotFound() && problem->empty()) *problem = s.message();
  if (!s.ok()) return false;
  engine::FileInfo info;
  if (fs.Stat(path, &info).ok() && (info.mode & 022) != 0) {
    engine::WipeSecret(text);
    if (problem->empty()) {
      *problem = fmt::format(
          "{} may be written by other users (mode {:04o}), who could choose the credentials "
          "certform uses; run chmod 600 {}",
          path, info.mode & 07777, path);
    }
    return false;
  }
  return true;
}

// An ECS role's name, when given, is checked where it was read (`where`): it goes into a URL.
Status CheckRoleName(const CredentialSpec& spec, const std::string& where) {
  if (spec.kind != CredentialKind::kEcsRamRole || spec.ecs_role_name.empty()) return Status::OK();
  if (std::string problem = RamRoleNameProblem(spec.ecs_role_name); !problem.empty()) {
    return Status::InvalidArgument(fmt::format("{}: the ECS role name \"{}\" cannot be used: {}",
                                               where, engine::ForTerminal(spec.ecs_role_name),
                                               problem));
  }
  return Status::OK();
}

// Every spec, wherever it was read (`where`), is checked before it is used: an AccessKeyId is
// printed and sent, ARNs and the session name are sent and printed. A value that is not an
// AccessKeyId is not quoted (it may be a secret in the wrong variable).
Status CheckSpec(const CredentialSpec& spec, const std::string& where) {
  auto bad = [&](const std::string& what) {
    return Status::InvalidArgument(fmt::format("{}: {}", where, what));
  };
  if (spec.kind == CredentialKind::kAccessKey || spec.kind == CredentialKind::kRamRoleArn) {
    if (std::string problem = AccessKeyIdProblem(spec.access_key.access_key_id); !problem.empty()) {
      return bad(fmt::format("the AccessKeyId ({} characters, not shown) {}",
                             spec.access_key.access_key_id.size(), problem));
    }
  }
  if (spec.kind == CredentialKind::kRamRoleArn || spec.kind == CredentialKind::kOidc) {
    if (std::string problem = engine::RamArnProblem(spec.role_arn, "role"); !problem.empty()) {
      return bad(fmt::format("the role ARN \"{}\" {}",
                             engine::ForTerminal(spec.role_arn.substr(0, 256)), problem));
    }
    if (std::string problem = engine::SessionNameProblem(spec.session_name); !problem.empty()) {
      return bad(fmt::format("the role session name \"{}\" {}",
                             engine::ForTerminal(spec.session_name.substr(0, 80)), problem));
    }
  }
  if (spec.kind == CredentialKind::kOidc) {
    if (std::string problem = engine::RamArnProblem(spec.oidc_provider_arn, "oidc-provider");
        !problem.empty()) {
      return bad(fmt::format("the OIDC provider ARN \"{}\" {}",
                             engine::ForTerminal(spec.oidc_provider_arn.substr(0, 256)), problem));
    }
  }
  return CheckRoleName(spec, where);
}

struct ProfileFiles {
  std::string ini, cli;  // empty: not looked at
};

ProfileFiles FilesOf(const engine::EnvLookup& env) {
  ProfileFiles f;
  const std::string home = Get(env, "HOME");
  f.ini = Get(env, "ALIBABA_CLOUD_CREDENTIALS_FILE");
  if (f.ini.empty() && !home.empty()) f.ini = home + "/.alibabacloud/credentials";
  if (Get(env, "ALIBABA_CLOUD_CLI_PROFILE_DISABLED") != "true") {
    f.cli = Get(env, "ALIBABA_CLOUD_CONFIG_FILE");
    if (f.cli.empty() && !home.empty()) f.cli = home + "/.aliyun/config.json";
  }
  return f;
}

Status FromProfile(const std::string& profile, const std::string& chosen_by,
                   const engine::EnvLookup& env, engine::FileSystem& fs, CredentialSpec* out) {
  const ProfileFiles files = FilesOf(env);
  std::vector<std::string> looked;
  std::string problem, text;
  if (!files.ini.empty()) {
    looked.push_back(files.ini);
    if (ReadProfileFile(fs, files.ini, &text, &problem) &&
        FromIni(text, profile, files.ini, out, &problem)) {
      return Status::OK();
    }
  }
  if (!files.cli.empty() && problem.empty()) {
    looked.push_back(files.cli);
    if (ReadProfileFile(fs, files.cli, &text, &problem)) {
      nlohmann::json doc = ParseCliConfig(text, files.cli, &problem);
      try {
        if (!doc.is_null() && ReadCliConfig(doc, profile, files.cli, out, &problem)) {
          return Status::OK();
        }
      } catch (const nlohmann::json::exception&) {
        problem = files.cli + " has a field of the wrong type";
      }
    }
  }
  const std::string what = fmt::format("profile \"{}\"{}", engine::ForTerminal(profile), chosen_by);
  if (!problem.empty()) return Status::InvalidArgument(fmt::format("{}: {}", what, problem));
  return Status::NotFound(fmt::format("no credentials for {}: looked in {}", what,
                                      looked.empty()
                                          ? "nothing (HOME is not set)"
                                          : fmt::format("{}", fmt::join(looked, " and "))));
}

// The profile a bare "profile" setting means, and why (for messages).
std::string DefaultProfile(const std::string& flag, const engine::EnvLookup& env,
                           engine::FileSystem& fs, std::string* chosen_by) {
  if (!flag.empty()) {
    *chosen_by = " (--profile)";
    return flag;
  }
  for (const char* name : {"ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"}) {
    if (std::string v = Get(env, name); !v.empty()) {
      *chosen_by = fmt::format(" (from {})", name);
      return v;
    }
  }
  const ProfileFiles files = FilesOf(env);
  std::string text, problem;
  // A file that cannot be used is reported by FromProfile, which reads it again.
  if (!files.cli.empty() && ReadProfileFile(fs, files.cli, &text, &problem)) {
    nlohmann::json doc = ParseCliConfig(text, files.cli, &problem);
    if (doc.is_object() && doc.contains("current") && doc["current"].is_string() &&
        !doc["current"].get<std::string>().empty()) {
      *chosen_by = fmt::format(" (the current profile of {})", files.cli);
      return doc["current"].get<std::string>();
    }
  }
  *chosen_by = " (the default)";
  return "default";
}

}  // namespace

std::string AccessKeyIdProblem(const std::string& id) {
  if (id.empty()) return "is empty";
  if (id.size() > kMaxAccessKeyId) {
    return fmt::format("is longer than {} characters", kMaxAccessKeyId);
  }
  for (char c : id) {
    // Not '_': tokens of other systems use it (GitHub's ghs_...), and no AccessKeyId does.
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') {
      return "is not an AccessKeyId, which holds only letters, digits, '.' and '-'";
    }
  }
  return "";
}

std::string RamRoleNameProblem(const std::string& name) {
  if (name.empty() || name.size() > 64) return "a RAM role name has 1 to 64 characters";
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') {
      return "a RAM role name holds only letters, digits, '.', '-' and '_'";
    }
  }
  return "";
}

namespace {

Status ResolveSetting(const std::string& setting, const std::string& profile,
                      const engine::EnvLookup& env, engine::FileSystem& fs, CredentialSpec* out) {
  if (setting == "env") {
    if (AccessKeyFromEnvironment(env, out) || OidcFromEnvironment(env, out)) return Status::OK();
    return Status::NotFound(
        "no credentials in the environment: looked for ALIBABA_CLOUD_ACCESS_KEY_ID + "
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALICLOUD_ACCESS_KEY + ALICLOUD_SECRET_KEY (both of a "
        "pair must be set) and ALIBABA_CLOUD_ROLE_ARN + ALIBABA_CLOUD_OIDC_PROVIDER_ARN + "
        "ALIBABA_CLOUD_OIDC_TOKEN_FILE (all three), for the account's credentials = \"env\"");
  }
  if (setting == "oidc") {
    if (OidcFromEnvironment(env, out)) return Status::OK();
    std::vector<std::string> missing;
    for (const char* name : kOidcVariables) {
      if (Get(env, name).empty()) missing.emplace_back(name);
    }
    return Status::NotFound(fmt::format("credentials = \"oidc\" needs {} (not set or empty)",
                                        fmt::join(missing, ", ")));
  }
  if (setting == "ecs-ram-role" || setting.starts_with("ecs-ram-role:")) {
    *out = CredentialSpec();
    out->kind = CredentialKind::kEcsRamRole;
    const bool named = setting.size() > 13;
    out->ecs_role_name = named ? setting.substr(13) : Get(env, "ALIBABA_CLOUD_ECS_METADATA");
    out->source = "the ECS instance's RAM role";
    return CheckRoleName(*out, named ? "the credentials setting" : "ALIBABA_CLOUD_ECS_METADATA");
  }
  if (setting == "profile") {
    std::string chosen_by;
    const std::string name = DefaultProfile(profile, env, fs, &chosen_by);
    Status s = FromProfile(name, chosen_by, env, fs, out);
    return s.ok() ? CheckRoleName(*out, out->source) : s;
  }
  if (setting.starts_with("profile:") && setting.size() > 8) {
    Status s = FromProfile(setting.substr(8), "", env, fs, out);
    return s.ok() ? CheckRoleName(*out, out->source) : s;
  }
  return Status::InvalidArgument(
      "credentials must be \"env\", \"oidc\", \"ecs-ram-role[:ROLE]\", \"profile\" or "
      "\"profile:NAME\"");
}

}  // namespace

engine::Status ResolveCredentialSpec(const std::string& setting, const std::string& profile,
                                     const engine::EnvLookup& env, engine::FileSystem& fs,
                                     CredentialSpec* out) {
  CredentialSpec spec;
  if (Status s = ResolveSetting(setting, profile, env, fs, &spec); !s.ok()) return s;
  if (Status s = CheckSpec(spec, spec.source); !s.ok()) {
    engine::WipeSecret(&spec.access_key.access_key_secret);
    engine::WipeSecret(&spec.access_key.security_token);
    return s;
  }
  *out = std::move(spec);
  return Status::OK();
}

engine::Status ResolveAccountCredentials(const engine::AccountConfig& account,
                                         const std::string& profile, const engine::EnvLookup& env,
                                         engine::FileSystem& fs, CredentialSpec* out) {
  const engine::CredentialNames& named = account.named;
  // Where the account's table is, so that every error here points at it.
  const std::string at = account.where.ToString();
  const std::string table = fmt::format("[account.{}]", engine::ForTerminal(account.name));
  const std::string where = at.empty() ? table : fmt::format("{}: {}", at, table);
  CredentialSpec spec;
  if (named.NamesAccessKey()) {
    std::vector<std::string> unset;
    for (const std::string* name :
         {&named.access_key_id_env, &named.access_key_secret_env, &named.security_token_env}) {
      if (!name->empty() && Get(env, name->c_str()).empty()) unset.push_back(*name);
    }
    if (!unset.empty()) {
      return Status::NotFound(fmt::format("{} names {} for its AccessKey, {} not set (or empty)",
                                          where, fmt::join(unset, " and "),
                                          unset.size() == 1 ? "which is" : "which are"));
    }
    spec.access_key = {
        Get(env, named.access_key_id_env.c_str()), Get(env, named.access_key_secret_env.c_str()),
        named.security_token_env.empty() ? std::string()
                                         : Get(env, named.security_token_env.c_str()),
        fmt::format("environment ({}, named by {})", named.access_key_id_env, table)};
    spec.source = spec.access_key.source;
    if (std::string problem = AccessKeyIdProblem(spec.access_key.access_key_id); !problem.empty()) {
      const size_t size = spec.access_key.access_key_id.size();
      engine::WipeSecret(&spec.access_key.access_key_secret);
      engine::WipeSecret(&spec.access_key.security_token);
      return Status::InvalidArgument(
          fmt::format("{} names {} for its AccessKeyId, whose value ({} characters, not shown) {}",
                      where, named.access_key_id_env, size, problem));
    }
  } else if (named.NamesOidcRole()) {
    spec.kind = CredentialKind::kOidc;
    spec.role_arn = named.role_arn;
    spec.oidc_provider_arn = named.oidc_provider_arn;
    spec.oidc_token_file = named.oidc_token_file;
    if (!named.role_session_name.empty()) spec.session_name = named.role_session_name;
    spec.source = table;
    if (Status s = CheckSpec(spec, where); !s.ok()) return s;
  } else {
    Status s = ResolveCredentialSpec(account.credentials, profile, env, fs, &spec);
    if (!s.ok() && !at.empty()) {  // an implicit account has no table to point at
      return s.WithContext(fmt::format("{} (credentials = \"{}\")", where,
                                       engine::ForTerminal(account.credentials)));
    }
  }
  *out = std::move(spec);
  return Status::OK();
}

}  // namespace certform::alicloud
