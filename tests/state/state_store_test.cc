#include "state/local/state_store.h"

#include <catch2/catch.hpp>

#include "engine/apply/state_recorder.h"
#include "engine/state/state_file.h"
#include "state/local/file_journal.h"
#include "state/local/local_state_backend.h"
#include "tests/support/temp_dir.h"

using namespace certform::engine;
using namespace certform::testing;

namespace {

class CountingRandom final : public RandomSource {
 public:
  uint64_t Next64() override { return ++n_ * 0x9e3779b97f4a7c15ULL; }

 private:
  uint64_t n_ = 0;
};

// The real filesystem, except that writes to one path fail (a full disk, say).
class FailingWrites final : public FileSystem {
 public:
  explicit FailingWrites(std::string fail_path) : fail_path_(std::move(fail_path)) {}
  Status ReadFile(const std::string& p, std::string* c) override { return real_.ReadFile(p, c); }
  Status WriteFileAtomic(const std::string& p, const std::string& c, int mode) override {
    if (p == fail_path_) return Status::IoError("injected: no space left on device");
    return real_.WriteFileAtomic(p, c, mode);
  }
  Status AppendDurable(const std::string& p, const std::string& d, int mode) override {
    return real_.AppendDurable(p, d, mode);
  }
  bool Exists(const std::string& p) override { return real_.Exists(p); }
  Status Stat(const std::string& p, FileInfo* i) override { return real_.Stat(p, i); }
  Status Remove(const std::string& p) override { return real_.Remove(p); }
  Status ListFiles(const std::string& d, const std::string& s,
                   std::vector<std::string>* n) override {
    return real_.ListFiles(d, s, n);
  }

 private:
  PosixFileSystem real_;
  std::string fail_path_;
};

StateEntry Entry(const std::string& domain) {
  return StateEntry{.address = SplitAddress(domain),
                    .account = "main",
                    .https = true,
                    .certificate = "web",
                    .cert_type = "upload",
                    .cert_name = "certform-abc",
                    .fingerprint = "ab12" + std::string(60, '0'),
                    .not_after = 1900000000,
                    .applied_at = "2026-11-27T00:00:00Z",
                    .request_id = "0AEDAF20"};
}

}  // namespace

TEST_CASE("state: a missing state file loads as an empty state without lineage", "[state]") {
  TempDir dir;
  PosixFileSystem fs;
  StateStore store(fs, dir.Path("certform.state.json"));
  State s;
  s.serial = 99;
  REQUIRE(store.Load(&s).ok());
  CHECK(s.empty());
  CHECK(s.lineage.empty());
  CHECK(s.serial == 0);
}

TEST_CASE("state: the first write creates a lineage, serial 1, mode 0600", "[state]") {
  TempDir dir;
  PosixFileSystem fs;
  CountingRandom random;
  StateStore store(fs, dir.Path("certform.state.json"));
  State prior;
  State next;
  next.entries["www.example.com"] = Entry("www.example.com");
  REQUIRE(store.Write(prior, &next, random).ok());
  CHECK(next.serial == 1);
  CHECK(next.lineage.size() == 36);
  CHECK(FileMode(store.path()) == 0600);
  CHECK_FALSE(dir.Exists("certform.state.json.backup"));
  State loaded;
  REQUIRE(store.Load(&loaded).ok());
  CHECK(loaded.lineage == next.lineage);
  CHECK(loaded.entries == next.entries);
}

TEST_CASE("state: each content change bumps the serial, keeps the lineage, backs up the old file",
          "[state]") {
  TempDir dir;
  PosixFileSystem fs;
  CountingRandom random;
  StateStore store(fs, dir.Path("certform.state.json"));
  State v1;
  v1.entries["a.example.com"] = Entry("a.example.com");
  REQUIRE(store.Write(State{}, &v1, random).ok());
  const std::string v1_text = dir.Read("certform.state.json");
  State v2 = v1;
  v2.entries["b.example.com"] = Entry("b.example.com");
  REQUIRE(store.Write(v1, &v2, random).ok());
  CHECK(v2.serial == 2);
  CHECK(v2.lineage == v1.lineage);
  CHECK(dir.Read("certform.state.json.backup") == v1_text);
  CHECK(FileMode(store.backup_path()) == 0600);
}

TEST_CASE("state: a write that changes nothing writes nothing", "[state]") {
  TempDir dir;
  PosixFileSystem fs;
  CountingRandom random;
  StateStore store(fs, dir.Path("certform.state.json"));
  State v1;
  v1.entries["a.example.com"] = Entry("a.example.com");
  REQUIRE(store.Write(State{}, &v1, random).ok());
  State same = v1;
  REQUIRE(store.Write(v1, &same, random).ok());
  CHECK(same.serial == 1);
  CHECK_FALSE(dir.Exists("certform.state.json.backup"));
}

