#include "resilient/failover/stall.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <random>
#include <vector>

using namespace resilient;
using namespace resilient::failover;

namespace {

/* Source times of a 30 fps video + 48 kHz AAC (1024-sample frames) stream
 * from `from` to `to`. */
std::vector<TimePoint>
av_frames (TimePoint from, TimePoint to)
{
  std::vector<TimePoint> t;
  for (TimePoint v = from; v < to; v += Duration (33333333))
    t.push_back (v);
  for (TimePoint a = from; a < to; a += Duration (21333333))
    t.push_back (a);
  std::sort (t.begin (), t.end ());
  return t;
}

/* Feeds the arrivals in order; fails the test when a silence between two
 * arrivals reached the limit in force during it. Returns how many
 * silences were suspect. */
int
feed_never_stalls (StallDetector &d, const std::vector<TimePoint> &arrivals)
{
  int suspect = 0;
  for (TimePoint t : arrivals) {
    if (d.last () && t > *d.last ()) {
      Silence s = d.judge (t - Duration (1));
      EXPECT_NE (s, Silence::Stalled)
          << "silence of " << to_ms (t - *d.last ()) << " ms at " << to_ms (t)
          << " ms judged a stall (limit " << to_ms (d.limit ()) << " ms)";
      if (s == Silence::Stalled)
        return suspect;
      suspect += s == Silence::Suspect;
    }
    d.on_arrival (t);
  }
  return suspect;
}

/* TCP delivery of `frames` through a path with up to `jitter` of random
 * delay per packet (delivered in order) and, every 5 to 20 s, a 400 ms
 * retransmission hold: nothing arrives during the hold, everything held
 * arrives at its end. */
std::vector<TimePoint>
jittery_path (const std::vector<TimePoint> &frames, Duration jitter,
              unsigned seed, int *holds)
{
  std::mt19937 rng (seed);
  std::uniform_int_distribution<std::int64_t> delay (0, jitter.count ());
  std::uniform_int_distribution<std::int64_t> every (5000, 20000);
  std::vector<TimePoint> out;
  TimePoint prev{};
  TimePoint hold = ms (every (rng));
  *holds = 0;
  for (TimePoint f : frames) {
    TimePoint at = std::max (prev, f + Duration (delay (rng)));
    if (at >= hold) {
      if (at < hold + ms (400))
        at = hold + ms (400);
      else {
        hold += ms (every (rng));
        (*holds)++;
      }
    }
    out.push_back (at);
    prev = at;
  }
  return out;
}

/* Ten minutes of the 30 fps A/V stream through 100 ms of jitter and the
 * holds (path `seed`). */
std::vector<TimePoint>
jittery_av (unsigned seed, int *holds)
{
  return jittery_path (av_frames (ms (0), ms (600000)), ms (100), seed, holds);
}

} // namespace

TEST (StallDetector, LearnsBeforeJudgingAndUsesTheCeilingMeanwhile)
{
  StallDetector d;
  EXPECT_EQ (d.judge (ms (5000)), Silence::Learning);
  EXPECT_FALSE (d.deadline ());
  auto f = av_frames (ms (0), ms (500)); /* ~38 bursts, video with audio */
  for (int i = 0; i < 5; i++)
    d.on_arrival (f[i]);
  EXPECT_FALSE (d.learned ());
  EXPECT_EQ (d.limit (), ms (2000));
  EXPECT_EQ (d.judge (f[4] + ms (1500)), Silence::Learning);
  EXPECT_EQ (d.judge (f[4] + ms (2000)), Silence::Stalled);
}

TEST (StallDetector, ABlackHoleAt30FpsTripsWellUnder600Ms)
{
  StallDetector d;
  auto f = av_frames (ms (0), ms (3000));
  feed_never_stalls (d, f);
  ASSERT_TRUE (d.learned ());
  TimePoint last = *d.last ();
  /* A clean 30 fps stream: gaps of 12 to 21 ms, a short rhythm. */
  EXPECT_LT (d.mean (), ms (22));
  Duration rhythm = 2 * d.mean () + 4 * d.var ();
  EXPECT_LT (rhythm, ms (80));
  EXPECT_EQ (d.limit (), rhythm + ms (420));
  EXPECT_LT (d.limit (), ms (500));
  EXPECT_EQ (*d.deadline (), last + d.limit ());
  /* First sign at half the tolerance, the stall at the limit. */
  EXPECT_EQ (d.judge (last + rhythm + ms (200)), Silence::Normal);
  EXPECT_EQ (d.judge (last + rhythm + ms (210)), Silence::Suspect);
  EXPECT_EQ (d.judge (last + d.limit () - Duration (1)), Silence::Suspect);
  EXPECT_EQ (d.judge (last + d.limit ()), Silence::Stalled);
}

