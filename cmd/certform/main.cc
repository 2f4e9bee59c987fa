// certform's main(): builds the real clock, filesystem, randomness and environment lookup, and
// hands them to the command table. Nothing else in certform touches these globals.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cmd/certform/command.h"

int main(int argc, char** argv) {
  certform::engine::SystemClock clock;
  certform::engine::PosixFileSystem fs;
  certform::engine::SecureRandom random;
  certform::cli::Context ctx{
      clock,
      fs,
      random,
      [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
      },
      std::cin,
      std::cout,
      std::cerr,
      isatty(STDOUT_FILENO) == 1,
      isatty(STDIN_FILENO) == 1,
  };
  return certform::cli::Run(certform::cli::Args(argv + 1, argv + argc), ctx);
}
