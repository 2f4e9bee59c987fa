// The local backend's journal (state/local/file_journal): appended records read back in order, a
// torn last line ignored, and the file read as outside input: a regular file of at most 256 MiB.
#include "state/local/file_journal.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/support/temp_dir.h"

using namespace certform::engine;
using certform::testing::FileMode;
using certform::testing::TempDir;

namespace {

constexpr int64_t kCap = int64_t{256} << 20;  // the journal's cap, as the state file's

JournalRecord Bound(const std::string& domain, const std::string& request_id) {
  JournalRecord r;
  r.address = SplitAddress(domain);
  r.entry = StateEntry{.address = SplitAddress(domain),
                       .account = "main",
                       .https = true,
                       .certificate = "web",
                       .cert_type = "upload",
                       .fingerprint = std::string(64, 'a'),
                       .request_id = request_id};
  return r;
}

// The real file system, noting how the journal reads: the cap it asks for, and whether it ever
// reads without one.
class WatchedFileSystem final : public FileSystem {
 public:
  Status ReadFile(const std::string& path, std::string* contents) override {
    ++unbounded_reads;
    return real_.ReadFile(path, contents);
  }
  Status ReadRegularFile(const std::string& path, int64_t max_bytes,
                         std::string* contents) override {
    caps.push_back(max_bytes);
    return real_.ReadRegularFile(path, max_bytes, contents);
  }
  Status WriteFileAtomic(const std::string& path, const std::string& contents, int mode) override {
    return real_.WriteFileAtomic(path, contents, mode);
  }
  Status AppendDurable(const std::string& path, const std::string& data, int mode) override {
    ++appends;
    return real_.AppendDurable(path, data, mode);
  }
  bool Exists(const std::string& path) override { return real_.Exists(path); }
  Status Stat(const std::string& path, FileInfo* info) override { return real_.Stat(path, info); }
  Status Remove(const std::string& path) override { return real_.Remove(path); }
  Status ListFiles(const std::string& dir, const std::string& suffix,
                   std::vector<std::string>* names) override {
    return real_.ListFiles(dir, suffix, names);
  }

  std::vector<int64_t> caps;
  int unbounded_reads = 0;
  int appends = 0;

 private:
  PosixFileSystem real_;
};

}  // namespace

TEST_CASE("file journal: each append is one line, read back in order", "[file_journal]") {
  TempDir dir;
  WatchedFileSystem fs;
  Journal j(fs, dir.Path("s.journal"));
  CHECK_FALSE(j.Exists());
  REQUIRE(j.Append(Bound("a.example.com", "R1")).ok());
  REQUIRE(j.Append(Bound("b.example.com", "R2")).ok());
  REQUIRE(j.Append(JournalRecord{.address = SplitAddress("a.example.com"), .forget = true}).ok());
  CHECK(fs.appends == 3);  // one durable append per record
  CHECK(j.Exists());
  CHECK(FileMode(j.path()) == 0600);
  const std::string text = dir.Read("s.journal");
  CHECK(std::count(text.begin(), text.end(), '\n') == 3);
  CHECK(text.back() == '\n');
  CHECK(text.find("R1") < text.find("R2"));
  State s;
  int applied = 0;
  REQUIRE(j.Replay(&s, &applied).ok());
  CHECK(applied == 3);
  CHECK(s.entries.count("a.example.com") == 0);  // bound, then forgotten
  REQUIRE(s.entries.count("b.example.com") == 1);
  CHECK(s.entries["b.example.com"].request_id == "R2");
  CHECK(s.entries["b.example.com"].fingerprint == std::string(64, 'a'));
  REQUIRE(j.Clear().ok());
  CHECK_FALSE(j.Exists());
}

