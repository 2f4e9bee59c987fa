// The Application Load Balancer (ALB, API version 2020-06-16): the certificates of HTTPS and QUIC
// listeners, per region and user. ListListenerCertificates, GetListenerAttribute,
// UpdateListenerAttribute (the default certificate), AssociateAdditionalCertificatesWithListener,
// DissociateAdditionalCertificatesFromListener and ListAsynJobs, and the listing of every
// listener (DescribeRegions, ListListeners); every write is an asynchronous
// job (alb_jobs.h) during which the listener is Configuring. The same handler, given NLB's dialect
// (listener_dialect.h), serves the Network Load Balancer's (NLB, 2022-04-30) TCPSSL listeners:
// the same calls under NLB's names, parameters and bounds; one instance per dialect, each with its
// own state and lock. alb_service.cc says, behaviour by behaviour, what is documented and what is
// the harsher reading. Load balancers and listeners are seeded through the admin API
// (alb_admin.h); certificates are CAS's (cas_directory.h), named "CASID-REGION".
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "providers/alicloud/emulator/alb_jobs.h"
#include "providers/alicloud/emulator/alb_requests.h"
#include "providers/alicloud/emulator/cas_directory.h"
#include "providers/alicloud/emulator/listener_dialect.h"
#include "providers/alicloud/emulator/rpc_service.h"

namespace certform::emulator {

// How long a job runs unless the admin says otherwise: "adding a certificate takes about 5-10 s"
// (S: alicloud PR #4796, ALB), the shorter end; NLB's pages name no duration (U: the same).
inline constexpr engine::Clock::Duration kAlbDefaultJobDuration = std::chrono::seconds(5);

struct AlbLoadBalancerSeed {
  std::string id;      // "alb-...", "nlb-..."
  std::string region;  // e.g. "cn-hangzhou"
  std::string user;
  std::string edition = "Standard";  // ALB: Basic | Standard | StandardWithWaf; NLB: ""
  bool ack_managed = false;          // managed by ACK (AlbConfig): writes are denied
  // Additional certificates it may have over its listeners; -1: its edition's (the dialect's
  // quotas). A raised quota, as Alibaba grants on request (ALB Standard up to 300, D:
  // doc-detail/198636), lets a test fill more than a page.
  int quota = -1;
};

struct AlbListenerSeed {
  std::string id;  // "lsn-...", NLB's also "lsn-...@PORT"
  std::string load_balancer_id;
  // ALB: HTTPS | QUIC take certificates, HTTP does not; NLB: TCPSSL does, TCP | UDP do not.
  std::string protocol = "HTTPS";
  std::string default_certificate;  // "CASID-REGION", or "" (a listener that takes none)
  // Additional certificates it already has, Associated, as another party (the console) may have
  // put them: any id, even one no write of the API would take (the store's
  // "12315790343_166f…", a CAS id with a leading zero), for tests of what a listing may hold.
  std::vector<std::string> additional_certificates;
  // The port ListListeners answers (ListenerPort): NLB's "@PORT" when its id has one, else this.
  int port = 443;
};

// One certificate of a listener beside its default (an additional, or SNI, certificate).
struct AlbAdditionalCertificate {
  std::string id;
  std::string status;  // Associating | Associated | Dissociating
};

struct AlbListenerState {
  AlbListenerSeed seed;
  std::string region, user;
  std::string status = "Running";  // Running | Configuring
  std::string default_certificate;
  std::vector<AlbAdditionalCertificate> additional;
};

class AlbService final : public RpcService {
 public:
  AlbService(ServiceContext context, const CasDirectory& cas, const ListenerDialect& dialect);

  const ListenerDialect& dialect() const { return dialect_; }

  // Admin: adds or replaces a load balancer / a listener (of a load balancer already put); false
  // with the problem in `error` on bad input. Replacing a listener forgets its certificates and
  // jobs' effects are then lost.
  bool PutLoadBalancer(const AlbLoadBalancerSeed& seed, std::string* error);
  bool PutListener(const AlbListenerSeed& seed, std::string* error);
  // Admin: how long a job runs (5 s unless told) and how many of the next jobs end Failed.
  void SetJobDuration(engine::Clock::Duration duration);
  void FailNextJobs(int count);
  // Admin: ListAsynJobs no longer lists the jobs that have ended (AlbJobs::ForgetEnded).
  void ForgetEndedJobs();
  // A listener's state as the API would report it now (jobs due are ended first); false when
  // there is no such listener in `region`.
  bool Listener(const std::string& region, const std::string& id, AlbListenerState* out);

  bool Accepts(const ServiceRequest& request) const override;
  void Reset() override;
  void AddState(nlohmann::json* state) const override;

 protected:
  bool Serves(const std::string& action) const override;
  std::string Version() const override { return dialect_.version; }
  std::pair<std::string, int> Window(const std::string& action) const override;
  std::pair<std::string, int> WindowFor(const ServiceRequest& request,
                                        engine::Clock::Duration* period) const override;
  ApiResponse Dispatch(const std::string& action, const Params& params, const std::string& user,
                       const std::string& request_id, bool json) override;
  ApiResponse DispatchFor(const ServiceRequest& request, const AccountKey& caller,
                          const std::string& user) override;

 private:
  // The writes (alb_service.cc) and the reads (alb_reads.cc).
  ApiResponse Write(AlbCall& call);
  ApiResponse ListCertificates(AlbCall& call);
  ApiResponse GetAttribute(AlbCall& call);
  ApiResponse ListJobs(AlbCall& call);
  ApiResponse ListListeners(AlbCall& call);
  ApiResponse DescribeRegions(const ServiceRequest& request) const;
  // The caller's listener `id` in the call's region, after the jobs due have ended; null when it
  // has none of that id (another user's is none either). mu_ held.
  AlbListenerState* CallersListener(const AlbCall& call, const std::string& id) const;
  // The checks every write runs (dry run or not); nullopt when all pass. mu_ held.
  std::optional<ApiError> CheckWrite(const AlbCall& call, const AlbListenerState& listener) const;
  // Additional certificates of every listener of `load_balancer_id` (the quota's count). mu_ held.
  int AdditionalCount(const std::string& region, const std::string& load_balancer_id) const;
  // A job's end: the listener Running again, its change applied or undone. mu_ held.
  void Finish(const std::string& key, ListenerWrite kind, const std::vector<std::string>& certs,
              bool succeeded) const;

  const CasDirectory& cas_;
  const ListenerDialect& dialect_;
  mutable std::mutex mu_;
  std::map<std::string, AlbLoadBalancerSeed> load_balancers_;  // "REGION/ID" →
  // Jobs end as time passes, so even a const read (AddState) ends those due first: the
  // listeners and jobs are mutable, under mu_.
  mutable std::map<std::string, AlbListenerState> listeners_;  // "REGION/ID" →
  // "USER/REGION/ACTION/TOKEN" → {what the call asked, the JobId it was answered}.
  std::map<std::string, std::pair<std::string, std::string>> tokens_;
  mutable AlbJobs jobs_;
  engine::Clock::Duration job_duration_;
  int fail_jobs_ = 0;
};

}  // namespace certform::emulator
