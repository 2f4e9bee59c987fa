// certform refresh (accept the live bindings into the state) and certform import DOMAIN...
// (adopt bindings that already exist).
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cmd/certform/command_line.h"
#include "cmd/certform/diagnostics_view.h"
#include "cmd/certform/drift_view.h"
#include "cmd/certform/generate_config.h"
#include "cmd/certform/live_check.h"
#include "cmd/certform/providers_setup.h"
#include "cmd/certform/workspace.h"
#include "engine/base/text_escape.h"
#include "engine/config/certificate.h"
#include "engine/plan/drift.h"
#include "engine/plan/import.h"
#include "engine/plan/live_check.h"
#include "engine/plan/refresh_review.h"

namespace certform::cli {

namespace {

// Everything refresh and import share: options, lock, state, configuration.
struct LiveSession {
  CommonOptions common;
  ConnectionOptions connection;
  engine::Clock::Duration lock_timeout{};
  Workspace ws;  // the configuration, the backend, the lock and the state, once opened

  const engine::Config& config() { return ws.config(); }
  const engine::State& state() { return ws.state(); }

  void AddOptions(CommandLine& cl) {
    cl.AddCommonOptions(&common);
    cl.AddLockTimeout(&lock_timeout);
    cl.AddConnectionOptions(&connection);
  }

  // Opens the workspace (configuration, then the locked state); prints the problem and returns
  // false on failure.
  bool Open(const std::string& command, Context& ctx) {
    engine::Status s =
        ws.Open(common, {command, ConfigUse::kLive, StateAccess::kWrite, lock_timeout}, ctx);
    PrintDiagnostics(ctx.err, ws.diags(), Style::For(ctx, common.no_color));
    if (ws.failed_at() == Workspace::Stage::kConfig) return false;
    if (!s.ok()) {
      fmt::print(ctx.err, "{}: {}\n", command, s.message());
      return false;
    }
    return true;
  }

