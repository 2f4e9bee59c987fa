#include "engine/plan/upload_check.h"

#include <fmt/format.h>

#include "engine/base/digest.h"
#include "engine/calls/paced_call.h"
#include "engine/calls/retry_policy.h"

namespace certform::engine {

std::string UploadCheck::Problem() const {
  if (!read || Trusted()) return "";
  if (gone) return "no longer in Certificate Management Service (deleted outside certform)";
  return fmt::format(
      "CertId {} now holds another certificate ({}, fingerprint {}), not the one certform "
      "uploaded (fingerprint {})",
      upload.cert_id, held.name, ShortFingerprint(held.fingerprint),
      ShortFingerprint(upload.fingerprint));
}

std::vector<UploadCheck> CheckUploads(const State& state,
                                      const std::map<std::string, AccountRuntime>& runtimes,
                                      PacingRegistry& pacing, Clock& clock, RandomSource& random) {
  std::vector<UploadCheck> out;
  const RetryPolicy retry{RetryOptions{}};
  for (const auto& [key, u] : state.uploads) {
    auto rt = runtimes.find(u.account);
    if (rt == runtimes.end() || !rt->second.uploads_via_cas || rt->second.cas == nullptr) {
      continue;
    }
    const SerialCall call = MakeSerialCall(pacing, rt->second, u.account, retry, clock, random);
    out.push_back(CheckUpload(key, u, *rt->second.cas, call));
  }
  return out;
}

UploadCheck CheckUpload(const std::string& key, const UploadEntry& u, CertificateStore& store,
                        const SerialCall& call) {
  UploadCheck c;
  c.key = key;
  c.upload = u;
  const int64_t id = u.cert_id;
  PacedCallResult r = call(CallKind::kGetCertificate,
                           [&](CallResult* last) { return store.Get(id, &c.held, last); });
  c.gone = r.status.IsNotFound();
  c.read = r.status.ok() || c.gone;
  if (!c.read) c.error = r.status.message();
  c.replaced = r.status.ok() && (c.held.name != u.name || c.held.fingerprint != u.fingerprint);
  return c;
}

}  // namespace certform::engine
