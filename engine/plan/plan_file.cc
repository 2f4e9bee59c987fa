#include "engine/plan/plan_file.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/base/json_fields.h"
#include "engine/config/binding_address.h"
#include "engine/state/state_file.h"

namespace certform::engine {

namespace {

constexpr char kKind[] = "certform-plan";

nlohmann::ordered_json CertificateToJson(const CertificateInfo& info) {
  nlohmann::ordered_json j = {{"fingerprint", info.fingerprint},
                              {"subject", info.subject},
                              {"issuer", info.issuer},
                              {"sans", info.sans},
                              {"not_before", info.not_before},
                              {"not_after", info.not_after},
                              {"key_type", info.key_type},
                              {"serial", info.serial},
                              {"chain_length", info.chain_length}};
  if (!info.chain_digest.empty()) j["chain_digest"] = info.chain_digest;  // not in older plans
  return j;
}

Status CertificateFromJson(const nlohmann::json& j, const std::string& what,
                           CertificateInfo* info) {
  JsonFields f(j, what);
  info->fingerprint = f.String("fingerprint");
  info->subject = f.String("subject");
  info->issuer = f.String("issuer");
  for (const nlohmann::json& san : f.Array("sans")) {
    if (!san.is_string()) return Status::Corruption(what + ": sans must hold strings");
    info->sans.push_back(san.get<std::string>());
  }
  info->not_before = f.Int("not_before");
  info->not_after = f.Int("not_after");
  info->key_type = f.String("key_type");
  info->serial = f.String("serial");
  info->chain_length = static_cast<int>(f.Int("chain_length"));
  if (j.is_object() && j.contains("chain_digest")) info->chain_digest = f.String("chain_digest");
  return f.status();
}

Action ActionFromName(const std::string& name, bool* ok) {
  for (Action a : {Action::kNoOp, Action::kCreate, Action::kUpdate, Action::kDelete,
                   Action::kForget, Action::kRename}) {
    if (name == ActionName(a)) return a;
  }
  *ok = false;
  return Action::kNoOp;
}

Status ChangeFromJson(const nlohmann::json& j, const std::string& what, Change* c) {
  JsonFields f(j, what);
  const std::string address = f.String("domain");
  c->account = f.String("account");
  std::string action = f.String("action");
  if (!f.ok()) return f.status();
  if (Status s = CanonicalAddress(address, what, &c->address); !s.ok()) return s;
  bool known = true;
  c->action = ActionFromName(action, &known);
  if (!known) return Status::Corruption(fmt::format("{}: unknown action \"{}\"", what, action));
  for (const nlohmann::json& r : f.Array("reasons")) {
    if (r.is_string()) c->reasons.push_back(r.get<std::string>());
  }
  for (const char* key : {"before", "after"}) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) continue;
    StateEntry e;
    e.address = c->address;
    Status s = EntryFromJson(*it, what + " " + key, &e);
    if (!s.ok()) return s;
    (std::string(key) == "before" ? c->before : c->after) = std::move(e);
  }
  if (auto it = j.find("certificate"); it != j.end() && !it->is_null()) {
    CertificateInfo info;
    Status s = CertificateFromJson(*it, what + " certificate", &info);
    if (!s.ok()) return s;
    c->certificate = std::move(info);
  }
  if (auto it = j.find("upload_key"); it != j.end() && it->is_string()) {
    c->upload_key = it->get<std::string>();
  }
  if (auto it = j.find("replaces_name"); it != j.end() && it->is_boolean()) {
    c->replaces_name = it->get<bool>();
  }
  if (auto it = j.find("moved_from"); it != j.end() && it->is_string()) {
    c->moved_from = it->get<std::string>();
  }
  if (auto it = j.find("moved_to"); it != j.end() && it->is_string()) {
    c->moved_to = it->get<std::string>();
  }
  if (auto it = j.find("keeps_previous"); it != j.end() && it->is_boolean()) {
    c->keeps_previous = it->get<bool>();
  }
  if (c->keeps_previous && (!c->before || c->action != Action::kUpdate)) {
    return Status::Corruption(what + ": only an update of a recorded binding keeps_previous");
  }
  const bool removal = c->action == Action::kDelete || c->action == Action::kForget;
  if (!removal && !c->after) {
    return Status::Corruption(what + ": an action other than delete or forget needs \"after\"");
  }
  if (c->action == Action::kRename && !c->before) {
    return Status::Corruption(what + ": a rename needs \"before\"");
  }
  if (!c->moved_to.empty() && !removal) {
    return Status::Corruption(what + ": only a delete or a forget can be moved_to another address");
  }
  if (!c->moved_from.empty() && c->action != Action::kCreate) {
    return Status::Corruption(what + ": only a create can be moved_from another address");
  }
  return f.status();
}

}  // namespace

nlohmann::ordered_json ChangeToJson(const Change& c) {
  nlohmann::ordered_json j;
  j["domain"] = c.address.Key();
  j["account"] = c.account;
  j["action"] = ActionName(c.action);
  j["reasons"] = c.reasons;
  j["before"] = c.before ? EntryToJson(*c.before) : nlohmann::ordered_json(nullptr);
  j["after"] = c.after ? EntryToJson(*c.after) : nlohmann::ordered_json(nullptr);
  j["certificate"] =
      c.certificate ? CertificateToJson(*c.certificate) : nlohmann::ordered_json(nullptr);
  if (c.replaces_name) j["replaces_name"] = true;  // present only when true
  if (!c.upload_key.empty()) j["upload_key"] = c.upload_key;
  if (!c.moved_from.empty()) j["moved_from"] = c.moved_from;  // the two halves of a move
  if (!c.moved_to.empty()) j["moved_to"] = c.moved_to;
  if (c.keeps_previous) j["keeps_previous"] = true;  // present only when true
  return j;
}

