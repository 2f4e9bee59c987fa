// A generated estate for benchmarks: N domains spread over A accounts (each its own emulator
// user and AccessKey, read by certform from a profile file), one wildcard certificate, and a
// certform configuration for them in a temporary directory.
#pragma once

#include <string>
#include <vector>

#include "providers/alicloud/emulator/emulator_config.h"
#include "tests/support/run_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace certform::bench {

struct Estate {
  testing::TempDir dir;
  emulator::EmulatorConfig emulator;  // accounts and domains, limits to be set by the caller
  std::vector<std::string> domains;
  std::string fingerprint;  // of the certificate every domain should serve
};

// Writes the configuration (rate_limit per account) into estate->dir.
void MakeEstate(int accounts, int changes, double rate_limit, Estate* estate);

// Runs `certform ARGS --endpoint ENDPOINT` in the estate's directory.
testing::ProcessResult RunCertform(const Estate& estate, std::vector<std::string> args,
                                   const std::string& endpoint);

}  // namespace certform::bench
