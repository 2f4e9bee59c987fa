#include "engine/calls/preflight.h"

#include <algorithm>
#include <functional>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/base/text_escape.h"
#include "engine/calls/certificate_store.h"
#include "engine/calls/paced_call.h"
#include "engine/calls/paged_listing.h"

namespace certform::engine {

namespace {

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// Makes the lines of one account, stopping (skipping the rest) at a refusal of the account.
class Prober {
 public:
  Prober(const std::string& account, const AccountRuntime& runtime, PacingRegistry& pacing,
         const RetryPolicy& retry, Clock& clock, RandomSource& random)
      : account_(account),
        runtime_(runtime),
        pacing_(pacing),
        retry_(retry),
        clock_(clock),
        random_(random) {}

  // One paced call of `kind` (on `product`, empty: the store), added as line `check`; true when
  // it succeeded. `ok_detail` says what it found.
  bool Probe(const std::string& check, CallKind kind, const std::string& product,
             const CallLimit& limit, const std::function<Status(CallResult*)>& call,
             const std::function<std::string()>& ok_detail) {
    if (!stopped_.empty()) {
      Skip(check, limit, "not checked: " + stopped_);
      return false;
    }
    SerialCall serial =
        MakeSerialCall(pacing_, runtime_, account_, retry_, clock_, random_, {}, product);
    const PacedCallResult r = serial(kind, call);
    if (!r.status.ok()) {
      lines_.push_back(FailedCall(account_, check, limit, r.status, r.last));
      if (r.status.IsAccountWide() && !r.last.ram_denied) {
        stopped_ = fmt::format("{} refused the account itself", limit.api);
      }
      return false;
    }
    PreflightCheck line = Line(check, limit);
    line.detail = fmt::format("{} allowed: {}", Actions(limit), ok_detail());
    lines_.push_back(std::move(line));
    return true;
  }

  void Skip(const std::string& check, const CallLimit& limit, const std::string& why) {
    PreflightCheck line = Line(check, limit);
    line.result = PreflightCheck::Result::kSkipped;
    line.detail = why;
    lines_.push_back(std::move(line));
  }

  std::vector<PreflightCheck>& lines() { return lines_; }

 private:
  PreflightCheck Line(const std::string& check, const CallLimit& limit) const {
    PreflightCheck line;
    line.account = account_;
    line.check = check;
    line.api = limit.api;
    line.ram_actions = limit.ram_actions;
    return line;
  }

  static std::string Actions(const CallLimit& limit) {
    return limit.ram_actions.empty() ? limit.api
                                     : fmt::format("{}", fmt::join(limit.ram_actions, " and "));
  }

