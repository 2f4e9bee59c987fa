// Walking a paged listing of the API (uploaded certificates, the user's domains) one page per
// call, each call paced and retried like every other (SerialCall).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "engine/calls/paced_call.h"
#include "engine/calls/provider.h"

namespace certform::engine {

// The most pages certform walks (DescribeUserDomains documents PageNumber up to 100000): a server
// that never stops answering full pages cannot keep certform listing forever.
inline constexpr int kMaxPages = 100000;
// A `total` that says more pages follow, whatever this one held (a listing that walks several
// calls, e.g. OSS's buckets and then each bucket's domains); the last page gives the real total
// or 0.
inline constexpr int64_t kMorePages = -1;

// Calls `page_call` (a call of `kind`) for page 1, 2, ... through `call` until a page adds
// nothing or `total` items are in `out` (never while `total` is kMorePages). Returns the first
// page's failure (or a stop), else OK. `on_page`, when given, is told each page's items as soon
// as that page is in `out`, before the next page is asked for (a caller can start on them while
// the listing goes on; it must be quick, it holds up the next call); a later page's failure
// still makes the whole listing fail.
template <typename T>
PacedCallResult ListAllPages(const SerialCall& call, CallKind kind,
                             const std::function<Status(int page, std::vector<T>* out,
                                                        int64_t* total, CallResult*)>& page_call,
                             std::vector<T>* out,
                             const std::function<void(const std::vector<T>& page)>& on_page = {}) {
  out->clear();
  PacedCallResult r;
  for (int page = 1; page <= kMaxPages; ++page) {
    const size_t before = out->size();
    int64_t total = 0;
    std::vector<T> items;
    r = call(kind, [&](CallResult* last) {
      items.clear();
      return page_call(page, &items, &total, last);
    });
    if (!r.status.ok() || r.stopped) return r;
    out->insert(out->end(), items.begin(), items.end());
    if (on_page && !items.empty()) on_page(items);
    if (total == kMorePages) continue;
    if (out->size() == before || static_cast<int64_t>(out->size()) >= total) break;
  }
  return r;
}

}  // namespace certform::engine