TEST_CASE("state: a copied state keeps a serial ahead of the prior's, even with equal content",
          "[state]") {
  TempDir dir;
  PosixFileSystem fs;
  CountingRandom random;
  StateStore store(fs, dir.Path("certform.state.json"));
  State v1;
  v1.entries["a.example.com"] = Entry("a.example.com");
  REQUIRE(store.Write(State{}, &v1, random).ok());
  State copied = v1;  // what state pull brings: the same content at the workspace's serial
  copied.serial = 7;
  REQUIRE(store.Write(v1, &copied, random).ok());
  CHECK(copied.serial == 7);
  State loaded;
  REQUIRE(store.Load(&loaded).ok());
  CHECK(loaded.serial == 7);
  State behind = loaded;  // a serial behind the prior's never moves it back
  behind.serial = 3;
  behind.entries.clear();
  REQUIRE(store.Write(loaded, &behind, random).ok());
  CHECK(behind.serial == 8);
}
TEST_CASE("state: a failed write leaves the previous state file intact", "[state]") {
  TempDir dir;
  PosixFileSystem fs;
  CountingRandom random;
  const std::string path = dir.Path("certform.state.json");
  State v1;
  v1.entries["a.example.com"] = Entry("a.example.com");
  REQUIRE(StateStore(fs, path).Write(State{}, &v1, random).ok());
  const std::string before = dir.Read("certform.state.json");
  FailingWrites failing(path);
  StateStore store(failing, path);
  State v2 = v1;
  v2.entries.clear();
  Status s = store.Write(v1, &v2, random);
  CHECK(s.code() == Status::Code::kIoError);
  CHECK(s.message().find("cannot write the state file") != std::string::npos);
  CHECK(dir.Read("certform.state.json") == before);
}

TEST_CASE("state: a corrupt state file is an error naming the file and position", "[state]") {
  TempDir dir;
  PosixFileSystem fs;
  dir.Write("certform.state.json", "{\n  \"format_version\": 1,\n  \"lineage\": \n");
  StateStore store(fs, dir.Path("certform.state.json"));
  State s;
  Status st = store.Load(&s);
  CHECK(st.code() == Status::Code::kCorruption);
  CHECK(st.message().find(dir.Path("certform.state.json")) != std::string::npos);
  CHECK(st.message().find("line 4") != std::string::npos);
}

TEST_CASE("state: a missing or mistyped field is named", "[state]") {
  State s;
  std::string text = SerializeState(
      State{.lineage = "L", .serial = 2, .entries = {{"a.example.com", Entry("a.example.com")}}});
  std::string broken = text;
  broken.replace(broken.find("\"https\": true"), 13, "\"https\": \"yes\"");
  Status st = ParseState(broken, "s.json", &s);
  CHECK(st.message() ==
        "state file s.json, domain \"a.example.com\": field \"https\" must be a boolean, not "
        "string");
  CHECK(ParseState("{\"format_version\": 1}", "s.json", &s).message() ==
        "state file s.json: field \"lineage\" is missing");
}

TEST_CASE("state: a newer format version is refused, never overwritten", "[state]") {
  State s;
  Status st = ParseState(
      "{\"format_version\": 4, \"lineage\": \"x\", \"serial\": 1, \"tool_version\": \"9\", "
      "\"domains\": {}}",
      "s.json", &s);
  CHECK(st.code() == Status::Code::kInvalidArgument);
  CHECK(st.message().find("format_version 4") != std::string::npos);
  CHECK(st.message().find("reads versions 1 to 3") != std::string::npos);
}

TEST_CASE("state: bindings on other products make a version 3 file, without them it stays 2",
          "[state]") {
  State s;
  s.lineage = "11111111-2222-4333-8444-555555555555";
  StateEntry cdn;
  cdn.address = SplitAddress("www.example.com");
  cdn.account = "main";
  cdn.https = false;
  s.entries[cdn.address.Key()] = cdn;
  CHECK(SerializeState(s).find("\"format_version\": 2") != std::string::npos);
  StateEntry dcdn = cdn;
  dcdn.address = SplitAddress("dcdn:www.example.com");  // the same name, on DCDN
  s.entries[dcdn.address.Key()] = dcdn;
  const std::string text = SerializeState(s);
  CHECK(text.find("\"format_version\": 3") != std::string::npos);
  State back;
  REQUIRE(ParseState(text, "s.json", &back).ok());
  CHECK(back.entries.size() == 2);
  CHECK(back.entries.at("dcdn:www.example.com").address.Key() == "dcdn:www.example.com");
  // An older version cannot hold them: a file that claims to is corrupt, not a CDN domain.
  std::string old = text;
  old.replace(old.find("\"format_version\": 3"), 19, "\"format_version\": 2");
  Status st = ParseState(old, "s.json", &back);
  CHECK(st.code() == Status::Code::kCorruption);
  CHECK(st.message().find("\"dcdn:www.example.com\" in a format_version 2 file") !=
        std::string::npos);
}

