// certform refresh (accept the live bindings into the state) and certform import DOMAIN...
// (adopt bindings that already exist).
#include <set>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cmd/certform/command_line.h"
#include "cmd/certform/diagnostics_view.h"
#include "cmd/certform/drift_view.h"
#include "cmd/certform/live_check.h"
#include "cmd/certform/providers_setup.h"
#include "cmd/certform/workspace.h"
#include "engine/base/text_escape.h"
#include "engine/plan/drift.h"

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
std::string Describe(const engine::StateEntry& e) {
  if (!e.https) return "https off";
  return engine::ForTerminal(
      fmt::format("{} {} {}{}", e.cert_type, e.cert_name,
                  e.fingerprint.empty() ? "" : "SHA256:" + e.fingerprint.substr(0, 16) + "…",
                  e.certificate.empty() ? "" : " (certificate \"" + e.certificate + "\")"));
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
  std::vector<engine::DomainRef> domains;
  for (const auto& [domain, e] : session.state().entries) domains.push_back({domain, e.account});
  LiveCheck live;
  engine::Status s = ReadLiveAndUploads(session.config(), session.state(), domains,
                                        session.connection, ctx, &live);
  if (!s.ok()) {
    fmt::print(ctx.err, "certform refresh: {}\n", engine::ForTerminal(s.message()));
    return kExitError;
  }
  const std::vector<engine::LiveRead>& reads = live.reads;
  const std::string now = engine::FormatUtc(engine::ToUnixSeconds(ctx.clock.Now()));
  engine::State next = engine::WithoutUntrustedUploads(
      engine::RefreshedState(session.state(), reads, session.config(), now), live.uploads);
  int changed = 0;
  for (const engine::LiveRead& r : reads) {
    if (!r.ok) {
      fmt::print(ctx.err, "certform refresh: {} could not be read: {}\n", r.domain,
                 engine::ForTerminal(r.error));
      return kExitError;
    }
    const engine::StateEntry& before = session.state().entries.at(r.domain);
    const engine::StateEntry* after = next.Find(r.domain);
    if (after == nullptr) {
      fmt::print(ctx.out, "- {}: no longer exists on {}; forgotten\n", r.domain,
                 engine::OnProduct(engine::ProductOf(r.domain)));
      ++changed;
    } else if (!(*after == before)) {
      fmt::print(ctx.out, "~ {}: {} → {}\n", r.domain, Describe(before), Describe(*after));
      ++changed;
    }
  }
  // An upload CAS no longer holds as recorded is not trusted: a bind by its CertId would fail.
  for (const engine::UploadCheck& u : live.uploads) {
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
    ++changed;
  }
  if (changed == 0) {
    fmt::print(ctx.out, "The state already matches the live bindings of {} domains.\n",
               reads.size());
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
  return session.Write(std::move(next), "certform refresh", ctx);
}

int RunImport(const Args& args, Context& ctx) {
  LiveSession session;
  std::string account;
  std::vector<std::string> domains;
  CommandLine cl("import DOMAIN... [options]",
                 fmt::format("Adopts bindings that already exist live ({}) into the state, from a\n"
                             "live read, so that certform can manage existing domains without\n"
                             "uploading anything again. The next plan shows only what differs\n"
                             "from the configuration.",
                             engine::ProductTitles()));
  session.AddOptions(cl);
  cl.options().add_options()("account", po::value(&account)->value_name("NAME"),
                             "The account the domains belong to (default: the only one, or the "
                             "account their binding names)");
  cl.AddPositional("domain", -1, &domains);
  cl.NormalizeDomains(&domains);
  if (auto exit = cl.Parse(args, ctx)) return *exit;
  if (domains.empty()) {
    fmt::print(ctx.err, "certform import: which domains? Usage: certform import DOMAIN...\n");
    return kExitError;
  }
  if (!session.Open("certform import", ctx)) return kExitError;
  std::vector<engine::DomainRef> refs;
  std::set<std::string> seen;
  for (const std::string& d : domains) {
    if (!seen.insert(d).second) {
      fmt::print(ctx.err, "certform import: {} is named twice\n", d);
      return kExitError;
    }
    if (session.state().Find(d)) {
      fmt::print(ctx.err, "certform import: {} is already in the state\n", d);
      return kExitError;
    }
    std::string acct = account;
    if (acct.empty()) {
      const engine::DesiredBinding* b = session.config().FindBinding(d);
      if (b != nullptr)
        acct = b->account;
      else if (session.config().accounts.size() == 1)
        acct = session.config().accounts.begin()->first;
    }
    if (acct.empty()) {
      fmt::print(ctx.err, "certform import: which account does {} belong to? Pass --account\n", d);
      return kExitError;
    }
    refs.push_back({d, acct});
  }
  std::vector<engine::LiveRead> reads;
  engine::Status s = ReadLiveBindings(session.config(), refs, session.connection, ctx, &reads);
  if (!s.ok()) {
    fmt::print(ctx.err, "certform import: {}\n", engine::ForTerminal(s.message()));
    return kExitError;
  }
  engine::State next = session.state();
  const std::string now = engine::FormatUtc(engine::ToUnixSeconds(ctx.clock.Now()));
  for (const engine::LiveRead& r : reads) {
    if (!r.ok || !r.live.exists) {
      fmt::print(ctx.err, "certform import: {}: {}; nothing was imported\n", r.domain,
                 r.ok ? fmt::format("{} does not know this domain",
                                    engine::OnProduct(engine::ProductOf(r.domain)))
                      : engine::ForTerminal(r.error));
      return kExitError;
    }
    engine::StateEntry e =
        engine::EntryFromLive(r.domain, r.account, r.live, session.config(), now, next.uploads);
    fmt::print(ctx.out, "Imported {}: {}\n", r.domain, Describe(e));
    next.entries[r.domain] = e;
    engine::AdoptUpload(e, session.config(), now, &next);
  }
  return session.Write(std::move(next), "certform import", ctx);
}

}  // namespace certform::cli
