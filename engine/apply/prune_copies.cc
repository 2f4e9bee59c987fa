#include "engine/apply/prune_copies.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/base/text_escape.h"
#include "engine/calls/paced_call.h"
#include "engine/calls/paged_listing.h"
#include "engine/calls/retry_policy.h"
#include "engine/config/binding_address.h"
#include "engine/product/product_catalog.h"

namespace certform::engine {

namespace {

// The CAS ids `b` wants: its CAS certificate's id, or every recorded upload of its content (any
// account's: harsher than the planner, which binds its own account's).
std::set<int64_t> WantedIds(const DesiredBinding& b, const State& state, const Config& config) {
  std::set<int64_t> ids;
  if (!b.https) return ids;
  auto cert = config.certificates.find(b.certificate);
  if (cert == config.certificates.end()) return ids;
  if (cert->second.cert_id > 0) ids.insert(cert->second.cert_id);
  const std::string& fingerprint = cert->second.info.fingerprint;
  for (const auto& [key, u] : state.uploads) {
    if (!fingerprint.empty() && u.fingerprint == fingerprint) ids.insert(u.cert_id);
  }
  return ids;
}

SerialCall CallFor(PacingRegistry& pacing, const AccountRuntime& runtime,
                   const std::string& account, const std::string& product, Clock& clock,
                   RandomSource& random, PacedCallHooks hooks = {}) {
  static const RetryPolicy retry{RetryOptions{}};
  return MakeSerialCall(pacing, runtime, account, retry, clock, random, std::move(hooks), product);
}

}  // namespace

std::vector<OwnCopy> CopyCandidates(const std::vector<OwnCopy>& listed, const std::string& product,
                                    const Provider& provider, const State& state,
                                    const Config& config) {
  std::set<int64_t> known;
  for (const auto& [key, u] : state.uploads) known.insert(u.cert_id);
  for (const auto& [key, e] : state.entries) {
    if (e.cert_id > 0) known.insert(e.cert_id);
  }
  std::vector<OwnCopy> out;
  for (const OwnCopy& c : listed) {
    if (c.cas_id <= 0 || c.id.empty() || c.location.empty() || !known.count(c.cas_id)) continue;
    const auto here = [&](const Address& a) {
      return a.product == product && provider.CopyLocation(a) == c.location;
    };
    const bool recorded = std::any_of(
        state.entries.begin(), state.entries.end(),
        [&](const auto& kv) { return here(kv.second.address) && kv.second.cert_id == c.cas_id; });
    const bool wanted =
        std::any_of(config.bindings.begin(), config.bindings.end(), [&](const DesiredBinding& b) {
          return here(b.address) && WantedIds(b, state, config).count(c.cas_id) > 0;
        });
    if (!recorded && !wanted) out.push_back(c);
  }
  return out;
}

std::vector<StoreCopyRef> KeepServedCopies(const std::vector<StoreCopyRef>& candidates,
                                           const std::vector<LiveRead>& reads,
                                           std::vector<KeptCopy>* kept) {
  std::vector<StoreCopyRef> out;
  for (const StoreCopyRef& c : candidates) {
    auto serving = std::find_if(reads.begin(), reads.end(), [&](const LiveRead& r) {
      // A read that failed serves whatever it may: CheckCopies deletes nothing then.
      if (!r.ok || !r.live.exists) return false;
      const auto& refs = r.live.served_refs;
      return r.live.cert_ref == c.copy.id ||
             std::find(refs.begin(), refs.end(), c.copy.id) != refs.end();
    });
    if (serving != reads.end()) {
      kept->push_back({c, serving->address, serving->live.cert_ref != c.copy.id});
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::set<std::string> CopyAccounts(const State& state, const Config& config,
                                   const std::set<std::string>& read) {
  const auto copies = [](const Address& a) {
    const ProductRules* rules = FindProduct(a.product);
    return rules != nullptr && rules->store_copies;
  };
  std::set<std::string> out = read;
  for (const auto& [key, e] : state.entries) {
    if (config.accounts.count(e.account) && copies(e.address)) out.insert(e.account);
  }
  for (const DesiredBinding& b : config.bindings) {
    if (config.accounts.count(b.account) && copies(b.address)) out.insert(b.account);
  }
  return out;
}

namespace {

// Whether the configuration or the state binds `user` on `product`.
bool BindsUser(const std::string& user, const std::string& product, const State& state,
               const Config& config, const std::map<std::string, AccountRuntime>& runtimes) {
  const auto of_user = [&](const std::string& account) {
    auto rt = runtimes.find(account);
    return rt != runtimes.end() && rt->second.user == user;
  };
  return std::any_of(config.bindings.begin(), config.bindings.end(),
                     [&](const DesiredBinding& b) {
                       return b.address.product == product && of_user(b.account);
                     }) ||
         std::any_of(state.entries.begin(), state.entries.end(), [&](const auto& kv) {
           return kv.second.address.product == product && of_user(kv.second.account);
         });
}

}  // namespace

CopyListing ListCopies(const std::set<std::string>& accounts, const State& state,
                       const Config& config, const std::vector<std::string>& skip,
                       const std::map<std::string, AccountRuntime>& runtimes,
                       const std::set<std::string>& read_users, PacingRegistry& pacing,
                       Clock& clock, RandomSource& random) {
  CopyListing listing;
  std::set<std::pair<std::string, std::string>> listed;  // (user, product)
  for (const std::string& account : accounts) {
    auto rt = runtimes.find(account);
    if (rt == runtimes.end()) continue;
    const AccountRuntime& runtime = rt->second;
    for (const std::string& product : KnownProducts()) {
      Provider* provider = runtime.ProviderFor(product);
      if (provider == nullptr || !provider->HasOwnCopies()) continue;
      if (!BindsUser(runtime.user, product, state, config, runtimes)) {
        // Read for CAS anyway, yet bound nowhere here: skipped, it is said once (ReviewPrune).
        const bool skipped = std::find(skip.begin(), skip.end(), product) != skip.end();
        if (skipped || !read_users.count(runtime.user)) continue;
      }
      if (!listed.insert({runtime.user, product}).second) continue;
      if (std::find(skip.begin(), skip.end(), product) != skip.end()) {
        listing.blocked.push_back(fmt::format(
            "{} store copies of account \"{}\" were not checked: {} is in [prune] skip_products, "
            "so its listeners were not read; no store copy is deleted",
            ProductTitle(product), account, ProductTitle(product)));
        continue;
      }
      std::vector<OwnCopy> copies;
      const SerialCall call = CallFor(pacing, runtime, account, product, clock, random);
      const PacedCallResult r = ListAllPages<OwnCopy>(
          call, CallKind::kListUploaded,
          [&](int page, std::vector<OwnCopy>* out, int64_t* total, CallResult* last) {
            return provider->ListOwnCopiesPage(page, out, total, last);
          },
          &copies);
      if (!r.status.ok() || r.stopped) {
        listing.failed = true;
        listing.blocked.push_back(fmt::format(
            "{} store copies of account \"{}\" cannot be listed ({}): {}; no store copy is "
            "deleted",
            ProductTitle(product), account, provider->Limit(CallKind::kListUploaded).api,
            ForTerminal(r.status.message())));
        continue;
      }
      for (const OwnCopy& c : CopyCandidates(copies, product, *provider, state, config)) {
        listing.candidates.push_back({account, product, c});
      }
    }
  }
  return listing;
}

CopyReview CheckCopies(const CopyListing& listing, const std::vector<std::string>& skip,
                       const std::map<std::string, AccountRuntime>& runtimes,
                       const std::map<std::string, UserDomains>& users, PacingRegistry& pacing,
                       Clock& clock, RandomSource& random) {
  CopyReview review;
  review.blocked = listing.blocked;
  review.failed = listing.failed;
  // By (account, product): the candidates, in the listing's order.
  std::map<std::pair<std::string, std::string>, std::vector<StoreCopyRef>> groups;
  std::map<std::string, UserDomains> own_reads;  // by user: those `users` did not have
  for (const StoreCopyRef& c : listing.candidates) groups[{c.account, c.product}].push_back(c);
  for (const auto& [key, candidates] : groups) {
    const std::string& account = key.first;  // named, not bound: lambdas capture them
    const std::string& product = key.second;
    const std::string& user = runtimes.at(account).user;
    if (!users.count(user) && !own_reads.count(user)) {
      // A user prune does not read for CAS: only the products a store copy can be served on.
      std::vector<std::string> others = skip;
      for (const std::string& p : KnownProducts()) {
        const Provider* provider = runtimes.at(account).ProviderFor(p);
        if (provider == nullptr || !provider->HasOwnCopies()) others.push_back(p);
      }
      own_reads[user] = ReadUserDomains(account, runtimes, others, pacing, clock, random);
    }
    const UserDomains& live = users.count(user) ? users.at(user) : own_reads.at(user);
    const auto block = [&](const std::string& why) {
      review.failed = true;
      review.blocked.push_back(fmt::format("{} store copies of account \"{}\" are not deleted: {}",
                                           ProductTitle(product), account, why));
    };
    if (!live.error.empty() ||
        std::find(live.read.begin(), live.read.end(), product) == live.read.end()) {
      block("the listing of the user's listeners did not complete: " +
            (live.error.empty() ? "its " + ProductTitle(product) + " was not read"
                                : ForTerminal(live.error)));
      continue;
    }
    auto unnamed = std::find_if(live.reads.begin(), live.reads.end(), [&](const LiveRead& r) {
      const auto& refs = r.live.served_refs;
      return r.address.product == product &&
             std::find(refs.begin(), refs.end(), std::string()) != refs.end();
    });
    if (unnamed != live.reads.end()) {
      block(fmt::format("listener {} serves a certificate its answer gives no id for",
                        ForTerminal(unnamed->address.Key())));
      continue;
    }
    // The locations the listing covered, through the account it was read with.
    std::set<std::string> covered;
    if (const Provider* p = runtimes.at(live.account).ProviderFor(product)) {
      for (const std::string& l : p->ListedLocations()) covered.insert(l);
    }
    std::vector<StoreCopyRef> proven;
    for (const StoreCopyRef& c : candidates) {
      if (covered.count(c.copy.location)) {
        proven.push_back(c);
      } else {
        block(fmt::format("store copy {} is in {}, which the listing of listeners did not cover",
                          c.copy.name, ForTerminal(c.copy.location)));
      }
    }
    for (StoreCopyRef& c : KeepServedCopies(proven, live.reads, &review.kept)) {
      review.unused.push_back(std::move(c));
    }
  }
  return review;
}

std::vector<CopyOutcome> DeleteCopies(const std::vector<StoreCopyRef>& copies,
                                      const std::map<std::string, AccountRuntime>& runtimes,
                                      PacingRegistry& pacing, Clock& clock, RandomSource& random,
                                      const std::function<Status()>& fence, Status* lost) {
  std::vector<CopyOutcome> outcomes;
  for (const StoreCopyRef& c : copies) {
    if (!lost->ok()) break;
    const AccountRuntime& runtime = runtimes.at(c.account);
    Provider* provider = runtime.ProviderFor(c.product);
    PacedCallHooks hooks;
    hooks.halted = [&] { return !lost->ok(); };
    hooks.fence = [&] {
      if (lost->ok() && fence) *lost = fence();
      return *lost;
    };
    const SerialCall call = CallFor(pacing, runtime, c.account, c.product, clock, random, hooks);
    CopyOutcome o;
    o.copy = c;
    // Still there, under the same id and name.
    std::vector<OwnCopy> now;
    PacedCallResult r = call(CallKind::kListUploaded, [&](CallResult* last) {
      return provider->ReadOwnCopies(c.copy.location, &now, last);
    });
    if (r.stopped && r.attempts == 0) break;
    if (!r.status.ok()) {
      o.error = r.status.message();
      o.request_id = r.last.request_id;
      outcomes.push_back(o);
      if (r.status.IsAccountWide() || r.stopped) break;
      continue;
    }
    auto same =
        std::find_if(now.begin(), now.end(), [&](const OwnCopy& n) { return n.id == c.copy.id; });
    if (same == now.end() || same->name != c.copy.name || same->cas_id != c.copy.cas_id) {
      (same == now.end() ? o.already_gone : o.changed) = true;
      outcomes.push_back(o);
      continue;
    }
    bool in_use = false;
    r = call(CallKind::kDeleteCertificate,
             [&](CallResult* last) { return provider->DeleteOwnCopy(c.copy, &in_use, last); });
    o.request_id = r.last.request_id;
    if (r.status.ok()) {
      o.in_use = in_use;
      o.deleted = !in_use;
    } else if (r.status.IsNotFound()) {
      o.already_gone = true;
    } else {
      o.error = r.stopped && r.attempts == 0 ? "not attempted: " + r.status.message()
                                             : r.status.message();
    }
    outcomes.push_back(o);
    if (o.in_use) break;  // the proof did not hold: nothing more is deleted
    if (!o.error.empty() && (r.stopped || r.status.IsAccountWide())) break;
  }
  return outcomes;
}

}  // namespace certform::engine
