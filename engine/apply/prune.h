// Which certificates in Certificate Management Service certform may delete (`certform prune`),
// and deleting them. Safe by construction:
//   1. a candidate is an upload this workspace's state recorded (never a name prefix alone), that
//      no state entry is bound to and that the configuration does not want;
//   2. before deleting, every domain of the user on every product that can serve a CAS id is read
//      live (every installed product's listing, then each domain's certificate), whatever this
//      workspace binds:
//      workspaces of one user share uploads (an upload is adopted on NameRepeat), so a domain
//      bound by another workspace may serve it. A certificate any live domain serves is kept,
//      naming the domain; when any product cannot be listed or any read fails, nothing of that
//      user is deleted, and the message names the product and the RAM actions it needs. Only a
//      product the configuration says the users have none of ([prune] skip_products) is not
//      read, and prune says so. Whether the API refuses to delete a certificate in use is not
//      documented: certform never relies on it;
//   3. the certificate at the recorded CertId must still be the recorded one (name and
//      fingerprint), read by id just before its delete;
//   4. the state forgets an upload (journaled, durable) *before* its delete is sent, and takes it
//      back when the delete fails: a killed prune leaves at worst an unrecorded certificate in
//      CAS, never a dead CertId that the planner would bind domains to.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/apply/applier.h"
#include "engine/base/clock.h"
#include "engine/base/random.h"
#include "engine/calls/certificate_store.h"
#include "engine/calls/live_reader.h"
#include "engine/calls/paced_call.h"
#include "engine/calls/pacing_registry.h"
#include "engine/calls/provider.h"
#include "engine/config/config.h"
#include "engine/state/state.h"

namespace certform::engine {

// True when `u`'s CAS name is one certform gives an upload of its content ("certform-" + 16
// fingerprint digits, or NAME-12 digits; either plus "-" + 8 chain digest digits): only such
// records can be prune candidates.
bool NamedByCertform(const UploadEntry& u);

// Uploads of `account` recorded in `state` (and named by certform: NamedByCertform) whose CertId no
// state entry (of any account) is bound to and no binding of the configuration still wants, by
// CertId.
std::vector<UploadEntry> PruneCandidates(const std::string& account, const State& state,
                                         const Config& config);

// Every domain of one user that prune read, on every product but the skipped ones.
struct UserDomains {
  std::string account;               // the account listed and read through
  std::vector<LiveRead> reads;       // each listed domain's live binding
  std::vector<std::string> read;     // the products listed and read, as KnownProducts orders them
  std::vector<std::string> skipped;  // the products not read ([prune] skip_products)
  // Why nothing of the user may be deleted (a product that could not be listed, a domain that
  // could not be read, a product without a provider), naming the product and the RAM actions
  // it needs; empty when every product was read.
  std::string error;
};

// Lists every domain of `account`'s user on each product of KnownProducts() but `skip`, through
// the account's provider of that product in `runtimes` (paced and retried in `pacing`'s lanes),
// then reads each one's live binding. Stops at the first product that cannot be listed.
UserDomains ReadUserDomains(const std::string& account,
                            const std::map<std::string, AccountRuntime>& runtimes,
                            const std::vector<std::string>& skip, PacingRegistry& pacing,
                            Clock& clock, RandomSource& random);

// "oss:ListBuckets and oss:ListCname": the RAM actions that listing and reading `provider`'s
// domains need, as its Limit() names them.
std::string ListPermissions(const Provider& provider);

// A live domain that serves a candidate, found by KeepInUse.
struct InUse {
  Address address;
  int64_t cert_id = 0;
  // Not as the certificate of the slot read at `address` but among the others its location
  // serves (LiveBinding::additional_ids: a listener's additional certificates, a CLB listener's
  // store copies).
  bool additional = false;
};

// The candidates no read in `reads` shows in use (by CertId; a CAS binding that reports no id
// but serves the same fingerprint counts as in use too). `kept` gets one row per candidate kept.
std::vector<UploadEntry> KeepInUse(const std::vector<UploadEntry>& candidates,
                                   const std::vector<LiveRead>& reads, std::vector<InUse>* kept);

struct PruneOutcome {
  UploadEntry upload;
  bool deleted = false;
  bool already_gone = false;  // CAS had no certificate with that id any more
  std::string error;          // when neither
  std::string request_id;
};

struct PruneEnv {
  const SerialCall& call;  // paced and retried, fenced by the state lock
  ApplyRecorder& recorder;
};

// Deletes each of `uploads` from `store`, one after another, updating `state` (and its
// journal through `recorder`) per deletion as described above. Stops at the first failure to
// record, and at a stop of `call` (a signal, the state lock lost).
std::vector<PruneOutcome> DeleteUploads(const std::vector<UploadEntry>& uploads,
                                        CertificateStore& store, const PruneEnv& env, State* state);

}  // namespace certform::engine
