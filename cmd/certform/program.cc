#include "cmd/certform/program.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cmd/certform/command.h"

namespace certform::cli {

int Main(int argc, char** argv) {
  engine::SystemClock clock;
  engine::PosixFileSystem fs;
  engine::SecureRandom random;
  Context ctx{
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
  ctx.err_is_tty = isatty(STDERR_FILENO) == 1;
  return Run(Args(argv + 1, argv + argc), ctx);
}

}  // namespace certform::cli
