#include "resilient/failover/output_timeline.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::failover;

namespace {

constexpr Duration kLimit = std::chrono::milliseconds (100); /* latency 200 */

TimePoint
at_ms (std::int64_t v)
{
  return ms (v);
}

std::int64_t
out_ms (const CandidateTimeline::Mapping &m)
{
  return m.out_ns / 1000000;
}

CandidateTimeline::Sample
sample (int stream, std::int64_t rt_ms, std::int64_t now_ms, bool active,
        bool live = true)
{
  CandidateTimeline::Sample s;
  s.stream = stream;
  s.running_time = at_ms (rt_ms);
  s.now = at_ms (now_ms);
  s.live = live;
  s.active = active;
  s.late_limit = kLimit;
  return s;
}

} // namespace

TEST (StarveThreshold, HalfTheLatencyAtLeast50ms)
{
  EXPECT_EQ (starve_threshold (ms (200)), ms (100));
  EXPECT_EQ (starve_threshold (ms (60)), ms (50));
  EXPECT_EQ (starve_threshold (ms (0)), ms (50));
}

TEST (CandidateTimeline, FileIsAnchoredOnItsFirstSampleAndKeepsTheOffset)
{
  CandidateTimeline t;
  /* First sample at running time 0 arrives at 1000 ms. */
  auto m = t.map (sample (0, 0, 1000, true, false));
  EXPECT_FALSE (m.stale);
  EXPECT_EQ (out_ms (m), 1000);
  /* Decoded ahead: the next one is mapped by the same offset. */
  m = t.map (sample (0, 100, 1001, true, false));
  EXPECT_EQ (out_ms (m), 1100);
  /* Due later than half the threshold (50 ms) from now: waited for. */
  EXPECT_TRUE (CandidateTimeline::must_wait (m.out_ns, at_ms (1049), kLimit));
  EXPECT_FALSE (CandidateTimeline::must_wait (m.out_ns, at_ms (1050), kLimit));
}

TEST (CandidateTimeline, LiveStartupBurstIsSkippedAsStale)
{
  CandidateTimeline t;
  /* A GOP burst: samples 0..900 ms of the candidate all arrive at 1000. */
  std::vector<bool> stale;
  for (int rt = 0; rt <= 900; rt += 100)
    stale.push_back (t.map (sample (0, rt, 1000, true)).stale);
  /* Each newer sample lowers the live edge: the edge is where the newest
   * arrived, so none of them is stale yet at its own arrival. */
  for (bool s : stale)
    EXPECT_FALSE (s);
  /* Now in real time: the newest (900 at 1000) set the edge at 100 ms;
   * a late straggler of rt 500 arriving at 1050 is 550 late: stale. */
  EXPECT_TRUE (t.map (sample (0, 500, 1050, true)).stale);
  auto m = t.map (sample (0, 933, 1033, true));
  EXPECT_FALSE (m.stale);
  EXPECT_EQ (out_ms (m), 1033);
}

TEST (CandidateTimeline, LiveEdgeIsTheSlowestStreams)
{
  CandidateTimeline t;
  t.map (sample (0, 0, 300, false));          /* video 300 late */
  auto m = t.map (sample (1, 0, 100, false)); /* audio 100 late */
  /* Both streams' newest data must fit: the larger lateness wins. */
  EXPECT_EQ (out_ms (m), 300);
}

TEST (CandidateTimeline, EdgeRisesAtMost1msPerSecond)
{
  CandidateTimeline t;
  t.map (sample (0, 0, 100, false)); /* edge 100 */
  /* 10 s later the sender's clock ran 5 ms slow: lateness 105 <= 100 + 10 */
  auto m = t.map (sample (0, 9995, 10100, false));
  EXPECT_EQ (out_ms (m), 10100);
  /* 20 ms more lateness 1 s later is jitter, not drift: edge stays 105 */
  m = t.map (sample (0, 10980, 11100, false));
  EXPECT_EQ (out_ms (m), 11085);
}

