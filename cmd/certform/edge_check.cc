#include "cmd/certform/edge_check.h"

#include <fmt/format.h>

#include "cmd/certform/verify_view.h"
#include "engine/base/duration.h"
#include "providers/openssl_tls_probe.h"

namespace certform::cli {

void AddEdgeCheckOptions(CommandLine* cl, EdgeCheckOptions* options, bool with_switch,
                         const char* default_wait) {
  if (with_switch) {
    cl->options().add_options()(
        "verify", po::bool_switch(&options->enabled),
        "Then check each binding at the edge: a TLS handshake with SNI, the served leaf's "
        "SHA-256 fingerprint and chain against the configured certificate ([verify] connect "
        "maps names to another HOST:PORT)");
  }
  cl->options().add_options()(
      "verify-timeout", po::value(&options->wait_text)->value_name("DURATION"),
      fmt::format("Wait up to this long for the edge to serve the configured certificates, "
                  "checking again at growing intervals (0s to 1h; default {})",
                  default_wait)
          .c_str())("expiry-fail-days", po::value(&options->expiry_fail_days)->value_name("N"),
                    "Fail (exit 2) when a live, served or desired certificate expires within N "
                    "days (default: the configuration's expiry_fail_days; 0: never)");
}

std::string CheckEdgeCheckOptions(EdgeCheckOptions* options, const char* default_wait) {
  const std::string text = options->wait_text.empty() ? default_wait : options->wait_text;
  const auto d = engine::ParseDuration(text);
  if (!d || *d < engine::Clock::Duration{0} || *d > std::chrono::hours(1)) {
    return "--verify-timeout must be a duration from 0s to 1h, e.g. \"5m\"";
  }
  options->wait = *d;
  if (options->expiry_fail_days != -1 &&
      (options->expiry_fail_days < 0 || options->expiry_fail_days > 3650)) {
    return "--expiry-fail-days must be between 0 and 3650";
  }
  return "";
}

int FailDays(const EdgeCheckOptions& options, const engine::Config& config) {
  return options.expiry_fail_days >= 0 ? options.expiry_fail_days : config.expiry_fail_days;
}

EdgeCheck RunEdgeCheck(const engine::Config& config, const engine::State& state,
                       const std::vector<std::string>& only,
                       const std::map<std::string, std::string>& old,
                       const EdgeCheckOptions& options, Context& ctx, std::ostream* progress_out,
                       const Style& style, engine::TlsProbe* probe) {
  providers::OpensslTlsProbe real;
  engine::VerifyOptions verify;
  verify.parallelism = config.verify.parallelism;
  verify.timeout = config.verify.timeout;
  verify.wait = options.wait;
  engine::VerifyProgress progress;
  if (progress_out != nullptr) {
    progress = [&](const engine::EdgeReport& so_far, engine::Clock::Duration pause) {
      PrintVerifyWaiting(*progress_out, so_far, pause, style);
    };
  }
  EdgeCheck check;
  check.report = engine::VerifyEdge(engine::VerifyTargets(config, state, only, old),
                                    probe != nullptr ? *probe : real, ctx.clock, verify, progress);
  const int days = FailDays(options, config);
  const int64_t now = engine::ToUnixSeconds(ctx.clock.Now());
  for (const engine::EdgeResult& r : check.report.results) {
    if (r.served.fingerprints.empty()) continue;
    // The desired certificate's own check below covers a leaf that is the desired one.
    if (r.served.fingerprints.front() == r.target.want && r.target.want_not_after != 0) continue;
    engine::CheckExpiry(r.target.address, "served", r.served.leaf_not_after, now, days,
                        &check.expiry);
  }
  for (engine::ExpiryFailure& e : engine::DesiredExpiryFailures(config, now, days, only)) {
    check.expiry.push_back(std::move(e));
  }
  return check;
}

int EdgeCheckExit(const EdgeCheck& check) {
  if (check.report.HasFailure()) return kExitError;
  if (check.report.HasMismatch() || !check.expiry.empty()) return kExitChanges;
  return kExitOk;
}

}  // namespace certform::cli
