// certform import --generate-config DIR: adopting an existing estate in one command (Terraform's
// import blocks with -generate-config-out). Lists every domain of each account on every product
// (as prune does), reads each one's binding, writes the configuration that describes them into
// DIR (the configuration directory) and the matching state, so that the next plan says
// "No changes.".
#pragma once

#include <string>
#include <vector>

#include "cmd/certform/command_line.h"
#include "cmd/certform/connection_options.h"
#include "cmd/certform/context.h"
#include "engine/base/clock.h"

namespace certform::cli {

struct GenerateConfigOptions {
  std::string dir;                    // --generate-config DIR: where the files are written
  std::vector<std::string> products;  // --product NAME...: only these (default: every product)
  std::vector<std::string> domains;   // --domain GLOB...: only the domains one of them matches
  std::string account;                // --account NAME: only this account (default: every one)
};

// The help text of the options above, for `certform import --help`.
inline constexpr char kGenerateConfigHelp[] =
    "With --generate-config DIR, adopts every binding the configured accounts have instead:\n"
    "it lists every domain of each account on every product (--product, --domain GLOB and\n"
    "--account narrow it), reads each one's certificate at the read limits, and writes into\n"
    "DIR (the configuration directory, holding the accounts) one file per account,\n"
    "adopted_ACCOUNT.toml: one [certificate.*] of type \"cas\" per CAS id served, one\n"
    "[[binding]] per certificate, product and location, https = false where none is served.\n"
    "The domains are recorded in the state, so that the next plan says \"No changes.\". A\n"
    "certificate the API knows by no CAS id is written as a commented placeholder asking for\n"
    "its file, never its key. An existing file is never overwritten. What could not be listed\n"
    "or read, and names from the API that are not valid addresses, are reported and left\n"
    "out; the exit code is then 1, after everything else was written (docs/adopting.md).";

// Runs the adoption; `common`, `connection` and `lock_timeout` as `certform import` parsed them.
int RunGenerateConfig(const GenerateConfigOptions& options, CommonOptions common,
                      const ConnectionOptions& connection, engine::Clock::Duration lock_timeout,
                      Context& ctx);

}  // namespace certform::cli
