#include "bench/bench_estate.h"

namespace certform::bench {

void MakeEstate(int accounts, int changes, double rate_limit, Estate* e) {
  testing::TestCert ca = testing::IssueCert({.cn = "Bench CA", .ca = true});
  testing::TestCert cert =
      testing::IssueCert({.cn = "*.bench.example.com", .sans = {"*.bench.example.com"}}, &ca);
  e->fingerprint = cert.Fingerprint();
  e->dir.Write("certs/bench.pem", cert.CertPem());
  e->dir.Write("certs/bench.key", cert.KeyPem(), 0600);
  std::string toml =
      "[certificate.bench]\ncert_file = \"certs/bench.pem\"\n"
      "key_file = \"certs/bench.key\"\n";
  std::string ini;
  for (int a = 0; a < accounts; ++a) {
    const std::string n = std::to_string(a), user = "user" + n;
    e->emulator.accounts.push_back({"key" + n, "secret" + n, user});
    ini += "[a" + n + "]\naccess_key_id = key" + n + "\naccess_key_secret = secret" + n + "\n";
    toml += "\n[account.a" + n + "]\ncredentials = \"profile:a" + n +
            "\"\nrate_limit = " + std::to_string(rate_limit) +
            "\n\n[[binding]]\ncertificate = \"bench\"\naccount = \"a" + n + "\"\ndomains = [";
    for (int i = a; i < changes; i += accounts) {
      const std::string domain = "d" + std::to_string(i) + ".bench.example.com";
      e->emulator.domains.push_back({domain, user, "online"});
      e->domains.push_back(domain);
      toml += "\"" + domain + "\", ";
    }
    toml += "]\n";
  }
  e->dir.Write(".alibabacloud/credentials", ini, 0600);
  e->dir.Write("certform.toml", toml);
}

testing::ProcessResult RunCertform(const Estate& estate, std::vector<std::string> args,
                                   const std::string& endpoint) {
  args.push_back("--endpoint");
  args.push_back(endpoint);
  testing::ProcessOptions o;
  o.cwd = estate.dir.path();
  o.env = {{"HOME", estate.dir.path()}};
  return testing::RunProcess(CERTFORM_BINARY, args, o);
}

}  // namespace certform::bench
