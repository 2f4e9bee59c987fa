// ListenerCertificates: the calls of a load balancer's API on a listener's server certificates, one
// API call per method, for the listener products (listener_provider.h). ALB (2020-06-16) and NLB
// (2022-04-30) name the same calls alike and differ in a few names, told by ListenerApi: each
// product's value is in its row file (alb_provider.cc, nlb_provider.cc) with its sources.
//
// Documented for both (shared/docs/load-balancers.md §1.1, §1.3 and the pages they cite):
// UpdateListenerAttribute sets the default certificate, AssociateAdditionalCertificatesWith-
// Listener adds 1 to 15 additional ones and the dissociate call removes some; all three are
// asynchronous, answering a JobId that ListAsynJobs reports on, and take DryRun (a passing check
// answers the error DryRunOperation) and ClientToken (a retried write with the same token is the
// same request). ListListenerCertificates lists the default and the additional certificates in
// pages (MaxResults, NextToken). A certificate id certform sends is the CAS id with its region
// ("1011…-cn-hangzhou"). Every answer is checked at the door: ids, statuses and tokens of the
// documented shapes, bounded, else Corruption.
#pragma once

#include <string>
#include <vector>

#include "providers/alicloud/rpc_client.h"

namespace certform::alicloud {

// What tells one load balancer's API from another's: the names its calls and parameters take.
struct ListenerApi {
  const char* title = "";       // "ALB": in messages
  const char* version = "";     // the API version ("2020-06-16")
  const char* host = "";        // the endpoint's first label: alb.REGION.aliyuncs.com
  const char* dissociate = "";  // the call that removes additional certificates
  // The parameters a write names its certificates with, N from 1: the default certificate's and
  // the additional ones' (fmt formats with N).
  const char* default_param = "";
  const char* additional_param = "";
  size_t max_associate = 0, max_dissociate = 0;  // certificates per call
  const char* cert_type_param = "";              // ListListenerCertificates' "Server" filter
  size_t page_size = 0;                          // MaxResults' largest value
  // The most certificates a listener can have (its quota of additional ones, and the default):
  // a listing of more pages than they fill is corrupt.
  size_t max_certificates = 0;
  // True for a listener id of this API's shape.
  bool (*listener_id)(const std::string& id) = nullptr;
  const char* listener_id_shape = "";  // what listener_id accepts, for messages
  // The error codes the provider decides on, as this API spells them (each product's row file
  // cites its source, or marks it U): an associate of a certificate the listener already has, a
  // dissociate of one it does not have, and a listener it does not know.
  const char* already_associated = "";
  const char* not_associated = "";
  const char* listener_not_found = "";
  // ListListenerCertificates' Status words: an additional certificate being associated, in
  // place (and the default's), and being dissociated. Any other Status is no answer of the API's.
  const char* associating = "";
  const char* associated = "";
  const char* dissociating = "";
  // ListListeners' ListenerProtocol words (prune's listing): those of the listeners that take
  // certificates and those of the listeners that take none. Any other is no answer of the API's.
  std::vector<std::string> certificate_protocols;
  std::vector<std::string> other_protocols;
  // Whether a listener id, as certform writes it, ends in "@PORT" (NLB): a listed id without it
  // gets the listed ListenerPort.
  bool port_in_id = false;
};

// One region's listeners as ListListeners pages them.
struct ListenerPage {
  std::vector<std::string> listeners;  // those that take certificates, ids as certform writes them
  std::string next;                    // NextToken; empty after the last page
};

// One server certificate of a listener as ListListenerCertificates reports it.
struct ListenerCertificate {
  std::string id;  // exactly as listed: "CASID-REGION", or a foreign id (Foreign())
  bool is_default = false;
  // One of the API's Status words (ListenerApi: associating, associated, dissociating).
  std::string status;
  // `id` parsed at the door (ParseListenerCertificateId): its CAS id and region, or 0 and ""
  // for an id that is not exactly a CAS "ID-REGION" (the load balancer's own store's
  // "12315790343_166f8204689_…", or any other shape): a foreign certificate, never read as a CAS
  // id, never sent, never certform's.
  int64_t cas_id = 0;
  std::string cas_region;

