/* Warm standby's decisions: the GOP keeping rules and the wake plan
 * (lib/resilient/failover/warm.h), and the running set in warm standby. */
#include "resilient/failover/policy.h"
#include "resilient/failover/warm.h"

#include <gtest/gtest.h>

#include <deque>

using namespace resilient;
using namespace resilient::failover;

namespace {

/* What the element does with the Steps: a deque of unit numbers. */
struct Keeper
{
  GopStore store;
  std::deque<int> kept;
  Keeper (bool video, GopConfig c = {}) : store (c, video) {}
  void feed (int n, bool key, std::optional<Duration> pts,
             std::size_t bytes = 1000)
  {
    auto s = store.on_unit ({ key, pts, bytes });
    ASSERT_LE (s.drop_front, kept.size ());
    kept.erase (kept.begin (), kept.begin () + (long)s.drop_front);
    if (s.keep)
      kept.push_back (n);
    ASSERT_EQ (kept.size (), store.units ());
  }
};

/* A 30 fps stream with a keyframe every `gop` frames, frames [from, to). */
void
feed_video (Keeper &k, int from, int to, int gop)
{
  for (int i = from; i < to; i++)
    k.feed (i, i % gop == 0, ms (i * 1000 / 30));
}

} // namespace

TEST (GopStore, KeepsTheCurrentGopFromItsKeyframe)
{
  Keeper k (true);
  /* Deltas before the first keyframe cannot be decoded: not kept. */
  k.feed (-2, false, ms (0));
  k.feed (-1, false, ms (33));
  EXPECT_FALSE (k.store.ready ());
  feed_video (k, 0, 75, 30); /* keyframes at 0, 30, 60 */
  ASSERT_FALSE (k.kept.empty ());
  EXPECT_EQ (k.kept.front (), 60);
  EXPECT_EQ (k.kept.back (), 74);
  EXPECT_EQ (k.store.units (), 15u);
  EXPECT_EQ (k.store.bytes (), 15000u);
  EXPECT_TRUE (k.store.ready ());
}

TEST (GopStore, WakeDecodesTheGopAndShowsOnlyTheLiveEdge)
{
  Keeper k (true);
  feed_video (k, 0, 45, 30); /* GOP 30..44 */
  auto plan = k.store.wake ();
  ASSERT_EQ (plan.size (), 15u);
  for (std::size_t i = 0; i + 1 < plan.size (); i++)
    EXPECT_TRUE (plan[i]) << "unit " << i << " is older than the live edge";
  EXPECT_FALSE (plan.back ()) << "the newest picture is shown";
  EXPECT_EQ (k.store.units (), 0u);
  EXPECT_EQ (k.store.bytes (), 0u);
}

TEST (GopStore, WakePlanFollowsPresentationOrderAndTheShowWindow)
{
  GopConfig c;
  c.show_window = ms (70);
  Keeper k (true, c);
  /* B-frames: decode order I P B B, presentation 0 100 33 66 ... */
  k.feed (0, true, ms (0));
  k.feed (1, false, ms (100));
  k.feed (2, false, ms (33));
  k.feed (3, false, ms (66));
  auto plan = k.store.wake ();
  ASSERT_EQ (plan.size (), 4u);
  EXPECT_TRUE (plan[0]);  /* 0 + 70 < 100 */
  EXPECT_FALSE (plan[1]); /* the newest */
  EXPECT_FALSE (plan[2]); /* 33 + 70 >= 100 */
  EXPECT_FALSE (plan[3]);
  /* Without timestamps: the last unit in decode order is shown. */
  Keeper n (true);
  n.feed (0, true, std::nullopt);
  n.feed (1, false, std::nullopt);
  n.feed (2, false, std::nullopt);
  EXPECT_EQ (n.store.wake (), (std::vector<bool>{ true, true, false }));
}

