#include "engine/plan/shared_slots.h"

#include <fmt/format.h>

#include "engine/config/binding_address.h"
#include "engine/plan/planner.h"
#include "engine/product/product_catalog.h"

namespace certform::engine {

namespace {

// What binding `b` will have: its desired entry, an upload's CAS id taken from the state's
// uploads of its account when certform uploaded that content already.
StateEntry Planned(const Config& config, const State& state, const DesiredBinding& b) {
  StateEntry e = DesiredEntry(config, b);
  if (e.cert_id != 0 || e.fingerprint.empty()) return e;
  for (const auto& [key, u] : state.uploads) {
    if (u.account == b.account && u.fingerprint == e.fingerprint) {
      e.cert_id = u.cert_id;
      break;
    }
  }
  return e;
}

bool SameCertificate(const StateEntry& a, const StateEntry& b) {
  return a.https && b.https &&
         ((a.cert_id != 0 && a.cert_id == b.cert_id) ||
          (!a.fingerprint.empty() && a.fingerprint == b.fingerprint));
}

}  // namespace

std::string SlotSharingCertificate(const Config& config, const State& state,
                                   const StateEntry& entry) {
  const ProductRules* rules = FindProduct(entry.address.product);
  if (rules == nullptr || !rules->slots.holds_once) return "";  // each slot holds its own
  const auto same_location = [&](const Address& a, const std::string& account) {
    return account == entry.account && a.product == entry.address.product &&
           a.location == entry.address.location && a.Key() != entry.address.Key();
  };
  for (const DesiredBinding& b : config.bindings) {
    if (!b.https || !same_location(b.address, b.account)) continue;
    const StateEntry* recorded = state.Find(b.address.Key());
    if (SameCertificate(Planned(config, state, b), entry) ||
        (recorded != nullptr && SameCertificate(*recorded, entry))) {
      return SlotDescription(b.address);
    }
  }
  return "";
}

std::string SlotKeptReason(const Config& config, const State& state, const StateEntry& entry) {
  if (entry.address.domain == kDefaultSlot) {
    return "certform never removes a listener's default certificate (an HTTPS listener always "
           "has one), so it is forgotten and keeps serving; bind another default to replace it";
  }
  if (const ProductRules* rules = FindProduct(entry.address.product);
      rules != nullptr && !rules->slots.removable) {
    return fmt::format(
        "certform never removes an additional certificate from a {} {} (only deleting what "
        "holds it would), so it is forgotten and keeps serving; bind another certificate there "
        "to replace it",
        rules->title, rules->slots.of);
  }
  if (entry.Pending()) {
    return "an earlier apply's job for it is not confirmed, so certform cannot say what it "
           "removes: forget; what the listener has stays";
  }
  if (!entry.https || entry.cert_id == 0) {
    return "certform recorded no certificate for it there, and removes only one it recorded: "
           "forget";
  }
  if (std::string other = SlotSharingCertificate(config, state, entry); !other.empty()) {
    return fmt::format(
        "its certificate (CAS id {}) is also the {}: forget, since removing it would remove "
        "that one too",
        entry.cert_id, other);
  }
  return "";
}

}  // namespace certform::engine