TEST (CandidateTimeline, ActiveLiveFreezesAfterSettleThenReanchorsWhenBehind)
{
  CandidateTimeline t;
  t.map (sample (0, 0, 100, true));
  /* Past kLiveSettle the offset (100) is frozen: a later-arriving sample
   * keeps its place as long as it is within the threshold. */
  auto m = t.map (sample (0, 2000, 2150, true));
  EXPECT_FALSE (m.reanchored);
  EXPECT_EQ (out_ms (m), 2100);
  /* 2000 ms stall, then the candidate continues where it was: behind the
   * output by more than the threshold, re-anchored on arrival. */
  m = t.map (sample (0, 2033, 4200, true));
  EXPECT_TRUE (m.reanchored);
  EXPECT_EQ (out_ms (m), 4200);
  m = t.map (sample (0, 2066, 4233, true));
  EXPECT_FALSE (m.reanchored);
  EXPECT_EQ (out_ms (m), 4233);
}

/* A warm standby: live edge learned at its start (during its start-up
 * burst, so optimistic), asleep (no samples) for an hour, then woken: what
 * its branch held from before the sleep is stale, not a reason to
 * re-anchor the output an hour behind; the live edge is learned anew from
 * the frames after the wake, which arrive later than the start-up burst's
 * did (decoder delay at the live pace). */
TEST (CandidateTimeline, WokenWarmRunSkipsWhatItHeldAsStale)
{
  CandidateTimeline t;
  t.map (sample (0, 0, 20, false));
  t.map (sample (0, 33, 53, false)); /* edge 20 */
  const std::int64_t woke = 3600000;
  t.resettle ();
  /* The gate: the kept GOP ends at rt woke - 200; older is held stuff. */
  t.skip_before (0, at_ms (woke - 300));
  /* Held before the sleep (a frame, videorate's repeats of it). */
  auto m = t.map (sample (0, 66, woke, true));
  EXPECT_TRUE (m.stale);
  EXPECT_FALSE (m.reanchored);
  EXPECT_TRUE (t.map (sample (0, 1000, woke + 1, true)).stale);
  /* The live edge (the decoded end of the kept GOP), 150 ms late: out now,
   * and the frames after it at their pace. */
  m = t.map (sample (0, woke - 145, woke + 5, true));
  EXPECT_FALSE (m.stale);
  EXPECT_EQ (out_ms (m), woke + 5);
  m = t.map (sample (0, woke - 112, woke + 38, true));
  EXPECT_FALSE (m.stale);
  EXPECT_EQ (out_ms (m), woke + 38);
  /* With the edge learned at the start kept, after a short sleep (3 s:
   * 3 ms of drift allowance) they would all be stale. */
  CandidateTimeline v;
  v.map (sample (0, 0, 20, false));
  EXPECT_TRUE (v.map (sample (0, 2855, 3005, false)).stale);
  /* Without resettle the active run would re-anchor on the held frame. */
  CandidateTimeline u;
  u.map (sample (0, 0, 150, false));
  auto n = u.map (sample (0, 66, woke, true));
  EXPECT_FALSE (n.stale);
  EXPECT_EQ (out_ms (n), woke) << "the stale frame anchored the output";
}

TEST (CandidateTimeline, TakesOverFromFillerWhereFillerEnded)
{
  CandidateTimeline t;
  auto s = sample (0, 0, 1000, true, false);
  s.filler_end = at_ms (1040);
  auto m = t.map (s);
  EXPECT_EQ (out_ms (m), 1040);
  /* The shift stays in the offset. */
  m = t.map (sample (0, 33, 1010, true, false));
  EXPECT_EQ (out_ms (m), 1073);
}

TEST (CandidateTimeline, ResetAnchorsAgain)
{
  CandidateTimeline t;
  t.map (sample (0, 0, 1000, true, false));
  t.reset ();
  auto m = t.map (sample (0, 100, 5000, true, false));
  EXPECT_EQ (out_ms (m), 5000);
}

