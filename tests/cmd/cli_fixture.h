// A configuration directory with freshly made certificates, and a way to run the certform
// binary against it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tests/support/run_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace certform::testing {

class CliFixture {
 public:
  CliFixture();

  // Runs certform with `args` in the configuration directory. The environment holds only PATH,
  // the api certificate's key (API_KEY), SSL_CERT_FILE naming the fixture CA (the machine's trust
  // store, as a private CA installed there: certs/api.pem is the leaf alone) and `extra_env`.
  ProcessResult Run(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& extra_env = {}) const;

  // The standard configuration: "web" (key_file) bound to www/img.example.com, "api" (key_env
  // API_KEY) bound to api.example.com, and legacy.example.com with HTTPS off.
  void WriteStandardConfig() const;
  // The standard configuration's account (uploading through CAS when `via_cas`) and its
  // certificates "web" and "api", without bindings: the start of certform.toml for a suite that
  // binds them on a product of its own.
  static std::string StandardCertificates(bool via_cas);
  // Makes [account.main] of certform.toml upload through CAS (upload_via = "cas"), with the
  // account lines `extra`; nothing when it already says upload_via.
  void UploadViaCas(const std::string& extra = "") const;

  // Every secret the fixture knows: key PEMs and their base64 bodies, line by line.
  std::vector<std::string> Secrets() const;

  // The certform binary Run() starts: CERTFORM_BINARY unless a test names another.
  std::string binary;
  TempDir dir;
  TempDir trust;  // roots.pem: the fixture CA
  TestCert ca;
  TestCert web;
  TestCert api;
};

// The block of a human plan (plan_view.h) that lists `address`: from its headline ("+ bind
// certificate \"web\" to 2 domains") to the end of its domain lines; "" when no block lists it.
std::string PlanBlockOf(const std::string& plan, const std::string& address);

// The first of `secrets` found in `text`, or "" when none is.
std::string FindSecret(const std::string& text, const std::vector<std::string>& secrets);

}  // namespace certform::testing
