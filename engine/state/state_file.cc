#include "engine/state/state_file.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "engine/config/binding_address.h"

#include "engine/base/json_fields.h"
#include "engine/base/region_id.h"
#include "engine/base/text_escape.h"

namespace certform::engine {

namespace {

bool IsFingerprint(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
           return std::isdigit(c) || (c >= 'a' && c <= 'f');
         });
}

// A job id as certform records it: what a product answered, checked at its door, and bounded
// here again (printable ASCII without spaces, at most 256), since a state is outside input too.
bool IsJobToken(const std::string& s) {
  constexpr size_t kMax = 256;
  return !s.empty() && s.size() <= kMax &&
         std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

constexpr int kMaxSteps = 4;  // the most steps a change takes (Provider::Steps)

Status PendingJobProblem(const StateEntry& e, const std::string& what) {
  if (!e.Pending()) {
    if (e.pending_step != 0 || e.pending_cert_id != 0) {
      return Status::Corruption(what + ": pending_step or pending_cert_id without pending_job");
    }
    return Status::OK();
  }
  if (!IsJobToken(e.pending_job)) {
    return Status::Corruption(what + ": pending_job is not a job id (printable, at most 256)");
  }
  if (e.pending_step < 0 || e.pending_step >= kMaxSteps) {
    return Status::Corruption(fmt::format("{}: pending_step is not 0 to {}", what, kMaxSteps - 1));
  }
  if (e.pending_cert_id < 0) return Status::Corruption(what + ": pending_cert_id is negative");
  return Status::OK();
}

// The fields of an entry read from outside hold only what certform writes there.
Status EntryFieldsProblem(const StateEntry& e, const std::string& what) {
  if (e.cert_type != "" && e.cert_type != "upload" && e.cert_type != "cas") {
    return Status::Corruption(
        fmt::format("{}: cert_type \"{}\" is neither \"upload\" nor \"cas\"", what, e.cert_type));
  }
  if (e.cert_id < 0) return Status::Corruption(what + ": cert_id is negative");
  if (!e.cert_region.empty()) {
    if (std::string p = RegionIdProblem(e.cert_region); !p.empty()) {
      return Status::Corruption(what + ": cert_region " + Quoted(e.cert_region) + " is " + p);
    }
  }
  if (!e.fingerprint.empty() && !IsFingerprint(e.fingerprint)) {
    return Status::Corruption(what + ": fingerprint is not 64 lower-case hex digits");
  }
  if (!e.chain_digest.empty() && !IsFingerprint(e.chain_digest)) {
    return Status::Corruption(what + ": chain_digest is not 64 lower-case hex digits");
  }
  if (e.account.empty()) return Status::Corruption(what + ": account is empty");
  return PendingJobProblem(e, what);
}

}  // namespace

std::string Quoted(std::string_view text) {
  constexpr size_t kMax = 300;
  const bool cut = text.size() > kMax;
  return "\"" + ForTerminal(text.substr(0, kMax)) + "\"" + (cut ? "…" : "");
}

Status CanonicalAddress(const std::string& text, const std::string& where, std::string* canonical) {
  Address address;
  Status s = CanonicalAddress(text, where, &address);
  if (s.ok()) *canonical = address.Key();
  return s;
}

Status CanonicalAddress(const std::string& text, const std::string& where, Address* address) {
  if (std::string problem = ParseAddress(text, address); !problem.empty()) {
    return Status::Corruption(
        fmt::format("{}: {} is not a valid address: {}", where, Quoted(text), problem));
  }
  return Status::OK();
}

