// certform prune: deletes the certificates this workspace uploaded to Certificate Management
// Service (accounts with upload_via = "cas") that nothing uses any more, and only those it can
// prove unused: see engine/apply/prune.h for the rules.
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cmd/certform/command.h"
#include "cmd/certform/command_line.h"
#include "cmd/certform/diagnostics_view.h"
#include "cmd/certform/providers_setup.h"
#include "cmd/certform/workspace.h"
#include "engine/apply/prune.h"
#include "engine/apply/prune_copies.h"
#include "engine/apply/prune_deletes.h"
#include "engine/apply/prune_review.h"
#include "engine/base/text_escape.h"

namespace certform::cli {

namespace {

constexpr char kAllInUse[] =
    "Nothing to prune: every certificate this workspace uploaded is in use or wanted.";

// Product titles as a list: "A and B", "A, B and C".
std::string ProductList(const std::vector<std::string>& products) {
  std::string out;
  for (size_t i = 0; i < products.size(); ++i) {
    if (i > 0) out += i + 1 == products.size() ? " and " : ", ";
    out += engine::ProductTitle(products[i]);
  }
  return out;
}

// Why prune keeps a certificate: "live domain ADDRESS serves it" when it is the certificate of
// the slot read there; a listener's other certificates name the listener, and how it serves it.
std::string KeptBecause(const engine::InUse& k, const engine::AccountRuntime& runtime) {
  if (!k.additional) return fmt::format("live domain {} serves it", k.address.Key());
  const engine::Provider* provider = runtime.ProviderFor(k.address.product);
  const bool copies = provider != nullptr && provider->HasOwnCopies();
  return fmt::format("listener {}:{} serves {}", k.address.product, k.address.Location(),
                     copies ? "a store copy of it" : "it as an additional certificate");
}

}  // namespace

int RunPrune(const Args& args, Context& ctx) {
  CommonOptions common;
  ConnectionOptions connection;
  engine::Clock::Duration lock_timeout{};
  bool dry_run = false, auto_approve = false;
  CommandLine cl(
      "prune [options]",
      fmt::format(
          "Deletes the certificates this workspace uploaded to Certificate Management Service\n"
          "(accounts with upload_via = \"cas\") that nothing uses any more, e.g. the previous\n"
          "certificate after a renewal. Only uploads recorded in this workspace's state are\n"
          "candidates (never a name alone). Before deleting, certform reads the live binding of\n"
          "every domain of the user on every product ({}), whatever this workspace binds,\n"
          "and keeps any certificate a domain serves, naming it; when a product cannot be listed\n"
          "or a read fails, nothing of that user is deleted ([prune] skip_products names products\n"
          "the users have none of). certform's own copies in a product's own certificate\n"
          "store go too (any account), once no listener serves them. Lists them, then asks for "
          "\"yes\"\n"
          "(or --auto-approve); --dry-run only lists.",
          engine::ProductTitles()));
  cl.AddCommonOptions(&common);
  cl.AddLockTimeout(&lock_timeout);
  cl.AddConnectionOptions(&connection);
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
  Workspace ws;
  engine::Status s = ws.Open(common,
                             {"certform prune", ConfigUse::kLive,
                              dry_run ? StateAccess::kRead : StateAccess::kWrite, lock_timeout},
                             ctx);
  PrintDiagnostics(ctx.err, ws.diags(), Style::For(ctx, common.no_color));
  if (ws.failed_at() == Workspace::Stage::kConfig) return kExitError;
  if (!s.ok()) return fail(s.message());
  const engine::Config& config = ws.config();
  engine::StateBackend* backend = &ws.backend();
  engine::StateBackendLock* lock = ws.lock();
  engine::State& state = ws.state();
  const auto candidates = engine::PruneCandidatesByAccount(state, config);
  // Store copies (engine/apply/prune_copies.h): of the accounts read for CAS candidates, and of
  // those bound on a product with store copies.
  const std::set<std::string> copy_accounts =
      engine::CopyAccounts(state, config, engine::CandidateAccounts(candidates));
  const bool via_cas = std::any_of(config.accounts.begin(), config.accounts.end(),
                                   [](const auto& a) { return a.second.UploadsViaCas(); });
  if (!via_cas && copy_accounts.empty()) {
    fmt::print(ctx.out, "Nothing to prune: no account uploads through CAS (upload_via).\n");
    return kExitOk;
  }
  // copy_accounts holds every candidate's account too.
  if (copy_accounts.empty()) {
    fmt::print(ctx.out, "{}\n", kAllInUse);
    return kExitOk;
  }
  ProviderSet providers;
  if (s = providers.Build(config, copy_accounts, connection, ctx); !s.ok()) {
    return fail(s.message());
  }
  const auto runtimes = providers.Runtimes();

  // The stores are listed before any listener is read, so that a copy made meanwhile is seen
  // by the reads (prune_copies.h, rule 2).
  std::set<std::string> read_users;
  for (const auto& [account, list] : candidates) read_users.insert(runtimes.at(account).user);
  const engine::CopyListing listing =
      engine::ListCopies(copy_accounts, state, config, config.prune.skip_products, runtimes,
                         read_users, providers.pacing(), ctx.clock, ctx.random);
  // Every candidate is checked against every live domain of its user (read once per user).
  engine::PruneReview review = engine::ReviewPrune(
      candidates, state, config.prune.skip_products, runtimes, providers.pacing(), ctx.clock,
      ctx.random, [&](const std::string& account, const std::vector<std::string>& products) {
        fmt::print(ctx.out, "Reading the live binding of every {} domain of account \"{}\"...\n",
                   ProductList(products), account);
      });
  const engine::CopyReview copies =
      engine::CheckCopies(listing, config.prune.skip_products, runtimes, review.users,
                          providers.pacing(), ctx.clock, ctx.random);
  if (candidates.empty() && copies.unused.empty() && copies.kept.empty() && !copies.failed) {
    fmt::print(ctx.out, "{}\n", kAllInUse);
    for (const std::string& why : copies.blocked) fmt::print(ctx.out, "  {}\n", why);
    return kExitOk;
  }
  for (const auto& [user, live] : review.users) {
    for (const std::string& p : live.skipped) {
      fmt::print(ctx.out,
                 "  {} was not checked (skip_products): a certificate bound there would be "
                 "deleted\n",
                 engine::ProductTitle(p));
    }
  }
  const auto& errors = review.errors;
  const auto& kept = review.kept;
  const auto& unused = review.unused;
  auto& users = review.users;
  size_t deletable = 0;
  for (const auto& [account, why] : errors) {
    fmt::print(ctx.out, "  account \"{}\": nothing will be deleted: {}\n", account, why);
  }
  for (const auto& [account, list] : kept) {
    for (const engine::InUse& k : list) {
      fmt::print(ctx.out, "  = keep CertId {} (account {}): {}\n", k.cert_id, account,
                 KeptBecause(k, runtimes.at(account)));
    }
  }
  for (const auto& [account, list] : unused) {
    const std::string& user = runtimes.at(account).user;
    const size_t live = users[user].reads.size();
    for (const engine::UploadEntry& u : list) {
      fmt::print(ctx.out,
                 "  - delete {} (CertId {}, account {}): no domain in the state and none of the "
                 "{} live {} domains uses it\n",
                 u.name, u.cert_id, account, live, ProductList(users[user].read));
      ++deletable;
    }
  }
  for (const std::string& why : copies.blocked) fmt::print(ctx.out, "  {}\n", why);
  for (const engine::KeptCopy& k : copies.kept) {
    const std::string who =
        k.additional ? fmt::format("listener {}:{}", k.address.product, k.address.Location())
                     : "live domain " + k.address.Key();
    fmt::print(ctx.out, "  = keep store copy {} ({} {}, id {}): {} serves it\n", k.copy.copy.name,
               engine::ProductTitle(k.copy.product), k.copy.copy.location,
               engine::ForTerminal(k.copy.copy.id), who);
  }
  for (const engine::StoreCopyRef& c : copies.unused) {
    fmt::print(ctx.out,
               "  - delete store copy {} ({} {}, id {}, account {}): no listener serves it\n",
               c.copy.name, engine::ProductTitle(c.product), c.copy.location,
               engine::ForTerminal(c.copy.id), c.account);
    ++deletable;
  }
  const bool blocked = !errors.empty() || copies.failed;
  fmt::print(ctx.out, "\nPrune: {} to delete.\n", deletable);
  if (dry_run || deletable == 0) return blocked ? kExitError : kExitOk;
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
  std::function<engine::Status()> fence;
  if (lock != nullptr) fence = [lock] { return lock->Check(); };
  // The store copies first: a copy's CAS certificate is what tells it certform's (its upload's
  // record), and a copy deleted before its CAS certificate never outlives that record.
  engine::Status copies_lost;
  int copies_failed = 0;
  bool refused = false;
  // The CAS certificates of copies still in a store (not deleted, failed, not attempted) stay,
  // so that the upload's record, which makes the copy a candidate, outlives the copy.
  std::map<std::pair<std::string, int64_t>, int> copied;  // (account, CAS id): copies left
  for (const engine::StoreCopyRef& c : copies.unused) ++copied[{c.account, c.copy.cas_id}];
  for (const engine::CopyOutcome& o :
       engine::DeleteCopies(copies.unused, runtimes, providers.pacing(), ctx.clock, ctx.random,
                            fence, &copies_lost)) {
    if (o.deleted || o.already_gone) --copied[{o.copy.account, o.copy.copy.cas_id}];
    const std::string what = fmt::format("store copy {} ({} {}, id {})", o.copy.copy.name,
                                         engine::ProductTitle(o.copy.product), o.copy.copy.location,
                                         engine::ForTerminal(o.copy.copy.id));
    if (o.deleted) {
      fmt::print(ctx.out, "{}: deleted (RequestId {})\n", what, engine::ForTerminal(o.request_id));
    } else if (o.in_use) {
      fmt::print(ctx.out, "{}: kept: the API says it is still in use\n", what);
      refused = true;
    } else if (o.changed) {
      fmt::print(ctx.out, "{}: kept: the store holds it under another name or CAS id now\n", what);
    } else if (o.already_gone) {
      fmt::print(ctx.out, "{}: already gone from the store\n", what);
    } else {
      fmt::print(ctx.out, "{}: FAILED: {}\n", what, engine::ForTerminal(o.error));
      ++copies_failed;
    }
  }
  if (refused) {
    // No listener read served it, yet the API says something does: the reads did not prove what
    // they seemed to, so nothing more is deleted (prune_copies.h, rule 3).
    fmt::print(ctx.err,
               "certform prune: a store copy no listener read served is still in use, so the "
               "reads are not proof enough; nothing more was deleted (no CAS certificate "
               "either). Run prune again to read every listener anew.\n");
    return kExitError;
  }
  if (!copies_lost.ok()) {
    fmt::print(ctx.err, "certform prune: the state lock was lost; nothing more was sent: {}\n",
               engine::ForTerminal(copies_lost.message()));
    return kExitError;
  }
  auto cas_unused = unused;
  for (auto& [account, list] : cas_unused) {
    std::erase_if(list, [&, &account = account](const engine::UploadEntry& u) {
      auto left = copied.find({account, u.cert_id});
      if (left == copied.end() || left->second <= 0) return false;
      fmt::print(ctx.out, "{}: kept (CertId {}): a store copy of it was not deleted\n", u.name,
                 u.cert_id);
      return true;
    });
  }
  // Each delete fenced by the state lock and journaled before it is sent
  // (engine/apply/prune_deletes.h).
  const engine::PruneDeletes done = engine::DeleteUnused(
      cas_unused, runtimes, providers.pacing(), ctx.clock, ctx.random, fence, *backend, &state,
      [&](const std::string&, const engine::PruneOutcome& o) {
        if (o.deleted) {
          fmt::print(ctx.out, "{}: deleted (CertId {}, RequestId {})\n", o.upload.name,
                     o.upload.cert_id, o.request_id);
        } else if (o.already_gone) {
          fmt::print(ctx.out, "{}: already gone from CAS (CertId {}); forgotten\n", o.upload.name,
                     o.upload.cert_id);
        } else {
          fmt::print(ctx.out, "{}: FAILED: {}\n", o.upload.name, o.error);
        }
      });
  if (!done.lost.ok()) {
    fmt::print(ctx.err, "certform prune: the state lock was lost; nothing more was sent: {}\n",
               done.lost.message());
  }
  if (!done.written.ok()) {
    return fail("cannot write the state of " + backend->Describe() +
                " (its journal keeps every deletion; the next command replays it): " +
                done.written.message());
  }
  const int failed = done.failed + copies_failed + (done.lost.ok() ? 0 : 1);
  return failed == 0 && !blocked ? kExitOk : kExitError;
}

}  // namespace certform::cli
