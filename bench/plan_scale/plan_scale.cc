// bench/plan_scale: how long `certform plan` takes, and how much memory, on a large estate.
//
// Generates 10,000 domains over 100 certificates (100 domains each, one wildcard certificate per
// zone), with 1,000 domains already in state (500 up to date, 500 on an older certificate), then
// runs `certform plan` (human output to /dev/null) and `certform plan --json` several times.
// Prints the median and worst wall time and the peak RSS of the certform process.
// Target (issue #2): under 1 s and under 200 MB on the 2-core reference machine.
//
// Usage: plan_scale [RUNS]   (default 7)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "cmd/certform/product_table.h"
#include "engine/state/state_file.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

using namespace certform;

namespace {

constexpr int kCertificates = 100;
constexpr int kDomainsPerCertificate = 100;
constexpr int kInState = 1000;

struct Run {
  double seconds;
  long max_rss_kb;
  int exit_code;
};

Run RunCertform(const std::vector<std::string>& args) {
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    FILE* null = std::freopen("/dev/null", "w", stdout);
    (void)null;
    std::vector<char*> argv{const_cast<char*>(CERTFORM_BINARY)};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(CERTFORM_BINARY, argv.data());
    _exit(127);
  }
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {seconds, usage.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

std::string Domain(int cert, int i) {
  return "d" + std::to_string(i) + ".zone" + std::to_string(cert) + ".example.com";
}

void Report(const char* what, std::vector<Run> runs) {
  std::sort(runs.begin(), runs.end(),
            [](const Run& a, const Run& b) { return a.seconds < b.seconds; });
  long rss = 0;
  for (const Run& r : runs) rss = std::max(rss, r.max_rss_kb);
  std::printf("%-28s median %.3f s  worst %.3f s  peak RSS %.1f MB  (%zu runs)\n", what,
              runs[runs.size() / 2].seconds, runs.back().seconds, rss / 1024.0, runs.size());
  std::printf("%-28s ratio to the 1 s target: %.2f; to the 200 MB target: %.2f\n", "",
              runs[runs.size() / 2].seconds / 1.0, rss / 1024.0 / 200.0);
}

}  // namespace

int main(int argc, char** argv) {
  certform::cli::InstallProductTable();
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;
  testing::TempDir dir;
  std::string toml = "[account.main]\nrate_limit = 10\n";
  engine::State state;
  state.lineage = "00000000-0000-4000-8000-000000000000";
  state.serial = 1;
  std::fprintf(stderr, "generating %d certificates and %d domains in %s ...\n", kCertificates,
               kCertificates * kDomainsPerCertificate, dir.path().c_str());
  for (int c = 0; c < kCertificates; ++c) {
    const std::string zone = "zone" + std::to_string(c) + ".example.com";
    testing::TestCert cert = testing::IssueCert({.cn = "*." + zone, .sans = {"*." + zone, zone}});
    const std::string name = "c" + std::to_string(c);
    dir.Write("certs/" + name + ".pem", cert.CertPem());
    dir.Write("certs/" + name + ".key", cert.KeyPem(), 0600);
    toml += "\n[certificate." + name + "]\ncert_file = \"certs/" + name +
            ".pem\"\nkey_file = \"certs/" + name + ".key\"\n\n[[binding]]\ncertificate = \"" +
            name + "\"\ndomains = [\n";
    for (int i = 0; i < kDomainsPerCertificate; ++i) toml += "  \"" + Domain(c, i) + "\",\n";
    toml += "]\n";
    for (int i = 0; i < kDomainsPerCertificate && static_cast<int>(state.entries.size()) < kInState;
         ++i) {
      engine::StateEntry e{.address = engine::SplitAddress(Domain(c, i)),
                           .account = "main",
                           .https = true,
                           .certificate = name,
                           .cert_type = "upload"};
      const bool current = state.entries.size() % 2 == 0;
      e.fingerprint = current ? cert.Fingerprint() : std::string(64, '0');
      e.cert_name = "certform-" + e.fingerprint.substr(0, 16);
      state.entries[e.address.Key()] = e;
    }
  }
  dir.Write("estate.toml", toml);
  dir.Write("certform.state.json", engine::SerializeState(state), 0600);

  Run check = RunCertform({"plan", "--config", dir.path(), "--detailed-exitcode"});
  if (check.exit_code != 2) {
    std::fprintf(stderr, "plan exited %d (expected 2: changes present)\n", check.exit_code);
    return 1;
  }
  std::vector<Run> human, json;
  for (int i = 0; i < runs; ++i) {
    human.push_back(RunCertform({"plan", "--config", dir.path()}));
    json.push_back(RunCertform({"plan", "--config", dir.path(), "--json"}));
  }
  std::printf("plan_scale: %d domains, %d certificates, %d in state\n",
              kCertificates * kDomainsPerCertificate, kCertificates, kInState);
  Report("plan (human output)", human);
  Report("plan --json", json);
  return 0;
}