  int Write(engine::State next, const std::string& command, Context& ctx) {
    engine::Status s = ws.backend().Write(ws.state(), &next, ctx.random);
    if (!s.ok()) {
      fmt::print(ctx.err, "{}: {}\n", command, s.message());
      return kExitError;
    }
    fmt::print(ctx.out, "State serial {} → {}.\n", ws.state().serial, next.serial);
    return kExitOk;
  }
};

// One entry as refresh and import print it; the CertName comes from an API answer, so it is
// escaped (engine::ForTerminal) like every outside string a view prints.
// With `chain`, the intermediates too (when they are what changed).
std::string Describe(const engine::StateEntry& e, bool chain = false) {
  if (!e.https) return "https off";
  const std::string intermediates =
      !chain                   ? ""
      : e.chain_digest.empty() ? ", intermediates not recorded"
                               : ", intermediates " + engine::ShortChainDigest(e.chain_digest);
  return engine::ForTerminal(fmt::format(
      "{} {} {}{}{}", e.cert_type, e.cert_name,
      e.fingerprint.empty() ? "" : "SHA256:" + e.fingerprint.substr(0, 16) + "…",
      e.certificate.empty() ? "" : " (certificate \"" + e.certificate + "\")", intermediates));
}

}  // namespace

int RunRefresh(const Args& args, Context& ctx) {
  LiveSession session;
  bool auto_approve = false;
  CommandLine cl("refresh [options]",
                 "Reads every managed domain's live binding and updates the state to match it,\n"
                 "accepting changes made outside certform (a domain that no longer exists is\n"
                 "forgotten), and reads each upload of the state by CertId in Certificate\n"
                 "Management Service, forgetting one CAS no longer holds as recorded (the next\n"
                 "plan uploads it again). Shows what it would change and asks on a terminal;\n"
                 "--auto-approve skips the question. Nothing live is changed.");
  session.AddOptions(cl);
  cl.options().add_options()("auto-approve", po::bool_switch(&auto_approve),
                             "Update the state without asking");
  if (auto exit = cl.Parse(args, ctx)) return *exit;
  if (!auto_approve && !ctx.in_is_tty) {
    fmt::print(ctx.err, "certform refresh: nobody can confirm here; run it with --auto-approve\n");
    return kExitError;
  }
  if (!session.Open("certform refresh", ctx)) return kExitError;
  engine::LiveCheck live;
  engine::Status s =
      ReadLiveAndUploads(session.config(), session.state(), engine::StateDomains(session.state()),
                         session.connection, ctx, &live);
  if (!s.ok()) {
    fmt::print(ctx.err, "certform refresh: {}\n", engine::ForTerminal(s.message()));
    return kExitError;
  }
  const std::string now = engine::FormatUtc(engine::ToUnixSeconds(ctx.clock.Now()));
  engine::RefreshReview review =
      engine::ReviewRefresh(session.state(), session.config(), live, now);
  for (const engine::EntryRefresh& e : review.entries) {
    if (!e.read) {
      fmt::print(ctx.err, "certform refresh: {} could not be read: {}\n", e.address.Key(),
                 engine::ForTerminal(e.error));
      return kExitError;
    }
    if (e.Forgotten()) {
      fmt::print(ctx.out, "- {}: no longer exists on {}; forgotten\n", e.address.Key(),
                 engine::OnProduct(e.address.product));
    } else if (e.Changed()) {
      const bool chain = e.before.chain_digest != e.after->chain_digest;
      fmt::print(ctx.out, "~ {}: {} → {}\n", e.address.Key(), Describe(e.before, chain),
                 Describe(*e.after, chain));
    }
  }
  // An upload CAS no longer holds as recorded is not trusted: a bind by its CertId would fail.
  for (const engine::UploadCheck& u : review.uploads) {
    if (!u.read) {
      fmt::print(ctx.err, "certform refresh: upload {} (CertId {}) could not be read: {}\n",
                 engine::ForTerminal(u.upload.name), u.upload.cert_id,
                 engine::ForTerminal(u.error));
      return kExitError;
    }
    if (u.Trusted()) continue;
    fmt::print(ctx.out,
               "- upload {} (CertId {}, account {}): {}; forgotten, the next plan uploads it "
               "again\n",
               engine::ForTerminal(u.upload.name), u.upload.cert_id,
               engine::ForTerminal(u.upload.account), engine::ForTerminal(u.Problem()));
  }
  const int changed = review.Changes();
  if (changed == 0) {
    fmt::print(ctx.out, "The state already matches the live bindings of {} domains.\n",
               review.entries.size());
    return kExitOk;
  }
  if (!auto_approve) {
    fmt::print(ctx.out, "\nUpdate the state with these {} change(s)? Only 'yes' will be accepted: ",
               changed);
    ctx.out.flush();
    std::string answer;
    std::getline(ctx.in, answer);
    if (answer != "yes") {
      fmt::print(ctx.out, "Refresh cancelled.\n");
      return kExitError;
    }
  }
  return session.Write(std::move(review.next), "certform refresh", ctx);
}

int RunImport(const Args& args, Context& ctx) {
  LiveSession session;
  std::string account;
  std::vector<std::string> domains;
  GenerateConfigOptions generate;
  CommandLine cl(
      "import DOMAIN... [options]\n       certform import --generate-config DIR [options]",
      fmt::format("Adopts bindings that already exist live ({}) into the state, from a\n"
                  "live read, so that certform can manage existing domains without\n"
                  "uploading anything again. The next plan shows only what differs\n"
                  "from the configuration.\n\n{}",
                  engine::ProductTitles(), kGenerateConfigHelp));
  session.AddOptions(cl);
  cl.options().add_options()("account", po::value(&account)->value_name("NAME"),
                             "The account the domains belong to (default: the only one, or the "
                             "account their binding names); with --generate-config, the only "
                             "account to adopt")(
      "generate-config", po::value(&generate.dir)->value_name("DIR"),
      "Discover every binding and write its configuration into DIR (never over a file), and the "
      "matching state")("product", po::value(&generate.products)->value_name("NAME")->composing(),
                        "With --generate-config: only this product (repeatable)")(
      "domain", po::value(&generate.domains)->value_name("GLOB")->composing(),
      "With --generate-config: only domains this pattern matches, e.g. '*.example.com' "
      "(repeatable)");
  cl.AddPositional("domain-name", -1, &domains);
  cl.NormalizeDomains(&domains);
  if (auto exit = cl.Parse(args, ctx)) return *exit;
  if (!generate.dir.empty()) {
    if (!domains.empty()) {
      fmt::print(ctx.err,
                 "certform import: --generate-config discovers the domains itself; name them "
                 "with --domain GLOB instead of as arguments\n");
      return kExitError;
    }
    generate.account = account;
    return RunGenerateConfig(generate, session.common, session.connection, session.lock_timeout,
                             ctx);
  }
  if (!generate.products.empty() || !generate.domains.empty()) {
    fmt::print(ctx.err, "certform import: --product and --domain go with --generate-config DIR\n");
    return kExitError;
  }
  if (domains.empty()) {
    fmt::print(ctx.err, "certform import: which domains? Usage: certform import DOMAIN...\n");
    return kExitError;
  }
  if (!session.Open("certform import", ctx)) return kExitError;
  std::vector<engine::DomainRef> refs;
  engine::Status s =
      engine::ImportDomains(session.config(), session.state(), domains, account, &refs);
  if (!s.ok()) {
    fmt::print(ctx.err, "certform import: {}\n", s.message());
    return kExitError;
  }
  std::vector<engine::LiveRead> reads;
  s = ReadLiveBindings(session.config(), refs, session.connection, ctx, &reads);
  if (!s.ok()) {
    fmt::print(ctx.err, "certform import: {}\n", engine::ForTerminal(s.message()));
    return kExitError;
  }
  const std::string now = engine::FormatUtc(engine::ToUnixSeconds(ctx.clock.Now()));
  engine::State next;
  std::vector<engine::StateEntry> imported;
  s = engine::ImportedState(session.state(), session.config(), reads, now, &next, &imported);
  for (const engine::StateEntry& e : imported) {
    fmt::print(ctx.out, "Imported {}: {}\n", e.address.Key(), Describe(e));
  }
  if (!s.ok()) {
    fmt::print(ctx.err, "certform import: {}\n", engine::ForTerminal(s.message()));
    return kExitError;
  }
  return session.Write(std::move(next), "certform import", ctx);
}

}  // namespace certform::cli
