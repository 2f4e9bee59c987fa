// Deciding what `certform prune` may delete: prune's safety logic (prune.h states the rules),
// below the command, which only parses options, opens the workspace, runs this and renders it.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/apply/prune.h"

namespace certform::engine {

// The candidates of every account that uploads through CAS, by account (PruneCandidates); the
// accounts with none are left out.
std::map<std::string, std::vector<UploadEntry>> PruneCandidatesByAccount(const State& state,
                                                                         const Config& config);

// The accounts of `candidates`: those whose providers and stores the review and the deletions
// need.
std::set<std::string> CandidateAccounts(
    const std::map<std::string, std::vector<UploadEntry>>& candidates);

// What prune found for the candidates: every live domain of each user (read once per user), and
// per account the candidates no live domain serves, those kept (and by which domain), or why
// nothing of the account may be deleted.
struct PruneReview {
  std::map<std::string, UserDomains> users;                // by user
  std::map<std::string, std::vector<UploadEntry>> unused;  // by account: may be deleted
  std::map<std::string, std::vector<InUse>> kept;          // by account
  std::map<std::string, std::string> errors;               // by account: nothing is deleted
};

// Reads every live domain of each candidate's user on every product but `skip` (refusing to skip
// a product the state binds a domain of that user on), then keeps every candidate a live domain
// serves. `on_user` is told, before each user's reads, the account read for it and the products
// that will be read.
PruneReview ReviewPrune(
    const std::map<std::string, std::vector<UploadEntry>>& candidates, const State& state,
    const std::vector<std::string>& skip, const std::map<std::string, AccountRuntime>& runtimes,
    PacingRegistry& pacing, Clock& clock, RandomSource& random,
    const std::function<void(const std::string& account, const std::vector<std::string>& products)>&
        on_user);

}  // namespace certform::engine
