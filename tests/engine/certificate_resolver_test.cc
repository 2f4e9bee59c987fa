#include "engine/config/certificate_resolver.h"
#include "engine/config/trusted_roots.h"

#include <unistd.h>

#include <filesystem>
#include <map>

#include <catch2/catch.hpp>

#include "engine/config/config_loader.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

using namespace certform::engine;
using namespace certform::testing;

namespace {

// A configuration directory with one upload certificate "web" bound to `domains`.
struct Fixture {
  TempDir dir;
  PosixFileSystem fs;
  std::map<std::string, std::string> env;
  Config config;
  Diagnostics diags;
  // The machine's roots, as the test sets them: none unless a test says.
  std::unique_ptr<TrustedRoots> roots = TrustedRootsFromPem("");

  void WriteConfig(const std::vector<std::string>& domains, const std::string& key_line) {
    std::string list;
    for (const std::string& d : domains) list += (list.empty() ? "\"" : ", \"") + d + "\"";
    dir.Write("main.toml",
              "expiry_warning_days = 30\n[certificate.web]\ncert_file = "
              "\"certs/web.pem\"\n" +
                  key_line + "\n[[binding]]\ncertificate = \"web\"\ndomains = [" + list + "]\n");
  }

  void Resolve(KeyPolicy keys = KeyPolicy::kRequired) {
    config = LoadConfig(fs, dir.path(), &diags);
    REQUIRE_FALSE(diags.HasErrors());
    ResolveCertificates(
        &config, fs,
        [this](const std::string& name) -> std::optional<std::string> {
          auto it = env.find(name);
          if (it == env.end()) return std::nullopt;
          return it->second;
        },
        *roots, std::chrono::system_clock::now(), &diags, keys);
  }

  std::string All() const {
    std::string s;
    for (const Diagnostic& d : diags.items()) s += d.ToString() + "\n";
    return s;
  }
};

}  // namespace

TEST_CASE("resolver: a good certificate is fingerprinted and named after its fingerprint",
          "[resolver]") {
  Fixture f;
  TestCert leaf = IssueCert({.sans = {"www.example.com", "*.example.org"}});
  f.dir.Write("certs/web.pem", leaf.CertPem());
  f.dir.Write("certs/web.key", leaf.KeyPem(), 0600);
  f.WriteConfig({"www.example.com", "a.example.org", ".example.org"},
                "key_file = \"certs/web.key\"");
  f.Resolve();
  INFO(f.All());
  CHECK(f.diags.empty());
  const CertificateConfig& c = f.config.certificates.at("web");
  CHECK(c.info.fingerprint == leaf.Fingerprint());
  CHECK(c.cert_name == "certform-" + leaf.Fingerprint().substr(0, 16));
}

TEST_CASE("resolver: a key from key_env works and an unset variable is named", "[resolver]") {
  Fixture f;
  TestCert leaf = IssueCert({.sans = {"www.example.com"}});
  f.dir.Write("certs/web.pem", leaf.CertPem());
  f.WriteConfig({"www.example.com"}, "key_env = \"WEB_KEY\"");
  SECTION("set") {
    f.env["WEB_KEY"] = leaf.KeyPem();
    f.Resolve();
    CHECK(f.diags.empty());
  }
  SECTION("unset") {
    f.Resolve();
    REQUIRE(f.diags.ErrorCount() == 1);
    const Diagnostic& d = f.diags.items()[0];
    CHECK(d.summary.find("environment variable WEB_KEY") != std::string::npos);
    CHECK(d.where.line == 4);
  }
  SECTION("unset, for a plan: a warning, and the certificate is still checked and fingerprinted") {
    f.Resolve(KeyPolicy::kWhenPresent);
    CHECK(f.diags.ErrorCount() == 0);
    REQUIRE(f.diags.WarningCount() == 1);
    CHECK(f.diags.items()[0].summary.find("private key not checked: environment variable "
                                          "WEB_KEY") != std::string::npos);
    CHECK(f.config.certificates["web"].info.fingerprint == leaf.Fingerprint());
  }
  SECTION("set but wrong, for a plan: still an error") {
    f.env["WEB_KEY"] = IssueCert({.sans = {"www.example.com"}}).KeyPem();
    f.Resolve(KeyPolicy::kWhenPresent);
    CHECK(f.diags.ErrorCount() == 1);
  }
}

