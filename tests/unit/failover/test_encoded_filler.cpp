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