nlohmann::ordered_json UploadsToJson(const std::vector<UploadStep>& uploads) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const UploadStep& u : uploads) {
    nlohmann::ordered_json j = {
        {"account", u.account}, {"certificate", u.certificate}, {"fingerprint", u.fingerprint}};
    if (!u.chain_digest.empty()) j["chain_digest"] = u.chain_digest;  // not in older plans
    j["name"] = u.name;
    j["details"] = u.info ? CertificateToJson(*u.info) : nullptr;
    list.push_back(std::move(j));
  }
  return list;
}

std::string SerializePlan(const Plan& plan) {
  nlohmann::ordered_json doc;
  doc["kind"] = kKind;
  const bool products = std::any_of(plan.changes.begin(), plan.changes.end(), [](const Change& c) {
    return c.address.product != DefaultProductName();
  });
  doc["format_version"] = products ? kFirstProductPlanFormatVersion : kCdnOnlyPlanFormatVersion;
  doc["tool_version"] = plan.tool_version;
  doc["created_at"] = plan.created_at;
  doc["lineage"] = plan.lineage;
  doc["serial"] = plan.serial;
  doc["config_digest"] = plan.config_digest;
  nlohmann::ordered_json changes = nlohmann::ordered_json::array();
  for (const Change& c : plan.changes) changes.push_back(ChangeToJson(c));
  doc["changes"] = std::move(changes);
  if (!plan.uploads.empty()) doc["uploads"] = UploadsToJson(plan.uploads);
  if (!plan.targets.empty()) doc["targets"] = plan.targets;
  if (plan.refreshed) doc["refreshed"] = true;
  return doc.dump(2) + "\n";
}

Status ParsePlan(std::string_view text, const std::string& path, Plan* plan) {
  const std::string what = "plan file " + path;
  nlohmann::json doc;
  if (Status s = ParseJsonDocument(text, what, &doc); !s.ok()) return s;
  JsonFields root(doc, what);
  if (root.String("kind") != kKind || !root.ok()) {
    return Status::Corruption(what + " is not a certform plan file");
  }
  int64_t version = root.Int("format_version");
  if (version < kOldestPlanFormatVersion || version > kPlanFormatVersion) {
    return Status::Corruption(fmt::format("{} has format_version {}; this certform reads {} to {}",
                                          what, version, kOldestPlanFormatVersion,
                                          kPlanFormatVersion));
  }
  Plan out;
  out.tool_version = root.String("tool_version");
  out.created_at = root.String("created_at");
  out.lineage = root.String("lineage");
  out.serial = root.Int("serial");
  out.config_digest = root.String("config_digest");
  const nlohmann::json& changes = root.Array("changes");
  if (!root.ok()) return root.status();
  for (size_t i = 0; i < changes.size(); ++i) {
    Change c;
    Status s = ChangeFromJson(changes[i], fmt::format("{}, change {}", what, i + 1), &c);
    if (!s.ok()) return s;
    if (version < kFirstProductPlanFormatVersion && c.address.product != DefaultProductName()) {
      return Status::Corruption(
          fmt::format("{}: \"{}\" in a format_version {} plan (products came "
                      "in version {})",
                      what, c.address.Key(), version, kFirstProductPlanFormatVersion));
    }
    out.changes.push_back(std::move(c));
  }
  if (auto it = doc.find("uploads"); it != doc.end()) {
    if (version < 2) {
      return Status::Corruption(what + ": uploads in a format_version 1 plan (they came in 2)");
    }
    if (!it->is_array()) return Status::Corruption(what + ": uploads is not a list");
    for (size_t i = 0; i < it->size(); ++i) {
      const std::string where = fmt::format("{}, upload {}", what, i + 1);
      JsonFields f((*it)[i], where);
      UploadStep u{f.String("account"),     f.String("certificate"),
                   f.String("fingerprint"), "",
                   f.String("name"),        std::nullopt};
      if ((*it)[i].is_object() && (*it)[i].contains("chain_digest")) {
        u.chain_digest = f.String("chain_digest");
      }
      if (!f.ok()) return f.status();
      if (auto d = (*it)[i].find("details"); d != (*it)[i].end() && d->is_object()) {
        CertificateInfo info;
        if (Status s = CertificateFromJson(*d, where, &info); !s.ok()) return s;
        u.info = std::move(info);
      }
      out.uploads.push_back(std::move(u));
    }
  }
  if (auto it = doc.find("targets"); it != doc.end()) {
    if (!it->is_array()) return Status::Corruption(what + ": targets is not a list");
    for (const nlohmann::json& t : *it) {
      std::string target;
      if (!t.is_string()) return Status::Corruption(what + ": targets must hold strings");
      if (Status s = CanonicalAddress(t.get<std::string>(), what + ", targets", &target); !s.ok()) {
        return s;
      }
      out.targets.push_back(std::move(target));
    }
  }
  if (auto it = doc.find("refreshed"); it != doc.end()) {
    if (!it->is_boolean()) return Status::Corruption(what + ": refreshed is not a boolean");
    out.refreshed = it->get<bool>();
  }
  *plan = std::move(out);
  return Status::OK();
}

Status ReadPlanFile(FileSystem& fs, const std::string& path, Plan* plan) {
  std::string text;
  Status s = ReadBoundedFile(fs, path, kMaxPlanFileBytes, &text);
  if (s.ok()) s = ParsePlan(text, path, plan);
  return s;
}

}  // namespace certform::engine
