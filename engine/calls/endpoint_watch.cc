#include "engine/calls/endpoint_watch.h"

#include <fmt/format.h>

namespace certform::engine {

void EndpointWatch::OnAnswer() {
  std::lock_guard<std::mutex> lock(mu_);
  answered_ = true;
}

bool EndpointWatch::OnFailure(const Status& status, const CallResult& last, int attempts,
                              std::string* why) {
  std::lock_guard<std::mutex> lock(mu_);
  if (last.http_status != 0) answered_ = true;
  if (answered_ || stopped_ || !status.IsRetryable() || attempts < kRepeats) return false;
  stopped_ = true;
  *why = fmt::format("the endpoint does not answer ({} attempts, no answer to any call): {}",
                     attempts, status.message());
  return true;
}

}  // namespace certform::engine