TEST (StallDetector, JitteryButHealthyPathNeverTrips)
{
  /* 100 ms of jitter and an occasional 400 ms hold (a TCP retransmission),
   * 10 minutes, five different paths. */
  for (unsigned seed = 1; seed <= 5; seed++) {
    SCOPED_TRACE (seed);
    StallDetector d;
    int holds = 0;
    auto arrivals = jittery_av (seed, &holds);
    EXPECT_GT (holds, 25);
    int suspect = feed_never_stalls (d, arrivals);
    /* The holds are suspect (the backup gets ready), ordinary jitter is
     * not. */
    EXPECT_GE (suspect, holds / 2);
    EXPECT_LE (suspect, 2 * holds + 2);
    /* After the holds it still leaves a black hole within 600 ms. */
    EXPECT_LE (d.limit (), ms (600));
    std::cout << "seed " << seed << ": " << holds << " holds, " << suspect
              << " suspect, mean " << to_ms (d.mean ()) << " ms, var "
              << to_ms (d.var ()) << " ms, limit " << to_ms (d.limit ())
              << " ms\n";
  }
}

/* No false trip on forty 10-minute paths with 100 ms of jitter and the
 * 400 ms holds: the detector fed as the element feeds it (the arrivals out
 * of the decoders, record_buffer). The limit left at the end of a path
 * depends on how recent its last hold is (the peak's half-life), so only
 * the five paths above bound it. */
TEST (StallDetector, FortyJitteryPathsNeverTrip)
{
  int holds_total = 0;
  for (unsigned seed = 1; seed <= 40; seed++) {
    SCOPED_TRACE (seed);
    StallDetector d;
    int holds = 0;
    feed_never_stalls (d, jittery_av (seed, &holds));
    holds_total += holds;
  }
  EXPECT_GT (holds_total, 40 * 25);
}

TEST (StallDetector, AHoldItHasShownRaisesTheLimitThenDecays)
{
  StallDetector d;
  auto f = av_frames (ms (0), ms (2000));
  feed_never_stalls (d, f);
  Duration before = d.limit ();
  TimePoint t = *d.last () + ms (460); /* under the limit */
  ASSERT_LT (ms (460), before);
  d.on_arrival (t);
  EXPECT_EQ (d.peak (), ms (460));
  /* Right after the hold the variation is high (wary), */
  EXPECT_GT (d.limit (), ms (900));
  EXPECT_LE (d.limit (), ms (2000));
  /* a second of ordinary frames later 1.25 x the peak remains (460 ms
   * decayed by 2^(-1/20) is 444 ms). */
  feed_never_stalls (d, av_frames (t + ms (33), t + ms (1033)));
  EXPECT_NEAR (to_ms (d.limit ()), 555, 2);
  t += ms (1000);
  /* Twenty seconds later (21 s after the hold) the peak counts half: the
   * limit is back to the rhythm plus the tolerance. */
  feed_never_stalls (d, av_frames (t + ms (33), t + ms (20033)));
  EXPECT_NEAR (to_ms (d.peak ()), 222, 2);
  EXPECT_EQ (d.limit (), 2 * d.mean () + 4 * d.var () + ms (420));
}

TEST (StallDetector, ASlowStreamIsJudgedByItsOwnRhythm)
{
  /* 2 fps, no audio: gaps of 500 ms are normal. */
  StallDetector d;
  std::vector<TimePoint> f;
  for (int i = 0; i < 60; i++)
    f.push_back (ms (500) * i);
  EXPECT_EQ (feed_never_stalls (d, f), 0);
  EXPECT_GE (d.limit (), ms (750));
  EXPECT_LE (d.limit (), ms (2000));
  EXPECT_EQ (d.judge (*d.last () + d.limit ()), Silence::Stalled);
}

TEST (StallDetector, SegmentBurstsAreOneArrival)
{
  /* HLS: a 2 s segment decoded in one burst (60 frames 1 ms apart) every
   * 2 s, ceiling the adaptive timeout. */
  StallConfig c;
  c.ceiling = ms (10000);
  StallDetector d (c);
  std::vector<TimePoint> f;
  for (int seg = 0; seg < 40; seg++)
    for (int i = 0; i < 60; i++)
      f.push_back (ms (2000) * seg + ms (1) * i);
  EXPECT_EQ (feed_never_stalls (d, f), 0);
  EXPECT_EQ (d.samples (), 39u); /* one gap per segment */
  EXPECT_GE (d.limit (), ms (2900));
  EXPECT_LE (d.limit (), ms (10000));
}

TEST (StallDetector, TheCeilingBoundsAndAZeroFloorTurnsItOff)
{
  StallConfig c;
  c.ceiling = ms (300); /* timeout under the tolerance: the timeout wins */
  StallDetector d (c);
  feed_never_stalls (d, av_frames (ms (0), ms (2000)));
  EXPECT_EQ (d.limit (), ms (300));

  c.tolerance = Duration::zero ();
  c.ceiling = ms (2000);
  d.set_config (c);
  EXPECT_FALSE (d.learned ());
  EXPECT_EQ (d.limit (), ms (2000));
  EXPECT_EQ (d.judge (*d.last () + ms (1000)), Silence::Learning);
}