nlohmann::ordered_json EntryToJson(const StateEntry& e) {
  nlohmann::ordered_json j;
  j["account"] = e.account;
  j["https"] = e.https;
  j["certificate"] = e.certificate;
  j["cert_type"] = e.cert_type;
  j["cert_name"] = e.cert_name;
  j["cert_id"] = e.cert_id;
  if (!e.cert_region.empty()) j["cert_region"] = e.cert_region;  // only when known, as chain_digest
  j["fingerprint"] = e.fingerprint;
  // Only when recorded: absent is "not recorded" (StateEntry::chain_digest), as older files have
  // it; older releases ignore the field, so no format version is needed for it (as for gone_at).
  if (!e.chain_digest.empty()) j["chain_digest"] = e.chain_digest;
  j["not_after"] = e.not_after;
  j["applied_at"] = e.applied_at;
  j["request_id"] = e.request_id;
  if (e.Gone()) {  // only then: a state with nothing gone reads the same in older releases
    j["gone_at"] = e.gone_at;
    j["gone_request_id"] = e.gone_request_id;
  }
  if (e.Pending()) {  // only then, as gone_at
    j["pending_job"] = e.pending_job;
    j["pending_step"] = e.pending_step;
    j["pending_cert_id"] = e.pending_cert_id;
  }
  return j;
}

Status EntryFromJson(const nlohmann::json& j, const std::string& what, StateEntry* e) {
  JsonFields f(j, what);
  e->account = f.String("account");
  e->https = f.Bool("https");
  e->certificate = f.String("certificate");
  e->cert_type = f.String("cert_type");
  e->cert_name = f.String("cert_name");
  e->cert_id = f.Int("cert_id");
  if (j.is_object() && j.contains("cert_region")) e->cert_region = f.String("cert_region");
  e->fingerprint = f.String("fingerprint");
  if (j.is_object() && j.contains("chain_digest")) e->chain_digest = f.String("chain_digest");
  e->not_after = f.Int("not_after");
  e->applied_at = f.String("applied_at");
  e->request_id = f.String("request_id");
  if (j.is_object() && j.contains("gone_at")) {
    e->gone_at = f.String("gone_at");
    e->gone_request_id = f.String("gone_request_id");
    if (f.ok() && e->gone_at.empty()) return Status::Corruption(what + ": gone_at is empty");
  }
  if (j.is_object() && j.contains("pending_job")) {
    e->pending_job = f.String("pending_job");
    e->pending_step = static_cast<int>(std::clamp<int64_t>(f.Int("pending_step"), -1, kMaxSteps));
    e->pending_cert_id = f.Int("pending_cert_id");
    if (f.ok() && e->pending_job.empty()) {
      return Status::Corruption(what + ": pending_job is empty");
    }
  }
  if (!f.ok()) return f.status();
  return EntryFieldsProblem(*e, what);
}

nlohmann::ordered_json UploadToJson(const UploadEntry& u) {
  nlohmann::ordered_json j = {
      {"account", u.account}, {"certificate", u.certificate}, {"fingerprint", u.fingerprint}};
  if (!u.chain_digest.empty()) j["chain_digest"] = u.chain_digest;  // as in EntryToJson
  j["name"] = u.name;
  j["cert_id"] = u.cert_id;
  j["not_after"] = u.not_after;
  j["uploaded_at"] = u.uploaded_at;
  j["request_id"] = u.request_id;
  return j;
}

Status UploadFromJson(const nlohmann::json& j, const std::string& what, UploadEntry* u) {
  JsonFields f(j, what);
  u->account = f.String("account");
  u->certificate = f.String("certificate");
  u->fingerprint = f.String("fingerprint");
  if (j.is_object() && j.contains("chain_digest")) u->chain_digest = f.String("chain_digest");
  u->name = f.String("name");
  u->cert_id = f.Int("cert_id");
  u->not_after = f.Int("not_after");
  u->uploaded_at = f.String("uploaded_at");
  u->request_id = f.String("request_id");
  if (!f.ok()) return f.status();
  if (u->account.empty()) return Status::Corruption(what + ": account is empty");
  if (!IsFingerprint(u->fingerprint)) {
    return Status::Corruption(what + ": fingerprint is not 64 lower-case hex digits");
  }
  if (!u->chain_digest.empty() && !IsFingerprint(u->chain_digest)) {
    return Status::Corruption(what + ": chain_digest is not 64 lower-case hex digits");
  }
  if (u->cert_id <= 0) return Status::Corruption(what + ": cert_id is not a CAS id");
  return Status::OK();
}

