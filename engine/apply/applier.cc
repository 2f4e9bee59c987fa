#include "engine/apply/applier.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "engine/apply/gone_domain.h"
#include "engine/base/digest.h"
#include "engine/calls/cas_lookup.h"
#include "engine/calls/checked_write.h"
#include "engine/calls/endpoint_watch.h"
#include "engine/calls/paced_call.h"
#include "engine/config/certificate.h"
#include "engine/plan/upload_check.h"
#include "engine/product/product_catalog.h"

namespace certform::engine {

namespace {

// One apply in progress: per-user lanes and workers, the state reached so far, outcomes.
class ApplyInProgress {
 public:
  ApplyInProgress(const Plan& plan, const State& prior,
                  const std::map<std::string, AccountRuntime>& accounts, const ApplyEnv& env,
                  const ApplyOptions& options)
      : plan_(plan),
        accounts_(accounts),
        env_(env),
        options_(options),
        retry_(options.retry),
        own_pacing_(PacingOptions{options.pacing, options.parallelism}),
        pacing_(env.pacing != nullptr ? *env.pacing : own_pacing_) {
    result_.state = prior;
    for (const Change& c : plan.changes) {
      if (c.action != Action::kNoOp) changes_.push_back(&c);
    }
    result_.outcomes.resize(changes_.size());
    // Before any worker starts: a watch per account (CAS uploads) and per account and product.
    for (const auto& [name, rt] : accounts_) watches_[name];
    for (const Change* c : changes_) watches_[StopKey(c->account, c->address)];
  }

  ApplyResult Go() {
    const Clock::Instant start = env_.clock.Monotonic();
    env_.observer.OnApplyStart(static_cast<int>(changes_.size()));
    RunUploads();
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
    result_.peak_window = pacing_.peak_window();
    for (const auto& [account, reason] : stopped_accounts_) {
      result_.diags.Error({}, fmt::format("account \"{}\": {}", account, reason),
                          "certform stopped this account's changes after the first such answer: "
                          "every further call would have failed the same way");
    }
    result_.summary.elapsed = env_.clock.Monotonic() - start;
    result_.interrupted = halted_ || env_.stop.load();
    env_.observer.OnApplyEnd(result_.summary);
    return std::move(result_);
  }

 private:
  // The changes whose calls share one lane (one user's write call), taken by its workers.
  struct Queue {
    CallLane* lane = nullptr;
    std::vector<size_t> indexes;
    std::atomic<size_t> next{0};
  };

  bool Halted() const { return env_.stop.load() || halted_.load(); }

  // Carries out the changes at `indexes`: forgets at once (no call), the others queued per lane
  // (the changes that share one user's write call), each lane's queue taken by its workers.
  void RunChanges(const std::vector<size_t>& indexes) {
    std::map<CallLane*, Queue> queues;
    for (size_t i : indexes) {
      const Change& c = *changes_[i];
      if (c.action == Action::kForget || c.action == Action::kRename) {
        Finish(i, Forget(c));
        continue;
      }
      const std::string product = c.address.product;
      auto rt = accounts_.find(c.account);
      if (rt == accounts_.end() || rt->second.ProviderFor(product) == nullptr) {
        Finish(i, Failed(c, fmt::format("no {} provider for account \"{}\"", ProductTitle(product),
                                        c.account)));
        continue;
      }
      CallLane& lane = pacing_.Lane(rt->second, c.account, CallKind::kSetBinding, product);
      queues[&lane].lane = &lane;
      queues[&lane].indexes.push_back(i);
    }
    std::vector<std::thread> workers;
    for (auto& [lane, queue] : queues) {
      const int ceiling = std::clamp(pacing_.parallelism(), 1, kMaxWindow);
      const int n = std::min(ceiling, static_cast<int>(queue.indexes.size()));
      for (int w = 0; w < n; ++w) workers.emplace_back([this, q = &queue] { Work(*q); });
    }
    for (std::thread& t : workers) t.join();
  }

  // True when the change at `address` was applied in this run (the new half of a move).
  bool Bound(const std::string& address) {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t j = 0; j < changes_.size(); ++j) {
      if (changes_[j]->address.Key() == address) return result_.outcomes[j].ok;
    }
    return false;
  }

