// An apply's certificate-store side: the plan's uploads to CAS before any binding needs them (one
// thread per account, one upload after another within it), and, before a domain is bound by an
// uploaded certificate's CertId, the check that the id still holds what the state recorded;
// an upload deleted behind certform's back is forgotten, so that the next plan uploads it again.
#pragma once

#include <map>
#include <string>

#include "engine/apply/apply_session.h"

namespace certform::engine {

class UploadPhase {
 public:
  UploadPhase(const Plan& plan, ApplySession& session) : plan_(plan), s_(session) {}

  // Uploads (or finds already there) each of the plan's certificates; each outcome is reported
  // and recorded in the session's result.
  void Run();

  // Empty when `c` may be bound by CertId `id`: this apply uploaded it, or the id holds the
  // certificate the state recorded (read once per upload and apply). Else why nothing is bound
  // by it.
  std::string CheckRecorded(const Change& c, int64_t id);

  // A bind of `c` by CertId `id` was `refused`: when CAS no longer has the id, the state forgets
  // the upload and `o`'s error says so. Read by id only after a refusal that concerns this call
  // (not a throttle, an outage or the account).
  void ForgetIfGone(const Change& c, int64_t id, const Status& refused, ChangeOutcome* o);

 private:
  // The paced, retried calls of one account's upload steps, one after another, each in the lane
  // of its kind (upload, list, get) for the account's user.
  SerialCall Caller(const std::string& account);
  UploadOutcome Upload(const UploadStep& step);
  void Record(const UploadStep& step, UploadOutcome& o);
  void Finish(size_t i, const UploadOutcome& o);
  // The state forgets the upload of `c`'s certificate recorded with CertId `id` (journaled).
  void Forget(const Change& c, int64_t id);

  const Plan& plan_;
  ApplySession& s_;
  // By UploadKey: "" when the upload's CertId was read and holds the recorded certificate (or
  // this apply uploaded it), else why nothing is bound by it (CheckRecorded).
  std::map<std::string, std::string> checks_;  // guarded by the session's mu()
};

}  // namespace certform::engine
