// The Classic Load Balancer (CLB; the SLB API, version 2014-05-15): which certificate HTTPS
// listeners and their domain extensions serve. UploadServerCertificate (by content, or a copy of
// a CAS certificate), DescribeServerCertificates and DeleteServerCertificate on the per-region
// store (clb_store.h); DescribeLoadBalancerHTTPSListenerAttribute and
// SetLoadBalancerHTTPSListenerAttribute (the listener's default certificate);
// DescribeDomainExtensions and SetDomainExtensionAttribute (the SNI certificates); DescribeRegions
// and DescribeLoadBalancerListeners (the listing, paged by NextToken). Writes on a load
// balancer leave it configuring for a while (0 unless the admin sets it), during which another
// write to it is refused. Load balancers, listeners and extensions are seeded through the admin
// API (clb_admin.h). clb_service.cc says, behaviour by behaviour, what is documented.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "providers/alicloud/emulator/cas_directory.h"
#include "providers/alicloud/emulator/clb_requests.h"
#include "providers/alicloud/emulator/clb_store.h"
#include "providers/alicloud/emulator/rpc_service.h"

namespace certform::emulator {

inline constexpr char kClbVersion[] = "2014-05-15";
// Domain extensions per HTTPS listener: 3 by default, at most 10 on request (D: CLB quotas page;
// 使用限制, "一个HTTPS监听可创建的扩展域名数量 3").
inline constexpr int kClbDefaultExtensionQuota = 3;
inline constexpr int kClbMostExtensionQuota = 10;
// The one region the emulator's CAS certificates live in (U: the CAS of a China-site account is
// cn-hangzhou's, an international one's ap-southeast-1, as other products' CasRegion/CertRegion
// parameters say; the admin may set either, or any region).
inline constexpr char kClbDefaultCasRegion[] = "cn-hangzhou";

// The regions DescribeRegions answers besides those the seeds use: real SLB region ids (D: "Regions
// that support CLB", alibabacloud.com/help/en/slb/classic-load-balancer/product-overview/
// regions-that-support-clb), a few of them only (U: the real answer names every region SLB
// serves; a short list keeps every listing of the tests short).
inline constexpr const char* kClbRegions[] = {"cn-hangzhou", "cn-shanghai", "ap-southeast-1"};
// DescribeLoadBalancerListeners: MaxResults 1..100, 20 when absent (D: its page).
inline constexpr int kClbMostListeners = 100;
inline constexpr int kClbDefaultListeners = 20;
// NextTokens the emulator remembers (the oldest forgotten first; U: the API's lifetime of a
// token is not documented).
inline constexpr size_t kClbMostTokens = 10000;

struct ClbLoadBalancer {
  std::string id;  // "lb-" and lower-case letters or digits
  std::string region, user;
  engine::Clock::Instant configuring_until{};  // writes before it are refused
};

struct ClbListener {
  std::string load_balancer_id;
  int port = 0;
  std::string protocol = "https";     // https | http | tcp: only https takes certificates
  std::string server_certificate_id;  // "" for none
};

struct ClbDomainExtension {
  std::string id;  // "de-..."
  std::string load_balancer_id;
  int port = 0;
  std::string domain;
  std::string server_certificate_id;
};

// A store certificate the admin seeds: by content (cert_pem, key_pem) or as a copy of CAS
// certificate cas_id (> 0).
struct ClbCertificateSeed {
  std::string region, user = "u1", name, cert_pem, key_pem;
  int64_t cas_id = 0;
};

class ClbService final : public RpcService {
 public:
  ClbService(ServiceContext context, const CasDirectory& cas);