std::string SerializeState(const State& state) {
  nlohmann::ordered_json doc;
  // An older file read is written back as the current version for what it holds.
  const bool products = std::any_of(state.entries.begin(), state.entries.end(), [](const auto& kv) {
    return kv.second.address.product != DefaultProductName();
  });
  doc["format_version"] = products ? kFirstProductStateFormatVersion : kCdnOnlyStateFormatVersion;
  doc["lineage"] = state.lineage;
  doc["serial"] = state.serial;
  doc["tool_version"] = state.tool_version;
  nlohmann::ordered_json domains = nlohmann::ordered_json::object();
  for (const auto& [domain, e] : state.entries) domains[domain] = EntryToJson(e);
  doc["domains"] = std::move(domains);
  if (!state.uploads.empty()) {  // only accounts with upload_via = "cas" have any
    nlohmann::ordered_json uploads = nlohmann::ordered_json::array();
    for (const auto& [key, u] : state.uploads) uploads.push_back(UploadToJson(u));
    doc["uploads"] = std::move(uploads);
  }
  return doc.dump(2) + "\n";
}

Status ParseState(std::string_view text, const std::string& path, State* state) {
  nlohmann::json doc;
  if (Status s = ParseJsonDocument(text, "state file " + path, &doc); !s.ok()) return s;
  State out;
  JsonFields root(doc, "state file " + path);
  out.format_version = static_cast<int>(root.Int("format_version"));
  if (root.ok() && (out.format_version < kOldestStateFormatVersion ||
                    out.format_version > kStateFormatVersion)) {
    return Status::InvalidArgument(fmt::format(
        "state file {} has format_version {}, and this certform ({}) reads versions {} to {}; "
        "use the certform release that wrote it",
        path, out.format_version, CERTFORM_VERSION, kOldestStateFormatVersion,
        kStateFormatVersion));
  }
  out.lineage = root.String("lineage");
  out.serial = root.Int("serial");
  out.tool_version = root.String("tool_version");
  const nlohmann::json& domains = root.Object("domains");
  if (!root.ok()) return root.status();
  // Bounded well below int64's end, so that `serial + 1` never overflows and stops moving (a
  // crafted serial would otherwise make every later write look "not newer").
  if (out.serial < 0 || out.serial > kMaxStateSerial) {
    return Status::Corruption(
        fmt::format("state file {}: serial is outside 0 to {}", path, kMaxStateSerial));
  }
  for (const auto& [key, value] : domains.items()) {
    // Every address passes the configuration's rules, in one canonical spelling: a hostile or
    // mistyped key is refused here, before anything could be sent for it.
    Address address;
    if (Status s = CanonicalAddress(key, "state file " + path, &address); !s.ok()) return s;
    const std::string domain = address.Key();
    if (out.format_version < kFirstProductStateFormatVersion &&
        address.product != DefaultProductName()) {
      return Status::Corruption(fmt::format(
          "state file {}: \"{}\" in a format_version {} file (products came in version {})", path,
          domain, out.format_version, kFirstProductStateFormatVersion));
    }
    StateEntry e;
    e.address = std::move(address);
    Status s = EntryFromJson(value, fmt::format("state file {}, domain \"{}\"", path, domain), &e);
    if (!s.ok()) return s;
    if (!out.entries.emplace(domain, std::move(e)).second) {
      return Status::Corruption(fmt::format("state file {}: \"{}\" is recorded twice (once as {})",
                                            path, domain, Quoted(key)));
    }
  }
  if (auto it = doc.find("uploads"); it != doc.end()) {
    if (out.format_version < 2) {
      return Status::Corruption(
          fmt::format("state file {}: uploads in a format_version {} file (they came in version 2)",
                      path, out.format_version));
    }
    if (!it->is_array())
      return Status::Corruption("state file " + path + ": uploads is not a list");
    for (size_t i = 0; i < it->size(); ++i) {
      UploadEntry u;
      Status s = UploadFromJson((*it)[i], fmt::format("state file {}, upload {}", path, i + 1), &u);
      if (!s.ok()) return s;
      const std::string key = UploadKey(u);
      if (!out.uploads.emplace(key, std::move(u)).second) {
        return Status::Corruption(
            fmt::format("state file {}: upload {} is recorded twice", path, i + 1));
      }
    }
  }
  *state = std::move(out);
  return Status::OK();
}

}  // namespace certform::engine
