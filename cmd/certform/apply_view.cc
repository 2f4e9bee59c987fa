#include "cmd/certform/apply_view.h"

#include <chrono>
#include <map>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include "engine/base/text_escape.h"

namespace certform::cli {

namespace {

using engine::Action;
using engine::ChangeOutcome;
// Domains, certificate keys, CertNames, errors and RequestIds come from the plan, the state or an
// answer: the text views print them through ForTerminal.
using engine::ForTerminal;

std::string Verb(Action a) {
  switch (a) {
    case Action::kCreate:
      return "created";
    case Action::kUpdate:
      return "updated";
    case Action::kDelete:
      return "disabled and forgotten";
    case Action::kForget:
      return "forgotten; its live certificate stays";
    case Action::kRename:
      return "renamed in the state; nothing sent";
    case Action::kNoOp:
      break;
  }
  return "unchanged";
}

std::string Millis(engine::Clock::Duration d) {
  return fmt::format("{}ms", std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

std::string FailureLine(const ChangeOutcome& o) {
  std::string line = ForTerminal(o.error);
  if (!o.last.request_id.empty()) {
    line += fmt::format(" (RequestId {})", ForTerminal(o.last.request_id));
  }
  return line;
}

class TextView final : public engine::ApplyObserver {
 public:
  TextView(std::ostream& out, bool terminal, const Style& style)
      : out_(out), terminal_(terminal), style_(style) {}

  void OnApplyStart(int total) override {
    start_ = std::chrono::steady_clock::now();
    fmt::print(out_, "Applying {} change{}...\n", total, total == 1 ? "" : "s");
  }

  void OnRetry(const std::string& address, int attempt, engine::Clock::Duration wait,
               const std::string& why) override {
    if (terminal_) return;  // the progress line carries on; failures are still printed
    fmt::print(out_, "{}: attempt {} in {} ({})\n", ForTerminal(address), attempt, Millis(wait),
               ForTerminal(why));
  }

  void OnUploadDone(const engine::UploadOutcome& o) override {
    if (terminal_) out_ << "\r\x1b[K";
    if (!o.ok) {
      fmt::print(out_, "certificate \"{}\": {} upload to CAS: {}\n", ForTerminal(o.certificate),
                 style_.Red("FAILED"), ForTerminal(o.error));
      return;
    }
    fmt::print(out_, "certificate \"{}\": {} as {} (CertId {}{})\n", ForTerminal(o.certificate),
               o.existed ? "already in CAS" : "uploaded to CAS", ForTerminal(o.name), o.cert_id,
               o.last.request_id.empty() ? "" : ", RequestId " + ForTerminal(o.last.request_id));
  }

  void OnChangeDone(const ChangeOutcome& o, int done, int total) override {
    if (terminal_) out_ << "\r\x1b[K";
    if (o.skipped) {
      // Never attempted (Ctrl-C, a stopped account, a lost lock): one line per cause at the end,
      // not one per domain.
      ++not_attempted_[ForTerminal(o.error)];
    } else if (!o.ok) {
      fmt::print(out_, "{}: {} {}\n", ForTerminal(o.address.Key()), style_.Red("FAILED:"),
                 FailureLine(o));
    } else if (!terminal_ || !o.note.empty()) {
      // A forget sends no call: no RequestId.
      fmt::print(
          out_, "{}: {}{}\n", ForTerminal(o.address.Key()),
          o.note.empty() ? Verb(o.action) : ForTerminal(o.note),
          o.last.request_id.empty() ? "" : " (RequestId " + ForTerminal(o.last.request_id) + ")");
    }
    if (terminal_) {
      // The rate counts calls made: domains skipped without a call are not progress.
      const int attempted = done - Skipped();
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      const double rate = seconds > 0 ? attempted / seconds : 0;
      const int eta = rate > 0 ? static_cast<int>((total - done) / rate) : 0;
      fmt::print(out_, "[{}/{}] {:.1f} calls/s, ETA {}s", done, total, rate, eta);
      out_.flush();
      if (done == total) out_ << "\n";
    }
  }

  void OnApplyEnd(const engine::ApplySummary&) override {
    for (const auto& [why, n] : not_attempted_) {
      fmt::print(out_, "{} change{} {}\n", n, n == 1 ? "" : "s",
                 why.starts_with("not attempted") ? why : "not attempted: " + why);
    }
  }

 private:
  int Skipped() const {
    int n = 0;
    for (const auto& [why, count] : not_attempted_) n += count;
    return n;
  }

  std::ostream& out_;
  bool terminal_;
  const Style& style_;
  std::chrono::steady_clock::time_point start_;
  std::map<std::string, int> not_attempted_;  // cause → domains never attempted for it
};

nlohmann::ordered_json OutcomeJson(const ChangeOutcome& o) {
  nlohmann::ordered_json j = {{"type", "change"},
                              {"domain", o.address.Key()},
                              {"account", o.account},
                              {"action", engine::ActionName(o.action)},
                              {"status", o.ok        ? "applied"
                                         : o.skipped ? "skipped"
                                                     : "failed"},
                              {"attempts", o.attempts},
                              {"request_id", o.last.request_id},
                              {"error_code", o.last.error_code},
                              {"error_message", o.ok ? "" : o.error}};
  if (!o.note.empty()) j["note"] = o.note;  // e.g. a deleted domain that was already gone
  return j;
}

class JsonView final : public engine::ApplyObserver {
 public:
  explicit JsonView(std::ostream& out) : out_(out) {}
  void OnApplyStart(int total) override {
    Emit({{"type", "apply_start"}, {"format_version", kApplyJsonVersion}, {"total", total}});
  }
  void OnRetry(const std::string& address, int attempt, engine::Clock::Duration wait,
               const std::string& why) override {
    Emit({{"type", "retry"},
          {"domain", address},
          {"attempt", attempt},
          {"wait_ms", std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()},
          {"reason", why}});
  }
  void OnUploadDone(const engine::UploadOutcome& o) override {
    Emit({{"type", "upload"},
          {"account", o.account},
          {"certificate", o.certificate},
          {"name", o.name},
          {"status", o.ok ? (o.existed ? "existed" : "uploaded") : "failed"},
          {"cert_id", o.cert_id},
          {"request_id", o.last.request_id},
          {"error_message", o.error}});
  }
  void OnChangeDone(const ChangeOutcome& o, int, int) override { Emit(OutcomeJson(o)); }

 private:
  void Emit(const nlohmann::ordered_json& j) {
    out_ << j.dump() << "\n";
    out_.flush();
  }
  std::ostream& out_;
};

}  // namespace

std::unique_ptr<engine::ApplyObserver> MakeApplyView(std::ostream& out, ViewMode mode,
                                                     const Style& style) {
  if (mode == ViewMode::kJson) return std::make_unique<JsonView>(out);
  return std::make_unique<TextView>(out, mode == ViewMode::kTerminal, style);
}

void PrintApplyReport(std::ostream& out, const engine::ApplyResult& r, const Style& style) {
  const engine::ApplySummary& s = r.summary;
  const double seconds = std::chrono::duration<double>(s.elapsed).count();
  std::string counts = fmt::format(
      "{}{} applied, {} failed, {} not attempted ({:.1f}s, {} retries, "
      "{} throttled answers)",
      r.uploads.empty() ? "" : fmt::format("{} uploaded, ", s.uploaded), s.applied, s.failed,
      s.skipped, seconds, s.retries, s.throttled);
  if (s.failed == 0 && s.skipped == 0 && !r.diags.HasErrors()) {
    fmt::print(out, "\n{} {}\n", style.Green("Apply complete!"), counts);
    return;
  }
  fmt::print(out, "\n{} {}\n", style.Red(r.interrupted ? "Apply stopped:" : "Apply failed:"),
             counts);
  for (const engine::UploadOutcome& o : r.uploads) {
    if (!o.ok)
      fmt::print(out, "  certificate \"{}\" (upload to CAS)  {}\n", ForTerminal(o.certificate),
                 ForTerminal(o.error));
  }
  for (const ChangeOutcome& o : r.outcomes) {
    if (o.ok || o.skipped) continue;
    fmt::print(out, "  {}  {}\n", ForTerminal(o.address.Key()), FailureLine(o));
  }
  for (const engine::Diagnostic& d : r.diags.items()) {
    fmt::print(out, "  error: {}\n    {}\n", ForTerminal(d.summary), ForTerminal(d.detail));
  }
  fmt::print(out,
             "The state records every change that was applied; run \"certform plan\" to see "
             "what is left.\n");
}

void PrintApplyReportJson(std::ostream& out, const engine::ApplyResult& r) {
  const engine::ApplySummary& s = r.summary;
  nlohmann::ordered_json failed = nlohmann::ordered_json::array();
  for (const ChangeOutcome& o : r.outcomes) {
    if (!o.ok && !o.skipped) failed.push_back(OutcomeJson(o));
  }
  nlohmann::ordered_json j = {
      {"type", "summary"},
      {"applied", s.applied},
      {"failed", s.failed},
      {"skipped", s.skipped},
      {"retries", s.retries},
      {"throttled", s.throttled},
      {"elapsed_ms", std::chrono::duration_cast<std::chrono::milliseconds>(s.elapsed).count()},
      {"interrupted", r.interrupted},
      {"failures", failed}};
  if (!r.uploads.empty()) j["uploaded"] = s.uploaded;
  out << j.dump() << "\n";
}

}  // namespace certform::cli
