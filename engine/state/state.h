// State: what certform last made true, one entry per managed domain (Terraform's states).
//
// Nothing in a State is secret: certificates are recorded by fingerprint and name, never by PEM
// or key.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "engine/config/binding_address.h"

namespace certform::engine {

// The state file's format. 2 added `uploads` (certificates uploaded to CAS); version 1 files
// (no uploads) are read as they are and written back as version 2. 3 added bindings on products
// other than the CDN (keys such as "dcdn:www.example.com"): a state with none is still written as
// version 2, so that an older certform keeps reading it, and one with any is written as 3, which
// an older certform refuses rather than sending "dcdn:..." to the CDN.
inline constexpr int kStateFormatVersion = 3;
inline constexpr int kOldestStateFormatVersion = 1;
inline constexpr int kFirstProductStateFormatVersion = 3;
inline constexpr int kCdnOnlyStateFormatVersion = 2;  // what a state without products is written as

struct StateEntry {
  Address address;  // where: State::entries holds it under address.Key()
  std::string account;
  bool https = true;        // the ServerCertificateStatus certform set
  std::string certificate;  // the configuration's certificate key; empty when https is off
  std::string cert_type;    // "upload" or "cas"; empty when https is off
  std::string cert_name;    // CertName
  int64_t cert_id = 0;      // cas certificates' id, 0 when unknown
  // Their CAS region (CertRegion: the certificate's cert_region, or its account's cas_region for
  // one uploaded through CAS), for a product that names a CAS certificate with its region (ALB's
  // "CASID-REGION") and must name the old one to remove it; empty when unknown or the API's
  // default. Not compared by the planner: it says where an id lives, not which certificate.
  std::string cert_region;
  std::string fingerprint;  // SHA-256 of the leaf DER (upload); empty when unknown
  // SHA-256 of the intermediates' DER in file order (CertificateInfo::chain_digest). Empty when
  // not recorded: a state written before certform recorded chains, a CAS certificate bound by id,
  // or a rename of an entry that had none. The planner takes "not recorded" as unknown, never as
  // a change (no update on every plan after an upgrade); the next apply that makes a call for the
  // entry records it, and so does a `plan --refresh` that reads the served PEM.
  std::string chain_digest;
  int64_t not_after = 0;   // leaf expiry, Unix seconds; 0 when unknown
  std::string applied_at;  // UTC time of the call that made it so
  std::string request_id;  // the API's RequestId for that call
  // Set when certform learned that the domain no longer exists on its product: an apply's call
  // for it was answered so (and a read confirmed it), or, in the state a `plan --refresh` plans
  // against, a live read said so. The fields above still say what certform last made true. Plan
  // shows the binding as gone until a call for it succeeds (which clears this), refresh forgets
  // it, or it leaves the configuration.
  std::string gone_at;          // UTC time it was learned; empty: not known to be gone
  std::string gone_request_id;  // the RequestId of the answer that said so; empty after a read

  // An asynchronous write certform submitted and has not seen complete (ProductRules::writes):
  // its job, the change's step and the CAS id it binds. The fields above still say what
  // certform last made true. The next apply polls this job before anything else is sent for
  // the entry, never sending the step again. Empty job: none.
  std::string pending_job;
  int pending_step = 0;
  int64_t pending_cert_id = 0;

  bool Gone() const { return !gone_at.empty(); }
  bool Pending() const { return !pending_job.empty(); }
  bool operator==(const StateEntry&) const = default;
};

// A certificate certform uploaded to Certificate Management Service (an account with
// upload_via = "cas"), so that it is uploaded once and bound by CertId.
struct UploadEntry {
  std::string account;
  std::string certificate;  // the configuration's certificate key when uploaded
  std::string fingerprint;  // SHA-256 of the leaf's DER
  // SHA-256 of its intermediates (StateEntry::chain_digest); empty: recorded before certform
  // recorded chains, taken to hold whatever chain the configuration has (unknown, not changed).
  std::string chain_digest;
  // its CAS Name ("certform-" + 16 fingerprint digits, or NAME-12; plus "-" + 8 chain digest
  // digits for a second chain under a leaf already uploaded: CasUploadName)
  std::string name;
  int64_t cert_id = 0;  // CAS CertId
  int64_t not_after = 0;
  std::string uploaded_at;  // UTC time of the upload (or of finding it already there)
  std::string request_id;

  bool operator==(const UploadEntry&) const = default;
};

// The key of an upload in State::uploads: one per account and content. An upload recorded without
// a chain digest keeps the key it always had (account/fingerprint); one with a chain digest adds
// it, so that a corrected chain under the same leaf is a new upload, not the old one found again.
std::string UploadKey(const std::string& account, const std::string& fingerprint,
                      const std::string& chain_digest = "");
std::string UploadKey(const UploadEntry& u);

struct State {
  int format_version = kStateFormatVersion;
  std::string lineage;  // UUID fixed for the file's life; empty before the first write
  int64_t serial = 0;   // +1 on every content change
  std::string tool_version;
  std::map<std::string, StateEntry> entries;   // by address (Address::Key)
  std::map<std::string, UploadEntry> uploads;  // by UploadKey(upload)

  bool empty() const { return entries.empty() && uploads.empty(); }
  const StateEntry* Find(const std::string& address) const;  // by Address::Key
  const StateEntry* Find(const Address& address) const;
};

}  // namespace certform::engine
