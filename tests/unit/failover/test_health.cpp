#include "resilient/failover/health.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::failover;

namespace {

/* Drives a monitor with a stream of buffers at a fixed rate. */
struct Feed
{
  HealthMonitor mon;
  std::uint64_t bytes = 0, buffers = 0;
  std::optional<TimePoint> last;

  Feed (HealthConfig c, InputKind k) : mon (c, k, ms (0)) {}

  HealthResult buffer (TimePoint at, std::uint64_t size)
  {
    bytes += size;
    buffers++;
    last = at;
    return mon.update (at, bytes, buffers, last);
  }
  HealthResult tick (TimePoint at)
  {
    return mon.update (at, bytes, buffers, last);
  }
};

} // namespace

TEST (Health, StartingUntilFirstBufferThenHealthy)
{
  HealthConfig c;
  Feed f (c, InputKind::Live);
  EXPECT_EQ (f.tick (ms (100)).verdict, Verdict::Starting);
  EXPECT_EQ (f.buffer (ms (300), 1000).verdict, Verdict::Healthy);
  EXPECT_EQ (f.mon.first_buffer (), ms (300));
}

TEST (Health, StartupTimeout)
{
  HealthConfig c;
  c.startup_timeout = ms (3000);
  Feed f (c, InputKind::Live);
  EXPECT_EQ (f.tick (ms (2999)).verdict, Verdict::Starting);
  auto r = f.tick (ms (3000));
  EXPECT_EQ (r.verdict, Verdict::Failed);
  EXPECT_EQ (r.reason, FailureReason::Timeout);
  EXPECT_EQ (r.first_sign, ms (0));
}

TEST (Health, SilenceTimeoutAndItsFirstSign)
{
  HealthConfig c;
  c.timeout = ms (2000);
  Feed f (c, InputKind::Live);
  for (int t = 0; t <= 1000; t += 33)
    ASSERT_EQ (f.buffer (ms (t), 500).verdict, Verdict::Healthy);
  EXPECT_EQ (f.tick (ms (2980)).verdict, Verdict::Healthy);
  auto r = f.tick (ms (3000));
  EXPECT_EQ (r.verdict, Verdict::Failed);
  EXPECT_EQ (r.reason, FailureReason::Timeout);
  EXPECT_EQ (r.first_sign, ms (990));
  /* Failed stays failed even if data trickles in afterwards. */
  EXPECT_EQ (f.buffer (ms (3010), 500).verdict, Verdict::Failed);
}

TEST (Health, AdaptiveCandidatesSurviveSegmentBursts)
{
  HealthConfig c;
  c.timeout = ms (2000);
  c.adaptive_timeout = ms (10000);
  c.min_bitrate_kbps = 100;
  Feed live (c, InputKind::Live);
  Feed hls (c, InputKind::Adaptive);
  /* Segments of 4 s arrive as one burst every 4 s: 1 Mbit/s on average. */
  bool live_failed = false;
  for (int seg = 0; seg < 6; seg++) {
    for (int k = 0; k < 20; k++) {
      TimePoint t = ms (seg * 4000 + k * 10);
      ASSERT_NE (hls.buffer (t, 25000).verdict, Verdict::Failed) << seg;
      live_failed |= live.buffer (t, 25000).verdict == Verdict::Failed;
    }
    for (int t = seg * 4000 + 200; t < (seg + 1) * 4000; t += 100) {
      ASSERT_NE (hls.tick (ms (t)).verdict, Verdict::Failed) << t;
      live_failed |= live.tick (ms (t)).verdict == Verdict::Failed;
    }
  }
  EXPECT_TRUE (live_failed) << "the same bursts must trip a live candidate";
  EXPECT_EQ (hls.mon.effective_timeout (), ms (10000));
  EXPECT_GE (hls.mon.bitrate_kbps (), 500u);
}

TEST (Health, LowBitrateNeedsConsecutiveWindows)
{
  HealthConfig c;
  c.min_bitrate_kbps = 500; /* 62.5 bytes per ms */
  c.window = ms (1000);
  c.low_windows = 3;
  Feed f (c, InputKind::Live);
  TimePoint t = ms (0);
  auto run_window = [&] (std::uint64_t bytes_per_frame) {
    HealthResult r;
    for (int k = 0; k < 30; k++) {
      r = f.buffer (t, bytes_per_frame);
      if (r.verdict == Verdict::Failed)
        return r;
      t += ms (34);
    }
    return r;
  };
  run_window (4000);                                       /* ~940 kbit/s */
  run_window (100);                                        /* low */
  run_window (100);                                        /* low */
  EXPECT_EQ (run_window (4000).verdict, Verdict::Healthy); /* streak broken */
  EXPECT_EQ (run_window (4000).verdict, Verdict::Healthy);
  EXPECT_GE (f.mon.bitrate_kbps (), 500u);
  run_window (100);
  run_window (100);
  auto r = run_window (100);
  for (int i = 0; i < 3 && r.verdict != Verdict::Failed; i++)
    r = run_window (100);
  EXPECT_EQ (r.verdict, Verdict::Failed);
  EXPECT_EQ (r.reason, FailureReason::LowBitrate);
  EXPECT_LT (f.mon.bitrate_kbps (), 500u);
}

TEST (Health, ZeroMinBitrateDisablesTheCheck)
{
  HealthConfig c;
  c.min_bitrate_kbps = 0;
  Feed f (c, InputKind::Live);
  for (int t = 0; t < 20000; t += 40)
    ASSERT_EQ (f.buffer (ms (t), 1).verdict, Verdict::Healthy);
}

TEST (Health, ALearnedSilenceLimitFailsSoonerButNeverLater)
{
  HealthConfig c;
  c.timeout = ms (2000);
  Feed f (c, InputKind::Live);
  f.buffer (ms (1000), 1000);
  EXPECT_EQ (
      f.mon.update (ms (1499), f.bytes, f.buffers, f.last, ms (500)).verdict,
      Verdict::Healthy);
  auto r = f.mon.update (ms (1500), f.bytes, f.buffers, f.last, ms (500));
  EXPECT_EQ (r.verdict, Verdict::Failed);
  EXPECT_EQ (r.reason, FailureReason::Timeout);
  EXPECT_TRUE (r.learned_limit);
  EXPECT_EQ (r.silence, ms (500));
  EXPECT_EQ (r.first_sign, ms (1000));

  /* A learned limit above the timeout: the timeout wins. */
  Feed g (c, InputKind::Live);
  g.buffer (ms (1000), 1000);
  EXPECT_EQ (
      g.mon.update (ms (2999), g.bytes, g.buffers, g.last, ms (5000)).verdict,
      Verdict::Healthy);
  auto t = g.mon.update (ms (3000), g.bytes, g.buffers, g.last, ms (5000));
  EXPECT_EQ (t.verdict, Verdict::Failed);
  EXPECT_FALSE (t.learned_limit);
}