TEST_CASE("resolver: a missing key file is named with its TOML line", "[resolver]") {
  Fixture f;
  TestCert leaf = IssueCert({.sans = {"www.example.com"}});
  f.dir.Write("certs/web.pem", leaf.CertPem());
  f.WriteConfig({"www.example.com"}, "key_file = \"certs/missing.key\"");
  f.Resolve();
  REQUIRE(f.diags.ErrorCount() == 1);
  const Diagnostic& d = f.diags.items()[0];
  CHECK(d.where.file == f.dir.Path("main.toml"));
  CHECK(d.where.line == 4);
  CHECK(d.detail.empty());
  CHECK(d.summary.find(f.dir.Path("certs/missing.key")) != std::string::npos);
}

TEST_CASE("resolver: garbage in cert_file is 'certificate is not valid PEM' naming the file",
          "[resolver]") {
  Fixture f;
  f.dir.Write("certs/web.pem", "this is not a certificate\n");
  f.dir.Write("certs/web.key", "irrelevant", 0600);
  f.WriteConfig({"www.example.com"}, "key_file = \"certs/web.key\"");
  f.Resolve();
  REQUIRE(f.diags.ErrorCount() == 1);
  const Diagnostic& d = f.diags.items()[0];
  CHECK(d.summary.find(f.dir.Path("certs/web.pem") + ": certificate is not valid PEM") == 0);
  CHECK(d.where.line == 3);
}

TEST_CASE("resolver: a key that does not match is caught before any API call", "[resolver]") {
  Fixture f;
  TestCert leaf = IssueCert({.sans = {"www.example.com"}});
  TestCert other = IssueCert({.sans = {"www.example.com"}});
  f.dir.Write("certs/web.pem", leaf.CertPem());
  f.dir.Write("certs/web.key", other.KeyPem(), 0600);
  f.WriteConfig({"www.example.com"}, "key_file = \"certs/web.key\"");
  f.Resolve();
  REQUIRE(f.diags.ErrorCount() == 1);
  CHECK(f.diags.items()[0].summary.find("does not match certificate") != std::string::npos);
  CHECK(f.diags.items()[0].detail.find("Certificate.MissMatch") != std::string::npos);
}

TEST_CASE("resolver: an encrypted key is refused clearly", "[resolver]") {
  Fixture f;
  TestCert leaf = IssueCert({.sans = {"www.example.com"}});
  f.dir.Write("certs/web.pem", leaf.CertPem());
  f.dir.Write("certs/web.key", leaf.KeyPem(KeyFormat::kEncryptedPkcs8), 0600);
  f.WriteConfig({"www.example.com"}, "key_file = \"certs/web.key\"");
  f.Resolve();
  REQUIRE(f.diags.ErrorCount() == 1);
  CHECK(f.diags.items()[0].summary.find("private key is encrypted") != std::string::npos);
}

TEST_CASE("resolver: a domain the certificate does not cover is an error at the domain",
          "[resolver]") {
  Fixture f;
  TestCert leaf = IssueCert({.sans = {"*.example.com"}});
  f.dir.Write("certs/web.pem", leaf.CertPem());
  f.dir.Write("certs/web.key", leaf.KeyPem(), 0600);
  f.WriteConfig({"www.example.com", "a.b.example.com", ".example.com"},
                "key_file = \"certs/web.key\"");
  f.Resolve();
  INFO(f.All());
  REQUIRE(f.diags.ErrorCount() == 1);
  const Diagnostic& d = f.diags.items()[0];
  CHECK(d.summary == "certificate \"web\" does not cover domain \"a.b.example.com\"");
  CHECK(d.detail == "its DNS names are: *.example.com");
  CHECK(d.where.line == 7);
}

