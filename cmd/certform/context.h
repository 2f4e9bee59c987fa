// Context: everything a command needs from the outside world, built once in main() (or by a
// test) and passed down. Commands never reach for globals.
#pragma once

#include <istream>
#include <ostream>
#include <string>

#include "cmd/certform/command_doc.h"
#include "engine/base/clock.h"
#include "engine/base/file_system.h"
#include "engine/base/random.h"
#include "engine/config/certificate_resolver.h"

namespace certform::cli {

struct Context {
  engine::Clock& clock;
  engine::FileSystem& fs;
  engine::RandomSource& random;
  engine::EnvLookup env;
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool out_is_tty = false;  // colour and progress lines only on a terminal
  bool in_is_tty = false;   // questions only when someone can answer
  // When set, a command describes itself here (CommandLine::Parse fills it) and does nothing
  // else: how man pages and completions are generated from the commands themselves.
  CommandDoc* describe = nullptr;
  bool err_is_tty = false;  // progress lines on stderr only on a terminal
};

// Process exit codes, as Terraform's.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitChanges = 2;  // --detailed-exitcode: the plan has changes

}  // namespace certform::cli
