#include "engine/plan/import.h"

#include <set>

#include <fmt/format.h>

#include "engine/config/binding_address.h"
#include "engine/plan/drift.h"

namespace certform::engine {

namespace {

// An additional slot is read through the certificate it should hold (slot_read.h): the CAS id of
// the configuration's certificate for it (its cert_id, or the id certform uploaded its content
// under); 0 when none is known, and for every other address.
int64_t ConfiguredSlotCertId(const Config& config, const State& state, const std::string& key,
                             const std::string& account) {
  const DesiredBinding* b = config.FindBinding(key);
  if (b == nullptr || !IsSlot(b->address) || !b->https) return 0;
  auto c = config.certificates.find(b->certificate);
  if (c == config.certificates.end()) return 0;
  if (c->second.type == CertType::kCas) return c->second.cert_id;
  for (const auto& [upload_key, u] : state.uploads) {
    if (u.account == account && !u.fingerprint.empty() &&
        u.fingerprint == c->second.info.fingerprint) {
      return u.cert_id;
    }
  }
  return 0;
}

}  // namespace

Status ImportDomains(const Config& config, const State& state,
                     const std::vector<std::string>& domains, const std::string& account,
                     std::vector<DomainRef>* refs) {
  std::vector<DomainRef> out;
  std::set<std::string> seen;
  for (const std::string& d : domains) {
    if (!seen.insert(d).second) return Status::InvalidArgument(d + " is named twice");
    if (state.Find(d)) return Status::InvalidArgument(d + " is already in the state");
    std::string acct = account;
    if (acct.empty()) {
      const DesiredBinding* b = config.FindBinding(d);
      if (b != nullptr)
        acct = b->account;
      else if (config.accounts.size() == 1)
        acct = config.accounts.begin()->first;
    }
    if (acct.empty()) {
      return Status::InvalidArgument("which account does " + d + " belong to? Pass --account");
    }
    out.push_back({SplitAddress(d), acct, ConfiguredSlotCertId(config, state, d, acct)});
  }
  *refs = std::move(out);
  return Status::OK();
}

Status ImportedState(const State& state, const Config& config, const std::vector<LiveRead>& reads,
                     const std::string& now, State* next, std::vector<StateEntry>* imported) {
  State made = state;
  imported->clear();
  for (const LiveRead& r : reads) {
    const std::string key = r.address.Key();
    if (!r.ok) return Status::Failed(key + ": " + r.error + "; nothing was imported");
    if (!r.live.exists) {
      const ProductRules* rules = FindProduct(r.address.product);
      return Status::NotFound(fmt::format(
          "{}: {} does not know this {}; nothing was imported", key, OnProduct(r.address.product),
          rules != nullptr && rules->slots.enabled ? rules->slots.of + " slot" : "domain"));
    }
    StateEntry e = EntryFromLive(r.address, r.account, r.live, config, now, made.uploads);
    imported->push_back(e);
    made.entries[key] = e;
    AdoptUpload(e, config, now, &made);
  }
  *next = std::move(made);
  return Status::OK();
}

Status AdoptedState(const State& state, const Config& config, const std::vector<LiveRead>& reads,
                    const std::string& now, State* next) {
  State made = state;
  for (const LiveRead& r : reads) {
    const std::string key = r.address.Key();
    const DesiredBinding* b = config.FindBinding(key);
    if (!r.ok || !r.live.exists || b == nullptr || made.Find(key) != nullptr) {
      return Status::InvalidArgument(key + " cannot be adopted: " +
                                     (!r.ok            ? r.error
                                      : !r.live.exists ? "it no longer exists"
                                      : b == nullptr   ? "the configuration does not bind it"
                                                       : "it is already in the state"));
    }
    StateEntry e = EntryFromLive(r.address, r.account, r.live, config, now, made.uploads);
    e.certificate = b->https ? b->certificate : "";
    auto cert = config.certificates.find(e.certificate);
    if (e.https && e.cert_name.empty() && cert != config.certificates.end()) {
      e.cert_name = cert->second.cert_name;
    }
    made.entries[key] = std::move(e);
  }
  *next = std::move(made);
  return Status::OK();
}

}  // namespace certform::engine
