// A generated estate for benchmarks: N domains spread over A accounts (each its own emulator
// user and AccessKey, read by certform from a profile file), one wildcard certificate, and a
// certform configuration for them in a temporary directory.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
  std::string cert_pem;     // that certificate (public)
};

// What one certform run did, from its JSON output, its exit and its wall time.
struct RunFigures {
  testing::ProcessResult process;
  double wall_s = 0;    // the process's whole life
  long max_rss_kb = 0;  // peak resident memory of the process
  nlohmann::json last;  // the last JSON line or document it printed (the apply summary)
};

// Writes the configuration (rate_limit per account) into estate->dir.
void MakeEstate(int accounts, int changes, double rate_limit, Estate* estate);

// Runs `certform ARGS --endpoint ENDPOINT` in the estate's directory.
testing::ProcessResult RunCertform(const Estate& estate, std::vector<std::string> args,
                                   const std::string& endpoint);

// The same, timed, with the peak RSS (wait4) and the last JSON value printed.
RunFigures RunCertformMeasured(const Estate& estate, std::vector<std::string> args,
                               const std::string& endpoint);

// Writes a state file in which every domain of the estate serves its certificate, as an apply
// would have left it (for drift and refresh benchmarks).
void WriteAppliedState(const Estate& estate);

// The most calls any one user made in one sliding second, from the emulator's counters.
int PeakPerSecond(const nlohmann::json& counters);

}  // namespace certform::bench
