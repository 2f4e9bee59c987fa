#include "tests/support/postgres_server.h"

#include <glob.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace certform::testing {

namespace {

// Runs `command` through the shell; returns its output (stdout and stderr) and sets `status`.
std::string Shell(const std::string& command, int* status) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) {
    *status = -1;
    return out;
  }
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  *status = pclose(p);
  return out;
}

std::string FindBin() {
  glob_t g{};
  std::string bin;
  if (glob("/usr/lib/postgresql/*/bin/initdb", 0, nullptr, &g) == 0 && g.gl_pathc > 0) {
    bin = g.gl_pathv[g.gl_pathc - 1];  // the newest version
    bin = bin.substr(0, bin.rfind('/'));
  }
  globfree(&g);
  return bin;
}

}  // namespace

PostgresServer::PostgresServer() {
  bin_ = FindBin();
  if (bin_.empty()) {
    error_ =
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run "
        "scripts/install-deps.sh";
    return;
  }
  char tmpl[] = "/tmp/certform-pg-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = tmpl;
  port_ = 20000 + static_cast<int>(getpid() % 20000);
  as_root_ = geteuid() == 0;
  int status = 0;
  if (as_root_) {
    // PostgreSQL refuses to run as root: the data belongs to the postgres system user.
    Shell("chown postgres: " + dir_ + " && chmod 700 " + dir_, &status);
    if (status != 0) {
      error_ = "cannot hand " + dir_ + " to the postgres user";
      return;
    }
  }
  std::string out = RunAsOwner(bin_ + "/initdb -D " + dir_ + "/data -U postgres --auth=trust " +
                               "--no-sync -E UTF8 --locale=C.UTF-8 >/dev/null");
  if (!Start()) {
    error_ = "cannot start PostgreSQL: " + out + error_;
    return;
  }
  out = Psql("CREATE ROLE certform LOGIN");
  out += Psql("CREATE DATABASE certform OWNER certform");  // CREATE DATABASE stands alone
  ok_ = out.find("ERROR") == std::string::npos;
  if (!ok_) error_ = "cannot create the test database: " + out;
}

PostgresServer::~PostgresServer() {
  if (dir_.empty()) return;
  Stop();
  int status = 0;
  Shell("rm -rf " + dir_, &status);
}

std::string PostgresServer::RunAsOwner(const std::string& command) const {
  int status = 0;
  const std::string line =
      as_root_ ? "runuser -u postgres -- sh -c '" + command + "'" : "sh -c '" + command + "'";
  return Shell(line, &status) + (status == 0 ? "" : " (exit " + std::to_string(status) + ")");
}

bool PostgresServer::Start() {
  const std::string out = RunAsOwner(
      bin_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/log -w -t 60 -o \"-k " + dir_ + " -p " +
      std::to_string(port_) + " -c listen_addresses= -c fsync=off\" start >/dev/null");
  if (out.find("(exit") != std::string::npos) {
    int status = 0;
    error_ = out + Shell("cat " + dir_ + "/log", &status);
    return false;
  }
  return true;
}

bool PostgresServer::Stop() {
  return RunAsOwner(bin_ + "/pg_ctl -D " + dir_ + "/data -m fast -w stop >/dev/null")
             .find("(exit") == std::string::npos;
}

bool PostgresServer::Restart() { return Stop() && Start(); }

std::string PostgresServer::ConnStr() const {
  return "host=" + dir_ + " port=" + std::to_string(port_) + " dbname=certform user=certform";
}

std::string PostgresServer::Psql(const std::string& sql, const std::string& db) const {
  // Through a file: SQL quotes need no shell quoting.
  const std::string file = dir_ + "/query.sql";
  if (FILE* f = std::fopen(file.c_str(), "w")) {
    std::fputs(sql.c_str(), f);
    std::fclose(f);
  }
  int status = 0;
  Shell("chmod 644 " + file, &status);
  return RunAsOwner(bin_ + "/psql -X -q -A -t -h " + dir_ + " -p " + std::to_string(port_) +
                    " -U postgres -d " + db + " -f " + file);
}

}  // namespace certform::testing
