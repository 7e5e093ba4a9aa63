/* failoversrc mode=encoded: where a switch cuts in
 * (lib/resilient/failover/encoded_cut.h). */
#include "resilient/failover/encoded_cut.h"
#include "resilient/failover/warm.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::failover;

namespace {

/* Output times of a 30 fps GOP kept by a GopStore from a 1 s GOP stream,
 * frames [0, n), keyframes every 30: what the element keeps. */
std::vector<TimePoint>
kept_gop (int n, TimePoint start = ms (10000))
{
  GopStore store (GopConfig{}, true);
  std::vector<TimePoint> kept;
  for (int i = 0; i < n; i++) {
    TimePoint t = start + ms (i * 1000 / 30);
    auto s = store.on_unit ({ i % 30 == 0, t, 1000 });
    kept.erase (kept.begin (), kept.begin () + (long)s.drop_front);
    if (s.keep)
      kept.push_back (t);
  }
  return kept;
}

} // namespace

TEST (EncodedCut, StartsFromTheKeptKeyframeDelayedToTheCut)
{
  /* 45 frames: the kept GOP starts at frame 30 (t0 + 1000 ms) and ends at
   * frame 44 (t0 + 1466 ms); the old source's last frame ended at
   * t0 + 1300 ms, the switch is decided at t0 + 1500 ms. */
  auto kept = kept_gop (45);
  ASSERT_EQ (kept.size (), 15u);
  auto plan = plan_cut (kept, ms (11300), ms (11500));
  EXPECT_TRUE (plan.from_kept);
  /* The keyframe goes out now: 500 ms later than it was mapped. */
  EXPECT_EQ (plan.delay, ms (500));
  ASSERT_TRUE (plan.keyframe_out);
  EXPECT_EQ (*plan.keyframe_out, ms (11000));
}

TEST (EncodedCut, NeverCutsBeforeTheOutputEnd)
{
  /* The output already went beyond now (pushed ahead by the pacing): the
   * keyframe follows it, never overlaps it. */
  auto kept = kept_gop (35);
  auto plan = plan_cut (kept, ms (11400), ms (11200));
  EXPECT_TRUE (plan.from_kept);
  EXPECT_EQ (plan.delay, ms (400));
  /* A keyframe mapped after the cut (a candidate ahead of the output) is
   * not pulled earlier. */
  auto ahead = plan_cut (kept, ms (9000), ms (9500));
  EXPECT_TRUE (ahead.from_kept);
  EXPECT_EQ (ahead.delay, Duration::zero ());
}

TEST (EncodedCut, WaitsForTheNextKeyframeWithoutAUsableKeptOne)
{
  /* Nothing kept (a cold start, deltas only so far). */
  EXPECT_FALSE (plan_cut ({}, ms (5000), ms (5000)).from_kept);
  /* A 4 s GOP nearly over: its keyframe is 3.9 s old, past max_delay. */
  GopConfig c;
  std::vector<TimePoint> old{ ms (1000), ms (1033), ms (4900) };
  auto plan = plan_cut (old, ms (4900), ms (4900));
  EXPECT_FALSE (plan.from_kept);
  EXPECT_EQ (plan.delay, Duration::zero ());
  /* The same GOP 1.9 s old is used. */
  EXPECT_TRUE (plan_cut (old, ms (2900), ms (2900)).from_kept);
  CutConfig tight;
  tight.max_delay = ms (1000);
  EXPECT_FALSE (plan_cut (old, ms (2900), ms (2900), tight).from_kept);
}

TEST (EncodedCut, KeyframeWaitDropsDeltasUntilAKeyframe)
{
  KeyframeWait w;
  EXPECT_TRUE (w.waiting ());
  EXPECT_FALSE (w.admit (false));
  EXPECT_FALSE (w.admit (false));
  EXPECT_TRUE (w.admit (true));
  EXPECT_TRUE (w.admit (false)); /* the GOP after it */
  w.arm ();
  EXPECT_FALSE (w.admit (false));
  w.satisfy (); /* the cut started from a kept keyframe */
  EXPECT_TRUE (w.admit (false));
}

TEST (EncodedCut, VideoDecodeTimesOnlyMoveForwardAudioOverlapIsDropped)
{
  /* Video: never dropped; a decode time at or before the previous one is
   * moved just after it. */
  auto v = place_encoded (true, ms (1000), ms (33), ms (1000), ms (1033));
  EXPECT_FALSE (v.drop);
  EXPECT_EQ (v.dts, ms (1001)); /* distinct in FLV's milliseconds */
  auto v2 = place_encoded (true, ms (1040), ms (33), ms (1000), ms (1033));
  EXPECT_EQ (v2.dts, ms (1040));
  /* A start-up burst crowding two units into one millisecond. */
  auto v3 = place_encoded (true, ms (1000) + std::chrono::microseconds (700),
                           ms (33), ms (1000), ms (1033));
  EXPECT_EQ (v3.dts, ms (1001));
  auto first
      = place_encoded (true, ms (5), ms (33), std::nullopt, std::nullopt);
  EXPECT_EQ (first.dts, ms (5));
  /* Audio (21 ms AAC frames): an overlap of more than half a frame is
   * dropped, a small one is kept. */
  EXPECT_TRUE (
      place_encoded (false, ms (1000), ms (21), ms (1000), ms (1021)).drop);
  EXPECT_FALSE (
      place_encoded (false, ms (1015), ms (21), ms (1000), ms (1021)).drop);
  EXPECT_FALSE (
      place_encoded (false, ms (1021), ms (21), ms (1000), ms (1021)).drop);
  /* Without durations: a repeated time is dropped, a later one kept. */
  EXPECT_TRUE (
      place_encoded (false, ms (1000), Duration{}, ms (1000), ms (1000)).drop);
  EXPECT_FALSE (
      place_encoded (false, ms (1001), Duration{}, ms (1000), ms (1000)).drop);
}

