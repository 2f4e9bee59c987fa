#include "state/local/file_lock.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/support/fake_clock.h"
#include "tests/support/temp_dir.h"

using namespace certform::engine;
using namespace certform::testing;

namespace {

// A child process that takes the lock, says so on a pipe, and holds it until told to go.
class LockHolderProcess {
 public:
  explicit LockHolderProcess(const std::string& lock_path) {
    REQUIRE(pipe(ready_) == 0);
    REQUIRE(pipe(release_) == 0);
    pid_ = fork();
    if (pid_ == 0) {
      SystemClock clock;
      std::unique_ptr<StateLock> lock;
      LockHolder me{static_cast<int>(getpid()), "testhost", "certform apply", "now"};
      if (!StateLock::Acquire(lock_path, me, {}, clock, &lock).ok()) _exit(1);
      char c = 'L';
      if (write(ready_[1], &c, 1) != 1) _exit(2);
      if (read(release_[0], &c, 1) != 1) _exit(3);
      lock.reset();
      _exit(0);
    }
    char c;
    REQUIRE(read(ready_[0], &c, 1) == 1);
  }

  void Release() {
    char c = 'R';
    REQUIRE(write(release_[1], &c, 1) == 1);
    int status = 0;
    waitpid(pid_, &status, 0);
    exited_ = true;
  }

  ~LockHolderProcess() {
    if (!exited_) Release();
  }

  pid_t pid() const { return pid_; }

 private:
  int ready_[2], release_[2];
  pid_t pid_;
  bool exited_ = false;
};

}  // namespace

TEST_CASE("lock: a second writer fails at once and is told who holds the lock", "[lock]") {
  TempDir dir;
  const std::string lock_path = dir.Path("certform.state.json.lock");
  LockHolderProcess holder(lock_path);
  FakeClock clock;
  std::unique_ptr<StateLock> lock;
  Status s = StateLock::Acquire(lock_path, {1, "me", "certform state rm", "now"}, {}, clock, &lock);
  CHECK(s.code() == Status::Code::kLocked);
  CHECK(s.message().find("pid " + std::to_string(holder.pid())) != std::string::npos);
  CHECK(s.message().find("\"certform apply\"") != std::string::npos);
  CHECK(s.message().find("--lock-timeout") != std::string::npos);
  CHECK(lock == nullptr);
  CHECK(clock.sleeps() == 0);
}

TEST_CASE("lock: with --lock-timeout a writer waits until the holder lets go", "[lock]") {
  TempDir dir;
  const std::string lock_path = dir.Path("certform.state.json.lock");
  LockHolderProcess holder(lock_path);
  FakeClock clock;
  clock.OnSleep([&] {
    if (clock.sleeps() == 3) holder.Release();
  });
  std::unique_ptr<StateLock> lock;
  Status s = StateLock::Acquire(lock_path, {1, "me", "certform state rm", "now"},
                                std::chrono::seconds(30), clock, &lock);
  REQUIRE(s.ok());
  CHECK(lock != nullptr);
  CHECK(clock.sleeps() == 3);
}

TEST_CASE("lock: the wait gives up after the timeout", "[lock]") {
  TempDir dir;
  const std::string lock_path = dir.Path("certform.state.json.lock");
  LockHolderProcess holder(lock_path);
  FakeClock clock;
  std::unique_ptr<StateLock> lock;
  Status s =
      StateLock::Acquire(lock_path, {1, "me", "x", "now"}, std::chrono::seconds(2), clock, &lock);
  CHECK(s.code() == Status::Code::kLocked);
  CHECK(clock.sleeps() == 20);
}

TEST_CASE("lock: released locks can be taken again", "[lock]") {
  TempDir dir;
  const std::string lock_path = dir.Path("l.lock");
  FakeClock clock;
  {
    std::unique_ptr<StateLock> lock;
    REQUIRE(StateLock::Acquire(lock_path, {1, "h", "a", "t"}, {}, clock, &lock).ok());
  }
  std::unique_ptr<StateLock> again;
  CHECK(StateLock::Acquire(lock_path, {1, "h", "b", "t"}, {}, clock, &again).ok());
}