  // Admin (clb_admin.h). Each returns false with the problem in `error` on bad input.
  bool PutLoadBalancer(const ClbLoadBalancer& lb, std::string* error);
  bool PutListener(const ClbListener& listener, std::string* error);
  bool PutDomainExtension(ClbDomainExtension extension, std::string* id, std::string* error);
  bool SeedCertificate(const ClbCertificateSeed& seed, std::string* id, std::string* error);
  // How long a load balancer stays configuring after a write (0: not at all).
  void SetConfiguring(engine::Clock::Duration duration);
  // Domain extensions per HTTPS listener (1..kClbMostExtensionQuota).
  void SetExtensionQuota(int quota);
  // The region the CAS certificates live in: an upload naming another
  // AliCloudCertificateRegionId is refused. False (nothing changed) when `region` is no region.
  bool SetCasRegion(const std::string& region, std::string* error);
  // How AliCloudCertificateId is written in answers (kDecimal unless set).
  void SetCasIdShape(ClbCasIdShape shape);
  // The store of `region` (every user's), as the admin lists it: no key.
  nlohmann::json CertificatesJson(const std::string& region) const;

  bool Accepts(const ServiceRequest& request) const override;
  void Reset() override;
  void AddState(nlohmann::json* state) const override;

 protected:
  bool Serves(const std::string& action) const override;
  std::string Version() const override { return kClbVersion; }
  std::pair<std::string, int> Window(const std::string& action) const override;
  std::pair<std::string, int> WindowFor(const ServiceRequest& request,
                                        engine::Clock::Duration* period) const override;
  ApiResponse Dispatch(const std::string& action, const Params& params, const std::string& user,
                       const std::string& request_id, bool json) override;
  ApiResponse DispatchFor(const ServiceRequest& request, const AccountKey& caller,
                          const std::string& user) override;

 private:
  // The calls: the store's (clb_service.cc), the listeners' and extensions' (clb_listeners.cc).
  ApiResponse Upload(const ClbCall& call);
  ApiResponse DescribeCertificates(const ClbCall& call);
  ApiResponse DeleteCertificate(const ClbCall& call);
  ApiResponse DescribeListener(const ClbCall& call);
  ApiResponse SetListener(const ClbCall& call);
  ApiResponse DescribeExtensions(const ClbCall& call);
  ApiResponse SetExtension(const ClbCall& call);
  // The listing's (clb_listeners.cc).
  ApiResponse DescribeRegions(const ClbCall& call);
  ApiResponse ListListeners(const ClbCall& call);

  // A copy of CAS certificate `cas_id` of `user`, or one given by content, added to the store
  // (quota checked). mu_ held.
  std::optional<ApiError> AddCertificate(ClbServerCertificate c, const std::string& cert_pem,
                                         const std::string& key_pem, ClbServerCertificate* out);
  // The caller's load balancer `id` in the call's region, or null. mu_ held.
  ClbLoadBalancer* CallersLoadBalancer(const ClbCall& call, const std::string& id);
  // Whether store certificate `id` is bound to a listener or an extension. mu_ held.
  bool Bound(const std::string& user, const std::string& region, const std::string& id) const;
  std::string ListenerKey(const std::string& lb, int port) const;

  const CasDirectory& cas_;
  mutable std::mutex mu_;
  ClbStore store_;
  std::map<std::string, ClbLoadBalancer> load_balancers_;  // by id
  std::map<std::string, ClbListener> listeners_;           // "LBID/PORT" →
  std::map<std::string, ClbDomainExtension> extensions_;   // by id
  engine::Clock::Duration configuring_{};
  int extension_quota_ = kClbDefaultExtensionQuota;
  std::string cas_region_ = kClbDefaultCasRegion;
  ClbCasIdShape cas_id_shape_ = ClbCasIdShape::kDecimal;
  uint64_t extension_sequence_ = 0;  // not reset: ids are never reused
  // A NextToken handed out: whose listing of which region and protocol it continues, after which
  // listener (its ListenerKey).
  struct PageToken {
    std::string user, region, protocol, after;
  };
  std::map<std::string, PageToken> tokens_;
  std::deque<std::string> token_order_;  // oldest first
  uint64_t token_sequence_ = 0;          // not reset: tokens are never reused
};

}  // namespace certform::emulator
