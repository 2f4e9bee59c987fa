#include "engine/apply/applier.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "engine/apply/apply_session.h"
#include "engine/apply/async_write.h"
#include "engine/apply/gone_domain.h"
#include "engine/apply/upload_phase.h"
#include "engine/base/digest.h"
#include "engine/base/text_escape.h"
#include "engine/calls/checked_write.h"
#include "engine/calls/paced_call.h"
#include "engine/config/certificate.h"
#include "engine/product/product_catalog.h"

namespace certform::engine {

namespace {

// One apply in progress: the uploads, then the changes, per-user lanes and their workers.
class ApplyInProgress {
 public:
  ApplyInProgress(const Plan& plan, const State& prior,
                  const std::map<std::string, AccountRuntime>& accounts, const ApplyEnv& env,
                  const ApplyOptions& options)
      : s_(prior, accounts, env, options), uploads_(plan, s_) {
    for (const Change& c : plan.changes) {
      if (c.action != Action::kNoOp) changes_.push_back(&c);
    }
    s_.result().outcomes.resize(changes_.size());
    // Before any worker starts: a watch per account (CAS uploads) and per account and product.
    for (const auto& [name, rt] : accounts) s_.Watch(name);
    for (const Change* c : changes_) s_.Watch(StopKey(c->account, c->address));
  }

  ApplyResult Go() {
    const Clock::Instant start = s_.env().clock.Monotonic();
    s_.env().observer.OnApplyStart(static_cast<int>(changes_.size()));
    uploads_.Run();
    DryRunAll();
    // The old address of a move is dealt with only once its new address is bound: a second phase.
    std::vector<size_t> first, old_halves;
    for (size_t i = 0; i < changes_.size(); ++i) {
      (changes_[i]->moved_to.empty() ? first : old_halves).push_back(i);
    }
    RunChanges(first);
    std::vector<size_t> second;
    for (size_t i : old_halves) {
      const Change& c = *changes_[i];
      if (Bound(c.moved_to)) {
        second.push_back(i);
      } else {
        Finish(i, Skipped(c, fmt::format("not attempted: its move to {} did not succeed, so it "
                                         "stays as it was",
                                         c.moved_to)));
      }
    }
    RunChanges(second);
    s_.Close(start);
    s_.env().observer.OnApplyEnd(s_.result().summary);
    return std::move(s_.result());
  }

 private:
  // The changes whose calls share one lane (one user's write call), taken by its workers in
  // units: the changes of one unit never overlap (one listener's, ProductRules::writes'
  // serialize_by) and are made one after another, in plan order; each other change is a unit of
  // its own.
  struct Queue {
    CallLane* lane = nullptr;
    std::vector<std::vector<size_t>> units;
    std::map<std::string, size_t> unit_of;  // serialization key → its index in `units`
    bool async = false;                     // its changes wait for jobs (not in the lane's window)
    std::atomic<size_t> next{0};

    void Add(size_t i, const std::string& serialize_key) {
      if (serialize_key.empty()) {
        units.push_back({i});
        return;
      }
      auto [it, first] = unit_of.emplace(serialize_key, units.size());
      if (first) units.emplace_back();
      units[it->second].push_back(i);
    }
  };

  // The key of the changes `c` must not overlap with (its account, product and the rules'
  // serialize_by field), or "" when it overlaps with none.
  static std::string SerializeKey(const Change& c) {
    const ProductRules* rules = FindProduct(c.address.product);
    if (rules == nullptr || rules->writes.serialize_by.empty()) return "";
    return c.account + "\n" + c.address.product + "\n" +
           c.address.Field(rules->writes.serialize_by);
  }

  static bool IsAsync(const Change& c) {
    const ProductRules* rules = FindProduct(c.address.product);
    return rules != nullptr && rules->writes.enabled;
  }

