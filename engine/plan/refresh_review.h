// What `certform refresh` would write: the state with every live binding read accepted (a
// domain that no longer exists forgotten) and every upload CAS no longer holds as recorded
// forgotten, with what changed, entry by entry. A pure function of the state, the configuration
// and what was read; the command renders it, asks, and writes `next`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/config/config.h"
#include "engine/plan/live_check.h"
#include "engine/plan/upload_check.h"
#include "engine/state/state.h"

namespace certform::engine {

struct EntryRefresh {
  Address address;
  bool read = false;
  std::string error;                // when !read: why it could not be read
  StateEntry before;                // as the state has it
  std::optional<StateEntry> after;  // as `next` has it; none: no longer exists, forgotten

  bool Forgotten() const { return read && !after; }
  bool Changed() const { return read && (!after || !(*after == before)); }
};

struct RefreshReview {
  State next;                         // what refresh writes
  std::vector<EntryRefresh> entries;  // one per read, in the order read
  std::vector<UploadCheck> uploads;   // as checked; those not Trusted() are gone from `next`

  // Changed entries and forgotten (read, not trusted) uploads.
  int Changes() const;
};

// `state` refreshed from `live` (RefreshedState, then WithoutUntrustedUploads), the entries
// read at `now` (UTC).
RefreshReview ReviewRefresh(const State& state, const Config& config, const LiveCheck& live,
                            const std::string& now);

}  // namespace certform::engine