TEST_CASE("resolver: a wildcard CDN domain without the wildcard name says what it needs",
          "[resolver]") {
  Fixture f;
  TestCert leaf = IssueCert({.sans = {"example.org"}});
  f.dir.Write("certs/web.pem", leaf.CertPem());
  f.dir.Write("certs/web.key", leaf.KeyPem(), 0600);
  f.WriteConfig({".example.org"}, "key_file = \"certs/web.key\"");
  f.Resolve();
  REQUIRE(f.diags.ErrorCount() == 1);
  CHECK(f.diags.items()[0].summary.find("needs \"*.example.org\"") != std::string::npos);
}

TEST_CASE("resolver: expired and not-yet-valid certificates are errors", "[resolver]") {
  Fixture f;
  SECTION("expired") {
    TestCert leaf = IssueCert(
        {.sans = {"www.example.com"}, .not_before_offset = -90 * 86400, .not_after_offset = -60});
    f.dir.Write("certs/web.pem", leaf.CertPem());
    f.dir.Write("certs/web.key", leaf.KeyPem(), 0600);
    f.WriteConfig({"www.example.com"}, "key_file = \"certs/web.key\"");
    f.Resolve();
    REQUIRE(f.diags.ErrorCount() == 1);
    CHECK(f.diags.items()[0].summary.find("expired on") != std::string::npos);
  }
  SECTION("not yet valid") {
    TestCert leaf = IssueCert(
        {.sans = {"www.example.com"}, .not_before_offset = 86400, .not_after_offset = 9 * 86400});
    f.dir.Write("certs/web.pem", leaf.CertPem());
    f.dir.Write("certs/web.key", leaf.KeyPem(), 0600);
    f.WriteConfig({"www.example.com"}, "key_file = \"certs/web.key\"");
    f.Resolve();
    REQUIRE(f.diags.ErrorCount() == 1);
    CHECK(f.diags.items()[0].summary.find("is not valid yet") != std::string::npos);
  }
}

TEST_CASE("resolver: a certificate expiring within expiry_warning_days is a warning",
          "[resolver]") {
  Fixture f;
  TestCert leaf = IssueCert({.sans = {"www.example.com"}, .not_after_offset = 10 * 86400 + 3600});
  f.dir.Write("certs/web.pem", leaf.CertPem());
  f.dir.Write("certs/web.key", leaf.KeyPem(), 0600);
  f.WriteConfig({"www.example.com"}, "key_file = \"certs/web.key\"");
  f.Resolve();
  CHECK(f.diags.ErrorCount() == 0);
  REQUIRE(f.diags.WarningCount() == 1);
  CHECK(f.diags.items()[0].summary.find("expires in 10 days") != std::string::npos);
}

TEST_CASE("resolver: a chain out of order is an error", "[resolver]") {
  Fixture f;
  TestCert root = IssueCert({.cn = "Root", .ca = true});
  TestCert inter = IssueCert({.cn = "Inter", .ca = true}, &root);
  TestCert leaf = IssueCert({.sans = {"www.example.com"}}, &inter);
  f.dir.Write("certs/web.pem", inter.CertPem() + leaf.CertPem());
  f.dir.Write("certs/web.key", leaf.KeyPem(), 0600);
  f.WriteConfig({"www.example.com"}, "key_file = \"certs/web.key\"");
  f.Resolve();
  INFO(f.All());
  CHECK(f.All().find("out of order") != std::string::npos);
  // The key is the leaf's, found second: an order mistake, said once, not "does not match".
  CHECK(f.diags.ErrorCount() == 1);
  CHECK(f.All().find("the leaf (the certificate of key") != std::string::npos);
  CHECK(f.All().find("is certificate 2, not the first") != std::string::npos);
  CHECK(f.All().find("does not match") == std::string::npos);
}

TEST_CASE("resolver: a key that matches no certificate of the chain is a wrong key", "[resolver]") {
  Fixture f;
  TestCert root = IssueCert({.cn = "Root", .ca = true});
  TestCert leaf = IssueCert({.sans = {"www.example.com"}}, &root);
  TestCert other = IssueCert({.sans = {"www.example.com"}}, &root);
  f.dir.Write("certs/web.pem", leaf.CertPem() + root.CertPem());
  f.dir.Write("certs/web.key", other.KeyPem(), 0600);
  f.WriteConfig({"www.example.com"}, "key_file = \"certs/web.key\"");
  f.Resolve();
  INFO(f.All());
  CHECK(f.diags.ErrorCount() == 1);
  CHECK(f.All().find("does not match") != std::string::npos);
}

