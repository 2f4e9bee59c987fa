// Reading domains as a listing gives them (LiveReadStream, fed by ListProductDomains' pages):
// the results come in the order the domains were added whatever order the reads end in, an
// account-wide error stops that account's other reads, and the reads start while the listing
// still goes on.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "engine/calls/domain_listing.h"
#include "engine/calls/live_reader.h"
#include "tests/support/emulator_fixture.h"
#include "tests/support/fake_clock.h"

using namespace certform::engine;
using certform::testing::FakeClock;
using certform::testing::SeededRandom;

namespace {

// How long a test waits for another thread before it gives up and fails (never met when the
// code works: the event it waits for comes in microseconds).
constexpr auto kGiveUp = std::chrono::seconds(10);

// Lists `pages` (page N is pages[N-1]; `fail_page` fails instead) and answers each read with a
// binding named after the domain, or with `fail` for those it names.
class PagedProvider final : public Provider {
 public:
  Status SetBinding(const BindingRequest&, CallResult*) override {
    return Status::Failed("reads only");
  }
  Status ReadBinding(const Address& address, LiveBinding* out, CallResult*) override {
    if (address.domain == slow) {
      // Ends after another read has: the reads end in another order than they were added.
      std::unique_lock<std::mutex> lock(mu);
      if (!changed.wait_for(lock, kGiveUp, [&] { return reads_ended > 0; })) slow_gave_up = true;
    }
    Status s = Status::OK();
    if (auto f = fail.find(address.domain); f != fail.end()) {
      s = f->second;
    } else {
      *out = LiveBinding{.exists = true, .https = true, .cert_name = "cert-" + address.domain};
    }
    std::lock_guard<std::mutex> lock(mu);
    ++reads_ended;
    read_domains.push_back(address.domain);
    changed.notify_all();
    return s;
  }
  Status ListDomainsPage(int page, std::vector<Address>* domains, int64_t* total,
                         CallResult*) override {
    if (page == wait_page) {
      // The page after the first: the first page's reads are under way before it is asked for.
      std::unique_lock<std::mutex> lock(mu);
      read_while_listing = changed.wait_for(lock, kGiveUp, [&] { return reads_ended > 0; });
    }
    if (page == fail_page) return Status::PermissionDenied("Forbidden.RAM: no cdn:Describe*");
    size_t count = 0;
    for (const auto& p : pages) count += p.size();
    *total = static_cast<int64_t>(count);
    if (page < 1 || page > static_cast<int>(pages.size())) return Status::OK();
    for (const std::string& d : pages[page - 1]) domains->push_back(SplitAddress(d));
    return Status::OK();
  }

  std::vector<std::vector<std::string>> pages;
  int fail_page = 0, wait_page = 0;
  std::string slow;
  std::map<std::string, Status> fail;
  std::mutex mu;
  std::condition_variable changed;
  int reads_ended = 0;
  std::vector<std::string> read_domains;
  bool slow_gave_up = false, read_while_listing = false;
};

struct Estate {
  FakeClock clock;
  SeededRandom random;
  PacingRegistry pacing;
  PagedProvider main, other;
  std::map<std::string, AccountRuntime> runtimes;

  explicit Estate(PacingOptions options = {}) : pacing(options) {
    runtimes["main"].user = "u1";
    runtimes["main"].products["cdn"] = &main;
    runtimes["other"].user = "u2";
    runtimes["other"].products["cdn"] = &other;
  }
};

std::vector<std::string> Domains(const std::vector<LiveRead>& reads) {
  std::vector<std::string> out;
  for (const LiveRead& r : reads) out.push_back(r.account + ":" + r.address.domain);
  return out;
}

}  // namespace

TEST_CASE("live read stream: results in the order added, not the order the reads ended",
          "[live][stream]") {
  Estate e;
  e.main.slow = "a.example.com";  // the first added ends after another read
  LiveReadStream stream(e.runtimes, e.pacing, e.clock, e.random);
  CHECK(stream.Add({SplitAddress("a.example.com"), "main"}) == 0);
  CHECK(stream.Add({SplitAddress("b.example.org"), "other"}) == 1);
  CHECK(stream.Add({SplitAddress("c.example.com"), "main"}) == 2);
  CHECK(stream.Add({SplitAddress("d.example.com"), "nobody"}) == 3);  // no such account
  CHECK(stream.added() == 4);
  const std::vector<LiveRead> reads = stream.Finish();
  CHECK_FALSE(e.main.slow_gave_up);
  REQUIRE(e.main.read_domains.size() == 2);
  CHECK(e.main.read_domains.back() == "a.example.com");  // it did end last in its lane
  CHECK(Domains(reads) == std::vector<std::string>{"main:a.example.com", "other:b.example.org",
                                                   "main:c.example.com", "nobody:d.example.com"});
  for (size_t i = 0; i < 3; ++i) {
    CHECK(reads[i].ok);
    CHECK(reads[i].live.cert_name == "cert-" + reads[i].address.domain);
  }
  CHECK_FALSE(reads[3].ok);
  CHECK(reads[3].error == "no CDN provider for account \"nobody\"");
}