  bool Foreign() const { return cas_id == 0; }
  bool operator==(const ListenerCertificate&) const = default;
};

// What a write is sent with besides its certificates.
struct ListenerWriteOptions {
  bool dry_run = false;      // check only: OK when ALB answers DryRunOperation, *job_id empty
  std::string client_token;  // the same for a retry of the same change; at most 64 ASCII
};

// A job as ListAsynJobs reports it.
struct ListenerJob {
  std::string id;
  std::string status;  // Processing | Succeeded | Failed
  std::string error;   // a failed job's ErrorCode and ErrorMessage, when given

  bool Done() const { return status != "Processing"; }
};

class ListenerCertificates {
 public:
  // `client` talks to api.host.REGION.aliyuncs.com (or this machine's emulator) with Version
  // api.version; `region` is sent as RegionId too. `api` outlives this.
  ListenerCertificates(RpcClient client, std::string region, const ListenerApi& api)
      : client_(std::move(client)), region_(std::move(region)), api_(&api) {}

  // One page of ListListenerCertificates (server certificates, api.page_size a page): `next_token`
  // empty for the first page; `*next` empty after the last.
  engine::Status ListPage(const std::string& listener_id, const std::string& next_token,
                          std::vector<ListenerCertificate>* page, std::string* next,
                          engine::CallResult* result);
  // UpdateListenerAttribute with the default certificate `certificate_id`.
  engine::Status SetDefault(const std::string& listener_id, const std::string& certificate_id,
                            const ListenerWriteOptions& options, std::string* job_id,
                            engine::CallResult* result);
  // AssociateAdditionalCertificatesWithListener and api.dissociate, each with 1 to its maximum.
  engine::Status Associate(const std::string& listener_id, const std::vector<std::string>& ids,
                           const ListenerWriteOptions& options, std::string* job_id,
                           engine::CallResult* result);
  engine::Status Dissociate(const std::string& listener_id, const std::vector<std::string>& ids,
                            const ListenerWriteOptions& options, std::string* job_id,
                            engine::CallResult* result);
  // DescribeRegions: the region ids the API is offered in, each of a region id's shape
  // (RegionProblem), at most kMaxRegions, none twice. The answer's endpoints are never used: a
  // region's client is built from its id alone.
  static constexpr size_t kMaxRegions = 100;
  engine::Status Regions(std::vector<std::string>* regions, engine::CallResult* result);
  // One page of ListListeners in this client's region (MaxResults 100, `next_token` empty for the
  // first page): the listeners whose ListenerProtocol takes certificates, each id of the API's
  // shape (ListenerApi::listener_id, with "@PORT" added where the API's ids carry it).
  engine::Status ListenersPage(const std::string& next_token, ListenerPage* page,
                               engine::CallResult* result);
  // ListAsynJobs for `job_id`: NotFound when the API knows no such job.
  engine::Status Job(const std::string& job_id, ListenerJob* job, engine::CallResult* result);

 private:
  // InvalidArgument unless `listener_id` has the API's shape.
  engine::Status CheckListener(const std::string& listener_id) const;
  engine::Status Write(const std::string& action, const char* param, const std::string& listener_id,
                       const std::vector<std::string>& ids, size_t max_ids,
                       const ListenerWriteOptions& options, std::string* job_id,
                       engine::CallResult* result);

  RpcClient client_;
  std::string region_;
  const ListenerApi* api_;
};

// Parses a certificate id as certform sends it and a listing must give it to be read as a CAS
// certificate, by the rules of the configuration's and OSS's CertId (oss_cnames.h
// ParseOssCertId): a CAS id of 1 to 19 digits without a leading zero, within int64, then '-' and
// a region id of its shape ("9100001-cn-hangzhou"). False, `*id` and `*region` untouched, for
// anything else.
bool ParseListenerCertificateId(const std::string& text, int64_t* id, std::string* region);
// True when ParseListenerCertificateId parses `id`.
bool IsListenerCertificateId(const std::string& id);
// True for "lsn-" (or "lsr-") and 1 to 64 lower-case letters and digits.
bool IsLsnId(const std::string& id);

}  // namespace certform::alicloud
