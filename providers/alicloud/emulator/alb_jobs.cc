#include "providers/alicloud/emulator/alb_jobs.h"

#include <fmt/format.h>

namespace certform::emulator {

// The documented JobId looks like a UUID ("72dcd26b-f12d-4c27-b3af-18f6aed5****", ALB API
// reference, AssociateAdditionalCertificatesWithListener's response); the emulator's are
// UUID-shaped and unique, drawn from a sequence (splitmix64), so that runs repeat.
std::string AlbJobs::NewId() {
  uint64_t z = (++sequence_) * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return fmt::format("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", z >> 32, (z >> 16) & 0xffff,
                     z & 0xfff, sequence_ & 0xfff, sequence_);
}

std::string AlbJobs::Start(AlbJob job, engine::Clock::Instant now,
                           engine::Clock::Duration duration) {
  job.id = NewId();
  job.status = "Processing";
  job.started_at = now;
  job.ends_at = now + duration;
  jobs_.push_back(std::move(job));
  return jobs_.back().id;
}

void AlbJobs::Advance(engine::Clock::Instant now) {
  for (AlbJob& job : jobs_) {
    if (job.status != "Processing" || now < job.ends_at) continue;
    job.status = job.fails ? "Failed" : "Succeeded";
    if (job.finish) job.finish(!job.fails);
    job.finish = nullptr;
  }
}

const AlbJob* AlbJobs::Find(const std::string& region, const std::string& user,
                            const std::string& id) const {
  for (const AlbJob& job : jobs_) {
    if (job.id == id && job.region == region && job.user == user) return &job;
  }
  return nullptr;
}

std::vector<const AlbJob*> AlbJobs::Of(const std::string& region, const std::string& user) const {
  std::vector<const AlbJob*> out;
  for (const AlbJob& job : jobs_) {
    if (job.region == region && job.user == user) out.push_back(&job);
  }
  return out;
}

nlohmann::json AlbJobs::Json(engine::Clock::Instant now) const {
  nlohmann::json out = nlohmann::json::array();
  for (const AlbJob& job : jobs_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(job.ends_at - now);
    out.push_back({{"id", job.id},
                   {"region", job.region},
                   {"user", job.user},
                   {"api", job.api},
                   {"resource_id", job.resource_id},
                   {"status", job.status},
                   {"ends_in_ms",
                    job.status == "Processing" ? std::max<int64_t>(0, left.count()) : int64_t{0}}});
  }
  return out;
}

void AlbJobs::Reset() { jobs_.clear(); }

void AlbJobs::ForgetEnded() {
  std::erase_if(jobs_, [](const AlbJob& j) { return j.status != "Processing"; });
}

}  // namespace certform::emulator