  // Carries out the changes at `indexes`: forgets at once (no call), the others queued per lane
  // (the changes that share one user's write call), each lane's queue taken by its workers.
  void RunChanges(const std::vector<size_t>& indexes) {
    std::map<CallLane*, Queue> queues;
    for (size_t i : indexes) {
      if (dry_run_failed_.count(i) != 0) continue;  // finished by DryRunAll
      const Change& c = *changes_[i];
      if (c.action == Action::kForget || c.action == Action::kRename) {
        Finish(i, Forget(c));
        continue;
      }
      const std::string product = c.address.product;
      auto rt = s_.accounts().find(c.account);
      if (rt == s_.accounts().end() || rt->second.ProviderFor(product) == nullptr) {
        Finish(i, Failed(c, fmt::format("no {} provider for account \"{}\"", ProductTitle(product),
                                        c.account)));
        continue;
      }
      CallLane& lane = s_.pacing().Lane(rt->second, c.account, CallKind::kSetBinding, product);
      queues[&lane].lane = &lane;
      queues[&lane].async = queues[&lane].async || IsAsync(c);
      queues[&lane].Add(i, SerializeKey(c));
    }
    // On one listener, every certificate is bound before any is removed (an SNI certificate
    // moved to another slot is associated there before the old slot's is dissociated).
    for (auto& [lane, queue] : queues) {
      for (std::vector<size_t>& unit : queue.units) {
        std::stable_partition(unit.begin(), unit.end(),
                              [this](size_t i) { return changes_[i]->action != Action::kDelete; });
      }
    }
    std::vector<std::thread> workers;
    for (auto& [lane, queue] : queues) {
      // A worker of an asynchronous product spends most of its change waiting for jobs, outside
      // the lane's window: one worker per unit (listener), at most kMaxWindow.
      const int ceiling =
          queue.async ? kMaxWindow : std::clamp(s_.pacing().parallelism(), 1, kMaxWindow);
      const int n = std::min(ceiling, static_cast<int>(queue.units.size()));
      for (int w = 0; w < n; ++w) workers.emplace_back([this, q = &queue] { Work(*q); });
    }
    for (std::thread& t : workers) t.join();
  }

  // True when the change at `address` was applied in this run (the new half of a move).
  bool Bound(const std::string& address) {
    std::lock_guard<std::mutex> lock(s_.mu());
    for (size_t j = 0; j < changes_.size(); ++j) {
      if (changes_[j]->address.Key() == address) return s_.result().outcomes[j].ok;
    }
    return false;
  }

  // Forgets a binding gone from the configuration, or records a rename of its certificate's key:
  // recorded in the state, no call sent, the live binding left as it is.
  ChangeOutcome Forget(const Change& c) {
    if (s_.Halted()) return Skipped(c, s_.NotAttempted(c.account));
    const bool rename = c.action == Action::kRename;
    ChangeOutcome o = Failed(c, "");
    if (Status s = Record(c, o); !s.ok()) {
      o.error =
          (rename ? "could not be recorded as renamed: " : "could not be recorded as forgotten: ") +
          s.message();
      return o;
    }
    o.ok = true;
    o.note = rename ? fmt::format("recorded under certificate \"{}\" (was \"{}\"); nothing sent",
                                  c.after->certificate, c.before->certificate)
                    : "forgotten; its live certificate stays";
    return o;
  }

  void Work(Queue& queue) {
    for (;;) {
      const size_t k = queue.next.fetch_add(1);
      if (k >= queue.units.size()) return;
      bool unit_failed = false;
      for (const size_t i : queue.units[k]) {
        const Change& c = *changes_[i];
        const std::string key = StopKey(c.account, c.address);
        if (s_.Halted() || !s_.AccountStop(key).empty()) {
          Finish(i, Skipped(c, s_.NotAttempted(key)));
        } else if (unit_failed && c.action == Action::kDelete) {
          // What replaces it on this listener may be what failed: nothing is removed.
          Finish(i, Skipped(c,
                            "not attempted: an earlier change on the same listener failed, "
                            "so no certificate is removed from it"));
        } else {
          ChangeOutcome o = ApplyChange(*queue.lane, c);
          unit_failed = unit_failed || !o.ok;
          Finish(i, o);
        }
      }
    }
  }

