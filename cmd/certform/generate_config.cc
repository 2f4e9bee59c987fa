#include "cmd/certform/generate_config.h"

#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cmd/certform/diagnostics_view.h"
#include "cmd/certform/providers_setup.h"
#include "cmd/certform/style.h"
#include "cmd/certform/workspace.h"
#include "engine/apply/prune.h"
#include "engine/base/domain_name.h"
#include "engine/base/suggest.h"
#include "engine/base/text_escape.h"
#include "engine/calls/domain_listing.h"
#include "engine/calls/live_reader.h"
#include "engine/config/binding_address.h"
#include "engine/config/toml_format.h"
#include "engine/plan/adoption.h"
#include "engine/plan/adoption_toml.h"
#include "engine/plan/import.h"
#include "engine/plan/planner.h"

namespace certform::cli {

namespace {

constexpr char kCommand[] = "certform import --generate-config";

// A progress line on stderr, redrawn in place, only when stderr is a terminal.
class Progress {
 public:
  explicit Progress(Context& ctx) : ctx_(ctx) {}
  ~Progress() { Done(); }

  void Show(const std::string& text) {
    if (!ctx_.err_is_tty) return;
    std::lock_guard<std::mutex> lock(mu_);
    fmt::print(ctx_.err, "\r\033[K{}", text);
    ctx_.err.flush();
    shown_ = true;
  }
  void Done() {
    if (!shown_) return;
    fmt::print(ctx_.err, "\r\033[K");
    ctx_.err.flush();
    shown_ = false;
  }

 private:
  Context& ctx_;
  std::mutex mu_;
  bool shown_ = false;
};

// "adopted_main.toml", or adopted_N.toml for an account whose name is not a plain file name.
std::string FileFor(const std::string& account, size_t index) {
  const bool plain =
      !account.empty() && account.size() <= 64 &&
      std::all_of(account.begin(), account.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
      });
  return plain ? "adopted_" + account + ".toml" : fmt::format("adopted_{}.toml", index + 1);
}

// True when one of `patterns` (globs, fnmatch(3), compared in lower case as domains are) matches.
bool Matches(const std::vector<std::string>& patterns, const std::string& domain) {
  if (patterns.empty()) return true;
  for (const std::string& pattern : patterns) {
    const std::string p = engine::NormalizeDomain(pattern);
    if (fnmatch(p.c_str(), domain.c_str(), 0) == 0) return true;
    // A wildcard CDN domain ".example.com" is "*.example.com" to a user.
    if (domain.starts_with(".") && fnmatch(p.c_str(), ("*" + domain).c_str(), 0) == 0) return true;
  }
  return false;
}

// What the run could not do, printed at the end and making the exit code 1.
struct Problems {
  std::vector<std::string> lines;
  void Add(std::string line) { lines.push_back(std::move(line)); }
};

// What the progress line says while the listing and the reads overlap (both shown on one line).
class ReadProgress {
 public:
  explicit ReadProgress(Progress& progress) : progress_(progress) {}

  // A listing starts (`stage`, e.g. "Listing the CDN domains of account main…").
  void Listing(std::string stage) {
    std::lock_guard<std::mutex> lock(mu_);
    stage_ = std::move(stage);
    ShowLocked();
  }
  // Every listing is over: `total` domains are being read.
  void Listed(size_t total) {
    std::lock_guard<std::mutex> lock(mu_);
    stage_.clear();
    total_ = total;
    listed_ = true;
    if (total > 0) ShowLocked();  // nothing to read: no reading line
  }
  void Queued(size_t queued) {
    std::lock_guard<std::mutex> lock(mu_);
    queued_ = queued;
  }
  // From the readers: `done` reads have ended.
  void Read(size_t done) {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = std::max(done_, done);
    if (done % 10 == 0 || (listed_ && done == total_)) ShowLocked();
  }

 private:
  void ShowLocked() {
    if (listed_) {
      progress_.Show(
          fmt::format("Reading the certificates of {} domains… {}/{}", total_, done_, total_));
    } else if (queued_ == 0) {
      progress_.Show(stage_);
    } else {
      progress_.Show(fmt::format("{} {}/{} read", stage_, done_, queued_));
    }
  }

