#include "resilient/failover/lone_stream.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::failover;

TEST (LoneStreamWatch, OneStreamIsDeclaredAfterItsOwnSecond)
{
  LoneStreamWatch w;
  w.stream_added ();
  EXPECT_FALSE (w.on_unit (ms (5000))); /* a stream joined mid-way */
  EXPECT_FALSE (w.on_unit (ms (5033)));
  EXPECT_FALSE (w.on_unit (ms (5000) + kLoneStreamAfter - ms (1)));
  EXPECT_TRUE (w.on_unit (ms (5000) + kLoneStreamAfter));
  EXPECT_TRUE (w.declared ());
  /* once only */
  EXPECT_FALSE (w.on_unit (ms (7000)));
}

TEST (LoneStreamWatch, ASecondStreamLeavesItToTheDemuxer)
{
  LoneStreamWatch w;
  w.stream_added ();
  EXPECT_FALSE (w.on_unit (ms (0)));
  w.stream_added (); /* the audio, an interleave later */
  EXPECT_FALSE (w.on_unit (ms (21)));
  EXPECT_FALSE (w.on_unit (ms (3000)));
  EXPECT_FALSE (w.declared ());
}

TEST (LoneStreamWatch, ABurstOfOldUnitsCountsByTheirTimes)
{
  /* A server's GOP cache arrives at once: its stream time still spans
   * the GOP, so a one-stream container is declared within the burst. */
  LoneStreamWatch w (ms (1000));
  w.stream_added ();
  bool declared = false;
  for (int i = 0; i <= 60 && !declared; i++)
    declared = w.on_unit (ms (33 * i));
  EXPECT_TRUE (declared);
}

TEST (LoneStreamWatch, NothingBeforeAStreamAndATimestampResetStartsAgain)
{
  LoneStreamWatch w;
  EXPECT_FALSE (w.on_unit (ms (0)));
  EXPECT_FALSE (w.on_unit (ms (5000))); /* no stream known yet */
  w.stream_added ();
  EXPECT_FALSE (w.on_unit (ms (9000)));
  EXPECT_FALSE (w.on_unit (ms (10))); /* the publisher restarted at 0 */
  EXPECT_FALSE (w.on_unit (ms (900)));
  EXPECT_TRUE (w.on_unit (ms (10) + kLoneStreamAfter));
}