  // Forgets a binding gone from the configuration, or records a rename of its certificate's key:
  // recorded in the state, no call sent, the live binding left as it is.
  ChangeOutcome Forget(const Change& c) {
    if (Halted()) return Skipped(c, NotAttempted(c.account));
    const bool rename = c.action == Action::kRename;
    ChangeOutcome o = Failed(c, "");
    if (Status s = Record(c, o); !s.ok()) {
      o.error = (rename ? "could not be recorded as renamed: "
                        : "could not be recorded as "
                          "forgotten: ") +
                s.message();
      return o;
    }
    o.ok = true;
    o.note = rename ? fmt::format("recorded under certificate \"{}\" (was \"{}\"); nothing sent",
                                  c.after->certificate, c.before->certificate)
                    : "forgotten; its live certificate stays";
    return o;
  }

  // Uploads the plan's certificates to CAS before any binding needs them: one thread per
  // account, one upload after another within it.
  void RunUploads() {
    result_.uploads.resize(plan_.uploads.size());
    std::map<std::string, std::vector<size_t>> by_account;
    for (size_t i = 0; i < plan_.uploads.size(); ++i) {
      by_account[plan_.uploads[i].account].push_back(i);
    }
    std::vector<std::thread> workers;
    for (const auto& entry : by_account) {
      const std::vector<size_t>* indexes = &entry.second;
      workers.emplace_back([this, indexes] {
        for (size_t i : *indexes) FinishUpload(i, Upload(plan_.uploads[i]));
      });
    }
    for (std::thread& t : workers) t.join();
  }

  // The paced, retried calls of one account's upload steps, one after another, each in the lane
  // of its kind (upload, list, get) for the account's user.
  SerialCall UploadCaller(const std::string& account) {
    return [this, account](CallKind kind, const std::function<Status(CallResult*)>& call) {
      PacedCallHooks hooks;
      hooks.halted = [this, &account] { return Halted() || !AccountStop(account).empty(); };
      hooks.backoff = [this](int attempts, Clock::Duration retry_after) {
        std::lock_guard<std::mutex> lock(mu_);
        return retry_.Backoff(attempts, retry_after, env_.random);
      };
      hooks.on_throttled = [this] {
        std::lock_guard<std::mutex> lock(mu_);
        ++result_.summary.throttled;
      };
      hooks.on_retry = [this, &account](int next, Clock::Duration, const Status& s,
                                        const CallResult& last) {
        WatchFailure(account, s, last, next - 1);
      };
      hooks.fence = [this] { return Fence(); };
      CallLane& lane = pacing_.StoreLane(accounts_.at(account), account, kind);
      PacedCallResult r = PacedCall(lane, retry_, env_.clock, call, hooks);
      if (r.last.http_status != 0) Answered(account);
      if (!r.status.ok()) WatchFailure(account, r.status, r.last, r.attempts);
      return r;
    };
  }

  // The state lock must still be held before any call is sent; once it is lost, nothing more
  // is sent by anyone in this run.
  Status Fence() {
    if (!env_.fence) return Status::OK();
    Status s = env_.fence();
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      LoseLockLocked(s);
    }
    return s;
  }

  // The lock is gone (a fence or a journal write said so): nothing more is sent. Under mu_.
  void LoseLockLocked(const Status& why) {
    if (lock_lost_) return;
    lock_lost_ = true;
    halted_ = true;
    result_.diags.Error({}, "the state lock was lost: certform stopped sending", why.message());
  }

  // Why a change or upload that was never sent was not: the stop that ended it.
  std::string NotAttempted(const std::string& account) {
    if (std::string why = AccountStop(account); !why.empty()) return "not attempted: " + why;
    std::lock_guard<std::mutex> lock(mu_);
    return lock_lost_ ? "not attempted: the state lock was lost"
                      : "not attempted: the apply was stopped";
  }

