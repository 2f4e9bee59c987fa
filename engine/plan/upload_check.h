// Whether the uploads a state recorded are still in Certificate Management Service as recorded:
// an upload deleted there behind certform's back (by hand, or by another workspace's prune) must
// not be trusted, or every later bind by its CertId fails. refresh forgets such an upload (so
// that the next plan uploads the certificate again) and drift reports it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/random.h"
#include "engine/calls/certificate_store.h"
#include "engine/calls/paced_call.h"
#include "engine/calls/pacing_registry.h"
#include "engine/state/state.h"

namespace certform::engine {

struct UploadCheck {
  std::string key;         // its key in State::uploads
  UploadEntry upload;      // as the state recorded it
  bool read = false;       // CAS answered: found, or not found
  bool gone = false;       // CAS has no certificate at that CertId
  bool replaced = false;   // the CertId holds another certificate (its name or fingerprint differ)
  StoredCertificate held;  // when replaced: what CAS holds at that CertId
  std::string error;       // when !read: why it could not be read

  // Read, and CAS holds the recorded certificate at the recorded CertId.
  bool Trusted() const { return read && !gone && !replaced; }
  // Why it is not trusted, e.g. "no longer in Certificate Management Service (deleted outside
  // certform)"; empty when it is (or could not be read).
  std::string Problem() const;
};

// Reads one recorded upload `u` (its key `key` in State::uploads) by its CertId through
// `provider`, paced and retried by `call`, and compares what CAS holds with the record.
UploadCheck CheckUpload(const std::string& key, const UploadEntry& u, CertificateStore& store,
                        const SerialCall& call);

// Reads each upload of `state` whose account is in `runtimes` and uploads through CAS, by its
// CertId (CertificateStore::Get of the account's store, paced and retried in `pacing`'s
// lane of the account's user), one after another. In the order of state.uploads.
std::vector<UploadCheck> CheckUploads(const State& state,
                                      const std::map<std::string, AccountRuntime>& runtimes,
                                      PacingRegistry& pacing, Clock& clock, RandomSource& random);

}  // namespace certform::engine
