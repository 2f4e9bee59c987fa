// What the configuration tests share: load a directory (or one file's text) and find the one
// error that says something.
#pragma once

#include <string>

#include <catch2/catch.hpp>

#include "engine/config/config_loader.h"
#include "tests/support/temp_dir.h"

namespace certform::testing {

struct Loaded {
  engine::Config config;
  engine::Diagnostics diags;
};

inline Loaded Load(const TempDir& dir) {
  engine::PosixFileSystem fs;
  Loaded l;
  l.config = engine::LoadConfig(fs, dir.path(), &l.diags);
  l.diags.Sort();
  return l;
}

inline Loaded LoadText(const TempDir& dir, const std::string& toml) {
  dir.Write("main.toml", toml);
  return Load(dir);
}

// The one error whose summary contains `needle`; fails the test if there is not exactly one.
inline const engine::Diagnostic& ErrorWith(const engine::Diagnostics& diags,
                                           const std::string& needle) {
  const engine::Diagnostic* found = nullptr;
  int count = 0;
  for (const engine::Diagnostic& d : diags.items()) {
    if (d.severity == engine::Severity::kError && d.summary.find(needle) != std::string::npos) {
      found = &d;
      ++count;
    }
  }
  INFO("looking for \"" << needle << "\"");
  for (const engine::Diagnostic& d : diags.items()) INFO(d.ToString());
  REQUIRE(count == 1);
  return *found;
}

}  // namespace certform::testing