  const std::string& account_;
  const AccountRuntime& runtime_;
  PacingRegistry& pacing_;
  const RetryPolicy& retry_;
  Clock& clock_;
  RandomSource& random_;
  std::vector<PreflightCheck> lines_;
  std::string stopped_;  // why the account's calls stopped; empty while they go on
};

}  // namespace

const char* PreflightResultName(PreflightCheck::Result result) {
  switch (result) {
    case PreflightCheck::Result::kOk:
      return "ok";
    case PreflightCheck::Result::kFailed:
      return "FAILED";
    case PreflightCheck::Result::kSkipped:
      return "skipped";
  }
  return "?";
}

AccountNeeds NeedsOf(const Config& config, const std::string& account, bool with_prune) {
  AccountNeeds needs;
  for (const std::string& product : KnownProducts()) {
    for (const DesiredBinding& b : config.bindings) {
      if (b.account == account && b.address.product == product) {
        needs.reads.push_back(b.address);
        break;
      }
    }
  }
  auto a = config.accounts.find(account);
  const bool via_cas = a != config.accounts.end() && a->second.UploadsViaCas();
  needs.store_list = via_cas;
  if (with_prune && via_cas) {
    for (const std::string& product : KnownProducts()) {
      if (!Contains(config.prune.skip_products, product)) needs.listings.push_back(product);
    }
  }
  return needs;
}

PreflightCheck FailedCall(const std::string& account, const std::string& check,
                          const CallLimit& limit, const Status& status, const CallResult& result) {
  PreflightCheck line;
  line.account = account;
  line.check = check;
  line.result = PreflightCheck::Result::kFailed;
  line.api = limit.api;
  line.ram_actions = limit.ram_actions;
  line.error_code = result.error_code;
  line.ram_denied = result.ram_denied;
  if (result.ram_denied) {
    line.detail = fmt::format("{}: {} was refused: the RAM policy lacks {}",
                              ForTerminal(result.error_code), limit.api,
                              limit.ram_actions.empty() ? "its action"
                              : limit.ram_actions.size() == 1
                                  ? limit.ram_actions.front()
                                  : fmt::format("one of {}", fmt::join(limit.ram_actions, ", ")));
  } else {
    line.detail = fmt::format("{}: {}", limit.api, ForTerminal(status.message()));
  }
  return line;
}

std::vector<PreflightCheck> CheckPermissions(const std::string& account,
                                             const AccountRuntime& runtime,
                                             const AccountNeeds& needs, PacingRegistry& pacing,
                                             const RetryPolicy& retry, Clock& clock,
                                             RandomSource& random) {
  Prober probe(account, runtime, pacing, retry, clock, random);
  for (const std::string& product : KnownProducts()) {
    std::optional<Address> sample;
    for (const Address& a : needs.reads) {
      if (a.product == product) sample = a;
    }
    const bool listed = Contains(needs.listings, product);
    if (!sample && !listed) continue;
    const std::string title = ProductTitle(product);
    Provider* provider = runtime.ProviderFor(product);
    if (provider == nullptr) {
      probe.Skip(title + " read", DefaultCallLimit(CallKind::kReadBinding),
                 fmt::format("no {} provider for the account", title));
      continue;
    }
    const ProductRules* rules = FindProduct(product);
    if (listed && rules != nullptr && !rules->listable) {
      probe.Skip(title + " list", provider->Limit(CallKind::kListDomains),
                 fmt::format("not checked: certform does not list {}s (prune stops unless "
                             "[prune] skip_products names \"{}\")",
                             rules->slots.enabled ? rules->slots.of : "binding", rules->name));
    } else if (listed) {
      std::vector<Address> domains;
      int64_t total = 0;
      const CallLimit limit = provider->Limit(CallKind::kListDomains);
      probe.Probe(
          title + " list", CallKind::kListDomains, product, limit,
          [&](CallResult* result) {
            domains.clear();
            return provider->ListDomainsPage(1, &domains, &total, result);
          },
          [&] {
            // A listing that walks several calls (containers first, then their domains) says only
            // that more follow after its first page.
            if (total == kMorePages) return std::string("the listing's first call answered");
            return fmt::format("{} domain{} listed", total, total == 1 ? "" : "s");
          });
      if (!sample && !domains.empty()) sample = domains.front();
    }
    const CallLimit read = provider->Limit(CallKind::kReadBinding);
    if (!sample) {
      probe.Skip(title + " read", read, "not checked: the account has no domain there to read");
      continue;
    }
    LiveBinding live;
    probe.Probe(
        title + " read", CallKind::kReadBinding, product, read,
        [&](CallResult* result) { return provider->ReadBinding(*sample, &live, result); },
        [&] {
          return fmt::format("read {} ({})", ForTerminal(sample->Key()),
                             !live.exists ? "not found there"
                             : live.https ? "HTTPS on"
                                          : "HTTPS off");
        });
  }
  if (needs.store_list) {
    CertificateStore* store = runtime.cas;
    const CallLimit limit =
        store != nullptr ? store->Limit(CallKind::kListUploaded) : CallLimit{"ListUploaded"};
    if (store == nullptr) {
      probe.Skip("CAS list", limit, "no certificate store for the account");
    } else {
      std::vector<StoredCertificate> page;
      int64_t total = 0;
      const bool listed = probe.Probe(
          "CAS list", CallKind::kListUploaded, "", limit,
          [&](CallResult* result) {
            page.clear();
            return store->ListPage(1, &page, &total, result);
          },
          [&] {
            return fmt::format("{} uploaded certificate{} listed", total, total == 1 ? "" : "s");
          });
      // Drift and prune read uploads by CertId: the same call and permission, asked to leave
      // the certificate and its private key out of the answer (Peek), so that no key is
      // fetched to check that it could be.
      const CallLimit get = store->Limit(CallKind::kGetCertificate);
      if (listed && page.empty()) {
        probe.Skip("CAS read", get, "not checked: the account has no uploaded certificate");
      } else if (listed) {
        std::string name;
        const int64_t id = page.front().cert_id;
        probe.Probe(
            "CAS read", CallKind::kGetCertificate, "", get,
            [&](CallResult* result) { return store->Peek(id, &name, result); },
            [&] {
              return fmt::format("read certificate {} (its name only, no PEM and no key)", id);
            });
      }
    }
  }
  return std::move(probe.lines());
}

}  // namespace certform::engine
