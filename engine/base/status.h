// Status: the one error currency of operations (leveldb style).
//
// A Status is either OK or carries a code and a human message. Foreign error systems (OpenSSL,
// curl, the Alibaba API) are translated into a Status in exactly one place each; the engine decides
// on retries through IsRetryable(), never by parsing messages or codes.
#pragma once

#include <string>
#include <utility>

namespace certform::engine {

class Status {
 public:
  enum class Code {
    kOk,
    kInvalidArgument,   // bad input from the user: config, certificate, flag
    kNotFound,          // a file, domain or entry does not exist
    kIoError,           // the operating system refused a read or write
    kCorruption,        // a file exists but cannot be understood
    kLocked,            // someone else holds the state lock
    kStale,             // what this run read moved under it: a saved plan, the state's serial,
                        // a certificate file
    kCancelled,         // the run was stopped (a signal, --fail-fast) before this was done
    kAlreadyExists,     // the name is taken (a CAS upload name)
    kLockLost,          // this run no longer holds the state lock: it must stop sending
    kPermissionDenied,  // credentials, authorisation or the request's clock refused: this
                        // concerns every call of the account, not one domain
    kThrottled,         // the server's flow control refused the call; worth retrying later
    kUnavailable,       // transient: 5xx, network; worth retrying
    kFailed,            // the remote side refused for a reason that retrying will not fix
  };

  Status() = default;  // OK

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return {Code::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status IoError(std::string msg) { return {Code::kIoError, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Status Locked(std::string msg) { return {Code::kLocked, std::move(msg)}; }
  static Status Stale(std::string msg) { return {Code::kStale, std::move(msg)}; }
  static Status Cancelled(std::string msg) { return {Code::kCancelled, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {Code::kAlreadyExists, std::move(msg)}; }
  static Status LockLost(std::string msg) { return {Code::kLockLost, std::move(msg)}; }
  static Status PermissionDenied(std::string msg) {
    return {Code::kPermissionDenied, std::move(msg)};
  }
  static Status Throttled(std::string msg) { return {Code::kThrottled, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status Failed(std::string msg) { return {Code::kFailed, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsRetryable() const { return code_ == Code::kUnavailable || code_ == Code::kThrottled; }
  bool IsThrottled() const { return code_ == Code::kThrottled; }
  // True when every further call of the same account would fail the same way (bad or unknown
  // AccessKey, expired token, RAM denial, clock skew): stop that account's queue.
  bool IsAccountWide() const { return code_ == Code::kPermissionDenied; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }

  // "OK", or the code's name followed by the message, e.g. "corruption: state file ...".
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(const std::string& context) const;

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace certform::engine
