#include "engine/base/status.h"

namespace certform::engine {

namespace {

const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return "ok";
    case Status::Code::kInvalidArgument:
      return "invalid argument";
    case Status::Code::kNotFound:
      return "not found";
    case Status::Code::kIoError:
      return "I/O error";
    case Status::Code::kCorruption:
      return "corruption";
    case Status::Code::kLocked:
      return "locked";
    case Status::Code::kStale:
      return "stale";
    case Status::Code::kCancelled:
      return "cancelled";
    case Status::Code::kAlreadyExists:
      return "already exists";
    case Status::Code::kLockLost:
      return "lock lost";
    case Status::Code::kPermissionDenied:
      return "permission denied";
    case Status::Code::kThrottled:
      return "throttled";
    case Status::Code::kUnavailable:
      return "unavailable";
    case Status::Code::kFailed:
      return "failed";
  }
  return "unknown";
}

}  // namespace

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_);
}

}  // namespace certform::engine
