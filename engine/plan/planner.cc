#include "engine/plan/planner.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "engine/base/text_escape.h"

#include "engine/base/digest.h"
#include "engine/base/domain_name.h"
#include "engine/plan/shared_slots.h"

namespace certform::engine {

namespace {

std::string OnOff(bool on) { return on ? "on" : "off"; }

// True when `before` and `after` serve the same leaf with other intermediates. A chain digest not
// recorded (a state written before certform recorded chains) is unknown, not a change: an upgrade
// must not plan an update of every binding. It is recorded by the next call for the entry, or read
// from the served certificate by `plan --refresh`.
bool ChainChanged(const StateEntry& before, const StateEntry& after) {
  return !before.fingerprint.empty() && before.fingerprint == after.fingerprint &&
         !before.chain_digest.empty() && !after.chain_digest.empty() &&
         before.chain_digest != after.chain_digest;
}

// Why `before` (state) differs from `after` (configuration); empty when they agree.
std::vector<std::string> Differences(const StateEntry& before, const StateEntry& after) {
  std::vector<std::string> why;
  if (before.account != after.account) {
    why.push_back(fmt::format("account {}→{}", before.account, after.account));
  }
  if (before.https != after.https) {
    why.push_back(fmt::format("https {}→{}", OnOff(before.https), OnOff(after.https)));
  }
  if (!after.https) return why;  // with HTTPS off no certificate is served; nothing else matters
  if (before.certificate != after.certificate && !before.certificate.empty()) {
    why.push_back(fmt::format("certificate {}→{}", before.certificate, after.certificate));
  }
  if (before.cert_type != after.cert_type && !before.cert_type.empty()) {
    why.push_back(fmt::format("type {}→{}", before.cert_type, after.cert_type));
  }
  if (before.fingerprint != after.fingerprint && !before.fingerprint.empty() &&
      !after.fingerprint.empty()) {
    why.push_back(fmt::format("fingerprint {}→{}", ShortFingerprint(before.fingerprint),
                              ShortFingerprint(after.fingerprint)));
  } else if (ChainChanged(before, after)) {
    why.push_back(fmt::format("chain changed (intermediates {} → {})",
                              ShortChainDigest(before.chain_digest),
                              ShortChainDigest(after.chain_digest)));
  }
  if (before.cert_name != after.cert_name) {
    why.push_back(fmt::format(
        "CertName {}→{}", before.cert_name.empty() ? "(none)" : before.cert_name, after.cert_name));
  }
  if (before.cert_id != after.cert_id && after.cert_id != 0) {
    why.push_back(fmt::format("cert_id {}→{}", before.cert_id, after.cert_id));
  }
  return why;
}

// Why a binding the state records as gone (StateEntry::gone_at) is planned again.
std::string GoneReason(const StateEntry& before) {
  const std::string how =
      before.gone_request_id.empty()
          ? std::string("a live read found no such domain")
          : fmt::format("the last apply's call for it was answered so ({}, RequestId {})",
                        before.gone_at, before.gone_request_id);
  return fmt::format(
      "no longer exists on {}: {}; add the domain back there, or remove it from the "
      "configuration (apply tries to bind it again)",
      OnProduct(before.address.product), how);
}

// True when `before` and `after` differ only in the certificate's key, and the call apply would
// make sends what `before` records as live: the same HTTPS switch, type and CertName, and the
// same content (leaf fingerprint, known on both sides) or, for a certificate already in CAS, the
// same CertId. The key itself is never sent.
bool OnlyRenamed(const StateEntry& before, const StateEntry& after) {
  if (before.certificate.empty() || before.certificate == after.certificate || !after.https ||
      before.cert_type != after.cert_type) {
    return false;
  }
  const bool same_content = after.fingerprint.empty()
                                ? after.cert_type == "cas" && before.cert_id == after.cert_id
                                : before.fingerprint == after.fingerprint;
  StateEntry relabelled = before;
  relabelled.certificate = after.certificate;
  return same_content && Differences(relabelled, after).empty();
}

// The action and reasons of a binding that is in the state (`c->before`) and the configuration
// (`c->after`).
void Judge(Change* c) {
  c->reasons = Differences(*c->before, *c->after);
  c->action = c->reasons.empty() ? Action::kNoOp : Action::kUpdate;
  if (!c->before->Gone() && OnlyRenamed(*c->before, *c->after)) {
    c->action = Action::kRename;
    const StateEntry& e = *c->before;
    // Nothing is sent: the state keeps knowing what it knew of the chain, no more.
    c->after->chain_digest = e.chain_digest;
    c->reasons.push_back(fmt::format(
        "same {} and CertName {}: recorded in the state only, nothing is sent",
        e.fingerprint.empty() ? fmt::format("CertId {}", e.cert_id)
                              : "content (fingerprint " + ShortFingerprint(e.fingerprint) + ")",
        e.cert_name));
  }
  if (c->before->Gone()) {
    c->reasons.insert(c->reasons.begin(), GoneReason(*c->before));
    c->action = Action::kUpdate;
  }
  if (c->before->Pending()) {
    // An earlier apply submitted a job for it and did not see it end (a killed run): what the
    // location has is unknown until that job is polled, which apply does before sending anything.
    c->reasons.insert(
        c->reasons.begin(),
        fmt::format("an earlier apply submitted job {} (step {}) and did not see it "
                    "end: apply waits for it before sending anything",
                    ForTerminal(c->before->pending_job), c->before->pending_step + 1));
    c->action = Action::kUpdate;
  }
}

bool Targeted(const PlanOptions& options, const std::string& key);

// A slot of `entry`'s location that the configuration binds, the state does not record yet, and
// `options` does not target: its address, or "" when none (or when nothing is targeted).
std::string UntargetedNewSlot(const Config& config, const State& state, const PlanOptions& options,
                              const StateEntry& entry) {
  if (options.targets.empty()) return "";
  for (const DesiredBinding& b : config.bindings) {
    const std::string key = b.address.Key();
    if (b.account == entry.account && b.address.product == entry.address.product &&
        b.address.location == entry.address.location && state.Find(key) == nullptr &&
        !Targeted(options, key)) {
      return key;
    }
  }
  return "";
}

// A target is compared in its canonical form (binding_address.h): a domain written in capitals
// is its lower-case self, a listener slot keeps its case ("sni:Web" is not "sni:web").
bool Targeted(const PlanOptions& options, const std::string& key) {
  return options.targets.empty() ||
         std::any_of(options.targets.begin(), options.targets.end(), [&](const std::string& t) {
           std::string canonical;
           return AddressProblem(t, &canonical).empty() ? canonical == key
                                                        : NormalizeDomain(t) == key;
         });
}

// True when the state shows `after`'s CertName, in the same account, holding other content (another
// leaf, or the same leaf with other intermediates).
bool NameHeldByOtherContent(const State& state, const StateEntry& after) {
  if (after.cert_type != "upload" || after.cert_name.empty()) return false;
  return std::any_of(state.entries.begin(), state.entries.end(), [&](const auto& kv) {
    const StateEntry& e = kv.second;
    return e.https && e.cert_type == "upload" && e.account == after.account &&
           e.cert_name == after.cert_name &&
           (e.fingerprint != after.fingerprint || ChainChanged(e, after));
  });
}

// True when a binding in the state, bound by `u`'s CertId, records a chain other than `chain`: `u`
// (an upload recorded without its chain) holds that one.
bool HoldsOtherChain(const State& state, const UploadEntry& u, const std::string& chain) {
  return std::any_of(state.entries.begin(), state.entries.end(), [&](const auto& kv) {
    const StateEntry& e = kv.second;
    return e.account == u.account && e.cert_type == "cas" && e.cert_id == u.cert_id &&
           e.fingerprint == u.fingerprint && !e.chain_digest.empty() && e.chain_digest != chain;
  });
}

// The CAS Name of the upload of a leaf whose `base` name an upload with another chain holds.
std::string ChainedName(const std::string& base, const std::string& chain) {
  return base + "-" + chain.substr(0, 8);
}

// True when the state or `plan` has an upload on `account` named `name` of content other than
// the upload `key`.
bool NameTaken(const State& state, const Plan& plan, const std::string& account,
               const std::string& name, const std::string& key) {
  return std::any_of(state.uploads.begin(), state.uploads.end(),
                     [&](const auto& kv) {
                       return kv.first != key && kv.second.account == account &&
                              kv.second.name == name;
                     }) ||
         std::any_of(plan.uploads.begin(), plan.uploads.end(), [&](const UploadStep& u) {
           return UploadKey(u.account, u.fingerprint, u.chain_digest) != key &&
                  u.account == account && u.name == name;
         });
}

// Binding `b` of change `c` uses a certificate uploaded to CAS: takes its CertId from the state's
// uploads, or plans the upload (once per account and content) when the binding will be made.
void PlanUpload(const Config& config, const State& state, const DesiredBinding& b, Change* c,
                Plan* plan) {
  const CertificateConfig& cert = config.certificates.at(b.certificate);
  const std::string& chain = cert.info.chain_digest;
  const std::string base_name = c->after->cert_name;
  c->upload_key = UploadKey(b.account, cert.info.fingerprint, chain);
  auto known = state.uploads.find(c->upload_key);
  if (known == state.uploads.end()) {
    // An upload recorded before certform recorded chains holds this leaf with a chain unknown:
    // taken as this one (no re-upload after an upgrade), unless a binding to it records another.
    auto legacy = state.uploads.find(UploadKey(b.account, cert.info.fingerprint));
    if (legacy != state.uploads.end() && !HoldsOtherChain(state, legacy->second, chain)) {
      known = legacy;
      c->upload_key = legacy->first;
    }
  }
  if (known != state.uploads.end()) {
    c->after->cert_id = known->second.cert_id;
    if (known->second.name == ChainedName(base_name, chain)) {
      c->after->cert_name = known->second.name;
    }
    // With the id known, the comparison with the state can be exact.
    if (c->before) Judge(c);
    return;
  }
  // CAS Names are unique: a second chain under a leaf already uploaded as `base_name` gets its own.
  if (NameTaken(state, *plan, b.account, base_name, c->upload_key)) {
    c->after->cert_name = ChainedName(base_name, chain);
    if (c->before) Judge(c);
  }
  if (!CallsProvider(c->action)) return;  // nothing to bind: nothing to upload
  for (const UploadStep& u : plan->uploads) {
    if (UploadKey(u.account, u.fingerprint, u.chain_digest) == c->upload_key) return;
  }
  plan->uploads.push_back(
      {b.account, cert.key, cert.info.fingerprint, chain, c->after->cert_name, cert.info});
}

// The write call binding `b` goes through (its product's rules and its account's `api`).
const WriteCall* WriteOf(const Config& config, const DesiredBinding& b) {
  const ProductRules* rules = FindProduct(b.address.product);
  if (rules == nullptr || rules->write_calls.empty()) return nullptr;
  auto account = config.accounts.find(b.account);
  return account == config.accounts.end() ? &rules->DefaultWrite()
                                          : &account->second.WriteOn(*rules);
}

// True when binding `b` goes through a call that takes ForceSet (SetDomainServerCertificate; the
// SSL-style calls have none).
bool UsesForceSet(const Config& config, const DesiredBinding& b) {
  const WriteCall* write = WriteOf(config, b);
  return write != nullptr && write->force_set;
}

}  // namespace

std::string ContentName(const std::string& name, const std::string& fingerprint) {
  return name + "-" + fingerprint.substr(0, 12);
}

std::string CasUploadName(const CertificateConfig& c) {
  return c.explicit_name ? ContentName(c.cert_name, c.info.fingerprint) : c.cert_name;
}

StateEntry DesiredEntry(const Config& config, const DesiredBinding& b) {
  StateEntry e;
  e.address = b.address;
  e.account = b.account;
  e.https = b.https;
  if (!b.https) return e;
  const CertificateConfig& c = config.certificates.at(b.certificate);
  e.certificate = c.key;
  e.cert_type = CertTypeName(c.type);
  e.cert_name = c.cert_name;
  auto account = config.accounts.find(b.account);
  if (c.type == CertType::kCas) e.cert_region = c.cert_region;
  if (c.type == CertType::kUpload && account != config.accounts.end() &&
      account->second.UploadsViaCas()) {
    // Uploaded once to CAS, bound by CertId (filled from the state's uploads).
    e.cert_type = "cas";
    e.cert_region = account->second.cas_region;
    e.cert_name = CasUploadName(c);
    e.cert_id = 0;
    e.fingerprint = c.info.fingerprint;
    e.chain_digest = c.info.chain_digest;
    e.not_after = c.info.not_after;
    return e;
  }
  if (c.type == CertType::kUpload && c.explicit_name && account != config.accounts.end() &&
      !UsesForceSet(config, b)) {
    // The SSL-style calls have no ForceSet: a renewal could never reuse the name, so each
    // content gets its own, the configured name plus 12 digits of its fingerprint.
    e.cert_name = ContentName(c.cert_name, c.info.fingerprint);
  }
  e.cert_id = c.cert_id;
  e.fingerprint = c.info.fingerprint;
  e.chain_digest = c.info.chain_digest;
  e.not_after = c.info.not_after;
  return e;
}

Plan MakePlan(const Config& config, const State& state, const PlanOptions& options) {
  Plan plan;
  plan.lineage = state.lineage;
  plan.serial = state.serial;
  plan.config_digest = ConfigDigest(config);
  plan.tool_version = CERTFORM_VERSION;
  plan.changes.reserve(config.bindings.size() + state.entries.size());

  std::set<std::string> desired;
  for (const DesiredBinding& b : config.bindings) {
    const std::string key = b.address.Key();
    desired.insert(key);
    if (!Targeted(options, key)) continue;
    Change c;
    c.address = b.address;
    c.account = b.account;
    c.after = DesiredEntry(config, b);
    if (b.https) {
      const CertificateConfig& cert = config.certificates.at(b.certificate);
      if (cert.type == CertType::kUpload) c.certificate = cert.info;
    }
    if (const StateEntry* prior = state.Find(key)) {
      c.before = *prior;
      Judge(&c);
    } else {
      c.action = Action::kCreate;
      c.reasons.push_back(b.https ? "not in state: bind the certificate"
                                  : "not in state: switch HTTPS off");
    }
    if (b.https && config.accounts.count(b.account) &&
        config.accounts.at(b.account).UploadsViaCas() &&
        config.certificates.at(b.certificate).type == CertType::kUpload) {
      PlanUpload(config, state, b, &c, &plan);
    }
    if (CallsProvider(c.action) && UsesForceSet(config, b) &&
        NameHeldByOtherContent(state, *c.after)) {
      c.replaces_name = true;
      c.reasons.push_back(
          fmt::format("replaces the content of CertName {} (ForceSet)", c.after->cert_name));
    }
    plan.changes.push_back(std::move(c));
  }
  // A renewal of a listener slot keeps the old certificate on the listener when another slot
  // there has, records or will have it (shared_slots.h): only the new one is associated.
  for (Change& c : plan.changes) {
    if (!IsSlot(c.address) || !CallsProvider(c.action) || !c.before || !c.before->https ||
        c.before->cert_id == 0 || !c.after || c.after->cert_id == c.before->cert_id) {
      continue;
    }
    if (std::string other = SlotSharingCertificate(config, state, *c.before); !other.empty()) {
      c.keeps_previous = true;
      c.reasons.push_back(
          fmt::format("keeps CAS id {} where it is: it is also the {}", c.before->cert_id, other));
    }
  }
  // The configuration's new addresses (creates) by domain name, for the removals that are moves.
  std::multimap<std::string, size_t> created;
  for (size_t i = 0; i < plan.changes.size(); ++i) {
    if (plan.changes[i].action == Action::kCreate && !IsSlot(plan.changes[i].address)) {
      created.emplace(plan.changes[i].address.domain, i);
    }
  }
  // Every address of the configuration by domain name, to keep a move's halves together.
  std::multimap<std::string, std::string> desired_names;
  for (const DesiredBinding& b : config.bindings) {
    if (!IsSlot(b.address)) desired_names.emplace(b.address.domain, b.address.Key());
  }
  for (const auto& [domain, entry] : state.entries) {
    if (desired.count(domain) || !Targeted(options, domain)) continue;
    const bool disable = config.on_removal == OnRemoval::kDisable;
    // The old half of a move is never planned without its new half: --target on it alone would
    // deal with the old address before anything is bound at the new one.
    std::string untargeted_new;
    const auto [first, last] = desired_names.equal_range(entry.address.domain);
    for (auto it = first; it != last; ++it) {
      if (!Targeted(options, it->second)) untargeted_new = it->second;
    }
    if (!options.targets.empty() && !untargeted_new.empty()) {
      plan.diags.Warning({},
                         fmt::format("{} is not planned: it moves to {}, which is not targeted",
                                     domain, untargeted_new),
                         fmt::format("target both (--target {} --target {}) so that the new "
                                     "address is bound first",
                                     domain, untargeted_new));
      continue;
    }
    if (disable && !config.accounts.count(entry.account)) {
      // Nothing can switch it off without that account's credentials; the other changes go on.
      plan.diags.Warning(
          {},
          fmt::format("{} cannot be changed: it is in the state under account \"{}\", which is no "
                      "longer configured",
                      domain, entry.account),
          fmt::format("with on_removal = \"forget\" (or \"certform state rm {}\") it is forgotten "
                      "and the domain keeps serving what it serves now; add [account.{}] back to "
                      "switch its HTTPS off",
                      domain, entry.account));
      continue;
    }
    Change c;
    c.address = entry.address;
    c.account = entry.account;
    c.action = disable ? Action::kDelete : Action::kForget;
    c.before = entry;
    if (disable && IsSlot(entry.address)) {
      if (std::string why = SlotKeptReason(config, state, entry); !why.empty()) {
        c.action = Action::kForget;
        c.reasons.push_back("no longer in configuration: " + why);
        plan.changes.push_back(std::move(c));
        continue;
      }
      // As the old half of a move: a slot of the same listener still to be bound comes first,
      // so its certificate is not removed while what replaces it waits untargeted.
      if (std::string waiting = UntargetedNewSlot(config, state, options, entry);
          !waiting.empty()) {
        plan.diags.Warning(
            {},
            fmt::format("{} is not planned: {} of the same {} is not bound yet "
                        "and not targeted",
                        domain, waiting, FindProduct(entry.address.product)->slots.of),
            fmt::format("target both (--target {} --target {}) so that the new "
                        "slot is bound before this one's certificate is removed",
                        domain, waiting));
        continue;
      }
    }
    // A move: the same domain name at an address new to the configuration (another product,
    // bucket or region; any account), bound there before this one is dealt with.
    if (auto it = created.find(entry.address.domain); it != created.end()) {
      Change& to = plan.changes[it->second];
      created.erase(it);
      to.moved_from = domain;
      to.reasons.push_back("moved from " + domain + ": bound here before the old address is " +
                           (disable ? "switched off" : "forgotten"));
      c.moved_to = to.address.Key();
    }
    const std::string why = c.moved_to.empty() ? "no longer in configuration"
                                               : "moved to " + c.moved_to + ", once bound there";
    if (!disable) {
      c.reasons.push_back(why + ": forget; its live certificate stays (on_removal = \"forget\")");
    } else {
      c.reasons.push_back(entry.https ? why + ": switch HTTPS off, then forget"
                                      : why + ": forget (HTTPS already off)");
    }
    plan.changes.push_back(std::move(c));
  }
  std::sort(plan.changes.begin(), plan.changes.end(), [](const Change& a, const Change& b) {
    return BindingOrder(a.account, a.address) < BindingOrder(b.account, b.address);
  });
  std::sort(plan.uploads.begin(), plan.uploads.end(), [](const UploadStep& a, const UploadStep& b) {
    return std::tie(a.account, a.certificate) < std::tie(b.account, b.certificate);
  });
  return plan;
}

}  // namespace certform::engine