TEST_CASE("live read stream: an account-wide error stops that account's other reads alike",
          "[live][stream]") {
  PacingOptions one_at_a_time;
  one_at_a_time.parallelism = 1;  // the lane reads in the order added
  Estate e(one_at_a_time);
  e.main.fail["b.example.com"] = Status::PermissionDenied("Forbidden.RAM: cdn:Describe* denied");
  LiveReadStream stream(e.runtimes, e.pacing, e.clock, e.random);
  for (const char* d : {"a.example.com", "b.example.com", "c.example.com", "d.example.com"}) {
    stream.Add({SplitAddress(d), "main"});
  }
  stream.Add({SplitAddress("x.example.org"), "other"});
  const std::vector<LiveRead> reads = stream.Finish();
  REQUIRE(reads.size() == 5);
  CHECK(reads[0].ok);
  for (size_t i = 1; i < 4; ++i) {
    CHECK_FALSE(reads[i].ok);
    CHECK(reads[i].error == "Forbidden.RAM: cdn:Describe* denied");
  }
  // c and d were never asked for; the other account read on.
  CHECK(e.main.read_domains == std::vector<std::string>{"a.example.com", "b.example.com"});
  CHECK(reads[4].ok);
  CHECK(e.other.read_domains == std::vector<std::string>{"x.example.org"});
}

TEST_CASE("live read stream: nothing added reads nothing, and ReadLive is the stream all at once",
          "[live][stream]") {
  Estate e;
  {
    LiveReadStream stream(e.runtimes, e.pacing, e.clock, e.random);
    CHECK(stream.Finish().empty());
  }
  { LiveReadStream unfinished(e.runtimes, e.pacing, e.clock, e.random); }  // joins nothing
  CHECK(ReadLive({}, e.runtimes, e.pacing, e.clock, e.random).empty());
  CHECK(e.main.reads_ended == 0);
  const std::vector<LiveRead> reads =
      ReadLive({{SplitAddress("a.example.com"), "main"}, {SplitAddress("b.example.org"), "other"}},
               e.runtimes, e.pacing, e.clock, e.random);
  CHECK(Domains(reads) == std::vector<std::string>{"main:a.example.com", "other:b.example.org"});
}

TEST_CASE("domain listing: each page is given as it arrives, and read while the next is fetched",
          "[live][stream][listing]") {
  Estate e;
  e.main.pages = {{"a.example.com", "b.example.com"}, {"c.example.com", "BAD_NAME"}};
  e.main.wait_page = 2;
  LiveReadStream stream(e.runtimes, e.pacing, e.clock, e.random);
  std::vector<size_t> page_sizes;
  const ListedDomains listed =
      ListProductDomains("main", e.runtimes["main"], "cdn", e.main, e.pacing, e.clock, e.random,
                         [&](const std::vector<Address>& page) {
                           page_sizes.push_back(page.size());
                           for (const Address& a : page) stream.Add({a, "main"});
                         });
  const std::vector<LiveRead> reads = stream.Finish();
  CHECK(listed.call.status.ok());
  CHECK(e.main.read_while_listing);  // page 1's reads began before page 2 was asked for
  CHECK(page_sizes == std::vector<size_t>{2, 1});  // the refused name is not given
  REQUIRE(listed.rejected.size() == 1);
  CHECK(listed.rejected[0].text == "BAD_NAME");
  REQUIRE(listed.addresses.size() == 3);
  CHECK(Domains(reads) ==
        std::vector<std::string>{"main:a.example.com", "main:b.example.com", "main:c.example.com"});
}

TEST_CASE(
    "domain listing: an empty listing gives no page, and a later page's failure lists nothing",
    "[live][stream][listing]") {
  Estate e;
  int pages = 0;
  const ListedDomains empty =
      ListProductDomains("main", e.runtimes["main"], "cdn", e.main, e.pacing, e.clock, e.random,
                         [&](const std::vector<Address>&) { ++pages; });
  CHECK(empty.call.status.ok());
  CHECK(empty.addresses.empty());
  CHECK(pages == 0);

  e.other.pages = {{"a.example.org"}, {"b.example.org"}};
  e.other.fail_page = 2;
  std::vector<std::string> given;
  const ListedDomains failed =
      ListProductDomains("other", e.runtimes["other"], "cdn", e.other, e.pacing, e.clock, e.random,
                         [&](const std::vector<Address>& page) {
                           for (const Address& a : page) given.push_back(a.domain);
                         });
  CHECK_FALSE(failed.call.status.ok());
  CHECK(failed.call.status.IsAccountWide());
  CHECK(failed.addresses.empty());  // as before: a failed listing lists nothing
  CHECK(given ==
        std::vector<std::string>{"a.example.org"});  // page 1 was given: the caller drops it
}
