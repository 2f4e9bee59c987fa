// ApplyObserver: how the applier reports progress. The engine never prints; views in cmd/
// render these events as progress lines, plain lines or JSON. Calls are serialised by the
// applier (never two at once), from its worker threads.
#pragma once

#include <string>

#include "engine/base/clock.h"
#include "engine/calls/provider.h"
#include "engine/plan/plan.h"

namespace certform::engine {

// The end of one change: applied, or failed with the API's last answer.
struct ChangeOutcome {
  Address address;
  std::string account;
  Action action = Action::kNoOp;
  bool ok = false;
  bool skipped = false;  // never sent: stopped by SIGINT, --fail-fast, a recording failure, an
                         // error that concerns the whole account, or (the old address of a move)
                         // a bind at the new address that did not succeed
  int attempts = 0;
  CallResult last;    // RequestId on success; code, message and RequestId on failure
  std::string error;  // human message on failure
  std::string note;   // human remark on success, e.g. the domain was gone and is forgotten, or a
                      // forget that left the live certificate as it is
  int64_t bound_cert_id = 0;  // the CertId sent (a binding to a certificate uploaded to CAS)
};

// The end of one upload to Certificate Management Service.
struct UploadOutcome {
  std::string account;
  std::string certificate;  // the configuration's key
  std::string name;         // CAS Name
  bool ok = false;
  bool existed = false;  // already there under that name with this content (a lost answer)
  int64_t cert_id = 0;
  CallResult last;
  std::string error;
};

struct ApplySummary {
  int applied = 0, failed = 0, skipped = 0, retries = 0, throttled = 0;
  int uploaded = 0;  // certificates uploaded to CAS (failed uploads count in `failed`)
  Clock::Duration elapsed{0};
};

class ApplyObserver {
 public:
  virtual ~ApplyObserver() = default;
  virtual void OnApplyStart(int /*total*/) {}
  virtual void OnRetry(const std::string& /*address*/, int /*attempt*/, Clock::Duration /*wait*/,
                       const std::string& /*why*/) {}
  virtual void OnUploadDone(const UploadOutcome& /*outcome*/) {}
  virtual void OnChangeDone(const ChangeOutcome& /*outcome*/, int /*done*/, int /*total*/) {}
  virtual void OnApplyEnd(const ApplySummary& /*summary*/) {}
};

}  // namespace certform::engine
