#include "engine/plan/saved_plan.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/plan/plan_file.h"
#include "engine/plan/plan_now.h"
#include "engine/state/state_file.h"

namespace certform::engine {

namespace {

// A change as the comparison sees it: every field of the plan file but `applied_at` and
// `gone_at` (times a refreshed state sets to when it was read).
nlohmann::ordered_json Comparable(const Change& c) {
  nlohmann::ordered_json j = ChangeToJson(c);
  for (const char* side : {"before", "after"}) {
    if (!j[side].is_object()) continue;
    j[side].erase("applied_at");
    j[side].erase("gone_at");
  }
  return j;
}

}  // namespace

Status CheckSavedPlan(const Plan& plan, const State& state, const Config& config,
                      const std::string& path) {
  if (!plan.lineage.empty() && plan.lineage != state.lineage) {
    return Status::Stale(fmt::format(
        "saved plan does not match the given state: {} was made for state lineage {}, the state "
        "has lineage {}",
        path, plan.lineage, state.lineage.empty() ? "(none)" : state.lineage));
  }
  if (plan.serial != state.serial || (plan.lineage.empty() && !state.lineage.empty())) {
    return Status::Stale(fmt::format(
        "saved plan is stale: the state changed since {} was made (serial {} → {}); run "
        "\"certform plan\" again",
        path, plan.serial, state.serial));
  }
  for (const Change& c : plan.changes) {
    if (!c.after || c.after->fingerprint.empty()) continue;
    auto cert = config.certificates.find(c.after->certificate);
    if (cert == config.certificates.end() ||
        cert->second.info.fingerprint != c.after->fingerprint) {
      return Status::Stale(fmt::format(
          "certificate \"{}\" for {} no longer has the planned fingerprint {}; run \"certform "
          "plan\" again",
          c.after->certificate, c.address.Key(), c.after->fingerprint.substr(0, 16)));
    }
  }
  for (const UploadStep& u : plan.uploads) {
    auto cert = config.certificates.find(u.certificate);
    if (cert == config.certificates.end() || cert->second.info.fingerprint != u.fingerprint) {
      return Status::Stale(fmt::format(
          "certificate \"{}\" no longer has the planned fingerprint {}; run \"certform plan\" "
          "again",
          u.certificate, u.fingerprint.substr(0, 16)));
    }
  }
  if (plan.config_digest != ConfigDigest(config)) {
    return Status::Stale("the configuration changed since " + path +
                         " was made; run \"certform plan\" again");
  }
  return Status::OK();
}

Status CheckApproved(const Plan& saved, const Plan& now, const std::string& path) {
  auto differs = [&](const std::string& what) {
    return Status::Stale(fmt::format(
        "{} does not match the plan the configuration and the state give now: {}; certform "
        "applies only what the configuration and the state produce. Run \"certform plan\" "
        "again and review it",
        path, what));
  };
  const size_t n = std::min(saved.changes.size(), now.changes.size());
  for (size_t i = 0; i < n; ++i) {
    const nlohmann::ordered_json a = Comparable(saved.changes[i]);
    const nlohmann::ordered_json b = Comparable(now.changes[i]);
    if (a == b) continue;
    if (saved.changes[i].address != now.changes[i].address) {
      return differs(fmt::format("change {} is for {} in the file, for {} now", i + 1,
                                 Quoted(saved.changes[i].address.Key()),
                                 now.changes[i].address.Key()));
    }
    std::string field;
    for (const auto& [key, value] : b.items()) {
      if (!a.contains(key) || a.at(key) != value) {
        field = key;
        break;
      }
    }
    for (const auto& [key, value] : a.items()) {
      if (field.empty() && !b.contains(key)) field = key;
    }
    auto shown = [&](const nlohmann::ordered_json& j) {
      return j.contains(field) ? Quoted(j.at(field).dump()) : std::string("none");
    };
    return differs(fmt::format("the change for {} differs in \"{}\" (the file says {}, now {})",
                               now.changes[i].address.Key(), field, shown(a), shown(b)));
  }
  if (saved.changes.size() != now.changes.size()) {
    const bool extra = saved.changes.size() > now.changes.size();
    return differs(
        extra ? fmt::format("the file has a change for {} that they do not give",
                            Quoted(saved.changes[n].address.Key()))
              : fmt::format("the file lacks the change for {}", now.changes[n].address.Key()));
  }
  if (UploadsToJson(saved.uploads) != UploadsToJson(now.uploads)) {
    return differs("its CAS uploads differ");
  }
  return Status::OK();
}

Status ApproveSavedPlan(const Plan& saved, const Config& config, const State& state,
                        const std::string& path, const StateRefresher& refresh, Plan* approved) {
  Status s = CheckSavedPlan(saved, state, config, path);
  if (!s.ok()) return s;
  PlanRequest request;
  request.options.targets = saved.targets;
  request.refresh = saved.refreshed;
  request.created_at = saved.created_at;
  Plan now;
  DriftReport drift;
  s = PlanNow(config, state, request, refresh, &now, &drift);
  if (!s.ok()) {
    return s.WithContext("cannot read the live bindings again (the plan was made with --refresh)");
  }
  if (s = CheckApproved(saved, now, path); !s.ok()) return s;
  *approved = std::move(now);
  return Status::OK();
}

}  // namespace certform::engine
