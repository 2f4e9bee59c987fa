// The gateway's traffic handling, shared by every service handler: request ids, injected faults
// (errors, drops, latency, transit), the per-user rate windows and the counters the admin API
// reports. Thread-safe: its own mutex, never held while a handler runs.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/base/clock.h"
#include "providers/alicloud/emulator/api_response.h"
#include "providers/alicloud/emulator/emulator_config.h"
#include "providers/alicloud/emulator/rate_window.h"

namespace certform::emulator {

class FlowControl {
 public:
  FlowControl(const Faults& faults, engine::Clock& clock);

  // A new request id, then the injected faults for this request: its latency (always set) and,
  // when the roll says so, the answer that replaces it (a dropped connection or a 500/503).
  std::optional<ApiResponse> Arrive(bool json, std::string* request_id,
                                    engine::Clock::Duration* latency);
  // Counts a call in `user`'s `window` (limit per sliding `period`, a second unless told); false
  // (counted as throttled) with the wait until one would be admitted.
  bool Admit(const std::string& user, const std::string& window, int limit,
             engine::Clock::Duration* retry_after,
             engine::Clock::Duration period = std::chrono::seconds(1));
  // Counts an answered call of `action` by `user`; returns how many there were so far.
  int CountCall(const std::string& action, const std::string& user);
  void CountRejected();
  void CountDropped();
  void CountKeyReceived();  // a call that carried a private key
  void CountKeySent();      // an answer that carried a private key (GetUserCertificateDetail)
  void CountStsIssued();    // temporary credentials handed out
  // True when the answer to this (the `answered`-th) call of `action` is to be lost after the
  // action was carried out (Faults::lose_answers); counted as dropped.
  bool LoseAnswer(const std::string& action, int answered);
  // The code a wrong signature is answered with (Faults::signature_error).
  std::string SignatureErrorCode() const;
  // Random letters and digits, from the seeded stream (tokens and keys the emulator hands out).
  std::string RandomToken(size_t length);
  engine::Clock::Duration TransitDelay();

  void SetFaults(const Faults& faults);
  // Counters zeroed, windows emptied, streams reseeded; the faults stay as last set (as the
  // admin's /_emulator/reset always did).
  void Reset();
  nlohmann::json CountersJson() const;

 private:
  std::string NewRequestId();  // mu_ held

  engine::Clock& clock_;
  mutable std::mutex mu_;
  Faults faults_;
  RateWindow window_;
  std::mt19937_64 rng_;
  std::mt19937_64 transit_rng_;  // its own stream: transit draws must not shift the others
  std::map<std::string, std::map<std::string, int>> calls_;  // action → user → answered calls
  int throttled_ = 0, injected_errors_ = 0, dropped_ = 0, rejected_ = 0;
  int keys_received_ = 0;  // calls that carried a private key (PrivateKey, SSLPri, Key, OSS)
  int keys_sent_ = 0;      // answers that carried one (CAS's detail without CertFilter=true)
  int sts_issued_ = 0;     // temporary credentials handed out (STS and metadata service)
};

}  // namespace certform::emulator
