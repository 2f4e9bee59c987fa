// Drift: how the live CDN differs from what certform last recorded, and what a refreshed state
// looks like. Pure functions of their inputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/calls/live_reader.h"
#include "engine/config/config.h"
#include "engine/plan/upload_check.h"
#include "engine/state/state.h"

namespace certform::engine {

// Why `live` differs from `recorded`, e.g. "fingerprint 3f2a1b0c…→77be12aa… (changed outside
// certform)", "https on→off", "domain no longer exists", "exists again" (an entry marked gone);
// empty when in sync. Fingerprints are
// compared, never PEM text.
std::vector<std::string> DriftReasons(const StateEntry& recorded, const LiveBinding& live);

struct DriftEntry {
  Address address;
  std::string account;
  std::vector<std::string> reasons;
};

struct ExpiryWarning {
  Address address;
  int64_t not_after = 0;
  int64_t days_left = 0;
};

struct DriftReport {
  int checked = 0;
  int checked_slots = 0;  // of `checked`, the listener slots (IsSlot): the views name them so
  std::vector<DriftEntry> drifted;      // by domain
  std::vector<ExpiryWarning> expiring;  // live certificates expiring within the warning window
  std::vector<LiveRead> failed;         // domains that could not be read
  // Uploads the state recorded that CAS no longer holds as recorded (UploadCheck::Trusted false):
  // the next bind by their CertId would fail.
  std::vector<UploadCheck> uploads;
  std::vector<UploadCheck> uploads_failed;  // uploads that could not be read

  bool HasDrift() const { return !drifted.empty() || !uploads.empty(); }
};

DriftReport CompareLive(const State& state, const std::vector<LiveRead>& reads, int64_t now,
                        int warning_days);

// Adds to `report` the uploads of `checks` that are not trusted, and those that could not be read.
void AddUploadDrift(const std::vector<UploadCheck>& checks, DriftReport* report);

// `state` without the uploads of `checks` that CAS no longer holds as recorded (gone, or their
// CertId holding another certificate), so that the next plan uploads those certificates again.
// Entries bound to them are kept: a domain keeps serving what it serves.
State WithoutUntrustedUploads(const State& state, const std::vector<UploadCheck>& checks);

// The state entry that describes `live` at `address`; `certificate` is the configuration's
// certificate with the same fingerprint (upload) or id/name (cas), or empty when none matches.
// A live CAS id without a fingerprint (OSS reports only the id) that is one of `uploads`, the
// account's uploads recorded in the state, is that upload: its certificate, name and fingerprint.
StateEntry EntryFromLive(const Address& address, const std::string& account,
                         const LiveBinding& live, const Config& config, const std::string& now,
                         const std::map<std::string, UploadEntry>& uploads = {});

// What a refreshed state does with an entry whose domain no longer exists: `certform refresh`
// forgets it; the state a `plan --refresh` plans against keeps it, marked gone
// (StateEntry::gone_at), so that the plan shows it as gone rather than as new.
enum class GoneDomains { kForget, kMark };

// `state` with every successfully read entry made to match its live binding (kept fields:
// applied_at and request_id of unchanged entries); domains that no longer exist are dropped, or
// with GoneDomains::kMark kept and marked gone at `now` (a mark already there is kept). An entry
// marked gone whose domain exists again loses its mark; one that records no leaf (a CAS
// certificate bound by id) learns the served fingerprint and expiry, and one that records no chain
// digest the served one (StateEntry::chain_digest).
// When `e` (from a live read) is a domain of an upload_via = "cas" account bound by CertId to a
// configured upload certificate with the same fingerprint, records that CAS certificate in
// state->uploads, so that the next plan binds by its id instead of uploading it again.
void AdoptUpload(const StateEntry& e, const Config& config, const std::string& now, State* state);

State RefreshedState(const State& state, const std::vector<LiveRead>& reads, const Config& config,
                     const std::string& now, GoneDomains gone = GoneDomains::kForget);

}  // namespace certform::engine