TEST_CASE("state: a version 1 file (before uploads) is read and written back as version 2",
          "[state]") {
  TempDir dir;
  PosixFileSystem fs;
  CountingRandom random;
  dir.Write("certform.state.json",
            "{\"format_version\": 1, \"lineage\": \"11111111-2222-4333-8444-555555555555\", "
            "\"serial\": 3, \"tool_version\": \"0.1.0\", \"domains\": {}}");
  StateStore store(fs, dir.Path("certform.state.json"));
  State prior;
  REQUIRE(store.Load(&prior).ok());
  CHECK(prior.format_version == 1);
  State next = prior;
  next.entries["www.example.com"] = Entry("www.example.com");
  REQUIRE(store.Write(prior, &next, random).ok());
  CHECK(dir.Read("certform.state.json").find("\"format_version\": 2") != std::string::npos);
  CHECK(next.serial == 4);
  // Uploads came with version 2: a version 1 file that holds them was not written by certform.
  State odd;
  Status st = ParseState(
      "{\"format_version\": 1, \"lineage\": \"x\", \"serial\": 1, \"tool_version\": \"9\", "
      "\"domains\": {}, \"uploads\": []}",
      "s.json", &odd);
  CHECK(st.code() == Status::Code::kCorruption);
}

TEST_CASE("state: serialisation holds no key material, only fingerprints", "[state]") {
  State s;
  s.entries["a.example.com"] = Entry("a.example.com");
  std::string text = SerializeState(s);
  CHECK(text.find("PRIVATE") == std::string::npos);
  CHECK(text.find("\"fingerprint\": \"ab12") != std::string::npos);
  State back;
  REQUIRE(ParseState(text, "s", &back).ok());
  CHECK(back.entries == s.entries);
}

TEST_CASE("state: a number too large for JSON is corruption, not a crash (fuzz regression)",
          "[state]") {
  // Found by tests/fuzz/state_fuzzer: nlohmann throws out_of_range, not parse_error, for it.
  State s;
  Status st = ParseState("777777777e7777", "s.json", &s);
  CHECK(st.code() == Status::Code::kCorruption);
  CHECK(st.message().find("is not valid JSON") != std::string::npos);
}

TEST_CASE("state: a checkpoint that fails after the journal write is not a lost record",
          "[state][journal]") {
  TempDir dir;
  CountingRandom random;
  const std::string path = dir.Path("certform.state.json");
  FailingWrites failing(path);  // every state write fails; the journal's appends work
  LocalStateBackend backend(failing, path);
  StateRecorder recorder(backend, random, State{}, /*checkpoint_every=*/2);
  State reached;
  for (const char* d : {"a.example.com", "b.example.com", "c.example.com"}) {
    JournalRecord record{.address = SplitAddress(d), .forget = false, .entry = Entry(d)};
    ApplyRecord(record, &reached);
    CHECK(recorder.Record(record, reached).ok());  // durable in the journal: not lost
  }
  CHECK(recorder.checkpoint_error().code() == Status::Code::kIoError);
  State replayed;
  int n = 0;
  REQUIRE(backend.ReplayJournal(&replayed, &n).ok());
  CHECK(n == 3);
  CHECK(replayed.entries.size() == 3);
}

TEST_CASE("state: a write whose prior moved under it is refused and writes nothing",
          "[state][backend]") {
  TempDir dir;
  PosixFileSystem fs;
  CountingRandom random;
  LocalStateBackend runner_a(fs, dir.Path("certform.state.json"));
  LocalStateBackend runner_b(fs, dir.Path("certform.state.json"));
  State v1;
  v1.entries["a.example.com"] = Entry("a.example.com");
  REQUIRE(runner_a.Write(State{}, &v1, random).ok());
  State seen_by_b;
  REQUIRE(runner_b.Load(&seen_by_b).ok());
  State v2 = v1;
  v2.entries["b.example.com"] = Entry("b.example.com");
  REQUIRE(runner_a.Write(v1, &v2, random).ok());  // serial 2
  const std::string before = dir.Read("certform.state.json");
  State stale = seen_by_b;
  stale.entries.clear();
  Status s = runner_b.Write(seen_by_b, &stale, random);  // b still believes serial 1
  CHECK(s.code() == Status::Code::kStale);
  CHECK(s.message().find("changed under this run (serial 1 expected, 2 found)") !=
        std::string::npos);
  CHECK(dir.Read("certform.state.json") == before);
}