  Progress& progress_;
  std::mutex mu_;
  std::string stage_;
  size_t queued_ = 0, done_ = 0, total_ = 0;
  bool listed_ = false;
};

// What the listings found: each chosen account's listing on each chosen product, filtered, its
// domains given to the reads as each page arrives.
struct Found {
  size_t managed = 0;   // already in the configuration or the state: left alone
  size_t filtered = 0;  // listed but not matched by --domain
  // Reads of a listing that failed on a later page, [first, end) in the stream's order: dropped,
  // as if never listed.
  std::vector<std::pair<size_t, size_t>> dropped;
};

Found ListEstate(const GenerateConfigOptions& options, const engine::Config& config,
                 const engine::State& state, const std::vector<std::string>& accounts,
                 const std::map<std::string, engine::AccountRuntime>& runtimes,
                 ProviderSet& providers, engine::LiveReadStream& reads, Context& ctx,
                 ReadProgress& progress, Problems* problems) {
  Found found;
  std::set<std::string> configured;  // by address key: FindBinding scans
  for (const engine::DesiredBinding& b : config.bindings) configured.insert(b.address.Key());
  for (const std::string& account : accounts) {
    const engine::AccountRuntime& runtime = runtimes.at(account);
    for (const std::string& product : engine::KnownProducts()) {
      if (!options.products.empty() && std::find(options.products.begin(), options.products.end(),
                                                 product) == options.products.end()) {
        continue;
      }
      const std::string title = engine::ProductTitle(product);
      if (const engine::ProductRules* rules = engine::FindProduct(product);
          rules != nullptr && !rules->listable) {
        // Nothing to adopt from: said only when asked for by name.
        if (!options.products.empty()) {
          problems->Add(
              fmt::format("{} of account \"{}\" was not read: certform does not list "
                          "{}s; write their bindings by hand",
                          title, engine::ForTerminal(account),
                          rules->slots.enabled ? rules->slots.of : "binding"));
        }
        continue;
      }
      engine::Provider* provider = runtime.ProviderFor(product);
      if (provider == nullptr) {
        problems->Add(
            fmt::format("{} of account \"{}\" was not read: certform has no {} provider "
                        "for it",
                        title, engine::ForTerminal(account), title));
        continue;
      }
      progress.Listing(fmt::format("Listing the {} domains of account {}…", title,
                                   engine::ForTerminal(account)));
      // Counted apart until the listing ends: one that fails lists nothing.
      size_t managed = 0, filtered = 0;
      const size_t first = reads.added();
      engine::ListedDomains listed = engine::ListProductDomains(
          account, runtime, product, *provider, providers.pacing(), ctx.clock, ctx.random,
          [&](const std::vector<engine::Address>& page) {
            for (const engine::Address& a : page) {
              if (configured.count(a.Key()) || state.Find(a) != nullptr) {
                ++managed;
              } else if (!Matches(options.domains, a.domain)) {
                ++filtered;
              } else {
                reads.Add({a, account});
              }
            }
            progress.Queued(reads.added());
          });
      if (!listed.call.status.ok() || listed.call.stopped) {
        if (reads.added() > first) found.dropped.emplace_back(first, reads.added());
        problems->Add(fmt::format(
            "{} of account \"{}\" could not be listed ({}): {}; the user needs {}", title,
            engine::ForTerminal(account), provider->Limit(engine::CallKind::kListDomains).api,
            engine::ForTerminal(listed.call.status.message()), engine::ListPermissions(*provider)));
        continue;
      }
      for (const engine::RejectedName& r : listed.rejected) {
        problems->Add(
            fmt::format("{} of account \"{}\" listed {}, which is not a valid address "
                        "({}); it was not written",
                        title, engine::ForTerminal(account), engine::ForTerminal(r.text),
                        engine::ForTerminal(r.problem)));
      }
      found.managed += managed;
      found.filtered += filtered;
    }
  }
  return found;
}

// The reads of `all` but those of `dropped` (ranges of indexes, in order).
std::vector<engine::LiveRead> Kept(std::vector<engine::LiveRead> all,
                                   const std::vector<std::pair<size_t, size_t>>& dropped) {
  if (dropped.empty()) return all;
  std::vector<engine::LiveRead> kept;
  auto range = dropped.begin();
  for (size_t i = 0; i < all.size(); ++i) {
    while (range != dropped.end() && i >= range->second) ++range;
    if (range != dropped.end() && i >= range->first) continue;
    kept.push_back(std::move(all[i]));
  }
  return kept;
}

// Checks the options against the configuration: known products, a known account. Prints the
// problem and returns false.
bool CheckChoices(const GenerateConfigOptions& options, const engine::Config& config,
                  std::vector<std::string>* accounts, Context& ctx) {
  const std::vector<std::string> products = engine::KnownProducts();
  for (const std::string& p : options.products) {
    if (std::find(products.begin(), products.end(), p) == products.end()) {
      const std::string near = engine::Suggest(p, products);
      fmt::print(ctx.err, "{}: --product {} is not a product certform knows{}\n", kCommand,
                 engine::ForTerminal(p), near.empty() ? "" : "; did you mean " + near + "?");
      return false;
    }
  }
  for (const auto& [name, a] : config.accounts) {
    if (options.account.empty() || options.account == name) accounts->push_back(name);
  }
  if (accounts->empty()) {
    fmt::print(ctx.err,
               "{}: {}; write an [account.NAME] table in {} first (README, \"Adopting an "
               "existing account\")\n",
               kCommand,
               options.account.empty()
                   ? std::string("the configuration defines no account")
                   : fmt::format("--account {} is not an account of the configuration",
                                 engine::ForTerminal(options.account)),
               engine::ForTerminal(options.dir));
    return false;
  }
  return true;
}

// The files to write, one per account that has anything; none may exist. Prints each file that
// exists and returns false then.
bool PlanFiles(const std::string& dir, const std::vector<std::string>& accounts, Context& ctx,
               std::map<std::string, std::string>* files) {
  bool ok = true;
  for (size_t i = 0; i < accounts.size(); ++i) {
    const std::string path = engine::JoinPath(dir, FileFor(accounts[i], i));
    if (ctx.fs.Exists(path)) {
      fmt::print(ctx.err,
                 "{}: {} already exists; certform never overwrites a file: move it "
                 "away or remove it, then run this again\n",
                 kCommand, engine::ForTerminal(path));
      ok = false;
    }
    (*files)[accounts[i]] = path;
  }
  return ok;
}

// The file's text in the layout `certform fmt` keeps.
std::string Formatted(const std::string& path, const std::string& text) {
  engine::TomlFormat f = engine::FormatToml(path, text);
  return f.ok ? f.text : text;
}

}  // namespace

