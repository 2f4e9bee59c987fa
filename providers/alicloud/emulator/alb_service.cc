// The emulator's ALB (alb 2020-06-16) and, by its dialect, NLB (nlb 2022-04-30; what differs is in
// listener_dialect.cc, which cites NLB's pages). Sources: shared/docs/load-balancers.md §1.1 and
// §1.4 (D: documented, S: seen in peers' code, U: unconfirmed) and the API reference pages it names
// (https://api.aliyun.com/document/Alb/2020-06-16/<Action>; help doc-detail 214350 Associate,
// 214352 Dissociate, 214354 ListListenerCertificates, 214356 UpdateListenerAttribute). The error
// tables of the ALB pages were not in reach; the codes below are those the sister API (NLB
// 2022-04-30, same gateway and conventions) documents for the same situations (its
// UpdateListenerAttribute and StopListener error tables, api.alibabacloud.com/document/Nlb/
// 2022-04-30/...), which Terraform's ALB resources also retry on (IncorrectStatus.Listener,
// resource_alicloud_alb_listener.go); NLB answers them as documented. Each behaviour below cites
// its source; "harsher" marks a reading taken where the documentation is silent.
#include "providers/alicloud/emulator/alb_service.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

namespace certform::emulator {

namespace {

// Both dialects' reads (their writes are the dialect's).
constexpr char kListCertificates[] = "ListListenerCertificates";
constexpr char kGetAttribute[] = "GetListenerAttribute";
constexpr char kListJobs[] = "ListAsynJobs";
constexpr char kListListeners[] = "ListListeners";
constexpr char kDescribeRegions[] = "DescribeRegions";

}  // namespace

AlbService::AlbService(ServiceContext context, const CasDirectory& cas,
                       const ListenerDialect& dialect)
    : RpcService(context), cas_(cas), dialect_(dialect), job_duration_(kAlbDefaultJobDuration) {}

// ALB and NLB answer on endpoints of their own (alb.REGION.aliyuncs.com, S: certimate;
// nlb.REGION.aliyuncs.com, D); the emulator serves every product on one and tells their calls by
// action *and* version, since both have actions of the same names.
bool AlbService::Accepts(const ServiceRequest& request) const {
  return Serves(request.action) && Param(request.params, "Version") == dialect_.version;
}

// GetListenerAttribute is NLB's too (D: its page; ListenerStatus and CertificateIds), so both
// dialects serve it.
bool AlbService::Serves(const std::string& action) const {
  return dialect_.Write(action) != nullptr || action == kListCertificates ||
         action == kGetAttribute || action == kListJobs || action == kListListeners ||
         action == kDescribeRegions;
}

// Per region, API and account: each write 200 per 60 s, GetListenerAttribute,
// ListListenerCertificates and ListAsynJobs 20 per second (D: ALB's quota page
// "api-alb-2020-06-16-quota"; NLB's API quota page for its writes and ListListenerCertificates,
// U for its ListAsynJobs and GetListenerAttribute, which it does not name: 20, as ALB's).
std::pair<std::string, int> AlbService::Window(const std::string& action) const {
  return {dialect_.name + "//" + action, dialect_.Write(action) ? 200 : 20};
}

std::pair<std::string, int> AlbService::WindowFor(const ServiceRequest& request,
                                                  engine::Clock::Duration* period) const {
  std::string region;
  AlbRegion(request, dialect_, &region);  // a request without one is refused in Dispatch
  const bool write = dialect_.Write(request.action) != nullptr;
  if (write) *period = std::chrono::seconds(60);
  return {dialect_.name + "/" + region + "/" + request.action, write ? 200 : 20};
}

ApiResponse AlbService::Dispatch(const std::string&, const Params&, const std::string&,
                                 const std::string& request_id, bool json) {
  return RenderError({500, "InternalError", dialect_.title + " answers through DispatchFor."},
                     request_id, json);
}

ApiResponse AlbService::DispatchFor(const ServiceRequest& r, const AccountKey&,
                                    const std::string& user) {
  // DescribeRegions takes no RegionId (D: its page): the regions of every endpoint.
  if (r.action == kDescribeRegions) return DescribeRegions(r);
  AlbCall call{r, user, {}, {}};
  if (auto e = AlbRegion(r, dialect_, &call.region)) return call.Error(*e);
  if (dialect_.Write(r.action)) return Write(call);
  if (r.action == kListCertificates) return ListCertificates(call);
  if (r.action == kGetAttribute) return GetAttribute(call);
  if (r.action == kListListeners) return ListListeners(call);
  return ListJobs(call);
}

AlbListenerState* AlbService::CallersListener(const AlbCall& call, const std::string& id) const {
  jobs_.Advance(context_.clock.Monotonic());
  auto it = listeners_.find(call.region + "/" + id);
  return it == listeners_.end() || it->second.user != call.user ? nullptr : &it->second;
}

ApiResponse AlbService::Write(AlbCall& call) {
  if (auto e = ParseAlbWrite(*dialect_.Write(call.r.action), call.r.params, &call.write)) {
    return call.Error(*e);
  }
  const AlbWrite& w = call.write;
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = context_.clock.Monotonic();
  AlbListenerState* found = CallersListener(call, w.listener_id);
  if (found == nullptr) return call.Error(ListenerNotFound(dialect_, w.listener_id));
  AlbListenerState& listener = *found;
  const std::string key = call.region + "/" + w.listener_id;
  // ClientToken: a retry with the same token and parameters answers the first call's JobId and
  // changes nothing; the same token with other parameters is refused (D: the ClientToken
  // parameter of each write; IdempotenceSignatureMismatch, NLB UpdateListenerAttribute's table).
  // A retry is answered even while its own job keeps the listener Configuring. A dry run
  // records no token (harsher: it did nothing to be idempotent about).
  const std::string token_key =
      call.user + "/" + call.region + "/" + call.r.action + "/" + w.client_token;
  if (!w.client_token.empty() && !w.dry_run) {
    if (auto t = tokens_.find(token_key); t != tokens_.end()) {
      if (t->second.first != w.Fingerprint()) return call.Error(IdempotenceMismatch());
      return call.Ok({{"JobId", t->second.second}});
    }
  }
  if (auto e = CheckWrite(call, listener)) return call.Error(*e);
  // DryRun=true: every check above ran, nothing changes, and the answer is the error code
  // DryRunOperation (D: the DryRun parameter of each write; 400 in NLB's tables).
  if (w.dry_run) {
    return call.Error(
        {400, "DryRunOperation", "Request validation has been passed with DryRun flag set."});
  }
  // The change starts now: the listener is Configuring until its job ends (D: doc 214356,
  // "Configuring … Running"); additional certificates read Associating / Dissociating until then
  // (D: docs 214350, 214352, 214354). A new default certificate is reported only once the job
  // succeeded (harsher: a client that reads back too early sees the old one).
  listener.status = "Configuring";
  if (w.kind == ListenerWrite::kAssociate) {
    for (const std::string& id : w.certificates) listener.additional.push_back({id, "Associating"});
  } else if (w.kind == ListenerWrite::kDissociate) {
    for (AlbAdditionalCertificate& c : listener.additional) {
      if (std::count(w.certificates.begin(), w.certificates.end(), c.id)) c.status = "Dissociating";
    }
  }
  AlbJob job;
  job.region = call.region;
  job.user = call.user;
  job.api = call.r.action;
  job.resource_id = w.listener_id;
  job.fails = fail_jobs_ > 0;
  if (fail_jobs_ > 0) --fail_jobs_;
  job.finish = [this, key, kind = w.kind, certs = w.certificates](bool ok) {
    Finish(key, kind, certs, ok);
  };
  const std::string job_id = jobs_.Start(std::move(job), now, job_duration_);
  if (!w.client_token.empty()) tokens_[token_key] = {w.Fingerprint(), job_id};
  return call.Ok({{"JobId", job_id}});
}

std::optional<ApiError> AlbService::CheckWrite(const AlbCall& call,
                                               const AlbListenerState& listener) const {
  const AlbWrite& w = call.write;
  const AlbLoadBalancerSeed& lb =
      load_balancers_.at(call.region + "/" + listener.seed.load_balancer_id);
  // ACK-managed ALBs refuse writes (D: ACK docs, load-balancers.md §1.1; code as seen by ALB's
  // users, cloudcarver/autocerts). Its HTTP status is not documented: 400, as NLB's
  // OperationDenied.* codes are. NLB's pages do not name ACK-managed load balancers (U: the same
  // refusal, the admin's ack_managed for NLB too).
  if (lb.ack_managed) {
    return ApiError{400, "OperationDenied.ServiceManagedResource",
                    "The operation is not allowed because the current resource is managed "
                    "resource."};
  }
  // Only HTTPS and QUIC listeners take certificates, NLB's TCPSSL ones (listener_dialect.cc). The
  // code is not documented (U): the harsher reading refuses an HTTP (TCP, UDP) listener's
  // certificate write.
  if (!dialect_.TakesCertificates(listener.seed.protocol) && !w.certificates.empty()) {
    return ProtocolRefusal(listener.seed.protocol, dialect_.CertificateProtocols());
  }
  // One change per listener at a time (S: alicloud PR #4796; certimate #1215: Dissociate right
  // after Associate answers IncorrectStatus.Listener). 400 (NLB's tables).
  if (listener.status != "Running") {
    return ApiError{400, "IncorrectStatus.Listener",
                    fmt::format("The status of listener [{}] is incorrect.", w.listener_id)};
  }
  // Certificate ids are CAS ids with a region, "1011****-cn-hangzhou" (D: doc 214350; S: certimate
  // sends the same to NLB), of the caller's own CAS certificates; any other is
  // ResourceNotFound.Certificate, 400 (NLB UpdateListenerAttribute's table), NLB's SLB-store ids
  // of its examples ("12315790343_166f8204689_1714763408_70998****") included (harsher: the
  // emulator keeps no such store). Dissociation is not checked against CAS: a certificate deleted
  // from CAS may still be bound, and must stay removable.
  for (const std::string& id : w.certificates) {
    if (w.kind != ListenerWrite::kDissociate && !CasHolds(cas_, call.user, id)) {
      return CertificateNotFound(id);
    }
  }
  auto listed = [&](const std::string& id) {
    return std::find_if(listener.additional.begin(), listener.additional.end(),
                        [&](const AlbAdditionalCertificate& c) { return c.id == id; });
  };
  // An associate of a certificate that another job is dissociating never gets here: that job keeps
  // the listener Configuring, refused above as IncorrectStatus.Listener (the status check, D: doc
  // 214356 and the Associate page's table; "certificates cannot be configured concurrently", S:
  // alicloud PR #4796). No page names the answer for a certificate still Dissociating on a
  // Running listener, which the emulator never has (a dissociation ends with its job); the
  // check below would refuse it as associated (harsher than taking it again).
  if (w.kind == ListenerWrite::kAssociate) {
    for (const std::string& id : w.certificates) {
      // Already an additional certificate, or the default (harsher: the default is refused too).
      if (listed(id) != listener.additional.end() || id == listener.default_certificate) {
        return ApiError{400, "ResourceAlreadyAssociated.Certificate",
                        fmt::format("The specified resource {} is already associated.", id)};
      }
    }
    // The admin's quota, else the edition's (PutLoadBalancer checked the edition).
    const int limit = lb.quota >= 0 ? lb.quota : dialect_.quotas.at(lb.edition);
    if (AdditionalCount(call.region, lb.id) + static_cast<int>(w.certificates.size()) > limit) {
      return QuotaExceeded(lb.id, limit);
    }
  } else if (w.kind == ListenerWrite::kDissociate) {
    for (const std::string& id : w.certificates) {
      auto c = listed(id);
      if (c == listener.additional.end() || c->status != "Associated") {
        return NotAssociated(id);
      }
    }
  }
  return std::nullopt;
}

int AlbService::AdditionalCount(const std::string& region,
                                const std::string& load_balancer_id) const {
  // Every additional certificate counts until its dissociation ended (harsher: Associating and
  // Dissociating ones too).
  int count = 0;
  for (const auto& [key, l] : listeners_) {
    if (l.region == region && l.seed.load_balancer_id == load_balancer_id) {
      count += static_cast<int>(l.additional.size());
    }
  }
  return count;
}

void AlbService::Finish(const std::string& key, ListenerWrite kind,
                        const std::vector<std::string>& certs, bool succeeded) const {
  auto it = listeners_.find(key);
  if (it == listeners_.end()) return;
  AlbListenerState& l = it->second;
  l.status = "Running";
  auto named = [&](const AlbAdditionalCertificate& c) {
    return std::count(certs.begin(), certs.end(), c.id) > 0;
  };
  if (kind == ListenerWrite::kAssociate) {
    // Associating → Associated; a failed job leaves nothing associated (harsher than a partial
    // association, which no page describes).
    if (!succeeded) {
      std::erase_if(l.additional, [&](const AlbAdditionalCertificate& c) {
        return named(c) && c.status == "Associating";
      });
    }
    for (AlbAdditionalCertificate& c : l.additional) {
      if (named(c) && c.status == "Associating") c.status = "Associated";
    }
  } else if (kind == ListenerWrite::kDissociate) {
    // Dissociating → gone (D: doc 214352, "Dissociating → Dissociated"; NLB's Disassociate page
    // the same); failed: Associated again.
    if (succeeded) {
      std::erase_if(l.additional, [&](const AlbAdditionalCertificate& c) {
        return named(c) && c.status == "Dissociating";
      });
    }
    for (AlbAdditionalCertificate& c : l.additional) {
      if (named(c) && c.status == "Dissociating") c.status = "Associated";
    }
  } else if (succeeded && !certs.empty()) {
    l.default_certificate = certs.front();  // UpdateListenerAttribute's default
  }
}

}  // namespace certform::emulator