TEST_CASE("resolver: a private key readable by other users is warned about", "[resolver]") {
  Fixture f;
  TestCert leaf = IssueCert({.sans = {"www.example.com"}});
  f.dir.Write("certs/web.pem", leaf.CertPem());
  f.dir.Write("certs/web.key", leaf.KeyPem(), 0644);
  f.WriteConfig({"www.example.com"}, "key_file = \"certs/web.key\"");
  f.Resolve();
  CHECK(f.diags.ErrorCount() == 0);
  REQUIRE(f.diags.WarningCount() == 1);
  CHECK(f.diags.items()[0].summary.find("is readable by other users (mode 0644)") !=
        std::string::npos);
  CHECK(f.diags.items()[0].detail == "restrict it: chmod 600 " + f.dir.Path("certs/web.key"));
}

TEST_CASE("resolver: a key file behind a symbolic link is followed, a dangling one named",
          "[resolver]") {
  Fixture f;
  TestCert leaf = IssueCert({.sans = {"www.example.com"}});
  f.dir.Write("certs/web.pem", leaf.CertPem());
  f.dir.Write("secrets/real.key", leaf.KeyPem(), 0600);
  REQUIRE(symlink(f.dir.Path("secrets/real.key").c_str(), f.dir.Path("certs/web.key").c_str()) ==
          0);
  REQUIRE(symlink(f.dir.Path("secrets/gone.key").c_str(), f.dir.Path("certs/gone.key").c_str()) ==
          0);
  SECTION("a link to a key, as Kubernetes mounts secrets") {
    f.WriteConfig({"www.example.com"}, "key_file = \"certs/web.key\"");
    f.Resolve();
    CHECK(f.diags.empty());
  }
  SECTION("a dangling link") {
    f.WriteConfig({"www.example.com"}, "key_file = \"certs/gone.key\"");
    f.Resolve();
    REQUIRE(f.diags.ErrorCount() == 1);
    CHECK(f.diags.items()[0].summary.find("cannot read key_file") != std::string::npos);
  }
}

TEST_CASE("resolver: a certificate file that is huge or not a file is refused", "[resolver]") {
  Fixture f;
  TestCert leaf = IssueCert({.sans = {"www.example.com"}});
  f.dir.Write("certs/web.key", leaf.KeyPem(), 0600);
  SECTION("huge") {
    f.dir.Write("certs/web.pem", std::string(2 << 20, 'A'));
    f.WriteConfig({"www.example.com"}, "key_file = \"certs/web.key\"");
    f.Resolve();
    REQUIRE(f.diags.ErrorCount() == 1);
    CHECK(f.diags.items()[0].detail.find("is too large") != std::string::npos);
  }
  SECTION("a directory") {
    std::filesystem::create_directories(f.dir.Path("certs/web.pem"));
    f.WriteConfig({"www.example.com"}, "key_file = \"certs/web.key\"");
    f.Resolve();
    REQUIRE(f.diags.ErrorCount() == 1);
    CHECK(f.diags.items()[0].detail.find("is not a regular file") != std::string::npos);
  }
}