TEST (OutputTimeline, VideoBehindByHalfAFrameIsDroppedElseClamped)
{
  OutputTimeline o;
  o.commit (at_ms (1000), ms (40), 1, true); /* end 1040 */
  auto p = o.place_video (at_ms (1020), ms (40));
  EXPECT_TRUE (p.drop);
  p = o.place_video (at_ms (1021), ms (40));
  EXPECT_FALSE (p.drop);
  EXPECT_EQ (p.pts, at_ms (1040));
  p = o.place_video (at_ms (1100), ms (40));
  EXPECT_EQ (p.pts, at_ms (1100));
}

TEST (OutputTimeline, AudioOverlapIsClipped)
{
  OutputTimeline o;
  o.commit (at_ms (0), ms (100), 1, false); /* end 100 */
  /* 960 samples at 48 kHz = 20 ms from 90: the first 10 ms are cut. */
  auto p = o.place_audio (at_ms (90), 960, 48000);
  EXPECT_FALSE (p.drop);
  EXPECT_EQ (p.trim_samples, 480u);
  EXPECT_EQ (p.pts, at_ms (100));
  EXPECT_EQ (p.duration, ms (10));
  EXPECT_TRUE (o.place_audio (at_ms (50), 960, 48000).drop);
  p = o.place_audio (at_ms (200), 960, 48000);
  EXPECT_EQ (p.trim_samples, 0u);
  EXPECT_EQ (p.duration, ms (20));
}

TEST (OutputTimeline, DiscontAndSwitchGap)
{
  OutputTimeline o;
  EXPECT_TRUE (o.discont (1));
  EXPECT_EQ (o.switch_gap (at_ms (500), true), Duration::zero ());
  o.commit (at_ms (0), ms (40), 1, true); /* candidate up to 40 */
  EXPECT_FALSE (o.discont (1));
  o.commit (at_ms (140), ms (40), kFillerSource, true); /* filler to 180 */
  EXPECT_TRUE (o.discont (2));
  /* From a candidate: the starving stretch covered by filler is gap. */
  EXPECT_EQ (o.switch_gap (at_ms (200), true), ms (160));
  /* From filler: from the filler's end. */
  EXPECT_EQ (o.switch_gap (at_ms (200), false), ms (20));
  EXPECT_EQ (o.switch_gap (at_ms (100), false), Duration::zero ());
}

TEST (OutputTimeline, FillerDueOnFillerUpToNow)
{
  OutputTimeline o;
  OutputTimeline::FillerInput in;
  in.now = at_ms (1000);
  in.on_filler = true;
  in.latency = ms (200);
  /* Nothing out yet: at now. */
  EXPECT_EQ (o.filler_due (in), at_ms (1000));
  o.commit (at_ms (1000), ms (33), kFillerSource, true);
  EXPECT_FALSE (o.filler_due (in)); /* ahead of now */
  in.now = at_ms (1100);
  EXPECT_EQ (o.filler_due (in), at_ms (1033)); /* continues the output */
  in.now = at_ms (1300);
  EXPECT_EQ (o.filler_due (in), at_ms (1300)); /* more than latency behind */
}

TEST (OutputTimeline, FillerCoversAStarvingCandidateAfterTheThreshold)
{
  OutputTimeline o;
  o.commit (at_ms (1000), ms (33), 7, true); /* end 1033 */
  OutputTimeline::FillerInput in;
  in.on_filler = false;
  in.threshold = ms (100);
  in.frame = ms (33);
  in.latency = ms (200);
  in.now = at_ms (1132);
  EXPECT_FALSE (o.filler_due (in));
  EXPECT_EQ (o.starving_at (ms (100)), at_ms (1133));
  in.now = at_ms (1133);
  EXPECT_EQ (o.filler_due (in), at_ms (1033));
  o.commit (at_ms (1033), ms (33), kFillerSource, true); /* end 1066 */
  EXPECT_FALSE (o.starving_at (ms (100)));
  EXPECT_EQ (o.filler_end (), at_ms (1066));
  /* Once covering, kept filled but never ahead of now minus a frame. */
  in.now = at_ms (1098);
  EXPECT_FALSE (o.filler_due (in));
  in.now = at_ms (1099);
  EXPECT_EQ (o.filler_due (in), at_ms (1066));
}

