#include "engine/apply/upload_phase.h"

#include <thread>
#include <vector>

#include <fmt/format.h>

#include "engine/base/digest.h"
#include "engine/calls/cas_lookup.h"
#include "engine/config/certificate.h"
#include "engine/plan/upload_check.h"

namespace certform::engine {

void UploadPhase::Run() {
  s_.result().uploads.resize(plan_.uploads.size());
  std::map<std::string, std::vector<size_t>> by_account;
  for (size_t i = 0; i < plan_.uploads.size(); ++i) {
    by_account[plan_.uploads[i].account].push_back(i);
  }
  std::vector<std::thread> workers;
  for (const auto& entry : by_account) {
    const std::vector<size_t>* indexes = &entry.second;
    workers.emplace_back([this, indexes] {
      for (size_t i : *indexes) Finish(i, Upload(plan_.uploads[i]));
    });
  }
  for (std::thread& t : workers) t.join();
}

SerialCall UploadPhase::Caller(const std::string& account) {
  return [this, account](CallKind kind, const std::function<Status(CallResult*)>& call) {
    CallLane& lane = s_.pacing().StoreLane(s_.accounts().at(account), account, kind);
    PacedCallResult r = PacedCall(lane, s_.retry(), s_.env().clock, call, s_.Hooks(account));
    if (r.last.http_status != 0) s_.Answered(account);
    if (!r.status.ok()) s_.WatchFailure(account, r.status, r.last, r.attempts);
    return r;
  };
}

// Uploads one certificate, or finds it already there under its name with the same content (an
// answer lost to a crash or a dropped connection). A name holding other content is an error,
// never used.
UploadOutcome UploadPhase::Upload(const UploadStep& step) {
  UploadOutcome o;
  o.account = step.account;
  o.certificate = step.certificate;
  o.name = step.name;
  auto rt = s_.accounts().find(step.account);
  if (rt == s_.accounts().end() || rt->second.cas == nullptr) {
    o.error = "no certificate store for account \"" + step.account + "\"";
    return o;
  }
  CertificateStore* store = rt->second.cas;
  BindingRequest material;
  StateEntry source;
  source.certificate = step.certificate;
  source.cert_type = "upload";
  source.fingerprint = step.fingerprint;
  source.chain_digest = step.chain_digest;
  Status s = s_.env().material.Load(source, &material);
  UploadRequest request{step.name, std::move(material.cert_pem), std::move(material.key_pem)};
  WipeSecret(&material.key_pem);
  if (!s.ok()) {
    WipeSecret(&request.key_pem);
    o.error = s.message();
    return o;
  }
  const SerialCall call = Caller(step.account);
  PacedCallResult r = call(CallKind::kUpload, [&](CallResult* last) {
    return store->Upload(request, &o.cert_id, last);
  });
  WipeSecret(&request.key_pem);  // the key crosses the network once, here
  o.last = r.last;
  if (r.status.code() == Status::Code::kAlreadyExists) {
    StoredCertificate found;
    r = FindUpload(*store, step.name, call, &found);
    if (r.status.ok() && found.fingerprint != step.fingerprint) {
      o.error = fmt::format(
          "CAS already holds a certificate named {} with other content (fingerprint {}, CertId "
          "{}); certform never uses it: delete or rename it there",
          step.name, found.fingerprint.substr(0, 16), found.cert_id);
      return o;
    }
    // The same leaf with other intermediates is not this upload either: binding it would serve
    // the chain this upload corrects.
    if (r.status.ok() && !found.chain_digest.empty() && !step.chain_digest.empty() &&
        found.chain_digest != step.chain_digest) {
      o.error = fmt::format(
          "CAS already holds a certificate named {} with the same leaf but other intermediates "
          "({} instead of {}, CertId {}); certform never uses it: delete or rename it there",
          step.name, ShortChainDigest(found.chain_digest), ShortChainDigest(step.chain_digest),
          found.cert_id);
      return o;
    }
    o.existed = r.status.ok();
    o.cert_id = found.cert_id;
  }
  if (!r.status.ok()) {
    if (r.status.IsAccountWide()) s_.StopAccount(step.account, r.status.message());
    o.error = r.stopped && r.attempts == 0 ? s_.NotAttempted(step.account) : r.status.message();
    return o;
  }
  o.ok = true;
  Record(step, o);
  return o;
}

void UploadPhase::Record(const UploadStep& step, UploadOutcome& o) {
  JournalRecord record;
  record.upload = UploadEntry{step.account,
                              step.certificate,
                              step.fingerprint,
                              step.chain_digest,
                              step.name,
                              o.cert_id,
                              step.info ? step.info->not_after : 0,
                              FormatUtc(ToUnixSeconds(s_.env().clock.Now())),
                              o.last.request_id};
  const std::string error =
      "uploaded (CertId " + std::to_string(o.cert_id) + ") but could not be recorded";
  std::lock_guard<std::mutex> lock(s_.mu());
  checks_[UploadKey(*record.upload)] = "";  // made (or found) just now
  if (!s_.JournalLocked(record, step.certificate + ": " + error).ok()) {
    o.ok = false;
    o.error = error;
  }
}

void UploadPhase::Finish(size_t i, const UploadOutcome& o) {
  std::lock_guard<std::mutex> lock(s_.mu());
  ApplyResult& result = s_.result();
  result.uploads[i] = o;
  if (o.ok) {
    ++result.summary.uploaded;
  } else {
    ++result.summary.failed;
    if (s_.options().fail_fast) s_.Halt();
  }
  s_.env().observer.OnUploadDone(o);
}

// An upload the state recorded (not made by this apply) is outside input: before any domain is
// bound by its CertId, that id must hold the recorded certificate in CAS (its name and the
// fingerprint of its content).
std::string UploadPhase::CheckRecorded(const Change& c, int64_t id) {
  UploadEntry recorded;
  {
    std::lock_guard<std::mutex> lock(s_.mu());
    if (auto v = checks_.find(c.upload_key); v != checks_.end()) return v->second;
    auto u = s_.result().state.uploads.find(c.upload_key);
    if (u == s_.result().state.uploads.end()) return "";
    recorded = u->second;
  }
  std::string why;
  CertificateStore* cas = s_.accounts().at(c.account).cas;
  if (cas == nullptr) {
    why = "no provider can read Certificate Management Service for this account";
  } else {
    const UploadCheck check = CheckUpload(c.upload_key, recorded, *cas, Caller(c.account));
    if (check.gone) {
      Forget(c, id);
      why = fmt::format(
          "CertId {} (certificate \"{}\") is no longer in Certificate Management Service "
          "(deleted outside certform), so nothing was bound by it; certform forgot that "
          "upload: the next plan uploads the certificate again (\"certform refresh\" checks "
          "every recorded upload)",
          id, c.after->certificate);
    } else if (!check.read) {
      why = fmt::format("CertId {} could not be read ({})", id, check.error);
    } else if (check.replaced) {
      why = fmt::format(
          "CertId {} holds another certificate (name {}, fingerprint {}) than the "
          "one recorded ({}, {})",
          id, check.held.name, ShortFingerprint(check.held.fingerprint), recorded.name,
          ShortFingerprint(recorded.fingerprint));
    }
    if (!why.empty() && !check.gone) {
      why = fmt::format(
          "the state records certificate \"{}\" as uploaded to CAS, but {}: "
          "certform binds nothing by it; run \"certform refresh\" (it forgets "
          "such a record) and plan again",
          c.after->certificate, why);
    }
  }
  std::lock_guard<std::mutex> lock(s_.mu());
  checks_.emplace(c.upload_key, why);
  return why;
}

void UploadPhase::ForgetIfGone(const Change& c, int64_t id, const Status& refused,
                               ChangeOutcome* o) {
  CertificateStore* cas = s_.accounts().at(c.account).cas;
  if (refused.ok() || refused.IsRetryable() || refused.IsAccountWide() || cas == nullptr) return;
  StoredCertificate held;
  PacedCallResult r = Caller(c.account)(
      CallKind::kGetCertificate, [&](CallResult* last) { return cas->Get(id, &held, last); });
  if (!r.status.IsNotFound()) return;
  o->error = fmt::format(
      "CertId {} (certificate \"{}\") is no longer in Certificate Management Service (deleted "
      "outside certform), so the bind failed ({}); certform forgot that upload: the next plan "
      "uploads the certificate again (\"certform refresh\" checks every recorded upload)",
      id, c.after->certificate, o->error);
  Forget(c, id);
}

void UploadPhase::Forget(const Change& c, int64_t id) {
  std::lock_guard<std::mutex> lock(s_.mu());
  auto u = s_.result().state.uploads.find(c.upload_key);
  if (u == s_.result().state.uploads.end() || u->second.cert_id != id) return;  // already
  JournalRecord record;
  record.upload = u->second;
  record.forget = true;
  (void)s_.JournalLocked(record,
                         c.after->certificate + ": could not record that its upload is gone");
}

}  // namespace certform::engine
