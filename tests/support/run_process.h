// Runs a program to completion with its output captured, for end-to-end tests of the CLI.
#pragma once

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

ProcessResult RunProcess(const std::string& program, const std::vector<std::string>& args,
                         const ProcessOptions& options = {});

}  // namespace certform::testing
