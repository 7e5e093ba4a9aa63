/* The failure memory on disk: written atomically, read back after a
 * "restart" (a fresh Cluster), expired entries dropped. */
#include "resilient/cluster/cluster.h"
#include "resilient/cluster/state_file.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <vector>
#include <unistd.h>

using namespace resilient;
using namespace resilient::cluster;

class StateFile : public ::testing::Test
{
protected:
  void SetUp () override
  {
    char tmpl[] = "/tmp/cluster-state-XXXXXX";
    dir_ = mkdtemp (tmpl);
    path_ = dir_ + "/memory";
  }
  void TearDown () override { std::filesystem::remove_all (dir_); }
  std::string dir_, path_;
};

TEST_F (StateFile, RoundTripsRecords)
{
  FailureMemory m;
  m.record ("rtmp://a/live", "connect\ttimeout\n", ms (1000), ms (5000));
  m.record ("srt://b:9000", "refused", ms (2000), ms (5000));
  std::string text = serialise_memory (m);
  FailureMemory back;
  EXPECT_EQ (parse_memory (text, ms (0), back), 2u);
  ASSERT_TRUE (back.active ("rtmp://a/live", ms (5999)));
  EXPECT_EQ (back.active ("rtmp://a/live", ms (1))->reason, "connect timeout ");
  EXPECT_EQ (to_ms (back.active ("srt://b:9000", ms (1))->expires_at), 7000);
  /* only the unexpired one is loaded later */
  FailureMemory later;
  EXPECT_EQ (parse_memory (text, ms (6500), later), 1u);
}

TEST_F (StateFile, SkipsMalformedLinesAndUnknownVersions)
{
  FailureMemory m;
  EXPECT_EQ (parse_memory ("# other v9\n9999\t1\tr\thost\n", ms (0), m), 0u);
  EXPECT_EQ (
      parse_memory (
          "# gst-resilient cluster failure memory v1\n"
          "garbage\n9999\tx\tr\thost\n9999\t1\tr\t\n9999\t1\tr\trtmp://ok\n",
          ms (0), m),
      1u);
  EXPECT_TRUE (m.active ("rtmp://ok", ms (1)));
}

TEST_F (StateFile, SurvivesARestartAndExpires)
{
  TimePoint now = ms (1'700'000'000'000);
  {
    Cluster c ([&] { return now; }, 1);
    c.configure ([] (Resolver &r) {
      r.set_hosts ({ { "rtmp://a/live", 1 }, { "rtmp://b/live", 1 } });
      r.set_failure_expiry (ms (60000));
    });
    EXPECT_EQ (c.set_state_file (path_), 0u);
    Plan p = c.resolve ("s");
    c.report_failure (p.attempts[0], "connection refused");
    EXPECT_TRUE (c.state_error ().empty ()) << c.state_error ();
  }
  ASSERT_TRUE (std::filesystem::exists (path_));
  /* no temporary file left behind */
  int files = 0;
  for (auto &e : std::filesystem::directory_iterator (dir_))
    files += e.is_regular_file () ? 1 : 0;
  EXPECT_EQ (files, 1);

  now += ms (30000);
  {
    Cluster c ([&] { return now; }, 1);
    c.configure ([] (Resolver &r) {
      r.set_hosts ({ { "rtmp://a/live", 1 }, { "rtmp://b/live", 1 } });
      r.set_failure_expiry (ms (60000));
    });
    EXPECT_EQ (c.set_state_file (path_), 1u);
    EXPECT_EQ (c.resolve ("s").attempts[0].host_index, 1);
    now += ms (30001);
    EXPECT_EQ (c.resolve ("s").attempts[0].host_index, 0);
  }
}

TEST_F (StateFile, ReportsAnUnwritableLocation)
{
  TimePoint now = ms (0);
  Cluster c ([&] { return now; }, 1);
  c.configure ([] (Resolver &r) { r.set_hosts ({ { "rtmp://a/live", 1 } }); });
  c.set_state_file (dir_ + "/no/such/dir/memory");
  c.report_failure (c.resolve ("s").attempts[0], "refused");
  EXPECT_NE (c.state_error ().find ("cannot create"), std::string::npos);
}

