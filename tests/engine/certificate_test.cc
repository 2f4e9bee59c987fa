#include "engine/config/certificate.h"

#include <ctime>

#include <catch2/catch.hpp>

#include "tests/support/test_pki.h"

using namespace certform::engine;
using namespace certform::testing;

TEST_CASE("certificate: the leaf is inspected (fingerprint, names, dates, key type)",
          "[certificate]") {
  TestCert ca = IssueCert({.cn = "Test CA", .ca = true});
  TestCert leaf = IssueCert(
      {.cn = "www.example.com", .sans = {"www.example.com", "*.example.org"}, .key = KeyKind::kRsa},
      &ca);
  CertificateChain chain;
  REQUIRE(CertificateChain::Parse(leaf.CertPem() + ca.CertPem(), &chain).ok());
  CertificateInfo info = chain.Inspect();
  CHECK(info.fingerprint == leaf.Fingerprint());
  CHECK(info.fingerprint.size() == 64);
  CHECK(info.subject == "CN=www.example.com");
  CHECK(info.issuer == "CN=Test CA");
  CHECK(info.sans == std::vector<std::string>{"www.example.com", "*.example.org"});
  CHECK(info.key_type == "RSA 2048");
  CHECK(info.chain_length == 2);
  const int64_t now = std::time(nullptr);
  CHECK(std::abs(info.not_after - (now + 90 * 86400)) < 60);
  CHECK(std::abs(info.not_before - (now - 86400)) < 60);
  CHECK(chain.CheckOrder().ok());
}

TEST_CASE("certificate: EC keys are named by curve", "[certificate]") {
  TestCert leaf = IssueCert({.sans = {"a.example.com"}, .key = KeyKind::kEc});
  CertificateChain chain;
  REQUIRE(CertificateChain::Parse(leaf.CertPem(), &chain).ok());
  CHECK(chain.Inspect().key_type == "EC P-256");
}

TEST_CASE("certificate: garbage is 'certificate is not valid PEM'", "[certificate]") {
  CertificateChain chain;
  Status s = CertificateChain::Parse("hello, world\n", &chain);
  CHECK(s.code() == Status::Code::kInvalidArgument);
  CHECK(s.message().starts_with("certificate is not valid PEM"));
  s = CertificateChain::Parse(
      "-----BEGIN CERTIFICATE-----\nnot base64 at all!!\n-----END CERTIFICATE-----\n", &chain);
  CHECK(s.message().starts_with("certificate is not valid PEM"));
}

TEST_CASE("certificate: a chain out of order names the offending pair", "[certificate]") {
  TestCert root = IssueCert({.cn = "Root", .ca = true});
  TestCert inter = IssueCert({.cn = "Intermediate", .ca = true}, &root);
  TestCert leaf = IssueCert({.cn = "leaf", .sans = {"a.example.com"}}, &inter);
  CertificateChain good, bad;
  REQUIRE(CertificateChain::Parse(leaf.CertPem() + inter.CertPem() + root.CertPem(), &good).ok());
  CHECK(good.CheckOrder().ok());
  REQUIRE(CertificateChain::Parse(leaf.CertPem() + root.CertPem() + inter.CertPem(), &bad).ok());
  Status s = bad.CheckOrder();
  CHECK_FALSE(s.ok());
  CHECK(s.message().find("out of order") != std::string::npos);
  CHECK(s.message().find("CN=Root") != std::string::npos);
}

TEST_CASE("certificate: a chain whose issuer has the right name but another key is refused",
          "[certificate]") {
  TestCert ca = IssueCert({.cn = "CA", .ca = true});
  TestCert impostor = IssueCert({.cn = "CA", .ca = true});  // same name, different key
  TestCert leaf = IssueCert({.cn = "leaf", .sans = {"a.example.com"}}, &ca);
  CertificateChain chain;
  REQUIRE(CertificateChain::Parse(leaf.CertPem() + impostor.CertPem(), &chain).ok());
  CHECK_FALSE(chain.CheckOrder().ok());
}

TEST_CASE("private key: RSA and EC in PKCS#1, SEC1 and PKCS#8 match their certificate",
          "[certificate]") {
  for (KeyKind kind : {KeyKind::kRsa, KeyKind::kEc}) {
    TestCert leaf = IssueCert({.sans = {"a.example.com"}, .key = kind});
    CertificateChain chain;
    REQUIRE(CertificateChain::Parse(leaf.CertPem(), &chain).ok());
    for (KeyFormat format : {KeyFormat::kPkcs8, KeyFormat::kTraditional}) {
      PrivateKey key;
      INFO("kind " << static_cast<int>(kind) << " format " << static_cast<int>(format));
      REQUIRE(PrivateKey::Parse(leaf.KeyPem(format), &key).ok());
      CHECK(key.Matches(chain));
    }
  }
}

TEST_CASE("private key: another certificate's key does not match", "[certificate]") {
  TestCert a = IssueCert({.sans = {"a.example.com"}});
  TestCert b = IssueCert({.sans = {"a.example.com"}});
  CertificateChain chain;
  REQUIRE(CertificateChain::Parse(a.CertPem(), &chain).ok());
  PrivateKey key;
  REQUIRE(PrivateKey::Parse(b.KeyPem(), &key).ok());
  CHECK_FALSE(key.Matches(chain));
}

TEST_CASE("private key: an encrypted key is a clear error, never a passphrase prompt",
          "[certificate]") {
  TestCert leaf = IssueCert({.sans = {"a.example.com"}});
  PrivateKey key;
  Status s = PrivateKey::Parse(leaf.KeyPem(KeyFormat::kEncryptedPkcs8), &key);
  CHECK(s.code() == Status::Code::kInvalidArgument);
  CHECK(s.message().starts_with("private key is encrypted"));
}

TEST_CASE("private key: garbage is refused without echoing it", "[certificate]") {
  PrivateKey key;
  Status s = PrivateKey::Parse(
      "-----BEGIN "
      "PRIVATE KEY-----\nSECRETSTUFF\n-----END PRIVATE KEY-----\n",
      &key);
  CHECK_FALSE(s.ok());
  CHECK(s.message().find("SECRETSTUFF") == std::string::npos);
}

TEST_CASE("WipeSecret empties the string", "[certificate]") {
  std::string secret =
      "-----BEGIN "
      "PRIVATE KEY-----";  // not a key
  WipeSecret(&secret);
  CHECK(secret.empty());
}
