#include "engine/plan/refresh_review.h"

#include "engine/plan/drift.h"

namespace certform::engine {

int RefreshReview::Changes() const {
  int changes = 0;
  for (const EntryRefresh& e : entries) changes += e.Changed() ? 1 : 0;
  for (const UploadCheck& u : uploads) changes += u.read && !u.Trusted() ? 1 : 0;
  return changes;
}

RefreshReview ReviewRefresh(const State& state, const Config& config, const LiveCheck& live,
                            const std::string& now) {
  RefreshReview review;
  review.next =
      WithoutUntrustedUploads(RefreshedState(state, live.reads, config, now), live.uploads);
  for (const LiveRead& r : live.reads) {
    EntryRefresh e;
    e.address = r.address;
    e.read = r.ok;
    e.error = r.error;
    const std::string key = r.address.Key();
    if (const StateEntry* before = state.Find(key)) e.before = *before;
    if (const StateEntry* after = review.next.Find(key)) e.after = *after;
    review.entries.push_back(std::move(e));
  }
  review.uploads = live.uploads;
  return review;
}

}  // namespace certform::engine
