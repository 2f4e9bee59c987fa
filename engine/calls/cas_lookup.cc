#include "engine/calls/cas_lookup.h"

#include <fmt/format.h>

#include "engine/calls/paged_listing.h"

namespace certform::engine {

PacedCallResult FindUpload(CertificateStore& store, const std::string& name, const SerialCall& call,
                           StoredCertificate* found) {
  std::vector<StoredCertificate> uploads;
  PacedCallResult r = ListAllPages<StoredCertificate>(
      call, CallKind::kListUploaded,
      [&](int page, std::vector<StoredCertificate>* out, int64_t* total, CallResult* last) {
        return store.ListPage(page, out, total, last);
      },
      &uploads);
  if (!r.status.ok() || r.stopped) return r;
  for (const StoredCertificate& c : uploads) {
    if (c.name != name) continue;
    r = call(CallKind::kGetCertificate,
             [&](CallResult* last) { return store.Get(c.cert_id, found, last); });
    return r;
  }
  r.status = Status::NotFound(
      fmt::format("no uploaded certificate is named {} (listed {} uploads of the account)", name,
                  uploads.size()));
  return r;
}

}  // namespace certform::engine
