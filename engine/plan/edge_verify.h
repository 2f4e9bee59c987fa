// Verify: does the edge serve what the configuration asks for? One TLS handshake per target
// (verify_targets.h) through a TlsProbe, several at once, and after an apply, paced rounds again
// for the targets not serving it yet, until they do or a deadline passes (CDN changes take
// minutes to reach the edge).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/calls/tls_probe.h"
#include "engine/plan/verify_targets.h"

namespace certform::engine {

enum class EdgeOutcome {
  kServes,        // the desired leaf, with the configured chain
  kStale,         // the leaf served before the apply (VerifyTarget::old): still propagating
  kOther,         // another certificate
  kChainDiffers,  // the desired leaf, with other certificates after it (or none)
  kFailed,        // no handshake: the name did not resolve, refused, timed out, alert
  kSkipped,       // not checked (VerifyTarget::skipped)
  // No certificate, as the API read said before the handshake (HTTPS off there, or the domain
  // gone) while the configuration wants one: drift, not a failure to check (MarkNotServing).
  kNotServing,
};
const char* EdgeOutcomeName(EdgeOutcome o);  // "serves", "stale", "other", ... (JSON)

struct EdgeResult {
  VerifyTarget target;
  EdgeOutcome outcome = EdgeOutcome::kSkipped;
  Status error;        // kFailed: what failed
  ServedChain served;  // what the edge presented (the last handshake's)
  int attempts = 0;    // handshakes made
};

struct EdgeReport {
  std::vector<EdgeResult> results;  // in the targets' order
  int rounds = 0;
  bool deadline_passed = false;  // waited, and some target still did not serve what it should

  int Count(EdgeOutcome o) const;
  bool AllServe() const;  // every checked target serves its certificate
  bool HasFailure() const { return Count(EdgeOutcome::kFailed) > 0; }
  // A handshake completed with the wrong certificate or chain.
  bool HasMismatch() const {
    return Count(EdgeOutcome::kStale) + Count(EdgeOutcome::kOther) +
               Count(EdgeOutcome::kChainDiffers) + Count(EdgeOutcome::kNotServing) >
           0;
  }
};

struct VerifyOptions {
  int parallelism = 16;                                // handshakes in flight
  Clock::Duration timeout = std::chrono::seconds(10);  // each connect and handshake
  Clock::Duration wait{0};  // retry until this long has passed; 0: one round
  Clock::Duration first_pause = std::chrono::milliseconds(500);  // before the second round,
  Clock::Duration max_pause = std::chrono::seconds(15);          // doubling up to this
};

// Called before each pause between rounds, with the report so far and the pause to come.
using VerifyProgress = std::function<void(const EdgeReport& so_far, Clock::Duration pause)>;

// The outcome of one handshake for `target`.
EdgeOutcome Judge(const VerifyTarget& target, const TlsProbeResult& result);

// Checks every target not skipped; with options.wait, rounds again (only the targets not
// serving) after pauses of first_pause doubling to max_pause, while the next round can start
// before the deadline. Sleeps through `clock`.
EdgeReport VerifyEdge(const std::vector<VerifyTarget>& targets, TlsProbe& probe, Clock& clock,
                      const VerifyOptions& options, const VerifyProgress& progress = {});

// The handshakes of `report` that failed at an address where `https_off` (address keys → what
// the API read, e.g. "HTTPS is off at the API") says the product serves no certificate: they are
// kNotServing, with that reason as their error. A handshake that succeeded is kept as it is (the
// edge may still serve the certificate while the change propagates).
void MarkNotServing(const std::map<std::string, std::string>& https_off, EdgeReport* report);

}  // namespace certform::engine
