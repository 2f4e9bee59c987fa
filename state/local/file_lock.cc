#include "state/local/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certform::engine {

namespace {

std::string ReadHolder(int fd) {
  char buf[1024];
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return "another certform process";
  nlohmann::json j = nlohmann::json::parse(std::string(buf, static_cast<size_t>(n)), nullptr,
                                           /*allow_exceptions=*/false);
  if (!j.is_object()) return "another certform process";
  LockHolder h;
  h.pid = j.value("pid", 0);
  h.host = j.value("host", "");
  h.command = j.value("command", "");
  h.started = j.value("started", "");
  return h.ToString();
}

void WriteHolder(int fd, const LockHolder& holder) {
  nlohmann::json j = {{"pid", holder.pid},
                      {"host", holder.host},
                      {"command", holder.command},
                      {"started", holder.started}};
  std::string text = j.dump() + "\n";
  if (::ftruncate(fd, 0) == 0) {
    // Holder info is advisory: a failed write leaves a lock that still works.
    [[maybe_unused]] ssize_t n = ::pwrite(fd, text.data(), text.size(), 0);
  }
}

}  // namespace


StateLock::~StateLock() {
  if (::ftruncate(fd_, 0) != 0) {
    // Stale holder info is harmless: it is read only while the lock is held.
  }
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

Status StateLock::Acquire(const std::string& lock_path, const LockHolder& holder,
                          Clock::Duration timeout, Clock& clock, std::unique_ptr<StateLock>* out,
                          const std::function<void(const std::string&)>& waiting) {
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::IoError(
        fmt::format("cannot open lock file {}: {}", lock_path, std::strerror(errno)));
  }
  const Clock::Instant deadline = clock.Monotonic() + timeout;
  std::string told;  // the holder `waiting` was last told of
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) break;
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int err = errno;
      ::close(fd);
      return Status::IoError(fmt::format("cannot lock {}: {}", lock_path, std::strerror(err)));
    }
    const std::string who = ReadHolder(fd);
    if (clock.Monotonic() >= deadline) {
      ::close(fd);
      return Status::Locked(
          fmt::format("the state is locked by {} (lock file {}); wait for it to finish, or pass "
                      "--lock-timeout=DURATION to wait",
                      who, lock_path));
    }
    if (waiting && who != told) waiting(who);
    told = who;
    clock.SleepFor(std::chrono::milliseconds(100));
  }
  WriteHolder(fd, holder);
  out->reset(new StateLock(fd));
  return Status::OK();
}

Status StateLock::Holder(const std::string& lock_path, std::string* holder) {
  holder->clear();
  int fd = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::OK();
    return Status::IoError(
        fmt::format("cannot open lock file {}: {}", lock_path, std::strerror(errno)));
  }
  if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {
    ::flock(fd, LOCK_UN);  // nobody holds it
  } else {
    *holder = ReadHolder(fd);
  }
  ::close(fd);
  return Status::OK();
}

}  // namespace certform::engine