  // Uploads one certificate, or finds it already there under its name with the same content (an
  // answer lost to a crash or a dropped connection). A name holding other content is an error,
  // never used.
  UploadOutcome Upload(const UploadStep& step) {
    UploadOutcome o;
    o.account = step.account;
    o.certificate = step.certificate;
    o.name = step.name;
    auto rt = accounts_.find(step.account);
    if (rt == accounts_.end() || rt->second.cas == nullptr) {
      o.error = "no certificate store for account \"" + step.account + "\"";
      return o;
    }
    CertificateStore* store = rt->second.cas;
    BindingRequest material;
    StateEntry source;
    source.certificate = step.certificate;
    source.cert_type = "upload";
    source.fingerprint = step.fingerprint;
    source.chain_digest = step.chain_digest;
    Status s = env_.material.Load(source, &material);
    UploadRequest request{step.name, std::move(material.cert_pem), std::move(material.key_pem)};
    WipeSecret(&material.key_pem);
    if (!s.ok()) {
      WipeSecret(&request.key_pem);
      o.error = s.message();
      return o;
    }
    const SerialCall call = UploadCaller(step.account);
    PacedCallResult r = call(CallKind::kUpload, [&](CallResult* last) {
      return store->Upload(request, &o.cert_id, last);
    });
    WipeSecret(&request.key_pem);  // the key crosses the network once, here
    o.last = r.last;
    if (r.status.code() == Status::Code::kAlreadyExists) {
      StoredCertificate found;
      r = FindUpload(*store, step.name, call, &found);
      if (r.status.ok() && found.fingerprint != step.fingerprint) {
        o.error = fmt::format(
            "CAS already holds a certificate named {} with other content (fingerprint {}, CertId "
            "{}); certform never uses it: delete or rename it there",
            step.name, found.fingerprint.substr(0, 16), found.cert_id);
        return o;
      }
      // The same leaf with other intermediates is not this upload either: binding it would serve
      // the chain this upload corrects.
      if (r.status.ok() && !found.chain_digest.empty() && !step.chain_digest.empty() &&
          found.chain_digest != step.chain_digest) {
        o.error = fmt::format(
            "CAS already holds a certificate named {} with the same leaf but other intermediates "
            "({} instead of {}, CertId {}); certform never uses it: delete or rename it there",
            step.name, ShortChainDigest(found.chain_digest), ShortChainDigest(step.chain_digest),
            found.cert_id);
        return o;
      }
      o.existed = r.status.ok();
      o.cert_id = found.cert_id;
    }
    if (!r.status.ok()) {
      if (r.status.IsAccountWide()) StopAccount(step.account, r.status.message());
      o.error = r.stopped && r.attempts == 0 ? NotAttempted(step.account) : r.status.message();
      return o;
    }
    o.ok = true;
    RecordUpload(step, o);
    return o;
  }

  void RecordUpload(const UploadStep& step, UploadOutcome& o) {
    JournalRecord record;
    record.upload = UploadEntry{step.account,
                                step.certificate,
                                step.fingerprint,
                                step.chain_digest,
                                step.name,
                                o.cert_id,
                                step.info ? step.info->not_after : 0,
                                FormatUtc(ToUnixSeconds(env_.clock.Now())),
                                o.last.request_id};
    std::lock_guard<std::mutex> lock(mu_);
    ApplyRecord(record, &result_.state);
    upload_checks_[UploadKey(*record.upload)] = "";  // made (or found) just now
    if (Status s = env_.recorder.Record(record, result_.state); !s.ok()) {
      halted_ = true;
      if (s.code() == Status::Code::kLockLost) LoseLockLocked(s);
      o.ok = false;
      o.error = "uploaded (CertId " + std::to_string(o.cert_id) + ") but could not be recorded";
      result_.diags.Error({}, step.certificate + ": " + o.error, s.message());
    }
  }

  void FinishUpload(size_t i, const UploadOutcome& o) {
    std::lock_guard<std::mutex> lock(mu_);
    result_.uploads[i] = o;
    if (o.ok) {
      ++result_.summary.uploaded;
    } else {
      ++result_.summary.failed;
      if (options_.fail_fast) halted_ = true;
    }
    env_.observer.OnUploadDone(o);
  }

  // Why `key` (an account, or an account on one product: StopKey) takes no more calls, or "".
  // An account's stop covers each of its products.
  std::string AccountStop(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = stopped_accounts_.find(key);
    if (it == stopped_accounts_.end()) it = stopped_accounts_.find(key.substr(0, key.find('/')));
    return it == stopped_accounts_.end() ? "" : it->second;
  }

