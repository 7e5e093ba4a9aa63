/* failoversrc mode=encoded: the filler's rules
 * (lib/resilient/failover/encoded_filler.h). */
#include "resilient/failover/encoded_filler.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::failover;

TEST (EncodedFiller, EncodesOncePerFormatAndNothingWithoutOne)
{
  Slate s;
  EXPECT_EQ (s.tick ("", ms (0)), Slate::Step::None);
  EXPECT_FALSE (s.ready ());
  EXPECT_EQ (s.tick ("h264 320x240", ms (100)), Slate::Step::Encode);
  EXPECT_TRUE (s.encoding ());
  /* One encoding at a time. */
  EXPECT_EQ (s.tick ("h264 320x240", ms (200)), Slate::Step::None);
  EXPECT_FALSE (s.finished (2));
  EXPECT_TRUE (s.ready ());
  EXPECT_FALSE (s.encoding ());
  EXPECT_EQ (s.made_for (), "h264 320x240");
  EXPECT_EQ (s.tick ("h264 320x240", ms (300)), Slate::Step::None);
  /* Another resolution: encoded anew; the old slate stays usable until
   * then. */
  EXPECT_EQ (s.tick ("h264 640x360", ms (400)), Slate::Step::Encode);
  EXPECT_TRUE (s.ready ());
  EXPECT_EQ (s.made_for (), "h264 320x240");
  EXPECT_FALSE (s.finished (2));
  EXPECT_EQ (s.made_for (), "h264 640x360");
}

TEST (EncodedFiller, AFailedFormatIsReportedOnceAndNotRetried)
{
  Slate s;
  ASSERT_EQ (s.tick ("h265 320x240", ms (0)), Slate::Step::Encode);
  EXPECT_TRUE (s.finished (0));
  EXPECT_FALSE (s.ready ());
  for (int i = 1; i < 50; i++)
    EXPECT_EQ (s.tick ("h265 320x240", ms (i * 100)), Slate::Step::None);
  /* Another format is tried; after a reset (a new run) the failed one
   * too. */
  EXPECT_EQ (s.tick ("h264 320x240", ms (6000)), Slate::Step::Encode);
  EXPECT_FALSE (s.finished (1));
  s.reset ();
  EXPECT_FALSE (s.ready ());
  EXPECT_EQ (s.tick ("h265 320x240", ms (7000)), Slate::Step::Encode);
}

TEST (EncodedFiller, AHungEncodingIsAbandonedAtTheLimitAsAFailure)
{
  SlateConfig c;
  c.encode_limit = ms (5000);
  Slate s (c);
  ASSERT_EQ (s.tick ("opus 48000x2", ms (1000)), Slate::Step::Encode);
  EXPECT_EQ (s.tick ("opus 48000x2", ms (5999)), Slate::Step::None);
  EXPECT_EQ (s.tick ("opus 48000x2", ms (6000)), Slate::Step::Abandon);
  EXPECT_TRUE (s.finished (0));
  EXPECT_EQ (s.tick ("opus 48000x2", ms (6100)), Slate::Step::None);
  EXPECT_FALSE (s.ready ());
}

TEST (EncodedFiller, UnitsTakeTurns)
{
  Slate s;
  EXPECT_EQ (s.next_unit (), 0u); /* nothing ready: harmless */
  s.tick ("h264 320x240", ms (0));
  s.finished (2);
  std::vector<std::size_t> seq;
  for (int i = 0; i < 5; i++)
    seq.push_back (s.next_unit ());
  EXPECT_EQ (seq, (std::vector<std::size_t>{ 0, 1, 0, 1, 0 }));
  s.tick ("h264 640x360", ms (100));
  s.finished (1);
  EXPECT_EQ (s.next_unit (), 0u);
  EXPECT_EQ (s.next_unit (), 0u);
}

TEST (EncodedFiller, SlateUnitsAreKeyframesOrSteadySilence)
{
  /* An encoder's output with a delta unit between two keyframes. */
  EXPECT_EQ (slate_units ({ true, false, true, true }, true),
             (std::vector<std::size_t>{ 0, 2 }));
  EXPECT_EQ (slate_units ({ false, false }, true),
             (std::vector<std::size_t>{}));
  EXPECT_EQ (slate_units ({}, true), (std::vector<std::size_t>{}));
  /* Audio: the middle packet of 25. */
  EXPECT_EQ (slate_units (std::vector<bool> (25, true), false),
             (std::vector<std::size_t>{ 12 }));
  EXPECT_EQ (slate_units ({ true }, false), (std::vector<std::size_t>{ 0 }));
  EXPECT_EQ (slate_units ({}, false), (std::vector<std::size_t>{}));
}

TEST (EncodedFiller, TheCutBackClosesTheVideoSlateAFrameBeforeTheCut)
{
  /* The last slate went out at 5895 ms (200 ms each); the candidate's
   * keyframe goes out at 6136: one more slate a frame (33 ms) before it,
   * so the video pad's last unit is not 200 ms behind the audio filler
   * that reaches the cut. */
  EXPECT_EQ (closing_slate_at (ms (5895), ms (6136), ms (33)),
             std::optional<TimePoint> (ms (6103)));
  /* The cut right at the slate's end (200 ms later): still closed. */
  EXPECT_EQ (closing_slate_at (ms (5895), ms (6095), ms (33)),
             std::optional<TimePoint> (ms (6062)));
  /* The last slate is within a frame of the cut already: none. */
  EXPECT_FALSE (closing_slate_at (ms (6110), ms (6136), ms (33)));
  EXPECT_FALSE (closing_slate_at (ms (6103), ms (6136), ms (33)));
  /* The video carried nothing (no slate for its codec), or no frame
   * duration: none. */
  EXPECT_FALSE (closing_slate_at (std::nullopt, ms (6136), ms (33)));
  EXPECT_FALSE (closing_slate_at (ms (5895), ms (6136), Duration{}));
}