TEST (GopStore, AnOverlongGopIsDroppedUntilTheNextKeyframe)
{
  GopConfig c;
  c.max_span = ms (2000);
  Keeper k (true, c);
  /* One keyframe, then deltas for 3 s: past 2 s nothing is kept. */
  feed_video (k, 0, 60, 1000);
  EXPECT_EQ (k.store.units (), 60u);
  k.feed (60, false, ms (2000));
  EXPECT_EQ (k.store.units (), 61u) << "exactly the limit is still kept";
  k.feed (61, false, ms (2034));
  EXPECT_EQ (k.store.units (), 0u);
  EXPECT_FALSE (k.store.ready ());
  k.feed (62, false, ms (2067));
  EXPECT_EQ (k.store.units (), 0u) << "a delta without its keyframe";
  k.feed (63, true, ms (2100));
  EXPECT_EQ (k.kept, (std::deque<int>{ 63 }));
  /* Bytes and unit counts bound it too (a stream without timestamps). */
  GopConfig b;
  b.max_bytes = 5000;
  Keeper kb (true, b);
  for (int i = 0; i < 6; i++)
    kb.feed (i, i == 0, std::nullopt);
  EXPECT_EQ (kb.store.units (), 0u);
  EXPECT_EQ (kb.store.bytes (), 0u);
}

TEST (GopStore, AudioKeepsItsNewestSpanAndShowsAll)
{
  Keeper k (false);
  /* 48 kHz AAC: a frame every 21.333 ms, all decodable on their own. */
  for (int i = 0; i < 200; i++)
    k.feed (i, true, std::chrono::microseconds ((long long)i * 21333));
  /* 300 ms: the newest and the 14 before it (14 * 21.3 = 298.7 ms). */
  EXPECT_EQ (k.kept.back (), 199);
  EXPECT_EQ (k.kept.front (), 185);
  auto plan = k.store.wake ();
  EXPECT_EQ (plan, std::vector<bool> (15, false));
  /* Without timestamps, a fixed number of frames. */
  Keeper n (false);
  for (int i = 0; i < 40; i++)
    n.feed (i, true, std::nullopt);
  EXPECT_EQ (n.store.units (), GopConfig{}.audio_units_without_pts);
  EXPECT_EQ (n.kept.back (), 39);
}

TEST (GopStore, ClearForgetsEverything)
{
  Keeper k (true);
  feed_video (k, 0, 10, 30);
  k.store.clear ();
  EXPECT_EQ (k.store.units (), 0u);
  EXPECT_EQ (k.store.bytes (), 0u);
  EXPECT_TRUE (k.store.wake ().empty ());
}

TEST (StandbyMode, WarmRunsTheBackupLikeHotButDoesNotDecodeIt)
{
  EXPECT_FALSE (runs_backup (Standby::Cold));
  EXPECT_TRUE (runs_backup (Standby::Hot));
  EXPECT_TRUE (runs_backup (Standby::Warm));
  EXPECT_TRUE (decodes_off_air (Standby::Hot));
  EXPECT_FALSE (decodes_off_air (Standby::Warm));
  EXPECT_FALSE (decodes_off_air (Standby::Cold));
}

TEST (GopStore, ADecodingVideoStreamFallsAsleepAtItsNextKeyframe)
{
  EncodedUnit key{ true, ms (0), 10 }, delta{ false, ms (33), 10 };
  EXPECT_FALSE (sleeps_at (true, true, delta)) << "decodes to the keyframe";
  EXPECT_TRUE (sleeps_at (true, true, key)) << "and keeps it";
  EXPECT_TRUE (sleeps_at (true, false, delta)) << "not decoding: at once";
  EXPECT_TRUE (sleeps_at (false, true, key)) << "audio: at once";
}

/* The stream of a warm backup that decoded mid-GOP then was told to sleep:
 * with sleeps_at, its store holds a GOP from the next keyframe on. */
TEST (GopStore, ABackupToldToSleepMidGopKeepsAWholeGop)
{
  Keeper k (true);
  bool decoding = true;
  for (int i = 10; i < 45; i++) { /* told to sleep at frame 10, GOP 30 */
    EncodedUnit u{ i % 30 == 0, ms (i * 1000 / 30), 1000 };
    if (decoding && !sleeps_at (true, decoding, u))
      continue; /* decoded */
    decoding = false;
    k.feed (i, u.keyframe, u.pts);
  }
  ASSERT_EQ (k.kept.size (), 15u);
  EXPECT_EQ (k.kept.front (), 30) << "from the keyframe the sleep began at";
  EXPECT_TRUE (k.store.ready ());
}