TEST_CASE(
    "resolver: a chain that does not lead to a root is incomplete, and says to use the "
    "full chain",
    "[resolver]") {
  TestCert root = IssueCert({.cn = "Root", .ca = true});
  TestCert inter = IssueCert({.cn = "Inter", .ca = true}, &root);
  TestCert leaf = IssueCert({.sans = {"www.example.com"}}, &inter);
  TestCert other_root = IssueCert({.cn = "Other Root", .ca = true});

  SECTION("the leaf alone (certbot's cert.pem)") {
    Fixture f;
    f.WriteConfig({"www.example.com"}, "key_file = \"certs/web.key\"");
    f.dir.Write("certs/web.pem", leaf.CertPem());
    f.dir.Write("certs/web.key", leaf.KeyPem(), 0600);
    f.roots = TrustedRootsFromPem(root.CertPem());
    f.Resolve();
    INFO(f.All());
    CHECK(f.diags.ErrorCount() == 1);
    CHECK(f.All().find("main.toml:3:13: error: ") != std::string::npos);
    CHECK(f.All().find("certs/web.pem: incomplete certificate chain: the leaf is issued by "
                       "\"CN=Inter\", which is neither in the file nor a trusted root") !=
          std::string::npos);
    CHECK(f.All().find("fullchain.pem, not cert.pem") != std::string::npos);
    CHECK(f.config.certificates.at("web").cert_name.empty());  // not usable
  }
  SECTION("leaf and intermediate: complete when the machine trusts the root") {
    Fixture f;
    f.WriteConfig({"www.example.com"}, "key_file = \"certs/web.key\"");
    f.dir.Write("certs/web.pem", leaf.CertPem() + inter.CertPem());
    f.dir.Write("certs/web.key", leaf.KeyPem(), 0600);
    f.roots = TrustedRootsFromPem(root.CertPem());
    f.Resolve();
    INFO(f.All());
    CHECK(f.diags.ErrorCount() == 0);
    CHECK(f.diags.WarningCount() == 0);
  }
  SECTION("a trust store holding the intermediate (not a root) does not complete a leaf") {
    Fixture f;
    f.WriteConfig({"www.example.com"}, "key_file = \"certs/web.key\"");
    f.dir.Write("certs/web.pem", leaf.CertPem());
    f.dir.Write("certs/web.key", leaf.KeyPem(), 0600);
    f.roots = TrustedRootsFromPem(inter.CertPem());
    f.Resolve();
    CHECK(f.All().find("incomplete certificate chain") != std::string::npos);
  }
  SECTION("leaf and intermediate, the root trusted nowhere: certificate 2 is named") {
    Fixture f;
    f.WriteConfig({"www.example.com"}, "key_file = \"certs/web.key\"");
    f.dir.Write("certs/web.pem", leaf.CertPem() + inter.CertPem());
    f.dir.Write("certs/web.key", leaf.KeyPem(), 0600);
    f.roots = TrustedRootsFromPem(other_root.CertPem());
    f.Resolve();
    CHECK(f.All().find("incomplete certificate chain: certificate 2 is issued by \"CN=Root\"") !=
          std::string::npos);
  }
  SECTION("a chain holding its root needs no trust store; none at all only warns") {
    Fixture f;
    f.WriteConfig({"www.example.com"}, "key_file = \"certs/web.key\"");
    f.dir.Write("certs/web.key", leaf.KeyPem(), 0600);
    f.dir.Write("certs/web.pem", leaf.CertPem() + inter.CertPem() + root.CertPem());
    f.Resolve();
    CHECK(f.diags.ErrorCount() == 0);
    CHECK(f.diags.WarningCount() == 0);

    Fixture g;
    g.WriteConfig({"www.example.com"}, "key_file = \"certs/web.key\"");
    g.dir.Write("certs/web.key", leaf.KeyPem(), 0600);
    g.dir.Write("certs/web.pem", leaf.CertPem());
    g.Resolve();  // no roots on this "machine"
    CHECK(g.diags.ErrorCount() == 0);
    CHECK(g.All().find("whether the chain is complete was not checked: this machine has no "
                       "trusted root certificates") != std::string::npos);
  }
}

TEST_CASE("resolver: the system trust store is found (Debian's ca-certificates)", "[resolver]") {
  // CI and users' machines have /etc/ssl/certs; a public root's intermediate is not in it as a
  // root, and a fresh private certificate is never issued by it.
  std::unique_ptr<TrustedRoots> system = SystemTrustedRoots();
  CHECK(system->Available());
  TestCert root = IssueCert({.cn = "Root", .ca = true});
  TestCert leaf = IssueCert({.sans = {"www.example.com"}}, &root);
  CHECK_FALSE(system->Issued(leaf.cert()));
  CHECK(TrustedRootsFromPem(root.CertPem())->Issued(leaf.cert()));
}
