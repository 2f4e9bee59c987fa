#include "providers/alicloud/emulator/flow_control.h"

#include <fmt/format.h>

namespace certform::emulator {

FlowControl::FlowControl(const Faults& faults, engine::Clock& clock)
    : clock_(clock), faults_(faults) {
  Reset();
}

std::string FlowControl::NewRequestId() {
  std::uniform_int_distribution<uint64_t> d;
  uint64_t a = d(rng_), b = d(rng_);
  return fmt::format("{:08X}-{:04X}-{:04X}-{:04X}-{:012X}", a >> 32, (a >> 16) & 0xffff, a & 0xffff,
                     b >> 48, b & 0xffffffffffffULL);
}

std::optional<ApiResponse> FlowControl::Arrive(bool json, std::string* request_id,
                                               engine::Clock::Duration* latency) {
  std::lock_guard<std::mutex> lock(mu_);
  *request_id = NewRequestId();
  const Faults& f = faults_;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  *latency = std::chrono::milliseconds(
      f.latency_ms + (f.jitter_ms > 0 ? static_cast<int>(unit(rng_) * f.jitter_ms) : 0));
  const double roll = unit(rng_);
  if (roll < f.drop_rate) {
    ++dropped_;
    ApiResponse r;
    r.drop = true;
    return r;
  }
  if (roll < f.drop_rate + f.error_rate) {
    ++injected_errors_;
    return unit(rng_) < 0.5
               ? RenderError({503, "ServiceUnavailable",
                              "The request has failed due to a temporary failure of the server."},
                             *request_id, json)
               : RenderError({500, "InternalError",
                              "The request processing has failed due to some unknown error."},
                             *request_id, json);
  }
  return std::nullopt;
}

bool FlowControl::Admit(const std::string& user, const std::string& window, int limit,
                        engine::Clock::Duration* retry_after, engine::Clock::Duration period) {
  std::lock_guard<std::mutex> lock(mu_);
  if (window_.Admit(user + "/" + window, clock_.Monotonic(), limit, retry_after, period)) {
    return true;
  }
  ++throttled_;
  return false;
}

int FlowControl::CountCall(const std::string& action, const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  return ++calls_[action][user];
}

void FlowControl::CountRejected() {
  std::lock_guard<std::mutex> lock(mu_);
  ++rejected_;
}

void FlowControl::CountDropped() {
  std::lock_guard<std::mutex> lock(mu_);
  ++dropped_;
}

void FlowControl::CountKeyReceived() {
  std::lock_guard<std::mutex> lock(mu_);
  ++keys_received_;
}

void FlowControl::CountKeySent() {
  std::lock_guard<std::mutex> lock(mu_);
  ++keys_sent_;
}

void FlowControl::CountStsIssued() {
  std::lock_guard<std::mutex> lock(mu_);
  ++sts_issued_;
}

bool FlowControl::LoseAnswer(const std::string& action, int answered) {
  std::lock_guard<std::mutex> lock(mu_);
  auto lose = faults_.lose_answers.find(action);
  if (lose == faults_.lose_answers.end() || answered > lose->second) return false;
  ++dropped_;
  return true;
}

std::string FlowControl::SignatureErrorCode() const {
  std::lock_guard<std::mutex> lock(mu_);
  return faults_.signature_error;
}

std::string FlowControl::RandomToken(size_t length) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::lock_guard<std::mutex> lock(mu_);
  std::uniform_int_distribution<size_t> d(0, sizeof kAlphabet - 2);
  std::string s;
  for (size_t i = 0; i < length; ++i) s += kAlphabet[d(rng_)];
  return s;
}

engine::Clock::Duration FlowControl::TransitDelay() {
  std::lock_guard<std::mutex> lock(mu_);
  if (faults_.transit_ms <= 0) return {};
  std::uniform_int_distribution<int> d(0, faults_.transit_ms * 1000);
  return std::chrono::microseconds(d(transit_rng_));
}

void FlowControl::SetFaults(const Faults& faults) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_ = faults;
  rng_.seed(faults.seed);
  transit_rng_.seed(faults.seed + 1);
}

void FlowControl::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  const Faults& faults = faults_;
  window_.Reset();
  rng_.seed(faults.seed);
  transit_rng_.seed(faults.seed + 1);
  calls_.clear();
  throttled_ = injected_errors_ = dropped_ = rejected_ = keys_received_ = keys_sent_ = sts_issued_ =
      0;
}

nlohmann::json FlowControl::CountersJson() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {
      {"calls", calls_},         {"throttled", throttled_},   {"injected_errors", injected_errors_},
      {"dropped", dropped_},     {"rejected", rejected_},     {"keys_received", keys_received_},
      {"keys_sent", keys_sent_}, {"sts_issued", sts_issued_}, {"peak_per_second", window_.peaks()}};
}

}  // namespace certform::emulator
