#include "cmd/certform/drift_view.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>

#include "engine/base/clock.h"
#include "engine/base/text_escape.h"
#include "engine/config/binding_address.h"

namespace certform::cli {

using engine::ForTerminal;  // every domain, account, reason and error comes from state or an answer

std::string Bindings(size_t n, size_t slots) {
  const char* what = slots == 0 ? "domain" : slots == n ? "listener slot" : "binding";
  return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
}

void PrintDrift(std::ostream& out, const engine::DriftReport& report, const Style& style) {
  const size_t checked = static_cast<size_t>(report.checked);
  const size_t slots = static_cast<size_t>(report.checked_slots);
  const size_t failed_slots = static_cast<size_t>(
      std::count_if(report.failed.begin(), report.failed.end(),
                    [](const engine::LiveRead& r) { return engine::IsSlot(r.address); }));
  for (const engine::DriftEntry& d : report.drifted) {
    fmt::print(out, "{} {} (account {})\n", style.Yellow("~"),
               style.Bold(ForTerminal(d.address.Key())), ForTerminal(d.account));
    for (const std::string& why : d.reasons) fmt::print(out, "    {}\n", ForTerminal(why));
  }
  // One line per cause: an endpoint or account that failed is one failure, not one per domain.
  struct Cause {
    std::string text;  // "account A: error"
    std::vector<std::string> addresses;
    size_t slots = 0;  // how many of them are listener slots
  };
  std::vector<Cause> causes;
  for (const engine::LiveRead& r : report.failed) {
    const std::string cause =
        fmt::format("account {}: {}", ForTerminal(r.account), ForTerminal(r.error));
    auto it =
        std::find_if(causes.begin(), causes.end(), [&](const Cause& c) { return c.text == cause; });
    if (it == causes.end()) it = causes.insert(causes.end(), {cause, {}, 0});
    it->addresses.push_back(ForTerminal(r.address.Key()));
    if (engine::IsSlot(r.address)) ++it->slots;
  }
  for (const Cause& c : causes) {
    const std::vector<std::string>& a = c.addresses;
    if (a.size() == 1) {
      fmt::print(out, "{} {}: could not be read: {}\n", style.Red("!"), a[0], c.text);
      continue;
    }
    fmt::print(out, "{} {} could not be read ({}{}): {}\n", style.Red("!"),
               Bindings(a.size(), c.slots),
               fmt::join(a.begin(), a.begin() + std::min<size_t>(3, a.size()), ", "),
               a.size() > 3 ? fmt::format(" and {} more", a.size() - 3) : "", c.text);
  }
  for (const engine::UploadCheck& u : report.uploads) {
    fmt::print(out, "{} upload {} (CertId {}, account {}): {}\n", style.Yellow("~"),
               style.Bold(ForTerminal(u.upload.name)), u.upload.cert_id,
               ForTerminal(u.upload.account), ForTerminal(u.Problem()));
  }
  for (const engine::UploadCheck& u : report.uploads_failed) {
    fmt::print(out, "{} upload {} (CertId {}, account {}): could not be read: {}\n", style.Red("!"),
               ForTerminal(u.upload.name), u.upload.cert_id, ForTerminal(u.upload.account),
               ForTerminal(u.error));
  }
  for (const engine::ExpiryWarning& e : report.expiring) {
    fmt::print(out, "{} {}: the live certificate expires in {} days, on {}\n",
               style.Yellow("warning:"), ForTerminal(e.address.Key()), e.days_left,
               engine::FormatUtc(e.not_after));
  }
  if (report.HasDrift()) {
    fmt::print(out, "\n{} {} of {} differ from the state{}.\n", style.Bold("Drift:"),
               report.drifted.size(), Bindings(checked, slots),
               report.uploads.empty()
                   ? ""
                   : fmt::format("; {} recorded upload(s) are no longer in CAS as recorded",
                                 report.uploads.size()));
    if (!report.drifted.empty()) {
      fmt::print(out,
                 "Run \"certform plan --refresh\" and apply it to restore the configuration, "
                 "or \"certform refresh\" to accept the live bindings.\n");
    }
    if (!report.uploads.empty()) {
      fmt::print(out,
                 "Run \"certform refresh\" to forget those uploads: the next plan uploads the "
                 "certificates again (a bind by their CertId would fail).\n");
    }
  } else if (!report.failed.empty()) {
    // Never "No drift" when reads failed: what could not be read is not known to match.
    fmt::print(out, "\n{} {} of {} could not be read; the {} read match the state.\n",
               style.Red("Drift unknown:"), report.failed.size(),
               Bindings(report.failed.size() + checked, slots + failed_slots), report.checked);
  } else if (!report.uploads_failed.empty()) {
    fmt::print(out,
               "\n{} {} recorded upload(s) could not be read in CAS; the live bindings of {} "
               "match the state.\n",
               style.Red("Drift unknown:"), report.uploads_failed.size(), Bindings(checked, slots));
  } else {
    fmt::print(out, "{} the live bindings of {} match the state.\n", style.Green("No drift:"),
               Bindings(checked, slots));
  }
}

nlohmann::ordered_json DriftToJson(const engine::DriftReport& report) {
  nlohmann::ordered_json doc;
  doc["format_version"] = "1.0";
  doc["checked"] = report.checked;
  doc["drift"] = report.HasDrift();
  doc["drifted"] = nlohmann::ordered_json::array();
  for (const engine::DriftEntry& d : report.drifted) {
    doc["drifted"].push_back(
        {{"domain", d.address.Key()}, {"account", d.account}, {"reasons", d.reasons}});
  }
  // Only when there are some, as in the plan's JSON: documents without them read as before.
  for (const engine::UploadCheck& u : report.uploads) {
    doc["uploads"].push_back({{"name", u.upload.name},
                              {"cert_id", u.upload.cert_id},
                              {"account", u.upload.account},
                              {"gone", u.gone},
                              {"reason", u.Problem()}});
  }
  doc["expiring"] = nlohmann::ordered_json::array();
  for (const engine::ExpiryWarning& e : report.expiring) {
    doc["expiring"].push_back(
        {{"domain", e.address.Key()}, {"not_after", e.not_after}, {"days_left", e.days_left}});
  }
  doc["errors"] = nlohmann::ordered_json::array();
  for (const engine::LiveRead& r : report.failed) {
    doc["errors"].push_back({{"domain", r.address.Key()},
                             {"account", r.account},
                             {"error", r.error},
                             {"error_code", r.last.error_code},
                             {"request_id", r.last.request_id}});
  }
  for (const engine::UploadCheck& u : report.uploads_failed) {
    doc["errors"].push_back(
        {{"upload", u.upload.name}, {"account", u.upload.account}, {"error", u.error}});
  }
  return doc;
}

}  // namespace certform::cli
