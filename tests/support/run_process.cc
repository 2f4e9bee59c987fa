#include "tests/support/run_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace certform::testing {

namespace {

std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

int TempFile(std::string* path) {
  char tmpl[] = "/tmp/certform-proc-XXXXXX";
  int fd = mkstemp(tmpl);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  *path = tmpl;
  return fd;
}

}  // namespace

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& args,
                           const ProcessOptions& options) {
  int out_fd = TempFile(&out_path_);
  int err_fd = TempFile(&err_path_);
  int in_fd = TempFile(&in_path_);
  if (!options.stdin_text.empty()) {
    [[maybe_unused]] ssize_t n = write(in_fd, options.stdin_text.data(), options.stdin_text.size());
    lseek(in_fd, 0, SEEK_SET);
  }
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : options.env) env_strings.push_back(k + "=" + v);
  if (!options.env.count("PATH")) env_strings.push_back("PATH=/usr/bin:/bin");
  // Everything the child needs is built before fork(): between fork and exec a child of a
  // multithreaded process (the in-process emulator serves from many threads) may only make
  // async-signal-safe calls; an allocation there can deadlock on a lock another thread held.
  std::vector<char*> argv{const_cast<char*>(program.c_str())};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const char* cwd = options.cwd.empty() ? nullptr : options.cwd.c_str();
  pid_ = fork();
  if (pid_ == 0) {
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    if (cwd != nullptr && chdir(cwd) != 0) _exit(126);
    execve(program.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  close(out_fd);
  close(err_fd);
  close(in_fd);
}

ChildProcess::~ChildProcess() {
  if (!waited_) {
    Signal(SIGKILL);
    Wait();
  }
}

void ChildProcess::Signal(int sig) {
  if (pid_ > 0 && !waited_) kill(pid_, sig);
}

ProcessResult ChildProcess::Wait() {
  ProcessResult r;
  if (waited_) return r;
  int status = 0;
  waitpid(pid_, &status, 0);
  waited_ = true;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = Slurp(out_path_);
  r.err = Slurp(err_path_);
  unlink(out_path_.c_str());
  unlink(err_path_.c_str());
  unlink(in_path_.c_str());
  return r;
}

ProcessResult RunProcess(const std::string& program, const std::vector<std::string>& args,
                         const ProcessOptions& options) {
  return ChildProcess(program, args, options).Wait();
}

}  // namespace certform::testing
