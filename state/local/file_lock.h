// StateLock: the exclusive lock that every command that writes state holds (flock on a .lock
// file beside the state, like Terraform's local backend). The lock file holds who has it, so
// that a second writer can say whom it is waiting for.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "engine/base/clock.h"
#include "engine/base/status.h"
#include "engine/state/lock_holder.h"

namespace certform::engine {

class StateLock {
 public:
  ~StateLock();  // releases the lock
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;

  // Takes the lock on `lock_path` for `holder`. When someone else holds it, retries every
  // 100 ms for up to `timeout` (0: fail at once), telling `waiting` (when set) whom it waits for,
  // and then fails with Locked naming the holder.
  static Status Acquire(const std::string& lock_path, const LockHolder& holder,
                        Clock::Duration timeout, Clock& clock, std::unique_ptr<StateLock>* out,
                        const std::function<void(const std::string&)>& waiting = {});

  // Who holds the lock on `lock_path` now; "" when nobody does.
  static Status Holder(const std::string& lock_path, std::string* holder);

 private:
  explicit StateLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace certform::engine
