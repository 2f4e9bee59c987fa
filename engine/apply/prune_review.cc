#include "engine/apply/prune_review.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/config/binding_address.h"

namespace certform::engine {

namespace {

// Why `user`'s skipped products cannot be skipped: a domain of the state on one of them (the
// configuration's bindings are checked where it is read); empty when none.
std::string SkipConflict(const std::string& user, const std::vector<std::string>& skip,
                         const State& state,
                         const std::map<std::string, AccountRuntime>& runtimes) {
  for (const auto& [address, e] : state.entries) {
    auto rt = runtimes.find(e.account);
    if (rt == runtimes.end() || rt->second.user != user) continue;
    const std::string& product = e.address.product;
    if (std::find(skip.begin(), skip.end(), product) == skip.end()) continue;
    return fmt::format(
        "[prune] skip_products names {}, yet the state binds {} there: remove it from "
        "skip_products",
        ProductTitle(product), address);
  }
  return "";
}

}  // namespace

std::map<std::string, std::vector<UploadEntry>> PruneCandidatesByAccount(const State& state,
                                                                         const Config& config) {
  std::map<std::string, std::vector<UploadEntry>> out;
  for (const auto& [name, a] : config.accounts) {
    if (!a.UploadsViaCas()) continue;
    auto c = PruneCandidates(name, state, config);
    if (!c.empty()) out[name] = std::move(c);
  }
  return out;
}

std::set<std::string> CandidateAccounts(
    const std::map<std::string, std::vector<UploadEntry>>& candidates) {
  std::set<std::string> accounts;
  for (const auto& [account, list] : candidates) accounts.insert(account);
  return accounts;
}

PruneReview ReviewPrune(
    const std::map<std::string, std::vector<UploadEntry>>& candidates, const State& state,
    const std::vector<std::string>& skip, const std::map<std::string, AccountRuntime>& runtimes,
    PacingRegistry& pacing, Clock& clock, RandomSource& random,
    const std::function<void(const std::string& account, const std::vector<std::string>& products)>&
        on_user) {
  PruneReview review;
  for (const auto& [account, list] : candidates) {
    const std::string& user = runtimes.at(account).user;
    if (!review.users.count(user)) {
      std::vector<std::string> products;
      for (const std::string& p : KnownProducts()) {
        if (std::find(skip.begin(), skip.end(), p) == skip.end()) products.push_back(p);
      }
      if (on_user) on_user(account, products);
      if (std::string conflict = SkipConflict(user, skip, state, runtimes); !conflict.empty()) {
        review.users[user].error = conflict;
      } else {
        review.users[user] = ReadUserDomains(account, runtimes, skip, pacing, clock, random);
      }
    }
    const UserDomains& live = review.users[user];
    if (!live.error.empty()) {
      review.errors[account] = live.error;
    } else {
      review.unused[account] = KeepInUse(list, live.reads, &review.kept[account]);
    }
  }
  return review;
}

}  // namespace certform::engine