TEST (OutputTimeline, SilenceRunsAheadOnlyOnFiller)
{
  OutputTimeline o;
  /* Nothing out: half a health period ahead. */
  EXPECT_EQ (
      o.silence_samples (at_ms (1000), at_ms (1000), false, ms (50), 48000),
      2400u);
  o.commit (at_ms (900), ms (100), 3, false);
  EXPECT_EQ (
      o.silence_samples (at_ms (1000), at_ms (1010), false, ms (50), 48000),
      480u);
  EXPECT_EQ (
      o.silence_samples (at_ms (1000), at_ms (1000), false, ms (50), 48000),
      0u);
  EXPECT_EQ (
      o.silence_samples (at_ms (1000), at_ms (1000), true, ms (50), 48000),
      2400u);
  EXPECT_EQ (o.silence_samples (at_ms (1000), at_ms (1000), true, ms (50), 0),
             0u);
}

TEST (OutputTimeline, PictureHoldsLastFrameThenImageOrBlack)
{
  using P = OutputTimeline::Picture;
  OutputTimeline o;
  o.commit (at_ms (1000), ms (33), 5, true);
  /* On filler (active 0): held for `hold`, then the image or black. */
  EXPECT_EQ (o.picture (at_ms (1999), true, true, ms (1000), 0, false),
             P::LastFrame);
  EXPECT_EQ (o.picture (at_ms (2000), true, true, ms (1000), 0, false),
             P::Image);
  EXPECT_EQ (o.picture (at_ms (2000), true, false, ms (1000), 0, false),
             P::Black);
  /* The active candidate that sent it is starving: held however long. */
  EXPECT_EQ (o.picture (at_ms (9000), true, false, ms (1000), 5, false),
             P::LastFrame);
  /* Another candidate active: held only right after the switch. */
  EXPECT_EQ (o.picture (at_ms (9000), true, false, ms (1000), 6, false),
             P::Black);
  EXPECT_EQ (o.picture (at_ms (9000), true, false, ms (1000), 6, true),
             P::LastFrame);
  /* No frame to hold. */
  EXPECT_EQ (o.picture (at_ms (1001), false, false, ms (1000), 5, true),
             P::Black);
  /* Filler frames are not a last frame. */
  o.commit (at_ms (1033), ms (33), kFillerSource, true);
  EXPECT_EQ (o.picture (at_ms (2010), true, false, ms (1000), 0, false),
             P::Black);
}

/* mode=encoded: a candidate restarted a moment ago is cut to from its kept
 * GOP (its start-up burst) and shifted by the cut's delay: the element
 * then maps its samples against `now - delay`. Within kLiveSettle the live
 * edge would follow that lower lateness and map the units after the kept
 * ones back by the delay; end_settle keeps the offset the kept units were
 * placed with. */
TEST (CandidateTimeline, EndSettleKeepsTheOffsetOfACutWithinTheSettle)
{
  CandidateTimeline t;
  /* The burst: frames 0..179 ms arrive together at 6000 ms; the newest one
   * sets the edge (lateness 5821). */
  for (int rt = 0; rt <= 179; rt += 33)
    t.map (sample (0, rt, 6000, false));
  EXPECT_EQ (out_ms (t.map (sample (0, 179, 6000, false))), 6000);
  /* The cut, delay 260 ms: the next frame arrives at 6030 and is mapped
   * at 6030 - 260. */
  CandidateTimeline following = t;
  auto m = following.map (sample (0, 212, 6030 - 260, true));
  EXPECT_LT (out_ms (m), 6033 - 200); /* back by about the delay */
  t.end_settle ();
  m = t.map (sample (0, 212, 6030 - 260, true));
  EXPECT_FALSE (m.stale);
  EXPECT_FALSE (m.reanchored);
  EXPECT_EQ (out_ms (m), 6033); /* right after the kept ones */
  m = t.map (sample (0, 245, 6062 - 260, true));
  EXPECT_EQ (out_ms (m), 6066);
  /* A resettle (a warm wake) clears it: the settle runs anew. */
  t.resettle ();
  t.map (sample (0, 278, 6100, true));
  m = t.map (sample (0, 311, 6100, true));
  EXPECT_EQ (out_ms (m), 6100);
}
