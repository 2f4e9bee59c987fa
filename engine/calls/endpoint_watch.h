// EndpointWatch: tells when failures concern an account's endpoint, not one domain. A network
// failure (no HTTP answer at all: refused, unreachable, timed out) that repeats on several calls
// before any call of the account was answered means that every further call would fail the same
// way, like an error that concerns the whole account: the account is stopped after one clear
// message, instead of one retried failure per domain.
#pragma once

#include <mutex>
#include <string>

#include "engine/base/status.h"
#include "engine/calls/provider.h"

namespace certform::engine {

class EndpointWatch {
 public:
  // Attempts of one call, all without an HTTP answer and before any answer, that stop the
  // account.
  static constexpr int kRepeats = 3;

  // An attempt got an HTTP answer (success or not): the endpoint is there.
  void OnAnswer();
  // Attempt `attempts` of a call failed with `status`; true (once) when the account should stop
  // now, with `why` saying so.
  bool OnFailure(const Status& status, const CallResult& last, int attempts, std::string* why);

 private:
  std::mutex mu_;
  bool answered_ = false;
  bool stopped_ = false;
};

}  // namespace certform::engine
