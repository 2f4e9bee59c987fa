// Finding a certificate certform uploaded to Certificate Management Service again, after the
// upload's answer was lost (a crash, a dropped connection): the retry meets NameRepeat.
//
// The API's ListUserCertificateOrder Keyword matches the domain a certificate is bound to or its
// resource id, not its name (CAS API 2020-04-07 docs, English and Chinese), so the upload is
// found by listing every page of OrderType=UPLOAD and comparing Name exactly, then reading it by
// id to fingerprint its certificate (shared/docs/alibaba-cdn-api.md, "Batch, listing and CAS").
#pragma once

#include <string>

#include "engine/calls/certificate_store.h"
#include "engine/calls/paced_call.h"

namespace certform::engine {

// Finds the upload named exactly `name`; NotFound when there is none. `found` carries the
// fingerprint of the certificate CAS holds, for the caller to compare with its own.
PacedCallResult FindUpload(CertificateStore& store, const std::string& name, const SerialCall& call,
                           StoredCertificate* found);

}  // namespace certform::engine
