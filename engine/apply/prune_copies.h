// The store copies `certform prune` may delete: certificates a product keeps in a store of its
// own that certform copied there from CAS certificates (Provider::HasOwnCopies), once nothing
// refers to them (a binding removed from the configuration is forgotten, never unbound, and its
// copy would stay in the store forever). Safe by construction, as the CAS deletions (prune.h):
//   1. a candidate is a copy named as certform names its copy of its own CAS id (the provider
//      lists only those), whose CAS id this workspace's state recorded (an upload, or a binding
//      of any product: a copy of a CAS id certform never recorded is kept, whoever made it), that
//      no state entry (of any account) records on that product in that location, and that no
//      binding of the configuration wants on that product in that location;
//   2. after the stores were listed, every live domain of the user was listed and read
//      (ReadUserDomains, without an error and with the product not skipped: else no copy of the
//      user is deleted, and prune says why), the listing covered the copy's location
//      (Provider::ListedLocations), no read served a certificate it gave no id for, and no read
//      serves the copy's id (LiveBinding::served_refs, the default's and every additional
//      certificate's);
//   3. just before its delete, the store is read again: the copy must still be there under the
//      same id and name. Already gone is fine. A refusal because something still serves it
//      (a binding made after the reads) keeps it and stops every deletion that follows, CAS
//      included: the proof did not hold, so nothing more is trusted. Nothing is recorded in the
//      state: it never recorded copies.
// Which users' stores are listed: for a product with copies, those whose accounts the
// configuration or the state binds there, and those prune reads anyway (CAS candidates), so that
// a user with none of the product is never asked for its store.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/apply/prune.h"
#include "engine/base/clock.h"
#include "engine/base/random.h"
#include "engine/calls/pacing_registry.h"
#include "engine/calls/provider.h"
#include "engine/config/config.h"
#include "engine/state/state.h"

namespace certform::engine {

// One copy of one account's product.
struct StoreCopyRef {
  std::string account;
  std::string product;
  OwnCopy copy;
};

// Of `listed` (the copies `provider`, the provider of `product`, listed), those that rule 1
// makes candidates.
std::vector<OwnCopy> CopyCandidates(const std::vector<OwnCopy>& listed, const std::string& product,
                                    const Provider& provider, const State& state,
                                    const Config& config);

// A copy a live domain serves.
struct KeptCopy {
  StoreCopyRef copy;
  Address address;
  bool additional = false;  // served by another slot of the location read at `address`
};

// The candidates no read in `reads` serves (rule 2's second half); `kept` gets the others.
std::vector<StoreCopyRef> KeepServedCopies(const std::vector<StoreCopyRef>& candidates,
                                           const std::vector<LiveRead>& reads,
                                           std::vector<KeptCopy>* kept);

// The candidates of the stores, listed before any listener is read (rule 2).
struct CopyListing {
  std::vector<StoreCopyRef> candidates;
  std::vector<std::string> blocked;  // as CopyReview's
  bool failed = false;
};

struct CopyReview {
  std::vector<StoreCopyRef> unused;  // may be deleted
  std::vector<KeptCopy> kept;
  // Why no copy of a product of an account may be deleted (skipped, a listing or read that
  // failed), one line each, naming the product and account.
  std::vector<std::string> blocked;
  bool failed = false;  // a listing or read failed (not a skip): prune exits non-zero
};

// The accounts of `config` whose store copies prune may review: `read` (those prune reads for
// CAS candidates) and those the state or the configuration binds on a product with store copies
// (ProductRules::store_copies).
std::set<std::string> CopyAccounts(const State& state, const Config& config,
                                   const std::set<std::string>& read);

// Lists the copies of each of `accounts` (once per user and product, through the first account
// of that user) whose user the rule above selects (`read_users`: the users prune reads anyway)
// and keeps the candidates (CopyCandidates).
CopyListing ListCopies(const std::set<std::string>& accounts, const State& state,
                       const Config& config, const std::vector<std::string>& skip,
                       const std::map<std::string, AccountRuntime>& runtimes,
                       const std::set<std::string>& read_users, PacingRegistry& pacing,
                       Clock& clock, RandomSource& random);

// Checks `listing`'s candidates against each user's live domains: `users` (by user,
// ReadUserDomains' answers for the CAS candidates, read after the listing); a user not there is
// read on the products with store copies only.
CopyReview CheckCopies(const CopyListing& listing, const std::vector<std::string>& skip,
                       const std::map<std::string, AccountRuntime>& runtimes,
                       const std::map<std::string, UserDomains>& users, PacingRegistry& pacing,
                       Clock& clock, RandomSource& random);

struct CopyOutcome {
  StoreCopyRef copy;
  bool deleted = false;
  bool already_gone = false;
  bool changed = false;  // the store holds that id under another name or CAS id now: kept
  bool in_use = false;   // the product refused: something still serves it; kept
  std::string error;     // when none of them
  std::string request_id;
};

// Deletes each of `copies` (rule 3), one after another, paced and retried in `pacing`'s lanes,
// `fence` (empty: none) checked before every call; once it fails nothing more is sent. Stops
// after a copy the product refuses as in use (its outcome's `in_use`).
std::vector<CopyOutcome> DeleteCopies(const std::vector<StoreCopyRef>& copies,
                                      const std::map<std::string, AccountRuntime>& runtimes,
                                      PacingRegistry& pacing, Clock& clock, RandomSource& random,
                                      const std::function<Status()>& fence, Status* lost);

}  // namespace certform::engine