int RunGenerateConfig(const GenerateConfigOptions& options, CommonOptions common,
                      const ConnectionOptions& connection, engine::Clock::Duration lock_timeout,
                      Context& ctx) {
  if (common.config_dir != "." && common.config_dir != options.dir) {
    fmt::print(ctx.err,
               "{}: DIR is the configuration directory the next plan reads; give it once "
               "(--generate-config {} or --config {}), not both\n",
               kCommand, engine::ForTerminal(options.dir), engine::ForTerminal(common.config_dir));
    return kExitError;
  }
  common.config_dir = options.dir;
  Workspace ws;
  engine::Status s = ws.Open(
      common, {"certform import", ConfigUse::kLive, StateAccess::kWrite, lock_timeout}, ctx);
  PrintDiagnostics(ctx.err, ws.diags(), Style::For(ctx, common.no_color));
  if (ws.failed_at() == Workspace::Stage::kConfig) return kExitError;
  if (!s.ok()) {
    fmt::print(ctx.err, "{}: {}\n", kCommand, engine::ForTerminal(s.message()));
    return kExitError;
  }
  std::vector<std::string> accounts;
  if (!CheckChoices(options, ws.config(), &accounts, ctx)) return kExitError;
  std::map<std::string, std::string> files;
  if (!PlanFiles(options.dir, accounts, ctx, &files)) return kExitError;

  ProviderSet providers;
  s = providers.Build(ws.config(), {accounts.begin(), accounts.end()}, connection, ctx);
  if (!s.ok()) {
    fmt::print(ctx.err, "{}: {}\n", kCommand, engine::ForTerminal(s.message()));
    return kExitError;
  }
  Progress progress(ctx);
  ReadProgress read_progress(progress);
  Problems problems;
  const std::map<std::string, engine::AccountRuntime> runtimes = providers.Runtimes();
  engine::ReadOptions read_options;
  read_options.on_read = [&](size_t done) { read_progress.Read(done); };
  // Each listed page's domains are read (in their read lanes) while the next page is fetched.
  engine::LiveReadStream stream(runtimes, providers.pacing(), ctx.clock, ctx.random, read_options);
  const Found found = ListEstate(options, ws.config(), ws.state(), accounts, runtimes, providers,
                                 stream, ctx, read_progress, &problems);
  read_progress.Listed(stream.added());
  const std::vector<engine::LiveRead> reads = Kept(stream.Finish(), found.dropped);
  progress.Done();

  engine::Adoption adoption = engine::GroupByCertificate(reads, ws.config());
  // Reads that failed alike (a refused RAM action stops an account's product) are one line.
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<std::string>> failed;
  for (const engine::NotAdopted& n : adoption.skipped) {
    if (n.failed) {
      failed[{n.account, n.address.product, n.why}].push_back(n.address.Key());
      continue;
    }
    fmt::print(ctx.out, "Not adopted: {} (account \"{}\") {}\n", n.address.Key(),
               engine::ForTerminal(n.account), engine::ForTerminal(n.why));
  }
  for (const auto& [key, addresses] : failed) {
    const auto& [account, product, why] = key;
    problems.Add(fmt::format("{} {} domain(s) of account \"{}\" (first {}) {}", addresses.size(),
                             engine::ProductTitle(product), engine::ForTerminal(account),
                             addresses.front(), engine::ForTerminal(why)));
  }
  const std::string now = engine::FormatUtc(engine::ToUnixSeconds(ctx.clock.Now()));
  int written = 0;
  for (const std::string& account : adoption.Accounts()) {
    const std::string& path = files.at(account);
    s = ctx.fs.CreateNewFile(path, Formatted(path, engine::AdoptionToml(adoption, account, now)),
                             0644);
    if (!s.ok()) {
      fmt::print(ctx.err, "{}: {}; nothing was recorded in the state\n", kCommand,
                 engine::ForTerminal(s.message()));
      return kExitError;
    }
    ++written;
    size_t domains = 0, bindings = 0;
    for (const engine::AdoptedBinding& b : adoption.bindings) {
      if (b.account != account || b.placeholder) continue;
      ++bindings;
      domains += b.domains.size();
    }
    fmt::print(ctx.out, "Wrote {}: {} binding(s) of {} domain(s).\n", engine::ForTerminal(path),
               bindings, domains);
  }
  for (const engine::PlaceholderCertificate& p : adoption.placeholders) {
    fmt::print(ctx.out,
               "Not adopted: {} domain(s) of account \"{}\" serve a certificate with no CAS id "
               "(SHA256:{}…); {} holds a placeholder: give its file, then import them.\n",
               p.domains, engine::ForTerminal(p.account), p.fingerprint.substr(0, 16),
               engine::ForTerminal(files.at(p.account)));
  }
  if (found.managed > 0) {
    fmt::print(ctx.out, "Left alone: {} domain(s) already in the configuration or the state.\n",
               found.managed);
  }
  if (found.filtered > 0) {
    fmt::print(ctx.out, "Left out: {} domain(s) no --domain pattern matches.\n", found.filtered);
  }

  int exit = kExitOk;
  if (!adoption.adopted.empty()) {
    // The files are read back as the next plan will read them: what the state records is what
    // they bind, and a file that does not load (a bug) records nothing.
    engine::Diagnostics diags;
    engine::Config next_config = LoadConfigForLive(options.dir, ctx, &diags);
    if (diags.HasErrors()) {
      PrintDiagnostics(ctx.err, diags, Style::For(ctx, common.no_color));
      fmt::print(ctx.err,
                 "{}: the generated files do not load; nothing was recorded in the "
                 "state (a certform bug: please report it)\n",
                 kCommand);
      return kExitError;
    }
    engine::State next;
    s = engine::AdoptedState(ws.state(), next_config, adoption.adopted, now, &next);
    if (s.ok()) s = ws.backend().Write(ws.state(), &next, ctx.random);
    if (!s.ok()) {
      fmt::print(ctx.err,
                 "{}: {}; the files were written but the state was not: remove them and run "
                 "this again\n",
                 kCommand, engine::ForTerminal(s.message()));
      return kExitError;
    }
    fmt::print(ctx.out, "Adopted {} domain(s) into the state (serial {} → {}).\n",
               adoption.adopted.size(), ws.state().serial, next.serial);
    size_t changing = 0;
    for (const engine::Change& c : engine::MakePlan(next_config, next).changes) {
      if (c.action != engine::Action::kNoOp) ++changing;
    }
    if (changing > 0) {
      problems.Add(
          fmt::format("the next plan still changes {} domain(s): run `certform plan` "
                      "to see why",
                      changing));
    }
  } else if (written == 0) {
    fmt::print(ctx.out, "Nothing to adopt: no file was written.\n");
  }
  for (const std::string& line : problems.lines) {
    fmt::print(ctx.err, "{}: {}\n", kCommand, line);
    exit = kExitError;
  }
  if (exit != kExitOk) {
    fmt::print(ctx.err, "{}: {} problem(s); everything else was adopted.\n", kCommand,
               problems.lines.size());
  }
  return exit;
}

}  // namespace certform::cli
