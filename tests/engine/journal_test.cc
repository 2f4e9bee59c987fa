#include "state/local/file_journal.h"

#include <catch2/catch.hpp>

#include "tests/support/temp_dir.h"

using namespace certform::engine;
using certform::testing::FileMode;
using certform::testing::TempDir;

namespace {

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

}  // namespace

TEST_CASE("journal: records replay onto the state in order", "[journal]") {
  TempDir dir;
  PosixFileSystem fs;
  Journal j(fs, dir.Path("s.journal"));
  REQUIRE(j.Append(Bound("a.example.com", "R1")).ok());
  REQUIRE(j.Append(Bound("b.example.com", "R2")).ok());
  REQUIRE(j.Append(JournalRecord{.address = SplitAddress("old.example.com"), .forget = true}).ok());
  REQUIRE(j.Append(Bound("a.example.com", "R3")).ok());
  CHECK(FileMode(j.path()) == 0600);
  State s;
  s.entries["old.example.com"] = StateEntry{.address = SplitAddress("old.example.com")};
  int applied = 0;
  REQUIRE(j.Replay(&s, &applied).ok());
  CHECK(applied == 4);
  CHECK(s.entries.size() == 2);
  CHECK(s.entries["a.example.com"].request_id == "R3");
  CHECK(s.entries.count("old.example.com") == 0);
  // Records are absolute: replaying twice changes nothing more.
  State again = s;
  REQUIRE(j.Replay(&again, &applied).ok());
  CHECK(again.entries == s.entries);
}

TEST_CASE("journal: a torn last line from a crash is ignored", "[journal]") {
  TempDir dir;
  PosixFileSystem fs;
  Journal j(fs, dir.Path("s.journal"));
  REQUIRE(j.Append(Bound("a.example.com", "R1")).ok());
  REQUIRE(fs.AppendDurable(j.path(), "{\"domain\":\"b.exa", 0600).ok());
  State s;
  int applied = 0;
  REQUIRE(j.Replay(&s, &applied).ok());
  CHECK(applied == 1);
  CHECK(s.entries.count("a.example.com") == 1);
}

TEST_CASE("journal: a broken line in the middle is corruption with its line number", "[journal]") {
  TempDir dir;
  PosixFileSystem fs;
  Journal j(fs, dir.Path("s.journal"));
  REQUIRE(fs.AppendDurable(j.path(), "garbage\n", 0600).ok());
  REQUIRE(j.Append(Bound("a.example.com", "R1")).ok());
  State s;
  int applied = 0;
  Status st = j.Replay(&s, &applied);
  CHECK(st.code() == Status::Code::kCorruption);
  CHECK(st.message().find("line 1") != std::string::npos);
}

TEST_CASE("journal: no journal means nothing to replay", "[journal]") {
  TempDir dir;
  PosixFileSystem fs;
  Journal j(fs, dir.Path("none.journal"));
  State s;
  int applied = 7;
  CHECK(j.Replay(&s, &applied).ok());
  CHECK(applied == 0);
  CHECK_FALSE(j.Exists());
}

TEST_CASE("journal: a pending job round-trips, and a forged one is refused at the door",
          "[journal][async]") {
  JournalRecord r = Bound("www.example.com", "REQ-1");
  r.entry.pending_job = "2d4f6a8c-job";
  r.entry.pending_step = 1;
  r.entry.pending_cert_id = 42;
  JournalRecord back;
  REQUIRE(ParseJournalRecord(JournalRecordToJson(r), "journal line 1", &back).ok());
  CHECK(back.entry.pending_job == "2d4f6a8c-job");
  CHECK(back.entry.pending_step == 1);
  CHECK(back.entry.pending_cert_id == 42);

  // A job id with a space or a control character, an impossible step, an empty job: refused.
  for (const auto& [job, step] : std::vector<std::pair<std::string, int>>{
           {"job 1", 0}, {"job\x1b[2J", 0}, {"job-1", 9}, {"job-1", -1}, {"", 0}}) {
    JournalRecord forged = r;
    forged.entry.pending_job = job;
    forged.entry.pending_step = step;
    std::string line = JournalRecordToJson(forged);
    if (job.empty()) {
      const std::string id = "\"request_id\":\"REQ-1\"";
      const size_t at = line.find(id);
      REQUIRE(at != std::string::npos);
      line.insert(at + id.size(), ",\"pending_job\":\"\",\"pending_step\":0");
    }
    JournalRecord parsed;
    const Status s = ParseJournalRecord(line, "journal line 2", &parsed);
    INFO(job << " step " << step);
    CHECK_FALSE(s.ok());
    CHECK_THAT(s.message(), Catch::Contains("journal line 2") && Catch::Contains("pending_"));
  }
}

TEST_CASE(
    "journal: a certificate's CAS region round-trips, and one not shaped as a region id is "
    "refused at the door",
    "[journal][async]") {
  JournalRecord r = Bound("www.example.com", "REQ-1");
  r.entry.cert_region = "ap-southeast-1";
  JournalRecord back;
  REQUIRE(ParseJournalRecord(JournalRecordToJson(r), "journal line 1", &back).ok());
  CHECK(back.entry.cert_region == "ap-southeast-1");
  // Written only when known: an entry without one reads back without one.
  r.entry.cert_region.clear();
  CHECK(JournalRecordToJson(r).find("cert_region") == std::string::npos);
  for (const std::string& region : std::vector<std::string>{
           "x", "-", "CN-HANGZHOU", "cn-hangzhou/../x", "cn--1", std::string(40, 'a') + "-b"}) {
    JournalRecord forged = r;
    forged.entry.cert_region = region;
    JournalRecord parsed;
    const Status s = ParseJournalRecord(JournalRecordToJson(forged), "journal line 2", &parsed);
    INFO(region);
    CHECK_FALSE(s.ok());
    CHECK_THAT(s.message(), Catch::Contains("journal line 2") && Catch::Contains("cert_region"));
  }
}
