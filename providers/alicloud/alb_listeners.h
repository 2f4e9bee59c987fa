// AlbListeners: the calls of Application Load Balancer (ALB, API version 2020-06-16, endpoint
// alb.REGION.aliyuncs.com) on a listener's server certificates, one API call per method, for the
// ALB product of issue 27 (docs/design/load-balancers.md; not wired to a product yet).
//
// Documented (the ALB API reference; shared/docs/load-balancers.md §1.1): UpdateListenerAttribute
// sets the default certificate (Certificates.1.CertificateId), AssociateAdditionalCertificates-
// WithListener adds 1 to 15 additional ones and DissociateAdditionalCertificatesFromListener
// removes up to 20; all three are asynchronous, answering a JobId that ListAsynJobs reports on,
// and take DryRun (a passing check answers the error DryRunOperation) and ClientToken (a retried
// write with the same token is the same request). ListListenerCertificates lists the default and
// the additional certificates in pages (MaxResults 1 to 100, NextToken). A certificate id is the
// CAS id with its region ("1011…-cn-hangzhou"). Writes 200 per 60 s; reads and job polls 20/s,
// per region and user. Every answer is checked at the door: ids, statuses and tokens of the
// documented shapes, bounded, else Corruption.
#pragma once

#include <string>
#include <vector>

#include "providers/alicloud/rpc_client.h"

namespace certform::alicloud {

inline constexpr char kAlbApiVersion[] = "2020-06-16";

// One server certificate of a listener as ListListenerCertificates reports it.
struct AlbCertificate {
  std::string id;  // "CASID-REGION"
  bool is_default = false;
  std::string status;  // Associating | Associated | Dissociating (the default: Associated)

  bool operator==(const AlbCertificate&) const = default;
};

// What a write is sent with besides its certificates.
struct AlbWriteOptions {
  bool dry_run = false;      // check only: OK when ALB answers DryRunOperation, *job_id empty
  std::string client_token;  // the same for a retry of the same change; at most 64 ASCII
};

// A job as ListAsynJobs reports it.
struct AlbJob {
  std::string id;
  std::string status;  // Processing | Succeeded | Failed
  std::string error;   // a failed job's ErrorCode and ErrorMessage, when given

  bool Done() const { return status != "Processing"; }
};

class AlbListeners {
 public:
  // `client` talks to alb.REGION.aliyuncs.com (or this machine's emulator) with Version
  // kAlbApiVersion; `region` is sent as RegionId too.
  AlbListeners(RpcClient client, std::string region)
      : client_(std::move(client)), region_(std::move(region)) {}

  // One page of ListListenerCertificates (server certificates, 100 a page): `next_token` empty
  // for the first page; `*next` empty after the last.
  engine::Status ListPage(const std::string& listener_id, const std::string& next_token,
                          std::vector<AlbCertificate>* page, std::string* next,
                          engine::CallResult* result);
  // UpdateListenerAttribute with the default certificate `certificate_id`.
  engine::Status SetDefault(const std::string& listener_id, const std::string& certificate_id,
                            const AlbWriteOptions& options, std::string* job_id,
                            engine::CallResult* result);
  // AssociateAdditionalCertificatesWithListener (1 to 15 ids), and Dissociate…From… (1 to 20).
  engine::Status Associate(const std::string& listener_id, const std::vector<std::string>& ids,
                           const AlbWriteOptions& options, std::string* job_id,
                           engine::CallResult* result);
  engine::Status Dissociate(const std::string& listener_id, const std::vector<std::string>& ids,
                            const AlbWriteOptions& options, std::string* job_id,
                            engine::CallResult* result);
  // ListAsynJobs for `job_id`: NotFound when ALB knows no such job.
  engine::Status Job(const std::string& job_id, AlbJob* job, engine::CallResult* result);

 private:
  engine::Status Write(const std::string& action, const std::string& listener_id,
                       const std::vector<std::string>& ids, size_t max_ids,
                       const AlbWriteOptions& options, std::string* job_id,
                       engine::CallResult* result);

  RpcClient client_;
  std::string region_;
};

// True for an ALB certificate id: a CAS id (1 to 19 digits) and a region ("-cn-hangzhou").
bool IsAlbCertificateId(const std::string& id);
// True for an ALB listener id: "lsn-" and 1 to 64 lower-case letters and digits.
bool IsAlbListenerId(const std::string& id);

}  // namespace certform::alicloud
