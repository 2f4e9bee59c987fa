// ReadBoundedFile on what a hostile path can name: a device that never ends, a FIFO nobody
// writes, a file past the cap. Each is a clear error naming the file, at once.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "engine/base/file_system.h"
#include "tests/support/temp_dir.h"

using namespace certform;
using certform::testing::TempDir;

TEST_CASE("bounded read: a regular file within the cap is read whole", "[files]") {
  TempDir dir;
  dir.Write("ok.ini", "[default]\naccess_key_id = x\n", 0600);
  engine::PosixFileSystem fs;
  std::string text;
  REQUIRE(engine::ReadBoundedFile(fs, dir.Path("ok.ini"), 1024, &text).ok());
  CHECK(text == "[default]\naccess_key_id = x\n");
  // Exactly at the cap is allowed.
  REQUIRE(engine::ReadBoundedFile(fs, dir.Path("ok.ini"), text.size(), &text).ok());
}

TEST_CASE("bounded read: /dev/zero is refused as not a regular file, not read", "[files]") {
  engine::PosixFileSystem fs;
  std::string text;
  engine::Status s = engine::ReadBoundedFile(fs, "/dev/zero", 1 << 20, &text);
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == engine::Status::Code::kInvalidArgument);
  CHECK(s.message() ==
        "/dev/zero is not a regular file (it is a character device); certform reads only "
        "regular files");
  CHECK(text.empty());
}

TEST_CASE("bounded read: a FIFO without a writer is refused at once, without hanging", "[files]") {
  TempDir dir;
  const std::string fifo = dir.Path("token");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  engine::PosixFileSystem fs;
  std::string text;
  // Opened O_NONBLOCK: a plain open would wait for a writer forever and this test would hang.
  engine::Status s = engine::ReadBoundedFile(fs, fifo, 1 << 20, &text);
  REQUIRE_FALSE(s.ok());
  CHECK(s.message() == fifo +
                           " is not a regular file (it is a FIFO); certform reads only "
                           "regular files");
}

TEST_CASE("bounded read: a file past the cap is refused with its size", "[files]") {
  TempDir dir;
  dir.Write("big", std::string(2048, 'x'), 0600);
  engine::PosixFileSystem fs;
  std::string text;
  engine::Status s = engine::ReadBoundedFile(fs, dir.Path("big"), 1024, &text);
  REQUIRE_FALSE(s.ok());
  CHECK(s.message() == dir.Path("big") + " is too large (2048 bytes; at most 1024 are read)");
  CHECK(text.empty());
}

TEST_CASE("bounded read: a directory and a missing file are told apart", "[files]") {
  TempDir dir;
  engine::PosixFileSystem fs;
  std::string text;
  engine::Status s = engine::ReadBoundedFile(fs, dir.path(), 1024, &text);
  CHECK(s.message().find("is not a regular file (it is a directory)") != std::string::npos);
  CHECK(engine::ReadBoundedFile(fs, dir.Path("absent"), 1024, &text).IsNotFound());
}
