#include "providers/alicloud/credentials.h"

#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certform::alicloud {

namespace {

using engine::Status;

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

bool FromEnvironment(const engine::EnvLookup& env, Credentials* out) {
  struct Names {
    const char *id, *secret, *token;
  };
  for (Names n : {Names{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                        "ALIBABA_CLOUD_SECURITY_TOKEN"},
                  Names{"ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN"}}) {
    std::string id = Get(env, n.id), secret = Get(env, n.secret);
    if (id.empty() || secret.empty()) continue;
    *out = {id, secret, Get(env, n.token), fmt::format("environment ({})", n.id)};
    return true;
  }
  return false;
}

// The [profile] section of an INI credentials file.
bool FromIni(const std::string& text, const std::string& profile, const std::string& path,
             Credentials* out, std::string* problem) {
  std::istringstream in(text);
  std::string line, section;
  std::map<std::string, std::string> values;
  bool found = false;
  while (std::getline(in, line)) {
    line = Trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = Trim(line.substr(1, line.size() - 2));
      found = found || section == profile;
      continue;
    }
    size_t eq = line.find('=');
    if (section == profile && eq != std::string::npos) {
      values[Trim(line.substr(0, eq))] = Trim(line.substr(eq + 1));
    }
  }
  if (!found) return false;
  std::string type = values.count("type") ? values["type"] : "access_key";
  if (type != "access_key" || values["access_key_id"].empty() ||
      values["access_key_secret"].empty()) {
    *problem = fmt::format(
        "{} [{}] is of type \"{}\"; certform supports type access_key with "
        "access_key_id and access_key_secret",
        path, profile, type);
    return false;
  }
  *out = {values["access_key_id"], values["access_key_secret"], "", path};
  return true;
}

// The profile of the aliyun CLI's config.json.
bool ReadCliConfig(const std::string& text, const std::string& profile, const std::string& path,
                   Credentials* out, std::string* problem) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_object() || !doc.contains("profiles") || !doc["profiles"].is_array()) {
    *problem = path + " is not an aliyun CLI configuration (no \"profiles\" list)";
    return false;
  }
  for (const nlohmann::json& p : doc["profiles"]) {
    if (!p.is_object() || p.value("name", "") != profile) continue;
    std::string mode = p.value("mode", "AK");
    if (mode != "AK" && mode != "StsToken") {
      *problem = fmt::format("{} profile \"{}\" has mode {}; certform supports AK and StsToken",
                             path, profile, mode);
      return false;
    }
    *out = {p.value("access_key_id", ""), p.value("access_key_secret", ""),
            mode == "StsToken" ? p.value("sts_token", "") : "", path};
    if (out->access_key_id.empty() || out->access_key_secret.empty()) {
      *problem =
          fmt::format("{} profile \"{}\" lacks access_key_id or access_key_secret", path, profile);
      return false;
    }
    return true;
  }
  return false;
}

bool FromCliConfig(const std::string& text, const std::string& profile, const std::string& path,
                   Credentials* out, std::string* problem) {
  try {
    return ReadCliConfig(text, profile, path, out, problem);
  } catch (const nlohmann::json::exception&) {
    *problem = path + " has a field of the wrong type";
    return false;
  }
}

}  // namespace

engine::Status ResolveCredentials(const std::string& setting, const engine::EnvLookup& env,
                                  engine::FileSystem& fs, Credentials* out) {
  if (setting == "env") {
    if (FromEnvironment(env, out)) return Status::OK();
    return Status::NotFound(
        "no AccessKey found: looked in ALIBABA_CLOUD_ACCESS_KEY_ID + "
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET and ALICLOUD_ACCESS_KEY + ALICLOUD_SECRET_KEY (both of a "
        "pair must be set), for the account's credentials = \"env\"");
  }
  if (!setting.starts_with("profile:")) {
    return Status::InvalidArgument("credentials must be \"env\" or \"profile:NAME\"");
  }
  const std::string profile = setting.substr(8);
  const std::string home = Get(env, "HOME");
  std::vector<std::string> looked;
  std::string problem;
  std::string ini = Get(env, "ALIBABA_CLOUD_CREDENTIALS_FILE");
  if (ini.empty() && !home.empty()) ini = home + "/.alibabacloud/credentials";
  std::string text;
  if (!ini.empty()) {
    looked.push_back(ini);
    if (fs.ReadFile(ini, &text).ok() && FromIni(text, profile, ini, out, &problem)) {
      return Status::OK();
    }
  }
  if (Get(env, "ALIBABA_CLOUD_CLI_PROFILE_DISABLED") != "true") {
    std::string cli = Get(env, "ALIBABA_CLOUD_CONFIG_FILE");
    if (cli.empty() && !home.empty()) cli = home + "/.aliyun/config.json";
    if (!cli.empty()) {
      looked.push_back(cli);
      if (fs.ReadFile(cli, &text).ok() && FromCliConfig(text, profile, cli, out, &problem)) {
        return Status::OK();
      }
    }
  }
  return Status::NotFound(fmt::format(
      "no AccessKey for profile \"{}\": looked in {}{}", profile,
      looked.empty() ? "nothing (HOME is not set)" : fmt::format("{}", fmt::join(looked, " and ")),
      problem.empty() ? "" : "; " + problem));
}

}  // namespace certform::alicloud
