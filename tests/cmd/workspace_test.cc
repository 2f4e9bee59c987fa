// The workspace every command opens: each configuration file is read once per command, whatever
// the command does with the state (issue 18: plan and apply used to read each file twice).
#include "cmd/certform/workspace.h"

#include <map>
#include <sstream>

#include <catch2/catch.hpp>

#include "cmd/certform/command.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"
#include "tests/support/temp_dir.h"

using namespace certform;
using namespace certform::testing;

namespace {

// The real file system, counting the reads of each path.
class CountingFileSystem final : public engine::FileSystem {
 public:
  engine::Status ReadFile(const std::string& path, std::string* contents) override {
    ++reads[path];
    return real_.ReadFile(path, contents);
  }
  engine::Status WriteFileAtomic(const std::string& path, const std::string& contents,
                                 int mode) override {
    return real_.WriteFileAtomic(path, contents, mode);
  }
  engine::Status AppendDurable(const std::string& path, const std::string& data,
                               int mode) override {
    return real_.AppendDurable(path, data, mode);
  }
  bool Exists(const std::string& path) override { return real_.Exists(path); }
  engine::Status Stat(const std::string& path, engine::FileInfo* info) override {
    return real_.Stat(path, info);
  }
  engine::Status Remove(const std::string& path) override { return real_.Remove(path); }
  engine::Status ListFiles(const std::string& dir, const std::string& suffix,
                           std::vector<std::string>* names) override {
    return real_.ListFiles(dir, suffix, names);
  }

  std::map<std::string, int> reads;

 private:
  engine::PosixFileSystem real_;
};

struct Runner {
  TempDir dir;
  FakeClock clock;
  SeededRandom random{7};
  CountingFileSystem fs;
  std::istringstream in;
  std::ostringstream out, err;

  Runner() {
    // Two files, no PEM to read: a certificate already in CAS, bound by id.
    dir.Write("accounts.toml", "[account.main]\napi = \"SetCdnDomainSSLCertificate\"\n");
    dir.Write(
        "bindings.toml",
        "[certificate.web]\ntype = \"cas\"\nname = \"web-2026\"\ncert_id = 123\n\n[[binding]]\n"
        "certificate = \"web\"\ndomains = [\"www.example.com\"]\n");
  }

  int Run(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back(dir.path());
    fs.reads.clear();
    cli::Context ctx{clock, fs,  random, [](const std::string&) { return std::nullopt; },
                     in,    out, err};
    return cli::Run(args, ctx);
  }
};

}  // namespace

TEST_CASE("workspace: every command reads each configuration file once", "[workspace]") {
  Runner r;
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"plan"},
                                             {"validate"},
                                             {"refresh", "--auto-approve"},
                                             {"state", "list"},
                                             {"prune", "--dry-run"}}) {
    INFO(args[0] << ": " << r.err.str());
    CHECK(r.Run(args) == cli::kExitOk);
    CHECK(r.fs.reads[r.dir.Path("accounts.toml")] == 1);
    CHECK(r.fs.reads[r.dir.Path("bindings.toml")] == 1);
  }
}

TEST_CASE("workspace: opening stops at the first failure and says where", "[workspace]") {
  Runner r;
  r.dir.Write("bindings.toml", "[[binding]]\ncertificate = \"nope\"\ndomains = [\"a.example\"]\n");
  cli::CommonOptions common;
  common.config_dir = r.dir.path();
  cli::Context ctx{r.clock, r.fs,  r.random, [](const std::string&) { return std::nullopt; },
                   r.in,    r.out, r.err};
  cli::Workspace ws;
  engine::Status s =
      ws.Open(common, {"certform apply", cli::ConfigUse::kApply, cli::StateAccess::kWrite}, ctx);
  CHECK_FALSE(s.ok());
  CHECK(ws.failed_at() == cli::Workspace::Stage::kConfig);
  CHECK(ws.diags().HasErrors());
  CHECK_FALSE(ws.has_backend());  // nothing opened, nothing locked
  CHECK_FALSE(r.dir.Exists("certform.state.json.lock"));

  // With the configuration mended, a write opens everything: lock held, state loaded.
  r.dir.Write("bindings.toml", "");
  cli::Workspace ok;
  REQUIRE(ok.Open(common, {"certform apply", cli::ConfigUse::kApply, cli::StateAccess::kWrite}, ctx)
              .ok());
  CHECK(ok.failed_at() == cli::Workspace::Stage::kOpen);
  CHECK(ok.lock() != nullptr);
  CHECK(ok.state().entries.empty());
}