TEST (EncodedCut, KeptUnitsAreRespacedByTheirRunningTimes)
{
  /* A start-up burst: five frames 33 ms apart in the candidate arrived
   * together and were mapped while the live edge was being learned (the
   * first three with an older offset: they crowd onto the fourth). */
  std::vector<KeptTime> kept{ { ms (5000), ms (100) },
                              { ms (5001), ms (133) },
                              { ms (5002), ms (166) },
                              { ms (5003), ms (200) },
                              { ms (5036), ms (233) } };
  auto out = respaced (kept);
  ASSERT_EQ (out.size (), 5u);
  EXPECT_EQ (out[0], ms (4903));
  EXPECT_EQ (out[1], ms (4936));
  EXPECT_EQ (out[3], ms (5003));
  EXPECT_EQ (out[4], ms (5036)); /* the newest keeps its mapping */
  EXPECT_TRUE (respaced ({}).empty ());
}

TEST (EncodedCut, CommonCutDropsAudioBeforeAKeptKeyframesCut)
{
  CommonCut c;
  c.open_at (ms (5000));
  EXPECT_FALSE (c.waiting ());
  EXPECT_EQ (c.cut (), std::optional<TimePoint> (ms (5000)));
  EXPECT_EQ (c.on_audio (ms (4979)), CommonCut::Audio::Drop);
  EXPECT_EQ (c.on_audio (ms (5000)), CommonCut::Audio::Send);
  EXPECT_EQ (c.on_audio (ms (5021)), CommonCut::Audio::Send);
  /* Video after the cut changes nothing. */
  EXPECT_FALSE (c.on_video (true, ms (6000)));
  EXPECT_EQ (c.on_audio (ms (5500)), CommonCut::Audio::Send);
}

TEST (EncodedCut, CommonCutHoldsAudioUntilTheVideosNextKeyframe)
{
  /* A cold cut: the video waits for its next keyframe (1 s GOP, 30 fps
   * deltas dropped until then). */
  CommonCut c;
  c.wait ();
  EXPECT_TRUE (c.waiting ());
  EXPECT_FALSE (c.cut ());
  /* Audio arriving before any video: held (the cut may come before it). */
  EXPECT_EQ (c.on_audio (ms (1000)), CommonCut::Audio::Hold);
  /* A delta at 1033 is dropped: the keyframe comes later, so audio up to
   * it can go at once. */
  EXPECT_FALSE (c.on_video (false, ms (1033)));
  EXPECT_EQ (c.on_audio (ms (1021)), CommonCut::Audio::Drop);
  EXPECT_EQ (c.on_audio (ms (1033)), CommonCut::Audio::Drop);
  EXPECT_EQ (c.on_audio (ms (1042)), CommonCut::Audio::Hold);
  /* An older delta arriving late does not lower the floor. */
  EXPECT_FALSE (c.on_video (false, ms (1010)));
  EXPECT_EQ (c.on_audio (ms (1030)), CommonCut::Audio::Drop);
  /* The keyframe at 1366 is the cut: audio from it on goes, before it is
   * dropped (held units are judged again by the element). */
  EXPECT_TRUE (c.on_video (true, ms (1366)));
  EXPECT_FALSE (c.waiting ());
  EXPECT_EQ (c.cut (), std::optional<TimePoint> (ms (1366)));
  EXPECT_EQ (c.on_audio (ms (1042)), CommonCut::Audio::Drop);
  EXPECT_EQ (c.on_audio (ms (1365)), CommonCut::Audio::Drop);
  EXPECT_EQ (c.on_audio (ms (1366)), CommonCut::Audio::Send);
  EXPECT_EQ (c.on_audio (ms (1400)), CommonCut::Audio::Send);
  /* Once open, later keyframes are the GOPs after the cut. */
  EXPECT_FALSE (c.on_video (true, ms (2366)));
  EXPECT_EQ (c.cut (), std::optional<TimePoint> (ms (1366)));
}

TEST (EncodedCut, CommonCutAlwaysSendsWhenNoCutWasSet)
{
  /* A branch that never went through a cut (default): everything goes. */
  CommonCut c;
  EXPECT_EQ (c.on_audio (ms (0)), CommonCut::Audio::Send);
  EXPECT_FALSE (c.on_video (true, ms (0)));
}

TEST (EncodedCut, AnAacUnitWithoutDurationLastsItsFrame)
{
  /* 1024 samples: 21.333 ms at 48 kHz, 23.2 ms at 44.1 kHz. */
  EXPECT_EQ (audio_unit_duration (true, 48000), Duration (21333333));
  EXPECT_EQ (audio_unit_duration (true, 44100), Duration (23219954));
  /* Not known: another codec, no rate. */
  EXPECT_EQ (audio_unit_duration (false, 48000), Duration::zero ());
  EXPECT_EQ (audio_unit_duration (true, 0), Duration::zero ());
}