TEST_CASE("file journal: a torn last line is ignored, a torn line before others is corruption",
          "[file_journal]") {
  TempDir dir;
  PosixFileSystem fs;
  Journal j(fs, dir.Path("s.journal"));
  REQUIRE(j.Append(Bound("a.example.com", "R1")).ok());
  REQUIRE(fs.AppendDurable(j.path(), "{\"domain\":\"b.exa", 0600).ok());  // a crash mid-write
  State s;
  int applied = 0;
  REQUIRE(j.Replay(&s, &applied).ok());
  CHECK(applied == 1);
  CHECK(s.entries.count("a.example.com") == 1);
  CHECK(s.entries.count("b.example.com") == 0);
  // The same torn text with a complete line after it was not the last write: corruption.
  REQUIRE(fs.AppendDurable(j.path(), "\n", 0600).ok());
  REQUIRE(j.Append(Bound("c.example.com", "R3")).ok());
  State t;
  const Status st = j.Replay(&t, &applied);
  CHECK(st.code() == Status::Code::kCorruption);
  CHECK(st.message().find("line 2") != std::string::npos);
}

TEST_CASE("file journal: one byte over the cap is refused unread, the cap itself is read",
          "[file_journal]") {
  TempDir dir;
  PosixFileSystem fs;
  Journal j(fs, dir.Path("s.journal"));
  REQUIRE(j.Append(Bound("a.example.com", "R1")).ok());
  // Sparse: no disk is used, and a journal read in full would take 256 MiB of memory.
  REQUIRE(::truncate(j.path().c_str(), kCap + 1) == 0);
  State s;
  int applied = 0;
  Status st = j.Replay(&s, &applied);
  CHECK(st.code() == Status::Code::kInvalidArgument);
  CHECK(st.message().find("is too large (268435457 bytes; at most 268435456") != std::string::npos);
  CHECK(applied == 0);
  CHECK(s.entries.empty());
}

TEST_CASE("file journal: replay asks for a regular file of at most 256 MiB, never more",
          "[file_journal]") {
  TempDir dir;
  WatchedFileSystem fs;
  Journal j(fs, dir.Path("s.journal"));
  REQUIRE(j.Append(Bound("a.example.com", "R1")).ok());
  State s;
  int applied = 0;
  REQUIRE(j.Replay(&s, &applied).ok());
  CHECK(applied == 1);
  CHECK(fs.caps == std::vector<int64_t>{kCap});
  CHECK(fs.unbounded_reads == 0);
}

TEST_CASE("file journal: a FIFO or a device in its place is an error, not a hang",
          "[file_journal]") {
  TempDir dir;
  PosixFileSystem fs;
  const std::string fifo = dir.Path("fifo.journal");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  Journal from_fifo(fs, fifo);
  State s;
  int applied = 7;
  Status st = from_fifo.Replay(&s, &applied);  // no writer: a blocking open would never return
  CHECK(st.code() == Status::Code::kInvalidArgument);
  CHECK(st.message().find("is not a regular file") != std::string::npos);
  CHECK(applied == 0);

  const std::string link = dir.Path("zero.journal");
  REQUIRE(::symlink("/dev/zero", link.c_str()) == 0);
  Journal from_zero(fs, link);
  st = from_zero.Replay(&s, &applied);  // endless: read whole it would never end
  CHECK(st.code() == Status::Code::kInvalidArgument);
  CHECK(st.message().find("is not a regular file") != std::string::npos);

  REQUIRE(::mkdir(dir.Path("dir.journal").c_str(), 0700) == 0);
  Journal from_dir(fs, dir.Path("dir.journal"));
  CHECK_FALSE(from_dir.Replay(&s, &applied).ok());
  CHECK(s.entries.empty());
}

TEST_CASE("file journal: no journal is nothing to replay", "[file_journal]") {
  TempDir dir;
  PosixFileSystem fs;
  Journal j(fs, dir.Path("none.journal"));
  State s;
  int applied = 7;
  CHECK(j.Replay(&s, &applied).ok());
  CHECK(applied == 0);
  CHECK(s.entries.empty());
}