TEST_F (StateFile, AnOlderSnapshotNeverOverwritesANewerOne)
{
  TimePoint now = ms (1'700'000'000'000);
  Cluster c ([&] { return now; }, 1);
  c.configure ([] (Resolver &r) {
    r.set_hosts ({ { "rtmp://a/live", 1 }, { "rtmp://b/live", 1 } });
  });
  c.set_state_file (path_);
  /* the element's executor: writes run later, here in reverse order */
  std::vector<std::function<void ()>> queued;
  c.set_write_executor (
      [&] (std::function<void ()> fn) { queued.push_back (std::move (fn)); });
  Plan p = c.resolve ("s");
  c.report_failure (p.attempts[0], "refused"); /* snapshot 1: a */
  c.report_failure (p.attempts[1], "refused"); /* snapshot 2: a and b */
  ASSERT_EQ (queued.size (), 2u);
  EXPECT_FALSE (std::filesystem::exists (path_));
  queued[1] ();
  queued[0] ();
  std::string text;
  ASSERT_TRUE (read_file (path_, text));
  EXPECT_NE (text.find ("rtmp://a/live"), std::string::npos) << text;
  EXPECT_NE (text.find ("rtmp://b/live"), std::string::npos) << text;
}

/* Fuzz finding (tests/fuzz/corpus/state_file/finding-ms-overflow): times in
 * the file far beyond what a nanosecond Duration holds overflowed ms()
 * (undefined behaviour). They saturate at kMaxMs now: the record is read as
 * expiring at the end of representable time, never wraps to the past. */
TEST_F (StateFile, TimesBeyondTheRepresentableRangeSaturate)
{
  FailureMemory m;
  EXPECT_EQ (parse_memory ("# gst-resilient cluster failure memory v1\n"
                           "777777777777777777\t-777777777777777777\tr\t"
                           "rtmp://far\n",
                           ms (0), m),
             1u);
  auto r = m.active ("rtmp://far", ms (1));
  ASSERT_TRUE (r);
  EXPECT_EQ (to_ms (r->expires_at), kMaxMs);
  EXPECT_EQ (to_ms (r->failed_at), -kMaxMs);
  EXPECT_EQ (to_ms (ms (INT64_MAX)), kMaxMs);
  EXPECT_EQ (to_ms (ms (INT64_MIN)), -kMaxMs);
}

/* Fuzz finding (tests/fuzz/corpus/state_file/finding-host-with-tab): a host
 * read from a hand-edited file with a tab or other control character in it
 * was kept, then written back with the tab turned into a space, where it
 * collided with another host ("a\tb" and "a b" became one record). A host
 * URL never holds whitespace or control characters: such lines are
 * malformed and skipped on load, and never written. */
TEST_F (StateFile, HostsWithWhitespaceOrControlCharactersAreSkipped)
{
  FailureMemory m;
  EXPECT_EQ (parse_memory ("# gst-resilient cluster failure memory v1\n"
                           "9999\t1\tr\trtmp://a\tb\n"
                           "9999\t1\tr\trtmp://a b\n"
                           "9999\t1\tr\trtmp://a\rb\n"
                           "9999\t1\tr\trtmp://a\x01"
                           "b\n"
                           "9999\t1\tr\trtmp://good\n",
                           ms (0), m),
             1u);
  EXPECT_TRUE (m.active ("rtmp://good", ms (1)));
  FailureMemory odd;
  odd.restore ("rtmp://x y", FailureRecord{ "r", ms (1), ms (9999) });
  odd.restore ("rtmp://ok", FailureRecord{ "r", ms (1), ms (9999) });
  std::string text = serialise_memory (odd);
  EXPECT_EQ (text.find ("x y"), std::string::npos) << text;
  FailureMemory back;
  EXPECT_EQ (parse_memory (text, ms (0), back), 1u);
}
