#include "engine/plan/drift.h"

#include <fmt/format.h>

#include "engine/base/digest.h"
#include "engine/base/text_escape.h"

namespace certform::engine {

namespace {

std::string OnOff(bool on) { return on ? "on" : "off"; }

}  // namespace

std::vector<std::string> DriftReasons(const StateEntry& recorded, const LiveBinding& live) {
  if (!live.exists) return {"domain no longer exists"};
  std::vector<std::string> why;
  if (recorded.Gone()) {
    why.push_back(
        fmt::format("exists again (the state records it as gone since {})", recorded.gone_at));
  }
  if (recorded.https != live.https) {
    why.push_back(fmt::format("https {}→{}", OnOff(recorded.https), OnOff(live.https)));
  }
  if (!recorded.https || !live.https) return why;
  if (!recorded.fingerprint.empty() && !live.fingerprint.empty() &&
      recorded.fingerprint != live.fingerprint) {
    why.push_back(fmt::format("fingerprint {}→{} (changed outside certform)",
                              ShortFingerprint(recorded.fingerprint),
                              ShortFingerprint(live.fingerprint)));
  } else if (!recorded.fingerprint.empty() && recorded.fingerprint == live.fingerprint &&
             !recorded.chain_digest.empty() && !live.chain_digest.empty() &&
             recorded.chain_digest != live.chain_digest) {
    // Only where the product answers the served PEM (live.chain_digest); a chain not recorded
    // (an older state) is unknown, not drift.
    why.push_back(fmt::format("chain differs (intermediates {} → {}, changed outside certform)",
                              ShortChainDigest(recorded.chain_digest),
                              ShortChainDigest(live.chain_digest)));
  }
  if (!recorded.cert_name.empty() && !live.cert_name.empty() &&
      recorded.cert_name != live.cert_name) {
    why.push_back(fmt::format("CertName {}→{}", recorded.cert_name, live.cert_name));
  }
  if (!recorded.cert_type.empty() && !live.cert_type.empty() &&
      recorded.cert_type != live.cert_type) {
    why.push_back(fmt::format("type {}→{}", recorded.cert_type, live.cert_type));
  }
  // A CAS certificate is known by its id: another certificate under the same name is drift.
  if (recorded.cert_type == "cas" && live.cert_type == "cas" && recorded.cert_id != 0 &&
      live.cert_id != 0 && recorded.cert_id != live.cert_id) {
    why.push_back(
        fmt::format("cert_id {}→{} (changed outside certform)", recorded.cert_id, live.cert_id));
  }
  // A product that knows certificates by id only (no fingerprint read back) serving one that is
  // no CAS certificate certform can name (an ALB listener's store-shaped id, a CLB copy uploaded
  // by content): someone else's, where certform recorded its own.
  if (recorded.cert_id != 0 && live.cert_id == 0 && live.fingerprint.empty() &&
      !live.cert_ref.empty()) {
    why.push_back(fmt::format("cert_id {}→{} (not a CAS certificate: changed outside certform)",
                              recorded.cert_id, ForTerminal(live.cert_ref.substr(0, 128))));
  }
  return why;
}

DriftReport CompareLive(const State& state, const std::vector<LiveRead>& reads, int64_t now,
                        int warning_days) {
  DriftReport report;
  for (const LiveRead& r : reads) {
    if (!r.ok) {
      report.failed.push_back(r);
      continue;
    }
    ++report.checked;
    if (IsSlot(r.address)) ++report.checked_slots;
    const StateEntry* recorded = state.Find(r.address);
    if (recorded != nullptr) {
      std::vector<std::string> why = DriftReasons(*recorded, r.live);
      if (!why.empty()) report.drifted.push_back({r.address, r.account, std::move(why)});
    }
    if (r.live.exists && r.live.https && r.live.not_after > 0 &&
        r.live.not_after - now < int64_t{warning_days} * 86400) {
      report.expiring.push_back({r.address, r.live.not_after, (r.live.not_after - now) / 86400});
    }
  }
  return report;
}

void AddUploadDrift(const std::vector<UploadCheck>& checks, DriftReport* report) {
  for (const UploadCheck& c : checks) {
    if (!c.read) {
      report->uploads_failed.push_back(c);
    } else if (!c.Trusted()) {
      report->uploads.push_back(c);
    }
  }
}

State WithoutUntrustedUploads(const State& state, const std::vector<UploadCheck>& checks) {
  State next = state;
  for (const UploadCheck& c : checks) {
    if (c.read && !c.Trusted()) next.uploads.erase(c.key);
  }
  return next;
}

StateEntry EntryFromLive(const Address& address, const std::string& account,
                         const LiveBinding& live, const Config& config, const std::string& now,
                         const std::map<std::string, UploadEntry>& uploads) {
  StateEntry e;
  e.address = address;
  e.account = account;
  e.https = live.https;
  e.applied_at = now;
  if (!live.https) return e;
  e.cert_type = live.cert_type;
  e.cert_name = live.cert_name;
  e.cert_id = live.cert_type == "cas" ? live.cert_id : 0;
  e.fingerprint = live.fingerprint;
  e.chain_digest = live.chain_digest;
  e.not_after = live.not_after;
  if (live.cert_type == "cas" && live.cert_id != 0 && live.fingerprint.empty()) {
    for (const auto& [key, u] : uploads) {
      if (u.account != account || u.cert_id != live.cert_id) continue;
      e.fingerprint = u.fingerprint;
      e.not_after = e.not_after != 0 ? e.not_after : u.not_after;
      if (e.cert_name.empty()) e.cert_name = u.name;
      if (config.certificates.count(u.certificate)) e.certificate = u.certificate;
      return e;
    }
  }
  for (const auto& [key, c] : config.certificates) {
    const bool same = c.type == CertType::kUpload
                          ? !c.info.fingerprint.empty() && c.info.fingerprint == live.fingerprint
                          : live.cert_type == "cas" &&
                                (c.cert_id == live.cert_id || c.cert_name == live.cert_name);
    if (same) {
      e.certificate = key;
      break;
    }
  }
  return e;
}

State RefreshedState(const State& state, const std::vector<LiveRead>& reads, const Config& config,
                     const std::string& now, GoneDomains gone) {
  State next = state;
  for (const LiveRead& r : reads) {
    const std::string key = r.address.Key();
    const StateEntry* recorded = state.Find(key);
    if (!r.ok || recorded == nullptr) continue;
    if (!r.live.exists && gone == GoneDomains::kMark) {
      if (!recorded->Gone()) next.entries[key].gone_at = now;  // learned by a read: no RequestId
    } else if (!r.live.exists) {
      next.entries.erase(key);
    } else {
      StateEntry unmarked = *recorded;  // the domain exists: a gone mark no longer holds
      unmarked.gone_at.clear();
      unmarked.gone_request_id.clear();
      if (!DriftReasons(unmarked, r.live).empty()) {
        next.entries[key] =
            EntryFromLive(r.address, recorded->account, r.live, config, now, state.uploads);
      } else {
        // A leaf the state does not know (a CAS certificate bound by its id records none until
        // read) is learned from the served certificate, so that verify can compare the edge's.
        const bool learn_leaf = unmarked.https && r.live.https && unmarked.fingerprint.empty() &&
                                !r.live.fingerprint.empty();
        if (learn_leaf) {
          unmarked.fingerprint = r.live.fingerprint;
          if (unmarked.not_after == 0) unmarked.not_after = r.live.not_after;
        }
        // A chain the state does not record (written before certform recorded chains) is learned
        // from the served certificate, so that the plan can tell whether the configured one is it.
        const bool learn_chain = unmarked.chain_digest.empty() && !r.live.chain_digest.empty() &&
                                 !unmarked.fingerprint.empty() &&
                                 unmarked.fingerprint == r.live.fingerprint;
        if (learn_chain) unmarked.chain_digest = r.live.chain_digest;
        if (learn_leaf || learn_chain || recorded->Gone()) {
          next.entries[key] = std::move(unmarked);
        }
      }
    }
  }
  return next;
}

void AdoptUpload(const StateEntry& e, const Config& config, const std::string& now, State* state) {
  auto account = config.accounts.find(e.account);
  auto cert = config.certificates.find(e.certificate);
  if (account == config.accounts.end() || !account->second.UploadsViaCas() ||
      cert == config.certificates.end() || cert->second.type != CertType::kUpload ||
      e.cert_type != "cas" || e.cert_id == 0 || e.fingerprint.empty()) {
    return;
  }
  const std::string key = UploadKey(e.account, e.fingerprint, e.chain_digest);
  if (state->uploads.count(key)) return;
  state->uploads[key] = UploadEntry{e.account,      e.certificate, e.fingerprint,
                                    e.chain_digest, e.cert_name,   e.cert_id,
                                    e.not_after,    now,           ""};
}

}  // namespace certform::engine
