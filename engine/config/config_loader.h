// Reading the configuration directory (the only toml++ user).
#pragma once

#include <cstdint>
#include <string>

#include "engine/base/diagnostics.h"
#include "engine/base/file_system.h"
#include "engine/config/config.h"

namespace certform::engine {

// The largest configuration file certform reads (LoadConfig, certform fmt).
inline constexpr int64_t kMaxConfigFileBytes = 16 << 20;

// Reads and merges every *.toml file of `dir` (sorted by name) into a Config. Every problem is
// added to `diags` with file, line and column: TOML syntax, unknown keys (with a suggestion), wrong
// types, bad values, domains bound twice, undefined certificates or accounts. Loading goes on after
// an error so that all of them are reported in one run; the returned Config is usable only when
// `diags` holds no error. Certificates are not read here (see ResolveCertificates).
Config LoadConfig(FileSystem& fs, const std::string& dir, Diagnostics* diags);

// The toml++ library certform was built with, e.g. "3.3.0" (for `certform version`).
std::string TomlVersion();

}  // namespace certform::engine
