// SlbCertificates: the Classic Load Balancer calls certform makes in one region (SLB API
// 2014-05-15, slb.REGION.aliyuncs.com): the region's server-certificate store, an HTTPS
// listener's default certificate and its domain extensions' certificates. One API call per
// method; every answer is checked at the door (types, shapes, sizes), so that nothing the API
// says chooses where a later call goes. Facts and sources: shared/docs/load-balancers.md §1.2 and
// the SLB API reference pages named at each method (D documented, S seen in peers' code, U
// unconfirmed).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "providers/alicloud/rpc_client.h"

namespace certform::alicloud {

inline constexpr char kSlbApiVersion[] = "2014-05-15";

// A certificate of the region's SLB store (DescribeServerCertificates).
struct ServerCertificate {
  std::string id;    // ServerCertificateId, e.g. "1231579…_166f8204689_1714763408_709981430"
  std::string name;  // ServerCertificateName
  // A copy of a CAS certificate (IsAliCloudCertificate = 1) and that certificate's id, when the
  // answer's AliCloudCertificateId is a CAS id exactly as certform writes one (decimal, no
  // leading zero, in range); 0 otherwise (a certificate uploaded by content, or an id of another
  // shape: someone else's, never taken for a CAS id).
  bool from_cas = false;
  int64_t cas_id = 0;
  // When it is certform's copy of that CAS certificate (from_cas, and named StoreCopyName(cas_id,
  // REGION) for a region id REGION): that region; empty otherwise. The store's answer names no
  // CAS region (D: doc 34183), so the name is the only record of it.
  std::string copy_region;
};

// A domain extension of an HTTPS listener (DescribeDomainExtensions): the certificate it serves
// for its domain (SNI).
struct DomainExtension {
  std::string id;              // DomainExtensionId, "de-…"
  std::string domain;          // lower case
  std::string certificate_id;  // ServerCertificateId
};

// An HTTPS listener as DescribeLoadBalancerListeners lists it: (load balancer, port), both
// checked at the door.
struct HttpsListener {
  std::string load_balancer;  // IsLoadBalancerId
  int port = 0;               // 1..65535
};

// The store ids and extension ids an answer may carry: letters, digits, '_', '-' and '.', at most
// 128 characters (the references' examples: "1231579…_166f8204689_…", "de-bp1rp7ta1****").
bool IsServerCertificateId(const std::string& id);
// A CLB instance id: "lb-" and lower-case letters and digits (D: the references' examples,
// "lb-bp1mxu5r8lau****"), at most 64 characters.
bool IsLoadBalancerId(const std::string& id);
// A NextToken certform sends back: 1 to 256 letters, digits, '-', '_', '.', '+', '/' and '='
// (the reference's example "FFmyTO70tTpLG6I3FmYAXGKPd****" masks its end; U: no page states the
// alphabet, so a base64-like one is taken).
bool IsListToken(const std::string& token);
// "cas-" + the CAS id + "-" + its region: the name certform gives a store copy it uploads
// (ServerCertificateName, at most 80 characters: U, the console's bound), so that its own copies
// are told from anyone else's.
std::string StoreCopyName(int64_t cas_id, const std::string& cas_region);

class SlbCertificates {
 public:
  SlbCertificates(RpcClient client, std::string region)
      : client_(std::move(client)), region_(std::move(region)) {}

  // Every certificate of the region's store (DescribeServerCertificates, D: doc 34183; it has
  // no paging). At most kMaxStoreCertificates: more is no answer of the API's (the quota is 100
  // a region, adjustable: D, CLB quotas page).
  static constexpr size_t kMaxStoreCertificates = 5000;
  engine::Status ListStore(std::vector<ServerCertificate>* all, engine::CallResult* result);
  // Copies CAS certificate `cas_id` (in `cas_region`, named `cas_name` there) into the store as
  // `name` (UploadServerCertificate with AliCloudCertificateId, AliCloudCertificateName,
  // AliCloudCertificateRegionId: D, doc 34181). The store's id in `id`.
  engine::Status CopyFromCas(int64_t cas_id, const std::string& cas_region,
                             const std::string& cas_name, const std::string& name, std::string* id,
                             engine::CallResult* result);
  // The default certificate of HTTPS listener (`load_balancer`, `port`)
  // (DescribeLoadBalancerHTTPSListenerAttribute, D: doc 27607): its ServerCertificateId, empty
  // when the answer names none.
  engine::Status ReadListener(const std::string& load_balancer, int port,
                              std::string* certificate_id, engine::CallResult* result);
  // Makes `certificate_id` the listener's default (SetLoadBalancerHTTPSListenerAttribute with
  // only the required fields and ServerCertificateId: D, doc 27603; the other settings are
  // optional and left as they are, U: the reference does not say that an omitted one is kept).
  engine::Status SetListener(const std::string& load_balancer, int port,
                             const std::string& certificate_id, engine::CallResult* result);
  // The listener's domain extensions (DescribeDomainExtensions, D), at most
  // kMaxDomainExtensions (the quota is 3 a listener, at most 10: D, CLB quotas page).
  static constexpr size_t kMaxDomainExtensions = 100;
  engine::Status ListExtensions(const std::string& load_balancer, int port,
                                std::vector<DomainExtension>* all, engine::CallResult* result);
  // The regions SLB serves (DescribeRegions, D: api-slb-2014-05-15-describeregions): only the
  // answer's Regions.Region[].RegionId, each a region id of the configuration's shape
  // (RegionProblem), none twice, at most kMaxRegions. RegionEndpoint and LocalName are ignored:
  // no host an answer names is ever called.
  static constexpr size_t kMaxRegions = 100;
  engine::Status ListRegions(std::vector<std::string>* regions, engine::CallResult* result);
  // One page of the region's HTTPS listeners (DescribeLoadBalancerListeners with
  // ListenerProtocol=https, MaxResults `max_results` 1..100 and NextToken `token` when not
  // empty; D: api-slb-2014-05-15-describeloadbalancerlisteners). `next` is the answer's
  // NextToken, empty on the last page. A listener of another protocol in the answer is left out
  // (U: the API filters them, but the filter is not trusted); an answer with more listeners than
  // asked for, a LoadBalancerId, ListenerPort or ListenerProtocol of no known shape, or a
  // NextToken that IsListToken refuses is Corruption.
  engine::Status ListHttpsListeners(const std::string& token, int max_results,
                                    std::vector<HttpsListener>* listeners, std::string* next,
                                    engine::CallResult* result);
  // Deletes store certificate `certificate_id` (DeleteServerCertificate, D: doc 34182). The API
  // refuses one still bound to a listener or an extension (CertificateAndPrivateKeyIsRefered).
  engine::Status Delete(const std::string& certificate_id, engine::CallResult* result);
  // Makes `certificate_id` the certificate extension `extension_id` serves
  // (SetDomainExtensionAttribute, D: help/en/slb/api-setdomainextensionattribute).
  engine::Status SetExtension(const std::string& extension_id, const std::string& certificate_id,
                              engine::CallResult* result);

 private:
  // `action` on listener (`load_balancer`, `port`), both checked first, with `more` parameters.
  engine::Status CallListener(const std::string& action, const std::string& load_balancer, int port,
                              const Params& more, nlohmann::json* body, engine::CallResult* result);

  RpcClient client_;
  std::string region_;
};

}  // namespace certform::alicloud