  // Before any change: every write of an asynchronous product whose rules ask for it is sent as
  // a dry run (ALB's DryRun: permissions, quota and ids checked, nothing changed). One refused
  // check stops the whole apply before any change is made, naming it; the others are then not
  // attempted.
  void DryRunAll() {
    for (size_t i = 0; i < changes_.size() && !s_.Halted(); ++i) {
      const Change& c = *changes_[i];
      const ProductRules* rules = FindProduct(c.address.product);
      if (rules == nullptr || !rules->writes.dry_run_first || !CallsProvider(c.action)) continue;
      // A job a killed run left is waited for first (its listener may still be busy, so a dry
      // run now would be refused as busy); that run dry-ran it before submitting.
      if (c.before && c.before->Pending()) continue;
      auto rt = s_.accounts().find(c.account);
      if (rt == s_.accounts().end() || rt->second.ProviderFor(c.address.product) == nullptr) {
        continue;  // reported as the change's failure
      }
      BindingRequest request;
      if (std::optional<ChangeOutcome> o = BuildRequest(c, &request)) continue;  // reported then
      const std::string key = StopKey(c.account, c.address);
      PacedCallHooks hooks = s_.Hooks(key);
      CallLane& lane =
          s_.pacing().Lane(rt->second, c.account, CallKind::kSetBinding, c.address.product);
      PacedCallResult r = DryRunAsyncWrite(AsyncEnv(lane, c, hooks), request);
      if (r.status.ok() || (r.stopped && r.attempts == 0)) continue;
      ChangeOutcome o =
          Failed(c, "its dry run was refused, so nothing was changed: " + r.status.message());
      o.attempts = r.attempts;
      o.last = r.last;
      s_.HaltBecause(
          fmt::format("the dry run of {} was refused; nothing was changed", c.address.Key()));
      Finish(i, o);
      dry_run_failed_.insert(i);
    }
  }

  // What an asynchronous change's steps need: its lanes, the run's pace and retries, a token per
  // step, and the journal of a submitted job.
  AsyncWriteEnv AsyncEnv(CallLane& lane, const Change& c, const PacedCallHooks& hooks) {
    const AccountRuntime& rt = s_.accounts().at(c.account);
    const std::string& product = c.address.product;
    return AsyncWriteEnv{
        lane,
        s_.pacing().Lane(rt, c.account, CallKind::kPollJob, product),
        s_.pacing().Lane(rt, c.account, CallKind::kReadBinding, product),
        s_.retry(),
        s_.env().clock,
        *rt.ProviderFor(product),
        hooks,
        FindProduct(product)->writes,
        [this] {
          std::lock_guard<std::mutex> lock(s_.mu());
          return fmt::format("certform-{:016x}{:016x}", s_.env().random.Next64(),
                             s_.env().random.Next64());
        },
        [this, &c](const std::string& job, int step) { return RecordPending(c, job, step); }};
  }

  // Journals that `job` (step `step` of `c`) was submitted: the entry as certform last made it
  // true (or, for a binding it never made, one with HTTPS off), pending that job.
  Status RecordPending(const Change& c, const std::string& job, int step) {
    JournalRecord record;
    record.address = c.address;
    std::lock_guard<std::mutex> lock(s_.mu());
    if (const StateEntry* now = s_.result().state.Find(c.address)) {
      record.entry = *now;
    } else if (c.before) {
      record.entry = *c.before;
    } else {
      record.entry.address = c.address;
      record.entry.account = c.account;
      record.entry.https = false;
    }
    record.entry.pending_job = job;
    record.entry.pending_step = step;
    record.entry.pending_cert_id = c.after ? c.after->cert_id : 0;
    if (const auto u = s_.result().state.uploads.find(c.upload_key);
        !c.upload_key.empty() && u != s_.result().state.uploads.end()) {
      record.entry.pending_cert_id = u->second.cert_id;
    }
    return s_.JournalLocked(
        record, fmt::format("{}: job {} was submitted but could not be recorded", c.address.Key(),
                            ForTerminal(job)));
  }

  ChangeOutcome Failed(const Change& c, std::string error) const {
    ChangeOutcome o;
    o.address = c.address;
    o.account = c.account;
    o.action = c.action;
    o.error = std::move(error);
    return o;
  }

  ChangeOutcome Skipped(const Change& c, std::string why) const {
    ChangeOutcome o = Failed(c, std::move(why));
    o.skipped = true;
    return o;
  }

