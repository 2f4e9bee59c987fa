// ALB's asynchronous jobs (alb 2020-06-16): every certificate write answers a JobId and carries out
// its change in the background; ListAsynJobs reports each job Processing, then Succeeded or
// Failed (https://api.aliyun.com/document/Alb/2020-06-16/ListAsynJobs; Terraform polls it until
// Succeeded, shared/docs/load-balancers.md §1.1). A job ends `duration` after it started on the
// emulator's clock (engine::Clock::Monotonic, as the edge's propagation does, so that a fake clock
// drives it); what it ends with is its `finish` (the change applied, or on failure undone). Not
// thread-safe: its owner (AlbService) holds its own lock around every call, finishes included.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/clock.h"

namespace certform::emulator {

struct AlbJob {
  std::string id;
  std::string region, user;
  std::string api;  // the write that started it, e.g. "AssociateAdditionalCertificatesWithListener"
  std::string resource_id;            // the listener
  std::string status = "Processing";  // Processing | Succeeded | Failed
  engine::Clock::Instant started_at{}, ends_at{};
  bool fails = false;                          // ends Failed (the admin's fail_jobs)
  std::function<void(bool succeeded)> finish;  // run once, when the job ends
};

class AlbJobs {
 public:
  // Starts `job` at `now` for `duration`; returns its new id.
  std::string Start(AlbJob job, engine::Clock::Instant now, engine::Clock::Duration duration);
  // Ends, in the order they were started, every job whose time has come: its status set, then its
  // finish run.
  void Advance(engine::Clock::Instant now);
  // `user`'s job `id` in `region`; nullptr when there is none (another user's or region's is none).
  const AlbJob* Find(const std::string& region, const std::string& user,
                     const std::string& id) const;
  // `user`'s jobs in `region`, oldest first.
  std::vector<const AlbJob*> Of(const std::string& region, const std::string& user) const;
  nlohmann::json Json(engine::Clock::Instant now) const;
  void Reset();  // forgets every job (their finishes never run); ids are never reused
  // Forgets every job that has ended, as a job list that keeps jobs for a while only would (the
  // ListAsynJobs page names no retention: the harsher reading, that an old job is not listed).
  void ForgetEnded();

 private:
  std::string NewId();

  std::vector<AlbJob> jobs_;  // in start order
  uint64_t sequence_ = 0;
};

}  // namespace certform::emulator
