#include "tests/cmd/cli_fixture.h"

#include <cctype>
#include <sstream>

namespace certform::testing {

namespace {
// Half a day past 90 days: "(90 days)" in a view stays 90 for the whole of a test, where exactly
// 90 days would turn into "(89 days)" once the certificate's second has passed, so that two runs
// of one command (compared by a test) could differ on a slow machine (a sanitizer build).
constexpr int64_t kFixtureLifetime = 90 * 86400 + 43200;
}  // namespace

CliFixture::CliFixture()
    : binary(CERTFORM_BINARY),
      ca(IssueCert({.cn = "Fixture CA", .ca = true})),
      web(IssueCert({.cn = "*.example.com",
                     .sans = {"*.example.com", "example.com"},
                     .not_after_offset = kFixtureLifetime},
                    &ca)),
      api(IssueCert({.cn = "api.example.com",
                     .sans = {"api.example.com"},
                     .not_after_offset = kFixtureLifetime,
                     .key = KeyKind::kRsa},
                    &ca)) {
  trust.Write("roots.pem", ca.CertPem());
}

ProcessResult CliFixture::Run(const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& extra_env) const {
  ProcessOptions options;
  options.cwd = dir.path();
  options.env = {{"PATH", "/usr/bin:/bin"},
                 {"API_KEY", api.KeyPem()},
                 {"SSL_CERT_FILE", trust.Path("roots.pem")}};
  for (const auto& [k, v] : extra_env) options.env[k] = v;
  return RunProcess(binary, args, options);
}

void CliFixture::UploadViaCas(const std::string& extra) const {
  std::string toml = dir.Read("certform.toml");
  if (toml.find("upload_via") != std::string::npos) return;
  const std::string account = "[account.main]\n";
  toml.replace(toml.find(account), account.size(), account + "upload_via = \"cas\"\n" + extra);
  dir.Write("certform.toml", toml);
}

std::string CliFixture::StandardCertificates(bool via_cas) {
  return std::string("[account.main]\nendpoint = \"http://127.0.0.1:1\"\n") +
         (via_cas ? "upload_via = \"cas\"\n" : "") + R"(
[certificate.web]
cert_file = "certs/web.pem"
key_file = "certs/web.key"

[certificate.api]
cert_file = "certs/api.pem"
key_env = "API_KEY"
name = "api-2026"
)";
}

void CliFixture::WriteStandardConfig() const {
  dir.Write("certs/web.pem", web.CertPem() + ca.CertPem());
  dir.Write("certs/web.key", web.KeyPem(), 0600);
  dir.Write("certs/api.pem", api.CertPem());
  dir.Write("certform.toml", "# test configuration\n" + StandardCertificates(false) + R"(
[[binding]]
certificate = "web"
domains = ["www.example.com", "img.example.com"]

[[binding]]
certificate = "api"
domains = ["api.example.com"]

[[binding]]
https = false
domains = ["legacy.example.com"]
)");
}

std::vector<std::string> CliFixture::Secrets() const {
  std::vector<std::string> secrets;
  // An EC or RSA private key's encoding holds its public key too: a run of the key's base64 that
  // also occurs in a certificate (public) is no evidence of a leak.
  const std::string public_text = ca.CertPem() + web.CertPem() + api.CertPem();
  auto add = [&](const std::string& s) {
    if (public_text.find(s) == std::string::npos) secrets.push_back(s);
  };
  for (const TestCert* c : {&ca, &web, &api}) {
    for (KeyFormat f : {KeyFormat::kPkcs8, KeyFormat::kTraditional}) {
      std::istringstream lines(c->KeyPem(f));
      std::string line;
      while (std::getline(lines, line)) {
        if (line.find("-----") != std::string::npos || line.size() < 16) continue;
        add(line);
        // An echo may percent-encode it (once or twice): runs of letters and digits survive.
        for (size_t i = 0; i < line.size();) {
          size_t j = i;
          while (j < line.size() && std::isalnum(static_cast<unsigned char>(line[j]))) ++j;
          if (j - i >= 16) add(line.substr(i, j - i));
          i = j + 1;
        }
      }
    }
  }
  for (const char* marker : {"PRIVATE KEY", "PRIVATE%20KEY", "PRIVATE%2520KEY", "PRIVATE+KEY"}) {
    secrets.push_back(marker);
  }
  return secrets;
}

std::string PlanBlockOf(const std::string& plan, const std::string& address) {
  // A domain line: its field (a listener slot's: "slots"; or the field's blank continuation),
  // the address, then the end of the line or what only it has (" (moved from …)", a slot's
  // description).
  for (const std::string field :
       {"      domains      ", "      slots        ", "                   "}) {
    for (size_t at = plan.find("\n" + field + address); at != std::string::npos;
         at = plan.find("\n" + field + address, at + 1)) {
      const size_t end = at + 1 + field.size() + address.size();
      if (end < plan.size() && plan[end] != '\n' && plan[end] != ' ') continue;
      const size_t start = plan.rfind("\n\n  ", at);
      if (start == std::string::npos) return "";
      const size_t stop = plan.find("\n\n", end);
      // The block's lines, each with its newline.
      return plan.substr(start + 4,
                         (stop == std::string::npos ? plan.size() : stop + 1) - start - 4);
    }
  }
  return "";
}

std::string FindSecret(const std::string& text, const std::vector<std::string>& secrets) {
  for (const std::string& s : secrets) {
    if (text.find(s) != std::string::npos) return s;
  }
  return "";
}

}  // namespace certform::testing
