#include "engine/apply/prune.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "engine/base/text_escape.h"
#include "engine/calls/domain_listing.h"
#include "engine/calls/retry_policy.h"
#include "engine/config/binding_address.h"
#include "engine/state/journal_record.h"

namespace certform::engine {

namespace {

JournalRecord UploadRecord(const UploadEntry& u, bool forget) {
  JournalRecord r;
  r.upload = u;
  r.forget = forget;
  return r;
}

// "AccessDenied: ...; the user needs oss:ListBuckets and oss:ListCname (...)": what to do about a
// product that could not be listed or read.
std::string WhatItNeeds(const std::string& product, const Provider& provider) {
  return fmt::format(
      "the user needs {}; if the users of this configuration have no {} at all, say so with "
      "[prune] skip_products = [\"{}\"]",
      ListPermissions(provider), ProductTitle(product), product);
}

}  // namespace

std::string ListPermissions(const Provider& provider) {
  std::vector<std::string> actions;
  for (CallKind kind : {CallKind::kListDomains, CallKind::kReadBinding}) {
    const CallLimit limit = provider.Limit(kind);
    std::vector<std::string> named = limit.ram_actions;
    if (named.empty()) named.push_back("the permission to call " + limit.api);
    for (const std::string& a : named) {
      if (std::find(actions.begin(), actions.end(), a) == actions.end()) actions.push_back(a);
    }
  }
  std::string out;
  for (size_t i = 0; i < actions.size(); ++i) {
    if (i > 0) out += i + 1 == actions.size() ? " and " : ", ";
    out += actions[i];
  }
  return out;
}

UserDomains ReadUserDomains(const std::string& account,
                            const std::map<std::string, AccountRuntime>& runtimes,
                            const std::vector<std::string>& skip, PacingRegistry& pacing,
                            Clock& clock, RandomSource& random) {
  UserDomains out;
  out.account = account;
  const AccountRuntime& runtime = runtimes.at(account);
  std::vector<DomainRef> refs;
  // Every product a CAS id can be bound on: a product added to KnownProducts is read here too,
  // and one the account has no provider for stops the deletion rather than going unread.
  // Every product certform cannot list and the configuration does not skip, named at once, so
  // that one skip_products line says it for all of them.
  std::vector<const ProductRules*> unlistable;
  for (const std::string& product : KnownProducts()) {
    const ProductRules* rules = FindProduct(product);
    if (rules != nullptr && !rules->listable &&
        std::find(skip.begin(), skip.end(), product) == skip.end()) {
      unlistable.push_back(rules);
    }
  }
  if (!unlistable.empty()) {
    std::string what, titles, names;
    for (size_t i = 0; i < unlistable.size(); ++i) {
      const ProductRules& rules = *unlistable[i];
      const char* sep = i == 0 ? "" : i + 1 == unlistable.size() ? " or " : ", ";
      what += sep + rules.what;
      titles += sep + rules.title;
      names += fmt::format("{}\"{}\"", i == 0 ? "" : ", ", rules.name);
    }
    out.error = fmt::format(
        "cannot tell whether a certificate is bound on {}: certform does not list the user's "
        "{}s, so one it does not manage could serve any certificate; if no {} of the users of "
        "this configuration serves a certificate certform uploaded, say so with [prune] "
        "skip_products = [{}]",
        what, unlistable.front()->slots.enabled ? unlistable.front()->slots.of : "binding", titles,
        names);
    return out;
  }
  for (const std::string& product : KnownProducts()) {
    if (std::find(skip.begin(), skip.end(), product) != skip.end()) {
      out.skipped.push_back(product);
      continue;
    }
    Provider* provider = runtime.ProviderFor(product);
    if (provider == nullptr) {
      out.error = fmt::format(
          "cannot list the user's {} domains: certform has no {} provider "
          "for account \"{}\"",
          ProductTitle(product), ProductTitle(product), account);
      return out;
    }
    ListedDomains listed =
        ListProductDomains(account, runtime, product, *provider, pacing, clock, random);
    const PacedCallResult& r = listed.call;
    if (!r.status.ok() || r.stopped) {
      out.error = fmt::format("cannot list the user's {} domains ({}): {}; {}",
                              ProductTitle(product), provider->Limit(CallKind::kListDomains).api,
                              r.status.message(), WhatItNeeds(product, *provider));
      return out;
    }
    // What the API listed is outside input: one name the address door refuses stops the deletion.
    if (!listed.rejected.empty()) {
      out.error = fmt::format(
          "the user's {} domains cannot be read: the listing answered {}, which is not an "
          "address certform reads ({})",
          ProductTitle(product), ForTerminal(listed.rejected.front().text),
          listed.rejected.front().problem);
      return out;
    }
    for (Address& a : listed.addresses) refs.push_back({std::move(a), account});
    out.read.push_back(product);
  }
  out.reads = ReadLive(refs, runtimes, pacing, clock, random);
  for (const LiveRead& read : out.reads) {
    if (read.ok) continue;
    const std::string& product = read.address.product;
    out.error = fmt::format("cannot read the live binding of {}: {}; {}", read.address.Key(),
                            read.error, WhatItNeeds(product, *runtime.ProviderFor(product)));
    break;
  }
  return out;
}

bool NamedByCertform(const UploadEntry& u) {
  // The state is outside input: a record naming someone's own certificate must not make it a
  // candidate. certform names an upload after its content (planner.h: CasUploadName), either
  // "certform-" + 16 fingerprint digits or NAME + "-" + 12 digits, so a record whose name is
  // not that of its own fingerprint was not written by certform's upload.
  if (u.fingerprint.size() < 16) return false;
  // A second chain under a leaf already uploaded adds "-" + 8 digits of its chain digest.
  std::string name = u.name;
  const std::string chained = u.chain_digest.size() >= 8 ? "-" + u.chain_digest.substr(0, 8) : "";
  if (!chained.empty() && name.ends_with(chained)) name.resize(name.size() - chained.size());
  return name == "certform-" + u.fingerprint.substr(0, 16) ||
         (name.size() > 13 && name.ends_with("-" + u.fingerprint.substr(0, 12)));
}

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
    // The upload of its chain, and one recorded without a chain (the planner may bind to it).
    const CertificateInfo& info = cert->second.info;
    for (const std::string& key : {UploadKey(b.account, info.fingerprint, info.chain_digest),
                                   UploadKey(b.account, info.fingerprint)}) {
      auto u = state.uploads.find(key);
      if (u != state.uploads.end()) wanted.insert(u->second.cert_id);
    }
  }
  std::vector<UploadEntry> out;
  for (const auto& [key, u] : state.uploads) {
    if (u.account == account && u.cert_id > 0 && !bound.count(u.cert_id) &&
        !wanted.count(u.cert_id) && NamedByCertform(u)) {
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
      if (!r.ok || !r.live.exists) continue;
      // By id even with HTTPS off: a certificate attached but disabled (OSS) is still in use.
      // And every additional (SNI) certificate of a listener, whichever slot was read.
      const bool by_slot = r.live.cert_id != 0 && r.live.cert_id == u.cert_id;
      const bool by_additional =
          std::count(r.live.additional_ids.begin(), r.live.additional_ids.end(), u.cert_id) > 0;
      const bool by_content = r.live.https && r.live.cert_id == 0 && !u.fingerprint.empty() &&
                              r.live.fingerprint == u.fingerprint;
      if (by_slot || by_additional || by_content) {
        found = {r.address, u.cert_id, !by_slot && !by_content};
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

std::vector<PruneOutcome> DeleteUploads(const std::vector<UploadEntry>& uploads,
                                        CertificateStore& store, const PruneEnv& env,
                                        State* state) {
  std::vector<PruneOutcome> outcomes;
  for (const UploadEntry& u : uploads) {
    PruneOutcome o;
    o.upload = u;
    // The certificate at that id must still be the one certform recorded.
    StoredCertificate held;
    PacedCallResult r = env.call(CallKind::kGetCertificate, [&](CallResult* last) {
      return store.Get(u.cert_id, &held, last);
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
                 [&](CallResult* last) { return store.Delete(u.cert_id, last); });
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
