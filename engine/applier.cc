#include "engine/applier.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "engine/certificate.h"
#include "engine/paced_call.h"

namespace certform::engine {

namespace {

// One apply in progress: per-account queues and workers, the state reached so far, outcomes.
class ApplyRun {
 public:
  ApplyRun(const Plan& plan, const State& prior,
           const std::map<std::string, AccountRuntime>& accounts, const ApplyEnv& env,
           const ApplyOptions& options)
      : accounts_(accounts), env_(env), options_(options), retry_(options.retry) {
    result_.state = prior;
    for (const Change& c : plan.changes) {
      if (c.action != Action::kNoOp) changes_.push_back(&c);
    }
    result_.outcomes.resize(changes_.size());
  }

  ApplyResult Go() {
    const Clock::Instant start = env_.clock.Monotonic();
    env_.observer.OnApplyStart(static_cast<int>(changes_.size()));
    std::map<std::string, std::unique_ptr<Queue>> queues;
    for (size_t i = 0; i < changes_.size(); ++i) {
      const std::string& account = changes_[i]->account;
      auto rt = accounts_.find(account);
      if (rt == accounts_.end() || rt->second.provider == nullptr) {
        Finish(i, Failed(*changes_[i], "no provider for account \"" + account + "\""));
        continue;
      }
      auto& q = queues[account];
      if (!q) {
        RateLimiterOptions lo;
        lo.rate = rt->second.rate_limit;
        lo.safety = options_.rate_safety;
        q = std::make_unique<Queue>(rt->second, lo);
      }
      q->indexes.push_back(i);
    }
    std::vector<std::thread> workers;
    for (auto& [account, q] : queues) {
      const int n = std::clamp<int>(options_.parallelism, 1, static_cast<int>(q->indexes.size()));
      for (int w = 0; w < n; ++w) workers.emplace_back([this, queue = q.get()] { Work(*queue); });
    }
    for (std::thread& t : workers) t.join();
    result_.summary.elapsed = env_.clock.Monotonic() - start;
    result_.interrupted = halted_ || env_.stop.load();
    env_.observer.OnApplyEnd(result_.summary);
    return std::move(result_);
  }

 private:
  struct Queue {
    Queue(AccountRuntime r, RateLimiterOptions lo) : runtime(r), limiter(lo) {}
    AccountRuntime runtime;
    RateLimiter limiter;
    std::vector<size_t> indexes;
    std::atomic<size_t> next{0};
  };

  bool Halted() const { return env_.stop.load() || halted_.load(); }

  void Work(Queue& q) {
    for (;;) {
      const size_t k = q.next.fetch_add(1);
      if (k >= q.indexes.size()) return;
      const size_t i = q.indexes[k];
      if (Halted()) {
        ChangeOutcome o = Failed(*changes_[i], "not attempted: the apply was stopped");
        o.skipped = true;
        Finish(i, o);
        continue;
      }
      Finish(i, ApplyChange(q, *changes_[i]));
    }
  }

  ChangeOutcome Failed(const Change& c, std::string error) const {
    ChangeOutcome o;
    o.domain = c.domain;
    o.account = c.account;
    o.action = c.action;
    o.error = std::move(error);
    return o;
  }

  ChangeOutcome ApplyChange(Queue& q, const Change& c) {
    BindingRequest request;
    request.domain = c.domain;
    request.https = c.action != Action::kDelete && c.after->https;
    if (request.https) {
      request.cert_type = c.after->cert_type;
      request.cert_name = c.after->cert_name;
      request.cert_id = c.after->cert_id;
      Status loaded = env_.material.Load(*c.after, &request);
      if (!loaded.ok()) {
        WipeSecret(&request.key_pem);
        return Failed(c, loaded.message());
      }
    }
    ChangeOutcome o = Call(q, c, request);
    WipeSecret(&request.key_pem);  // the key lives only as long as its call
    return o;
  }

  // Sends `request`, paced and retried; returns the outcome (recorded when it succeeded).
  ChangeOutcome Call(Queue& q, const Change& c, const BindingRequest& request) {
    PacedCallHooks hooks;
    hooks.halted = [this] { return Halted(); };
    hooks.backoff = [this](int attempts, Clock::Duration retry_after) {
      std::lock_guard<std::mutex> lock(mu_);
      return retry_.Backoff(attempts, retry_after, env_.random);
    };
    hooks.on_retry = [this, &c](int next, Clock::Duration wait, const Status& s,
                                const CallResult& last) {
      std::lock_guard<std::mutex> lock(mu_);
      ++result_.summary.retries;
      env_.observer.OnRetry(c.domain, next, wait,
                            last.error_code.empty() ? s.message() : last.error_code);
    };
    hooks.on_throttled = [this] {
      std::lock_guard<std::mutex> lock(mu_);
      ++result_.summary.throttled;
    };
    PacedCallResult r = PacedCall(
        q.limiter, retry_, env_.clock,
        [&](CallResult* last) { return q.runtime.provider->SetBinding(request, last); }, hooks);
    ChangeOutcome o = Failed(c, r.status.ok() ? "" : r.status.message());
    o.attempts = r.attempts;
    o.last = r.last;
    o.ok = r.status.ok();
    if (o.ok) Record(c, o);
    return o;
  }

  // Makes a completed call durable and part of the state, before anyone is told of it.
  void Record(const Change& c, ChangeOutcome& o) {
    JournalRecord record;
    record.domain = c.domain;
    record.forget = c.action == Action::kDelete;
    if (!record.forget) {
      record.entry = *c.after;
      record.entry.domain = c.domain;
      record.entry.applied_at = FormatUtc(ToUnixSeconds(env_.clock.Now()));
      record.entry.request_id = o.last.request_id;
    }
    std::lock_guard<std::mutex> lock(mu_);
    ApplyRecord(record, &result_.state);
    Status s = env_.recorder.Record(record, result_.state);
    if (!s.ok()) {
      // The CDN has the change but certform could not make it durable: stop before doing more.
      halted_ = true;
      result_.diags.Error({},
                          fmt::format("{}: the call succeeded (RequestId {}) but could not be "
                                      "recorded",
                                      c.domain, o.last.request_id),
                          s.message());
    }
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

  const std::map<std::string, AccountRuntime>& accounts_;
  const ApplyEnv& env_;
  const ApplyOptions& options_;
  RetryPolicy retry_;
  std::vector<const Change*> changes_;
  std::mutex mu_;  // guards result_, done_, the observer and env_.random
  ApplyResult result_;
  int done_ = 0;
  std::atomic<bool> halted_{false};
};

}  // namespace

ApplyResult Apply(const Plan& plan, const State& prior,
                  const std::map<std::string, AccountRuntime>& accounts, const ApplyEnv& env,
                  const ApplyOptions& options) {
  return ApplyRun(plan, prior, accounts, env, options).Go();
}

}  // namespace certform::engine
