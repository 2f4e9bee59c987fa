// certform prune: deletes the certificates this workspace uploaded to Certificate Management
// Service (accounts with upload_via = "cas") that nothing uses any more, and only those it can
// prove unused: see engine/apply/prune.h for the rules.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cmd/certform/command.h"
#include "cmd/certform/command_line.h"
#include "cmd/certform/diagnostics_view.h"
#include "cmd/certform/providers_setup.h"
#include "cmd/certform/workspace.h"
#include "engine/apply/prune.h"
#include "engine/apply/state_recorder.h"
#include "engine/calls/paged_listing.h"

namespace certform::cli {

namespace {

// Every domain of a user on every product it reads (CDN, DCDN, and OSS where the workspace uses
// it), each with its live binding; `error` when any could not be read (then nothing of that user
// may be deleted: certform cannot prove a certificate unused, and a CAS certificate may be bound
// on any product).
struct UserDomains {
  std::vector<engine::LiveRead> reads;
  std::string error;
};

// The products whose domains prune reads for `user`: the CDN and DCDN always; OSS when the
// configuration or the state binds a domain on OSS for an account of that user (listing every
// bucket needs oss:ListBuckets, which a CDN-only user need not have).
std::vector<std::string> ProductsToRead(
    const std::string& user, const engine::Config& config, const engine::State& state,
    const std::map<std::string, engine::AccountRuntime>& runtimes) {
  auto of_user = [&](const std::string& account) {
    auto rt = runtimes.find(account);
    return rt != runtimes.end() && rt->second.user == user;
  };
  bool oss = false;
  for (const engine::DesiredBinding& b : config.bindings) {
    oss = oss || (b.product == engine::kProductOss && of_user(b.account));
  }
  for (const auto& [address, e] : state.entries) {
    oss = oss || (engine::ProductOf(address) == engine::kProductOss && of_user(e.account));
  }
  std::vector<std::string> products;
  for (const std::string& product : engine::KnownProducts()) {
    if (product != engine::kProductOss || oss) products.push_back(product);
  }
  return products;
}

// "CDN and DCDN", "CDN, DCDN and OSS".
std::string ProductList(const std::vector<std::string>& products) {
  std::string out;
  for (size_t i = 0; i < products.size(); ++i) {
    if (i > 0) out += i + 1 == products.size() ? " and " : ", ";
    out += engine::ProductTitle(products[i]);
  }
  return out;
}

// Lists every domain of `account`'s user on each of `products` (DescribeUserDomains,
// DescribeDcdnUserDomains, ListBuckets and ListCname) and reads each live binding.
UserDomains ReadUserDomains(const std::string& account, const std::vector<std::string>& products,
                            const std::map<std::string, engine::AccountRuntime>& runtimes,
                            engine::PacingRegistry& pacing, Context& ctx) {
  UserDomains out;
  const engine::AccountRuntime& runtime = runtimes.at(account);
  const engine::RetryPolicy retry{engine::RetryOptions{}};
  std::vector<engine::DomainRef> refs;
  for (const std::string& product : products) {
    engine::Provider* provider = runtime.ProviderFor(product);
    if (provider == nullptr) {
      out.error = fmt::format("cannot list the user's {} domains: no provider",
                              engine::ProductTitle(product));
      return out;
    }
    std::vector<std::string> domains;
    engine::PacedCallResult r = engine::ListAllPages<std::string>(
        engine::MakeSerialCall(pacing, runtime, account, retry, ctx.clock, ctx.random, {}, product),
        engine::CallKind::kListDomains,
        [&](int page, std::vector<std::string>* items, int64_t* total, engine::CallResult* last) {
          return provider->ListDomainsPage(page, items, total, last);
        },
        &domains);
    if (!r.status.ok()) {
      out.error =
          fmt::format("cannot list the user's {} domains ({}): {}", engine::ProductTitle(product),
                      provider->Limit(engine::CallKind::kListDomains).api, r.status.message());
      return out;
    }
    for (const std::string& d : domains)
      refs.push_back({engine::BindingAddress(product, d), account});
  }
  out.reads = engine::ReadLive(refs, runtimes, pacing, ctx.clock, ctx.random);
  for (const engine::LiveRead& read : out.reads) {
    if (!read.ok) {
      out.error = fmt::format("cannot read the live binding of {}: {}", read.domain, read.error);
      break;
    }
  }
  return out;
}

}  // namespace

int RunPrune(const Args& args, Context& ctx) {
  CommonOptions common;
  ConnectionOptions connection;
  engine::Clock::Duration lock_timeout{};
  bool dry_run = false, auto_approve = false;
  CommandLine cl(
      "prune [options]",
      "Deletes the certificates this workspace uploaded to Certificate Management Service\n"
      "(accounts with upload_via = \"cas\") that nothing uses any more, e.g. the previous\n"
      "certificate after a renewal. Only uploads recorded in this workspace's state are\n"
      "candidates (never a name alone). Before deleting, certform reads the live binding of every\n"
      "CDN and DCDN domain of the user (and every OSS custom domain of every bucket, when the\n"
      "workspace binds domains on OSS) and keeps any certificate a domain serves, naming it; when\n"
      "a read fails, nothing of that user is deleted. Lists them, then asks for \"yes\" (or\n"
      "--auto-approve); --dry-run only lists.");
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
  std::set<std::string> accounts;
  for (const auto& [name, a] : config.accounts) {
    if (a.UploadsViaCas()) accounts.insert(name);
  }
  if (accounts.empty()) {
    fmt::print(ctx.out, "Nothing to prune: no account uploads through CAS (upload_via).\n");
    return kExitOk;
  }

  std::map<std::string, std::vector<engine::UploadEntry>> candidates;  // by account
  for (const std::string& account : accounts) {
    auto c = engine::PruneCandidates(account, state, config);
    if (!c.empty()) candidates[account] = std::move(c);
  }
  if (candidates.empty()) {
    fmt::print(ctx.out,
               "Nothing to prune: every certificate this workspace uploaded is in use or "
               "wanted.\n");
    return kExitOk;
  }
  std::set<std::string> used;
  for (const auto& [account, list] : candidates) used.insert(account);
  ProviderSet providers;
  if (s = providers.Build(config, used, connection, ctx); !s.ok()) return fail(s.message());
  const auto runtimes = providers.Runtimes();

  // Every candidate is checked against the whole live CDN of its user (read once per user).
  std::map<std::string, UserDomains> users;                        // by user
  std::map<std::string, std::string> read_products;                // by user: "CDN and DCDN"
  std::map<std::string, std::vector<engine::UploadEntry>> unused;  // by account
  std::map<std::string, std::vector<engine::InUse>> kept;          // by account
  std::map<std::string, std::string> errors;                       // by account
  for (const auto& [account, list] : candidates) {
    const std::string& user = runtimes.at(account).user;
    if (!users.count(user)) {
      const std::vector<std::string> products = ProductsToRead(user, config, state, runtimes);
      read_products[user] = ProductList(products);
      fmt::print(ctx.out, "Reading the live binding of every {} domain of account \"{}\"...\n",
                 read_products[user], account);
      users[user] = ReadUserDomains(account, products, runtimes, providers.pacing(), ctx);
    }
    const UserDomains& live = users[user];
    if (!live.error.empty()) {
      errors[account] = live.error;
    } else {
      unused[account] = engine::KeepInUse(list, live.reads, &kept[account]);
    }
  }
  size_t deletable = 0;
  for (const auto& [account, why] : errors) {
    fmt::print(ctx.out, "  account \"{}\": nothing will be deleted: {}\n", account, why);
  }
  for (const auto& [account, list] : kept) {
    for (const engine::InUse& k : list) {
      fmt::print(ctx.out, "  = keep CertId {} (account {}): live domain {} serves it\n", k.cert_id,
                 account, k.domain);
    }
  }
  for (const auto& [account, list] : unused) {
    const std::string& user = runtimes.at(account).user;
    const size_t live = users[user].reads.size();
    for (const engine::UploadEntry& u : list) {
      fmt::print(ctx.out,
                 "  - delete {} (CertId {}, account {}): no domain in the state and none of the "
                 "{} live {} domains uses it\n",
                 u.name, u.cert_id, account, live, read_products[user]);
      ++deletable;
    }
  }
  const bool blocked = !errors.empty();
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
  engine::StateRecorder recorder(*backend, ctx.random, state);
  int failed = 0;
  engine::Status lost;
  for (const auto& [account, list] : unused) {
    if (list.empty() || !lost.ok()) continue;
    const engine::RetryPolicy retry{engine::RetryOptions{}};
    engine::PacedCallHooks hooks;
    hooks.halted = [&] { return !lost.ok(); };
    hooks.fence = [&] {
      if (lost.ok() && lock) lost = lock->Check();
      return lost;
    };
    const engine::SerialCall call = engine::MakeSerialCall(
        providers.pacing(), runtimes.at(account), account, retry, ctx.clock, ctx.random, hooks);
    const engine::PruneEnv env{call, recorder};
    for (const engine::PruneOutcome& o :
         engine::DeleteUploads(list, *runtimes.at(account).provider, env, &state)) {
      if (o.deleted) {
        fmt::print(ctx.out, "{}: deleted (CertId {}, RequestId {})\n", o.upload.name,
                   o.upload.cert_id, o.request_id);
      } else if (o.already_gone) {
        fmt::print(ctx.out, "{}: already gone from CAS (CertId {}); forgotten\n", o.upload.name,
                   o.upload.cert_id);
      } else {
        ++failed;
        fmt::print(ctx.out, "{}: FAILED: {}\n", o.upload.name, o.error);
      }
    }
  }
  if (!lost.ok()) {
    ++failed;
    fmt::print(ctx.err, "certform prune: the state lock was lost; nothing more was sent: {}\n",
               lost.message());
  }
  if (s = recorder.Finish(&state); !s.ok()) {
    return fail("cannot write the state of " + backend->Describe() +
                " (its journal keeps every deletion; the next command replays it): " + s.message());
  }
  return failed == 0 && !blocked ? kExitOk : kExitError;
}

}  // namespace certform::cli
