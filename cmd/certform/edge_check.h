// The edge check verify, apply --verify and drift --verify share: their options (--verify,
// --verify-timeout, --expiry-fail-days), the handshakes through the real TLS probe
// (providers/openssl_tls_probe.h; a test may hand another), the progress lines while waiting,
// and the exit code.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cmd/certform/command_line.h"
#include "cmd/certform/style.h"
#include "engine/calls/tls_probe.h"
#include "engine/config/config.h"
#include "engine/plan/edge_verify.h"
#include "engine/plan/expiry_check.h"
#include "engine/state/state.h"

namespace certform::cli {

struct EdgeCheckOptions {
  bool enabled = false;   // --verify (verify itself: always)
  std::string wait_text;  // --verify-timeout, as given; empty: the command's default
  engine::Clock::Duration wait{0};
  int expiry_fail_days = -1;  // --expiry-fail-days; -1: the configuration's
};

// Adds --verify (when `with_switch`), --verify-timeout DURATION (default `default_wait`) and
// --expiry-fail-days N.
void AddEdgeCheckOptions(CommandLine* cl, EdgeCheckOptions* options, bool with_switch,
                         const char* default_wait);
// Checks the options once parsed (the duration from 0s to 1h, the days from 0 to 3650); an error
// message, or "" when they are good.
std::string CheckEdgeCheckOptions(EdgeCheckOptions* options, const char* default_wait);

// expiry_fail_days in effect: the flag, else the configuration's.
int FailDays(const EdgeCheckOptions& options, const engine::Config& config);

struct EdgeCheck {
  engine::EdgeReport report;
  std::vector<engine::ExpiryFailure> expiry;  // served and desired certificates
};

// Verifies the bindings of `config` (`only`: these address keys; `old`: the leaves served before
// an apply), waiting options.wait for propagation with progress lines on `progress_out`
// (nullptr: none).
EdgeCheck RunEdgeCheck(const engine::Config& config, const engine::State& state,
                       const std::vector<std::string>& only,
                       const std::map<std::string, std::string>& old,
                       const EdgeCheckOptions& options, Context& ctx, std::ostream* progress_out,
                       const Style& style, engine::TlsProbe* probe = nullptr);

// 1 when a handshake failed, else 2 when a domain serves another certificate or a certificate
// expires too soon, else 0.
int EdgeCheckExit(const EdgeCheck& check);

}  // namespace certform::cli
