// Runs a program with its output captured, for end-to-end tests of the CLI.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace certform::testing {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out;
  std::string err;
};

struct ProcessOptions {
  std::string cwd;                         // empty: the test's own
  std::map<std::string, std::string> env;  // the whole environment (PATH is added)
  std::string stdin_text;                  // fed on standard input
};

// A started child process; output goes to temporary files read by Wait().
class ChildProcess {
 public:
  ChildProcess(const std::string& program, const std::vector<std::string>& args,
               const ProcessOptions& options);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // Waits for the exit and collects the output (once).
  ProcessResult Wait();

 private:
  pid_t pid_ = -1;
  std::string out_path_, err_path_, in_path_;
  bool waited_ = false;
};

ProcessResult RunProcess(const std::string& program, const std::vector<std::string>& args,
                         const ProcessOptions& options = {});

}  // namespace certform::testing
