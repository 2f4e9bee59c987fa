#include "engine/apply/prune.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "engine/state/journal_record.h"

namespace certform::engine {

namespace {

JournalRecord UploadRecord(const UploadEntry& u, bool forget) {
  JournalRecord r;
  r.upload = u;
  r.forget = forget;
  return r;
}

}  // namespace

std::vector<UploadEntry> PruneCandidates(const std::string& account, const State& state,
                                         const Config& config) {
  // Any account's use counts: accounts of one user share its CAS, so one CertId may be recorded
  // by several of them.
  std::set<int64_t> bound, wanted;
  for (const auto& [domain, e] : state.entries) {
    if (e.cert_type == "cas") bound.insert(e.cert_id);
  }
  for (const DesiredBinding& b : config.bindings) {
    if (!b.https) continue;
    auto cert = config.certificates.find(b.certificate);
    if (cert == config.certificates.end()) continue;
    auto u = state.uploads.find(UploadKey(b.account, cert->second.info.fingerprint));
    if (u != state.uploads.end()) wanted.insert(u->second.cert_id);
  }
  std::vector<UploadEntry> out;
  for (const auto& [key, u] : state.uploads) {
    if (u.account == account && u.cert_id > 0 && !bound.count(u.cert_id) &&
        !wanted.count(u.cert_id)) {
      out.push_back(u);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const UploadEntry& a, const UploadEntry& b) { return a.cert_id < b.cert_id; });
  return out;
}

std::vector<UploadEntry> KeepInUse(const std::vector<UploadEntry>& candidates,
                                   const std::vector<LiveRead>& reads, std::vector<InUse>* kept) {
  std::vector<UploadEntry> out;
  for (const UploadEntry& u : candidates) {
    const InUse* use = nullptr;
    InUse found;
    for (const LiveRead& r : reads) {
      if (!r.ok || !r.live.exists || !r.live.https) continue;
      const bool by_id = r.live.cert_id == u.cert_id;
      const bool by_content =
          r.live.cert_id == 0 && !u.fingerprint.empty() && r.live.fingerprint == u.fingerprint;
      if (by_id || by_content) {
        found = {r.domain, u.cert_id};
        use = &found;
        break;
      }
    }
    if (use != nullptr) {
      kept->push_back(*use);
    } else {
      out.push_back(u);
    }
  }
  return out;
}

std::vector<PruneOutcome> DeleteUploads(const std::vector<UploadEntry>& uploads, Provider& provider,
                                        const PruneEnv& env, State* state) {
  std::vector<PruneOutcome> outcomes;
  for (const UploadEntry& u : uploads) {
    PruneOutcome o;
    o.upload = u;
    // The certificate at that id must still be the one certform recorded.
    StoredCertificate held;
    PacedCallResult r = env.call(CallKind::kGetCertificate, [&](CallResult* last) {
      return provider.GetCertificate(u.cert_id, &held, last);
    });
    if (r.stopped && r.attempts == 0) break;  // a stop: nothing more is sent
    const bool gone = r.status.IsNotFound();
    if (!r.status.ok() && !gone) {
      o.error = r.status.message();
      o.request_id = r.last.request_id;
      outcomes.push_back(o);
      if (r.status.IsAccountWide() || r.stopped) break;
      continue;
    }
    if (!gone && (held.name != u.name || held.fingerprint != u.fingerprint)) {
      o.error = fmt::format(
          "CertId {} now holds another certificate ({}, fingerprint {}), not the one certform "
          "uploaded as {}; not deleted",
          u.cert_id, held.name, held.fingerprint.substr(0, 16), u.name);
      outcomes.push_back(o);
      continue;
    }
    // Forget first (durably), then delete: a crash in between leaves an unrecorded certificate
    // in CAS, never a recorded CertId that no longer exists.
    JournalRecord forget = UploadRecord(u, /*forget=*/true);
    ApplyRecord(forget, state);
    if (Status s = env.recorder.Record(forget, *state); !s.ok()) {
      ApplyRecord(UploadRecord(u, false), state);
      o.error = "could not record the deletion before sending it: " + s.message();
      outcomes.push_back(o);
      break;
    }
    if (gone) {
      o.already_gone = true;
      outcomes.push_back(o);
      continue;
    }
    r = env.call(CallKind::kDeleteCertificate,
                 [&](CallResult* last) { return provider.DeleteCertificate(u.cert_id, last); });
    o.request_id = r.last.request_id;
    if (r.status.ok() || r.status.IsNotFound()) {
      o.deleted = r.status.ok();
      o.already_gone = !r.status.ok();
      outcomes.push_back(o);
      continue;
    }
    o.error =
        r.stopped && r.attempts == 0 ? "not attempted: " + r.status.message() : r.status.message();
    Status s;
    if (r.attempts == 0 || !r.status.IsRetryable()) {
      // Refused, or never sent: the certificate is still there, and the state takes it back.
      JournalRecord keep = UploadRecord(u, /*forget=*/false);
      ApplyRecord(keep, state);
      s = env.recorder.Record(keep, *state);
    } else {
      // No answer: it may be gone. The state keeps it forgotten; at worst it stays in CAS.
      o.error += " (the outcome is unknown: certform forgot it; it may remain in CAS)";
    }
    outcomes.push_back(o);
    if (!s.ok() || r.stopped || r.status.IsAccountWide()) break;
  }
  return outcomes;
}

}  // namespace certform::engine