  void Work(Queue& queue) {
    for (;;) {
      const size_t k = queue.next.fetch_add(1);
      if (k >= queue.indexes.size()) return;
      const size_t i = queue.indexes[k];
      const Change& c = *changes_[i];
      const std::string key = StopKey(c.account, c.address);
      if (Halted() || !AccountStop(key).empty()) {
        Finish(i, Skipped(c, NotAttempted(key)));
      } else {
        Finish(i, ApplyChange(*queue.lane, c));
      }
    }
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

  ChangeOutcome ApplyChange(CallLane& lane, const Change& c) {
    BindingRequest request;
    request.address = c.address;
    request.https = c.action != Action::kDelete && c.after->https;
    if (c.before && c.before->https) request.previous_cert_id = c.before->cert_id;
    if (request.https && !c.upload_key.empty()) {
      // Bound by CertId to the certificate uploaded to CAS: no key in this call.
      int64_t id = c.after->cert_id;
      {
        std::lock_guard<std::mutex> lock(mu_);
        auto u = result_.state.uploads.find(c.upload_key);
        if (u != result_.state.uploads.end()) id = u->second.cert_id;
      }
      if (id == 0) {
        return Skipped(c, fmt::format("not attempted: certificate \"{}\" is not in CAS (its "
                                      "upload failed)",
                                      c.after->certificate));
      }
      if (std::string why = CheckRecordedUpload(c, id); !why.empty()) return Failed(c, why);
      request.cert_type = "cas";
      request.cert_name = c.after->cert_name;
      request.cert_id = id;
      request.cert_region = accounts_.at(c.account).cas_region;
      Status refused;
      ChangeOutcome o = Call(lane, c, request, &refused);
      if (!o.ok && !o.skipped) ForgetUploadIfGone(c, id, refused, &o);
      return o;
    }
    if (request.https) {
      request.cert_type = c.after->cert_type;
      request.cert_name = c.after->cert_name;
      request.cert_id = c.after->cert_id;
      request.force_set = c.replaces_name;
      Status loaded = env_.material.Load(*c.after, &request);
      if (!loaded.ok()) {
        WipeSecret(&request.key_pem);
        return Failed(c, loaded.message());
      }
    }
    ChangeOutcome o = Call(lane, c, request);
    WipeSecret(&request.key_pem);  // the key lives only as long as its call
    return o;
  }

  // An upload the state recorded (not made by this apply) is outside input: before any domain is
  // bound by its CertId, that id must hold the recorded certificate in CAS (its name and the
  // fingerprint of its content), read once per upload and apply. Empty when it does, else why
  // nothing is bound by it.
  std::string CheckRecordedUpload(const Change& c, int64_t id) {
    UploadEntry recorded;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto v = upload_checks_.find(c.upload_key); v != upload_checks_.end()) return v->second;
      auto u = result_.state.uploads.find(c.upload_key);
      if (u == result_.state.uploads.end()) return "";
      recorded = u->second;
    }
    std::string why;
    CertificateStore* cas = accounts_.at(c.account).cas;
    if (cas == nullptr) {
      why = "no provider can read Certificate Management Service for this account";
    } else {
      const UploadCheck check = CheckUpload(c.upload_key, recorded, *cas, UploadCaller(c.account));
      if (check.gone) {
        ForgetUpload(c, id);
        why = fmt::format(
            "CertId {} (certificate \"{}\") is no longer in Certificate Management Service "
            "(deleted outside certform), so nothing was bound by it; certform forgot that "
            "upload: the next plan uploads the certificate again (\"certform refresh\" checks "
            "every recorded upload)",
            id, c.after->certificate);
      } else if (!check.read) {
        why = fmt::format("CertId {} could not be read ({})", id, check.error);
      } else if (check.replaced) {
        why = fmt::format(
            "CertId {} holds another certificate (name {}, fingerprint {}) than the "
            "one recorded ({}, {})",
            id, check.held.name, ShortFingerprint(check.held.fingerprint), recorded.name,
            ShortFingerprint(recorded.fingerprint));
      }
      if (!why.empty() && !check.gone) {
        why = fmt::format(
            "the state records certificate \"{}\" as uploaded to CAS, but {}: "
            "certform binds nothing by it; run \"certform refresh\" (it forgets "
            "such a record) and plan again",
            c.after->certificate, why);
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    upload_checks_.emplace(c.upload_key, why);
    return why;
  }

  // A bind by an uploaded certificate's CertId was refused: when CAS no longer has it (deleted
  // behind certform's back), the state forgets the upload (journaled), so that the next plan
  // uploads it again, and the error says so. Read by id only after a refusal that concerns this
  // call (not a throttle, an outage or the account).
  void ForgetUploadIfGone(const Change& c, int64_t id, const Status& refused, ChangeOutcome* o) {
    CertificateStore* cas = accounts_.at(c.account).cas;
    if (refused.ok() || refused.IsRetryable() || refused.IsAccountWide() || cas == nullptr) return;
    StoredCertificate held;
    PacedCallResult r = UploadCaller(c.account)(
        CallKind::kGetCertificate, [&](CallResult* last) { return cas->Get(id, &held, last); });
    if (!r.status.IsNotFound()) return;
    o->error = fmt::format(
        "CertId {} (certificate \"{}\") is no longer in Certificate Management Service (deleted "
        "outside certform), so the bind failed ({}); certform forgot that upload: the next plan "
        "uploads the certificate again (\"certform refresh\" checks every recorded upload)",
        id, c.after->certificate, o->error);
    ForgetUpload(c, id);
  }

  // The state forgets the upload of `c`'s certificate recorded with CertId `id` (journaled).
  void ForgetUpload(const Change& c, int64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto u = result_.state.uploads.find(c.upload_key);
    if (u == result_.state.uploads.end() || u->second.cert_id != id) return;  // forgotten already
    JournalRecord record;
    record.upload = u->second;
    record.forget = true;
    ApplyRecord(record, &result_.state);
    if (Status s = env_.recorder.Record(record, result_.state); !s.ok()) {
      halted_ = true;
      if (s.code() == Status::Code::kLockLost) LoseLockLocked(s);
      result_.diags.Error({}, c.after->certificate + ": could not record that its upload is gone",
                          s.message());
    }
  }

  // Sends `request`, paced and retried; returns the outcome (recorded when it succeeded) and, in
  // `status` when given, the call's last answer.
  ChangeOutcome Call(CallLane& lane, const Change& c, const BindingRequest& request,
                     Status* status = nullptr) {
    const std::string key = StopKey(c.account, c.address);
    PacedCallHooks hooks;
    hooks.halted = [this, &key] { return Halted() || !AccountStop(key).empty(); };
    hooks.backoff = [this](int attempts, Clock::Duration retry_after) {
      std::lock_guard<std::mutex> lock(mu_);
      return retry_.Backoff(attempts, retry_after, env_.random);
    };
    hooks.on_retry = [this, &c, &key](int next, Clock::Duration wait, const Status& s,
                                      const CallResult& last) {
      WatchFailure(key, s, last, next - 1);
      std::lock_guard<std::mutex> lock(mu_);
      ++result_.summary.retries;
      env_.observer.OnRetry(c.address.Key(), next, wait,
                            last.error_code.empty() ? s.message() : last.error_code);
    };
    hooks.on_throttled = [this] {
      std::lock_guard<std::mutex> lock(mu_);
      ++result_.summary.throttled;
    };
    hooks.fence = [this] { return Fence(); };
    Provider* provider = accounts_.at(c.account).ProviderFor(c.address.product);
    PacedCallResult r = Write(lane, c, request, hooks, *provider);
    if (status != nullptr) *status = r.status;
    if (r.stopped && r.attempts == 0) return Skipped(c, NotAttempted(key));
    ChangeOutcome o = Failed(c, r.status.ok() ? "" : r.status.message());
    o.bound_cert_id = request.cert_id;
    o.attempts = r.attempts;
    o.last = r.last;
    o.ok = r.status.ok();
    if (!o.ok && c.action == Action::kDelete && r.status.IsNotFound()) {
      // Switching HTTPS off on a domain the CDN no longer has: what was asked is true.
      o.ok = true;
      o.error.clear();
      const std::string product = c.address.product;
      o.note = fmt::format("forgotten: the domain no longer exists on {} (nothing to switch off)",
                           OnProduct(product));
    }
    if (!o.ok && c.action != Action::kDelete && r.status.IsNotFound() &&
        ConfirmedGone(pacing_.Lane(accounts_.at(c.account), c.account, CallKind::kReadBinding,
                                   c.address.product),
                      retry_, env_.clock, *provider, c.address, hooks)) {
      RecordGone(c, &o);
    }
    if (r.last.http_status != 0) Answered(key);
    // Refused credentials stop every product of the account; a dead endpoint only its own.
    if (!o.ok && r.status.IsAccountWide()) StopAccount(c.account, r.status.message());
    if (!o.ok) WatchFailure(key, r.status, r.last, r.attempts);
    if (o.ok) (void)Record(c, o);  // a failure to record halts the run and is reported there
    return o;
  }

  // `c`'s domain no longer exists on its product (ConfirmedGone): the change stays failed, and its
  // state entry, when it has one, records that it is gone (journaled, gone_domain.h).
  void RecordGone(const Change& c, ChangeOutcome* o) {
    std::lock_guard<std::mutex> lock(mu_);
    const StateEntry* prior = result_.state.Find(c.address);
    if (prior == nullptr) {
      o->error = GoneError(c.address.product, o->error, false);
      return;
    }
    const JournalRecord record =
        GoneRecord(*prior, FormatUtc(ToUnixSeconds(env_.clock.Now())), o->last.request_id);
    ApplyRecord(record, &result_.state);
    if (Status s = env_.recorder.Record(record, result_.state); !s.ok()) {
      halted_ = true;
      if (s.code() == Status::Code::kLockLost) LoseLockLocked(s);
      result_.diags.Error({}, c.address.Key() + ": could not record that its domain is gone",
                          s.message());
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
    const ReadFirst read_first =
        rules == nullptr || rules->write_calls.empty()
            ? ReadFirst{}
            : rules->WriteFor(provider.Limit(CallKind::kSetBinding).api).read_first;
    if (read_first.Needed(request.https, request.previous_cert_id)) {
      CallLane& read_lane = pacing_.Lane(accounts_.at(c.account), c.account, CallKind::kReadBinding,
                                         request.address.product);
      return CheckedWrite(lane, read_lane, retry_, env_.clock, provider, request, read_first,
                          hooks);
    }
    return PacedCall(
        lane, retry_, env_.clock,
        [&](CallResult* last) { return provider.SetBinding(request, last); }, hooks);
  }

  void Answered(const std::string& account) {
    if (auto w = watches_.find(account); w != watches_.end()) w->second.OnAnswer();
  }

  // A dead endpoint stops its account after one call's attempts, like an account-wide error.
  void WatchFailure(const std::string& account, const Status& s, const CallResult& last,
                    int attempts) {
    auto w = watches_.find(account);
    if (std::string why; w != watches_.end() && w->second.OnFailure(s, last, attempts, &why)) {
      StopAccount(account, why);
    }
  }

  void StopAccount(const std::string& account, const std::string& why) {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_accounts_.emplace(account, why);
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
      record.entry.applied_at = FormatUtc(ToUnixSeconds(env_.clock.Now()));
      record.entry.request_id = o.last.request_id;
    }
    std::lock_guard<std::mutex> lock(mu_);
    ApplyRecord(record, &result_.state);
    Status s = env_.recorder.Record(record, result_.state);
    if (!s.ok()) {
      // The CDN has the change but certform could not make it durable: stop before doing more.
      halted_ = true;
      if (s.code() == Status::Code::kLockLost) LoseLockLocked(s);
      result_.diags.Error({},
                          CallsProvider(c.action)
                              ? fmt::format("{}: the call succeeded (RequestId {}) but could not "
                                            "be recorded",
                                            c.address.Key(), o.last.request_id)
                              : fmt::format("{}: could not be recorded as {}", c.address.Key(),
                                            c.action == Action::kRename ? "renamed" : "forgotten"),
                          s.message());
    }
    return s;
  }

  void Finish(size_t i, const ChangeOutcome& o) {
    std::lock_guard<std::mutex> lock(mu_);
    result_.outcomes[i] = o;
    if (o.ok) {
      ++result_.summary.applied;
    } else if (o.skipped) {
      ++result_.summary.skipped;
    } else {
      ++result_.summary.failed;
      if (options_.fail_fast) halted_ = true;
    }
    ++done_;
    env_.observer.OnChangeDone(o, done_, static_cast<int>(changes_.size()));
  }

  const Plan& plan_;
  const std::map<std::string, AccountRuntime>& accounts_;
  const ApplyEnv& env_;
  const ApplyOptions& options_;
  RetryPolicy retry_;
  PacingRegistry own_pacing_;  // when the caller gives none
  PacingRegistry& pacing_;
  std::vector<const Change*> changes_;
  std::mutex mu_;  // guards result_, done_, stopped_accounts_, the observer and env_.random
  ApplyResult result_;
  int done_ = 0;
  std::atomic<bool> halted_{false};
  bool lock_lost_ = false;                               // guarded by mu_
  std::map<std::string, std::string> stopped_accounts_;  // account → why
  std::map<std::string, EndpointWatch> watches_;         // per account; the map never changes
  // By UploadKey: "" when the upload's CertId was read and holds the recorded certificate (or
  // this apply uploaded it), else why nothing is bound by it (CheckRecordedUpload).
  std::map<std::string, std::string> upload_checks_;  // guarded by mu_
};

}  // namespace

ApplyResult Apply(const Plan& plan, const State& prior,
                  const std::map<std::string, AccountRuntime>& accounts, const ApplyEnv& env,
                  const ApplyOptions& options) {
  return ApplyInProgress(plan, prior, accounts, env, options).Go();
}

}  // namespace certform::engine