  // Fills `request` for `c`: where, and what to bind (by CertId when the certificate went
  // through CAS, else its own fields and material). Returns the change's outcome when it cannot
  // be sent; the caller wipes request->key_pem after the call.
  std::optional<ChangeOutcome> BuildRequest(const Change& c, BindingRequest* request) {
    request->address = c.address;
    request->https = c.action != Action::kDelete && c.after->https;
    if (c.before && c.before->https) {
      request->previous_cert_id = c.before->cert_id;
      request->previous_cert_region = c.before->cert_region;
    }
    request->keep_previous = c.keeps_previous;
    if (request->https && !c.upload_key.empty()) {
      // Bound by CertId to the certificate uploaded to CAS: no key in this call.
      int64_t id = c.after->cert_id;
      {
        std::lock_guard<std::mutex> lock(s_.mu());
        auto u = s_.result().state.uploads.find(c.upload_key);
        if (u != s_.result().state.uploads.end()) id = u->second.cert_id;
      }
      if (id == 0) {
        return Skipped(c, fmt::format("not attempted: certificate \"{}\" is not in CAS (its "
                                      "upload failed)",
                                      c.after->certificate));
      }
      if (std::string why = uploads_.CheckRecorded(c, id); !why.empty()) return Failed(c, why);
      request->cert_type = "cas";
      request->cert_name = c.after->cert_name;
      request->cert_id = id;
      request->cert_region = s_.accounts().at(c.account).cas_region;
      return std::nullopt;
    }
    if (request->https) {
      request->cert_type = c.after->cert_type;
      request->cert_name = c.after->cert_name;
      request->cert_id = c.after->cert_id;
      request->force_set = c.replaces_name;
      Status loaded = s_.env().material.Load(*c.after, request);
      if (!loaded.ok()) {
        WipeSecret(&request->key_pem);
        return Failed(c, loaded.message());
      }
    }
    return std::nullopt;
  }

  ChangeOutcome ApplyChange(CallLane& lane, const Change& c) {
    BindingRequest request;
    if (std::optional<ChangeOutcome> o = BuildRequest(c, &request)) return *o;
    if (request.https && !c.upload_key.empty()) {
      Status refused;
      ChangeOutcome o = Call(lane, c, request, &refused);
      if (!o.ok && !o.skipped) uploads_.ForgetIfGone(c, request.cert_id, refused, &o);
      return o;
    }
    ChangeOutcome o = Call(lane, c, request);
    WipeSecret(&request.key_pem);  // the key lives only as long as its call
    return o;
  }

  // Sends `request`, paced and retried; returns the outcome (recorded when it succeeded) and, in
  // `status` when given, the call's last answer.
  ChangeOutcome Call(CallLane& lane, const Change& c, const BindingRequest& request,
                     Status* status = nullptr) {
    const std::string key = StopKey(c.account, c.address);
    PacedCallHooks hooks = s_.Hooks(key);
    hooks.on_retry = [this, &c, &key](int next, Clock::Duration wait, const Status& s,
                                      const CallResult& last) {
      s_.WatchFailure(key, s, last, next - 1);
      std::lock_guard<std::mutex> lock(s_.mu());
      ++s_.result().summary.retries;
      s_.env().observer.OnRetry(c.address.Key(), next, wait,
                                last.error_code.empty() ? s.message() : last.error_code);
    };
    const AccountRuntime& rt = s_.accounts().at(c.account);
    Provider* provider = rt.ProviderFor(c.address.product);
    PacedCallResult r = Write(lane, c, request, hooks, *provider);
    if (status != nullptr) *status = r.status;
    if (r.stopped && r.attempts == 0) return Skipped(c, s_.NotAttempted(key));
    ChangeOutcome o = Failed(c, r.status.ok() ? "" : r.status.message());
    o.bound_cert_id = request.cert_id;
    o.attempts = r.attempts;
    o.last = r.last;
    o.ok = r.status.ok();
    if (!o.ok && c.action == Action::kDelete && r.status.IsNotFound()) {
      // Switching HTTPS off on a domain the CDN no longer has: what was asked is true.
      o.ok = true;
      o.error.clear();
      o.note = fmt::format("forgotten: the domain no longer exists on {} (nothing to switch off)",
                           OnProduct(c.address.product));
    }
    if (!o.ok && c.action != Action::kDelete && r.status.IsNotFound() &&
        ConfirmedGone(s_.pacing().Lane(rt, c.account, CallKind::kReadBinding, c.address.product),
                      s_.retry(), s_.env().clock, *provider, c.address, hooks)) {
      RecordGone(c, &o);
    }
    if (r.last.http_status != 0) s_.Answered(key);
    // Refused credentials stop every product of the account; a dead endpoint only its own.
    if (!o.ok && r.status.IsAccountWide()) s_.StopAccount(c.account, r.status.message());
    if (!o.ok) s_.WatchFailure(key, r.status, r.last, r.attempts);
    if (o.ok) (void)Record(c, o);  // a failure to record halts the run and is reported there
    return o;
  }

