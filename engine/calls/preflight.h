// The permissions an account's configuration needs, each checked with one harmless read before a
// run (`certform check`): for every product the account binds domains on, the read-back call of
// one of them (what drift, refresh and the checked writes make); with prune, each product's
// domain listing; for an account that uploads through CAS, its listing and a read by CertId.
// Writes and deletes cannot be checked
// without writing: no call here changes anything. The credentials and the identity are the
// caller's to check (they belong to the provider: cmd/certform/preflight.cc).
#pragma once

#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/random.h"
#include "engine/calls/pacing_registry.h"
#include "engine/calls/provider.h"
#include "engine/calls/retry_policy.h"
#include "engine/config/config.h"

namespace certform::engine {

// One line of the check: one thing verified of one account.
struct PreflightCheck {
  enum class Result { kOk, kFailed, kSkipped };

  std::string account;
  std::string check;  // "credentials", "identity", "CDN read", "CDN list", "CAS list", ...
  Result result = Result::kOk;
  std::string detail;      // what was found, or what failed and what to do; never a secret
  std::string error_code;  // the API's code when it refused (e.g. "Forbidden.RAM")
  std::string api;         // the call made, when one was
  std::vector<std::string> ram_actions;  // the RAM actions that call needs
  bool ram_denied = false;               // refused for lack of them (CallResult::ram_denied)
};

// "ok", "FAILED", "skipped".
const char* PreflightResultName(PreflightCheck::Result result);

// What one account's configuration needs of the API, each a read.
struct AccountNeeds {
  // Per product the account binds domains on (KnownProducts order), its first domain: read back.
  std::vector<Address> reads;
  // The products prune lists for the account: every installed one but [prune] skip_products.
  std::vector<std::string> listings;
  // upload_via = "cas": its certificate store's listing (the look-up after a lost upload) and a
  // read by CertId of the first listed (what drift and prune make).
  bool store_list = false;
};

// The needs of `account` in `config`. `with_prune`: also what prune needs (the product listings
// and the store's listing), for an account that uploads through CAS (only those have uploads for
// prune to delete).
AccountNeeds NeedsOf(const Config& config, const std::string& account, bool with_prune);

// Makes one call per need through `runtime` (reads before listings' reads: a product prune lists
// but the account binds nothing on is read at the first domain listed, if any), each paced in
// its lane of `pacing` and retried by `retry` as every call is. A refusal for lack of a RAM
// action fails its line naming the code and the action; a refusal of the account itself (a bad
// key, an expired token) skips the lines after it.
std::vector<PreflightCheck> CheckPermissions(const std::string& account,
                                             const AccountRuntime& runtime,
                                             const AccountNeeds& needs, PacingRegistry& pacing,
                                             const RetryPolicy& retry, Clock& clock,
                                             RandomSource& random);

// A line for a call that failed: its code, and what is missing when the RAM policy refused it.
PreflightCheck FailedCall(const std::string& account, const std::string& check,
                          const CallLimit& limit, const Status& status, const CallResult& result);

}  // namespace certform::engine
