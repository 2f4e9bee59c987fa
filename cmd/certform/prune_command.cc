// certform prune: deletes the certificates certform uploaded to Certificate Management Service
// (accounts with upload_via = "cas") that no domain in the state uses any more.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cmd/certform/command.h"
#include "cmd/certform/command_line.h"
#include "cmd/certform/diagnostics_view.h"
#include "cmd/certform/providers_setup.h"
#include "cmd/certform/workspace.h"
#include "engine/prune.h"

namespace certform::cli {

namespace {

struct Deletion {
  std::string account;
  engine::StoredCertificate certificate;
};

// Deletion calls are spaced at the slowest CAS limit certform relies on (10/s).
constexpr engine::Clock::Duration kDeleteSpacing = std::chrono::milliseconds(110);

}  // namespace

int RunPrune(const Args& args, Context& ctx) {
  CommonOptions common;
  ConnectionOptions connection;
  engine::Clock::Duration lock_timeout{};
  bool dry_run = false, auto_approve = false;
  CommandLine cl(
      "prune [options]",
      "Deletes the certificates certform uploaded to Certificate Management Service (accounts\n"
      "with upload_via = \"cas\") that no domain in the state is bound to any more, e.g. the\n"
      "previous certificate after a renewal. Only certificates certform uploaded are candidates\n"
      "(named \"certform-...\", or recorded in the state); any other is never touched. Lists\n"
      "them, then asks for \"yes\" (or --auto-approve); --dry-run only lists.");
  cl.AddCommonOptions(&common);
  cl.AddLockTimeout(&lock_timeout);
  cl.AddConnectionOptions(&connection.endpoint_override, &connection.ca_bundle);
  cl.options().add_options()("dry-run", po::bool_switch(&dry_run), "Only list what would go")(
      "auto-approve", po::bool_switch(&auto_approve), "Delete without asking");
  if (auto exit = cl.Parse(args, ctx)) return *exit;
  auto fail = [&](const std::string& msg) {
    fmt::print(ctx.err, "certform prune: {}\n", msg);
    return kExitError;
  };
  if (!dry_run && !auto_approve && !ctx.in_is_tty) {
    return fail(
        "nobody can confirm here (standard input is not a terminal); use --auto-approve "
        "or --dry-run");
  }
  engine::Diagnostics diags;
  engine::Config config = LoadConfigForLive(common.config_dir, ctx, &diags);
  PrintDiagnostics(ctx.err, diags, Style::For(ctx, common.no_color));
  if (diags.HasErrors()) return kExitError;
  std::set<std::string> accounts;
  for (const auto& [name, a] : config.accounts) {
    if (a.UploadsViaCas()) accounts.insert(name);
  }
  if (accounts.empty()) {
    fmt::print(ctx.out, "Nothing to prune: no account uploads through CAS (upload_via).\n");
    return kExitOk;
  }
  std::unique_ptr<engine::StateBackend> backend;
  engine::Status s = OpenStateBackend(common, ctx, &backend);
  if (!s.ok()) return fail(s.message());
  std::unique_ptr<engine::StateBackendLock> lock;
  engine::State state;
  int replayed = 0;
  s = dry_run ? LoadState(ctx, *backend, &state, &replayed)
              : LockState(ctx, *backend, "certform prune", lock_timeout, &lock);
  if (s.ok() && !dry_run) s = LoadStateForWrite(ctx, *backend, &state, &replayed);
  if (!s.ok()) return fail(s.message());
  ProviderSet providers;
  if (s = providers.Build(config, accounts, connection, ctx); !s.ok()) return fail(s.message());
  const auto runtimes = providers.Runtimes();
  std::vector<Deletion> deletions;
  for (const std::string& account : accounts) {
    std::vector<engine::StoredCertificate> listed;
    engine::CallResult result;
    s = runtimes.at(account).provider->ListUploadedCertificates(&listed, &result);
    if (!s.ok()) return fail(fmt::format("account \"{}\": {}", account, s.message()));
    for (const auto& c : engine::PruneCandidates(account, listed, state, config)) {
      deletions.push_back({account, c});
    }
  }
  if (deletions.empty()) {
    fmt::print(ctx.out, "Nothing to prune: every certificate certform uploaded is in use.\n");
    return kExitOk;
  }
  for (const Deletion& d : deletions) {
    fmt::print(ctx.out, "  - delete {} (CertId {}, account {}): no domain uses it\n",
               d.certificate.name, d.certificate.cert_id, d.account);
  }
  fmt::print(ctx.out, "\nPrune: {} to delete.\n", deletions.size());
  if (dry_run) return kExitOk;
  if (!auto_approve) {
    fmt::print(ctx.out, "\nDelete them? Only 'yes' will be accepted: ");
    ctx.out.flush();
    std::string answer;
    std::getline(ctx.in, answer);
    if (answer != "yes") {
      fmt::print(ctx.out, "Prune cancelled.\n");
      return kExitError;
    }
  }
  engine::State next = state;
  int failed = 0;
  for (size_t i = 0; i < deletions.size(); ++i) {
    if (i > 0) ctx.clock.SleepFor(kDeleteSpacing);
    const Deletion& d = deletions[i];
    engine::CallResult result;
    s = runtimes.at(d.account).provider->DeleteCertificate(d.certificate.cert_id, &result);
    if (!s.ok()) {
      ++failed;
      fmt::print(ctx.out, "{}: FAILED: {}\n", d.certificate.name, s.message());
      continue;
    }
    fmt::print(ctx.out, "{}: deleted (RequestId {})\n", d.certificate.name, result.request_id);
    std::erase_if(next.uploads, [&](const auto& kv) {
      return kv.second.account == d.account && kv.second.cert_id == d.certificate.cert_id;
    });
  }
  if (next.uploads != state.uploads) {
    if (s = backend->Write(state, &next, ctx.random); !s.ok()) return fail(s.message());
  }
  return failed == 0 ? kExitOk : kExitError;
}

}  // namespace certform::cli