  // `c`'s domain no longer exists on its product (ConfirmedGone): the change stays failed, and its
  // state entry, when it has one, records that it is gone (journaled, gone_domain.h).
  void RecordGone(const Change& c, ChangeOutcome* o) {
    std::lock_guard<std::mutex> lock(s_.mu());
    const StateEntry* prior = s_.result().state.Find(c.address);
    if (prior == nullptr) {
      o->error = GoneError(c.address.product, o->error, false);
      return;
    }
    const JournalRecord record =
        GoneRecord(*prior, FormatUtc(ToUnixSeconds(s_.env().clock.Now())), o->last.request_id);
    if (!s_.JournalLocked(record, c.address.Key() + ": could not record that its domain is gone")
             .ok()) {
      return;
    }
    o->error = GoneError(c.address.product, o->error, true);
  }

  // Sends `request` through the provider's write call, paced in `lane` with `hooks`; first reads
  // the binding when the write call's rules ask for it on this request (CheckedWrite,
  // checked_write.h).
  PacedCallResult Write(CallLane& lane, const Change& c, const BindingRequest& request,
                        const PacedCallHooks& hooks, Provider& provider) {
    const ProductRules* rules = FindProduct(request.address.product);
    if (rules != nullptr && rules->writes.enabled) {
      return RunAsyncWrite(AsyncEnv(lane, c, hooks), request, c.before ? &*c.before : nullptr);
    }
    const ReadFirst read_first =
        rules == nullptr || rules->write_calls.empty()
            ? ReadFirst{}
            : rules->WriteFor(provider.Limit(CallKind::kSetBinding).api).read_first;
    if (read_first.Needed(request.https, request.previous_cert_id)) {
      CallLane& read_lane = s_.pacing().Lane(s_.accounts().at(c.account), c.account,
                                             CallKind::kReadBinding, request.address.product);
      return CheckedWrite(lane, read_lane, s_.retry(), s_.env().clock, provider, request,
                          read_first, hooks);
    }
    return PacedCall(
        lane, s_.retry(), s_.env().clock,
        [&](CallResult* last) { return provider.SetBinding(request, last); }, hooks);
  }

  // Makes a completed call (or a forget) durable and part of the state, before anyone is told of
  // it.
  Status Record(const Change& c, const ChangeOutcome& o) {
    JournalRecord record;
    record.address = c.address;
    record.forget = c.action == Action::kDelete || c.action == Action::kForget;
    if (c.action == Action::kRename) {
      // No call: the entry stays what the last call made true (its time and RequestId), under
      // the certificate's new key.
      record.entry = *c.before;
      record.entry.address = c.address;
      record.entry.certificate = c.after->certificate;
    } else if (!record.forget) {
      record.entry = *c.after;
      record.entry.address = c.address;
      if (!c.upload_key.empty()) record.entry.cert_id = o.bound_cert_id;
      record.entry.applied_at = FormatUtc(ToUnixSeconds(s_.env().clock.Now()));
      record.entry.request_id = o.last.request_id;
    }
    // The product has the change but certform could not make it durable: the run halts.
    const std::string what =
        CallsProvider(c.action)
            ? fmt::format("{}: the call succeeded (RequestId {}) but could not be recorded",
                          c.address.Key(), o.last.request_id)
            : fmt::format("{}: could not be recorded as {}", c.address.Key(),
                          c.action == Action::kRename ? "renamed" : "forgotten");
    std::lock_guard<std::mutex> lock(s_.mu());
    return s_.JournalLocked(record, what);
  }

  void Finish(size_t i, const ChangeOutcome& o) {
    std::lock_guard<std::mutex> lock(s_.mu());
    ApplyResult& result = s_.result();
    result.outcomes[i] = o;
    if (o.ok) {
      ++result.summary.applied;
    } else if (o.skipped) {
      ++result.summary.skipped;
    } else {
      ++result.summary.failed;
      if (s_.options().fail_fast) s_.Halt();
    }
    ++done_;
    s_.env().observer.OnChangeDone(o, done_, static_cast<int>(changes_.size()));
  }

  ApplySession s_;
  UploadPhase uploads_;
  std::vector<const Change*> changes_;
  std::set<size_t> dry_run_failed_;  // changes finished by DryRunAll
  int done_ = 0;                     // guarded by the session's mu()
};

}  // namespace

ApplyResult Apply(const Plan& plan, const State& prior,
                  const std::map<std::string, AccountRuntime>& accounts, const ApplyEnv& env,
                  const ApplyOptions& options) {
  return ApplyInProgress(plan, prior, accounts, env, options).Go();
}

}  // namespace certform::engine
