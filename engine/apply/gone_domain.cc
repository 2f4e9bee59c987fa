#include "engine/apply/gone_domain.h"

#include <fmt/format.h>

namespace certform::engine {

bool ConfirmedGone(CallLane& read_lane, const RetryPolicy& retry, Clock& clock, Provider& provider,
                   const Address& address, const PacedCallHooks& hooks) {
  LiveBinding live;
  PacedCallResult r = PacedCall(
      read_lane, retry, clock,
      [&](CallResult* last) { return provider.ReadBinding(address, &live, last); }, hooks);
  return r.status.ok() && !live.exists;
}

JournalRecord GoneRecord(const StateEntry& prior, const std::string& now,
                         const std::string& request_id) {
  JournalRecord record;
  record.address = prior.address;
  record.entry = prior;  // what certform last made true, kept
  record.entry.gone_at = now;
  record.entry.gone_request_id = request_id;
  return record;
}

std::string GoneError(const std::string& product, const std::string& error, bool recorded) {
  if (!recorded)
    return fmt::format("the domain does not exist on {} ({})", OnProduct(product), error);
  return fmt::format(
      "the domain no longer exists on {} ({}): the state records it as gone, and plan shows it "
      "so until the domain is back or leaves the configuration",
      OnProduct(product), error);
}

}  // namespace certform::engine