TEST (EarlyWake, TheFirstSignWakesTheBackupOnce)
{
  EarlyWake w;
  auto c = w.on_suspect (1, ms (1000));
  ASSERT_EQ (c.size (), 1u);
  EXPECT_EQ (c[0].index, 1);
  EXPECT_TRUE (c[0].awake);
  EXPECT_EQ (w.woken (), 1);
  EXPECT_TRUE (w.on_suspect (1, ms (1100)).empty ()) << "already awake";
  EXPECT_TRUE (w.step (ms (1200)).empty ());
  EXPECT_EQ (w.wakes (), 1u);
}

TEST (EarlyWake, NoBackupNothingToWake)
{
  EarlyWake w;
  EXPECT_TRUE (w.on_suspect (-1, ms (1000)).empty ());
  EXPECT_EQ (w.woken (), -1);
  EXPECT_EQ (w.wakes (), 0u);
}

TEST (EarlyWake, AFalseSignEndsALingerAfterTheLastSign)
{
  EarlyWake w (EarlyWakeConfig{ ms (1000) });
  w.on_suspect (1, ms (1000));
  w.on_suspect (1, ms (1100)); /* the sign lasts: the linger runs from here */
  EXPECT_TRUE (w.step (ms (2099)).empty ());
  auto c = w.step (ms (2100));
  ASSERT_EQ (c.size (), 1u);
  EXPECT_EQ (c[0].index, 1);
  EXPECT_FALSE (c[0].awake);
  EXPECT_EQ (c[0].awake_for, ms (1100));
  EXPECT_EQ (w.woken (), -1);
  EXPECT_TRUE (w.step (ms (5000)).empty ()) << "asleep once";
  EXPECT_EQ (w.served (), 0u);
  /* The next sign wakes it again. */
  EXPECT_EQ (w.on_suspect (1, ms (6000)).size (), 1u);
  EXPECT_EQ (w.wakes (), 2u);
}

TEST (EarlyWake, AConfirmedStallSwitchesToTheWokenBackup)
{
  EarlyWake w;
  w.on_suspect (1, ms (1000));
  w.on_switch (1);
  EXPECT_EQ (w.woken (), -1) << "on the output: no longer an early wake";
  EXPECT_EQ (w.served (), 1u);
  EXPECT_TRUE (w.step (ms (9000)).empty ()) << "the switch owns its state";
}

TEST (EarlyWake, ASwitchElsewhereEndsTheWake)
{
  EarlyWake w;
  w.on_suspect (1, ms (1000));
  w.on_switch (-1);
  EXPECT_EQ (w.woken (), -1);
  EXPECT_EQ (w.served (), 0u);
}

TEST (EarlyWake, ANewBackupTakesTheWokenOnesPlace)
{
  EarlyWake w;
  w.on_suspect (1, ms (1000));
  auto c = w.on_suspect (2, ms (1300)); /* 1 failed meanwhile */
  ASSERT_EQ (c.size (), 2u);
  EXPECT_EQ (c[0].index, 1);
  EXPECT_FALSE (c[0].awake);
  EXPECT_EQ (c[0].awake_for, ms (300));
  EXPECT_EQ (c[1].index, 2);
  EXPECT_TRUE (c[1].awake);
  EXPECT_EQ (w.woken (), 2);
}

TEST (Policy, TheBackupIsTheCandidateAFailureWouldSwitchTo)
{
  PolicyConfig c;
  c.standby = Standby::Warm;
  FailoverPolicy p (c, 3);
  EXPECT_EQ (p.backup (), -1) << "on filler";
  p.step (ms (0));
  p.on_healthy (0, ms (100));
  p.step (ms (100));
  ASSERT_EQ (p.active (), 0);
  EXPECT_EQ (p.backup (), -1) << "1 is not healthy yet";
  p.on_healthy (1, ms (200));
  EXPECT_EQ (p.backup (), 1);
  p.on_failure (0, FailureReason::Timeout, false, "", ms (300), ms (300));
  EXPECT_EQ (p.active (), 1);
  EXPECT_EQ (p.backup (), -1) << "0 waits for its retry, 2 not started";
}
