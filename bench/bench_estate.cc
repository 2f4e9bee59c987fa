#include "bench/bench_estate.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "engine/base/file_system.h"
#include "engine/config/certificate_resolver.h"
#include "state/local/state_store.h"
#include "tests/support/emulator_fixture.h"

namespace certform::bench {

void MakeEstate(int accounts, int changes, double rate_limit, Estate* e) {
  testing::TestCert ca = testing::IssueCert({.cn = "Bench CA", .ca = true});
  testing::TestCert cert =
      testing::IssueCert({.cn = "*.bench.example.com", .sans = {"*.bench.example.com"}}, &ca);
  e->fingerprint = cert.Fingerprint();
  // The chain with its (private) root: certform checks that a chain leads to a root.
  e->cert_pem = cert.CertPem() + ca.CertPem();
  e->dir.Write("certs/bench.pem", e->cert_pem);
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

RunFigures RunCertformMeasured(const Estate& estate, std::vector<std::string> args,
                               const std::string& endpoint) {
  RunFigures f;
  args.push_back("--endpoint");
  args.push_back(endpoint);
  const std::string out_path = estate.dir.Path("bench-stdout.txt");
  // Built before fork(): the child of a multithreaded process must not allocate (see
  // tests/support/run_process.cc).
  std::vector<char*> argv{const_cast<char*>(CERTFORM_BINARY)};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::string home = "HOME=" + estate.dir.path();
  std::vector<char*> envp{const_cast<char*>(home.c_str()), const_cast<char*>("PATH=/usr/bin:/bin"),
                          nullptr};
  const int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const std::string& cwd = estate.dir.path();
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(cwd.c_str()) != 0 || out_fd < 0 || dup2(out_fd, 1) < 0) _exit(126);
    execve(CERTFORM_BINARY, argv.data(), envp.data());
    _exit(127);
  }
  if (out_fd >= 0) close(out_fd);
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  f.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  f.max_rss_kb = usage.ru_maxrss;
  f.process.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  f.process.out = estate.dir.Read("bench-stdout.txt");
  // A single document (drift --json) or one object per line (apply --json): take the last.
  f.last = nlohmann::json::parse(f.process.out, nullptr, false);
  if (f.last.is_discarded()) {
    std::string line;
    for (size_t pos = 0, end; (end = f.process.out.find('\n', pos)) != std::string::npos;
         pos = end + 1) {
      if (end > pos) line = f.process.out.substr(pos, end - pos);
    }
    f.last = nlohmann::json::parse(line, nullptr, false);
  }
  return f;
}

void WriteAppliedState(const Estate& estate) {
  engine::State state;
  const std::string toml = estate.dir.Read("certform.toml");
  for (const std::string& d : estate.domains) {
    // The account is the [[binding]] that lists the domain: accounts are dealt round-robin.
    const size_t at = toml.find("\"" + d + "\"");
    const size_t account = toml.rfind("account = \"", at);
    const std::string name = toml.substr(account + 11, toml.find('"', account + 11) - account - 11);
    state.entries[d] = engine::StateEntry{.address = engine::SplitAddress(d),
                                          .account = name,
                                          .https = true,
                                          .certificate = "bench",
                                          .cert_type = "upload",
                                          .cert_name = engine::DerivedCertName(estate.fingerprint),
                                          .fingerprint = estate.fingerprint,
                                          .applied_at = "2026-11-28T00:00:00Z",
                                          .request_id = "BENCH"};
  }
  engine::PosixFileSystem fs;
  testing::SeededRandom random;
  engine::StateStore store(fs, estate.dir.Path("certform.state.json"));
  if (!store.Write(engine::State{}, &state, random).ok()) std::abort();
}

int PeakPerSecond(const nlohmann::json& counters) {
  int peak = 0;
  for (const auto& [user, n] : counters["peak_per_second"].items()) {
    peak = std::max(peak, n.get<int>());
  }
  return peak;
}

}  // namespace certform::bench
