#include "cmd/certform/plan_view.h"

#include <set>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cmd/certform/diagnostics_view.h"
#include "engine/base/clock.h"
#include "engine/base/text_escape.h"
#include "engine/plan/plan_file.h"

namespace certform::cli {

namespace {

using engine::Action;

std::string Symbol(Action a, const Style& style) {
  switch (a) {
    case Action::kCreate:
      return style.Green("+");
    case Action::kUpdate:
    case Action::kRename:
      return style.Yellow("~");
    case Action::kDelete:
      return style.Red("-");
    case Action::kForget:
      return style.Yellow("-");
    case Action::kNoOp:
      break;
  }
  return " ";
}

std::string Move(const engine::Change& c) {
  if (!c.moved_from.empty()) return " (moved from " + engine::ForTerminal(c.moved_from) + ")";
  if (!c.moved_to.empty()) return " (moved to " + engine::ForTerminal(c.moved_to) + ")";
  return "";
}

std::string Headline(const engine::Change& c) {
  switch (c.action) {
    case Action::kCreate:
      return c.after->https ? "will be bound to certificate \"" +
                                  engine::ForTerminal(c.after->certificate) + "\""
                            : "will have HTTPS switched off";
    case Action::kUpdate:
      if (c.before && c.before->Gone()) {
        return "no longer exists on " + engine::OnProduct(c.address.product) +
               "; will be tried again";
      }
      return c.after->https ? "will be updated in place" : "will have HTTPS switched off";
    case Action::kDelete:
      return "will have HTTPS switched off and be forgotten";
    case Action::kForget:
      return "will be forgotten; its live certificate stays";
    case Action::kRename:
      return "certificate renamed " + engine::ForTerminal(c.before->certificate) + " → " +
             engine::ForTerminal(c.after->certificate) + ", state only";
    case Action::kNoOp:
      break;
  }
  return "is up to date";
}

// `value` holds strings from the plan file (or the state): escaped, never raw.
void Field(std::ostream& out, const char* name, const std::string& value) {
  fmt::print(out, "      {:<12} {}\n", name, engine::ForTerminal(value));
}

void PrintCertificate(std::ostream& out, const engine::Change& c, int64_t now) {
  const engine::StateEntry& after = *c.after;
  Field(out, "certificate",
        fmt::format("{} ({}, CertName {}{})", after.certificate, after.cert_type, after.cert_name,
                    after.cert_id ? fmt::format(", id {}", after.cert_id) : ""));
  if (!c.certificate) return;
  const engine::CertificateInfo& info = *c.certificate;
  Field(out, "fingerprint", "SHA256:" + info.fingerprint);
  Field(out, "subject", info.subject);
  Field(out, "SANs", fmt::format("{}", fmt::join(info.sans, ", ")));
  Field(out, "expires",
        fmt::format("{} ({} days)", engine::FormatUtc(info.not_after),
                    (info.not_after - now) / 86400));
}

}  // namespace

void PrintPlan(std::ostream& out, const engine::Plan& plan, const Style& style, int64_t now) {
  if (!plan.HasChanges()) {
    fmt::print(out, "{}\n", style.Bold("No changes."));
    fmt::print(out, "The bindings in the state match the configuration ({} domains).\n",
               plan.Summary().unchanged);
    return;
  }
  fmt::print(out, "certform will perform the following actions:\n");
  for (const engine::UploadStep& u : plan.uploads) {
    fmt::print(out, "\n  {} upload certificate \"{}\" → CAS as {}\n", style.Green("+"),
               style.Bold(engine::ForTerminal(u.certificate)), engine::ForTerminal(u.name));
    Field(out, "account", u.account);
    Field(out, "fingerprint", u.fingerprint);
    if (u.info) Field(out, "expires", engine::FormatUtc(u.info->not_after));
    Field(out, "why", "not in Certificate Management Service yet: uploaded once, bound by id");
  }
  // Changes come grouped by product (engine::BindingOrder); with more than one, each group is
  // headed by its product's name.
  std::set<std::string> products;
  for (const engine::Change& c : plan.changes) {
    if (c.action != Action::kNoOp) products.insert(c.address.product);
  }
  std::string heading;
  for (const engine::Change& c : plan.changes) {
    if (c.action == Action::kNoOp) continue;
    if (const std::string& product = c.address.product; products.size() > 1 && product != heading) {
      heading = product;
      fmt::print(
          out, "\n  {}\n",
          style.Bold(fmt::format("# {}", engine::ForTerminal(engine::ProductTitle(product)))));
    }
    fmt::print(out, "\n  {} {} {}\n", Symbol(c.action, style),
               style.Bold(engine::ForTerminal(c.address.Key())), Headline(c) + Move(c));
    Field(out, "account", c.account);
    if (c.after && c.after->https) PrintCertificate(out, c, now);
    for (const std::string& why : c.reasons) Field(out, "why", why);
  }
  fmt::print(out, "\n{}\n", style.Bold(SummaryLine(plan.Summary())));
}

nlohmann::ordered_json PlanToJson(const engine::Plan* plan, const engine::Diagnostics& diags) {
  nlohmann::ordered_json doc;
  doc["format_version"] = kPlanJsonVersion;
  doc["certform_version"] = CERTFORM_VERSION;
  doc["valid"] = !diags.HasErrors();
  if (plan != nullptr) {
    doc["lineage"] = plan->lineage;
    doc["serial"] = plan->serial;
    doc["config_digest"] = plan->config_digest;
    nlohmann::ordered_json changes = nlohmann::ordered_json::array();
    for (const engine::Change& c : plan->changes) {
      nlohmann::ordered_json j = engine::ChangeToJson(c);
      j["actions"] = {engine::ActionName(c.action)};
      // 1.2: where the domain lives; "domain" stays the binding's address (what --target takes).
      const engine::Address& where = c.address;
      j["product"] = where.product;
      j["domain_name"] = where.domain;
      // 1.3: where the domain lives, one field per location field of its product (OSS: bucket,
      // region).
      if (const engine::ProductRules* rules = engine::FindProduct(where.product)) {
        for (size_t i = rules->location.size(); i-- > 0;) {
          if (i < where.location.size()) j[rules->location[i].key] = where.location[i];
        }
      }
      changes.push_back(std::move(j));
    }
    doc["changes"] = std::move(changes);
    if (!plan->uploads.empty()) doc["uploads"] = engine::UploadsToJson(plan->uploads);
    engine::PlanSummary s = plan->Summary();
    doc["summary"] = {{"create", s.create},   {"update", s.update}, {"delete", s.remove},
                      {"no_op", s.unchanged}, {"forget", s.forget}, {"move", s.move}};
    if (s.rename > 0) doc["summary"]["rename"] = s.rename;
    if (s.upload > 0) doc["summary"]["upload"] = s.upload;
  }
  doc["diagnostics"] = DiagnosticsToJson(diags);
  return doc;
}

}  // namespace certform::cli
