#include "resilient/restore/watchers.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::restore;
using V = BitrateWatch::Verdict;

TEST (BitrateWatch, ThreeZeroIntervalsInARowMeanRepublish)
{
  BitrateWatch w (ms (500), 3);
  std::uint64_t out = 0, in = 0;
  TimePoint t = ms (0);
  EXPECT_EQ (w.sample (t, out, in), V::Ok);
  /* Flowing: 1000 bytes per 500 ms = 16 kbit/s. */
  for (int i = 0; i < 4; i++) {
    out += 1000;
    in += 1000;
    t += ms (500);
    EXPECT_EQ (w.sample (t, out, in), V::Ok);
  }
  EXPECT_NEAR (w.last_kbps (), 16.0, 0.01);
  in += 1000; t += ms (500);
  EXPECT_EQ (w.sample (t, out, in), V::Zero);
  in += 1000; t += ms (500);
  EXPECT_EQ (w.sample (t, out, in), V::Zero);
  in += 1000; t += ms (500);
  EXPECT_EQ (w.sample (t, out, in), V::Failed);
  EXPECT_EQ (w.zero_count (), 3);
  EXPECT_EQ (w.last_kbps (), 0.0);
}

TEST (BitrateWatch, AnyOutgoingByteResetsTheCount)
{
  BitrateWatch w (ms (500), 3);
  std::uint64_t out = 0, in = 0;
  w.sample (ms (0), out, in);
  for (int round = 0; round < 10; round++) {
    in += 100;
    EXPECT_EQ (w.sample (ms (500) * (2 * round + 1), out, in), V::Zero);
    in += 100;
    out += 1;
    EXPECT_EQ (w.sample (ms (500) * (2 * round + 2), out, in), V::Ok);
  }
}

TEST (BitrateWatch, NoInputIsNotTheNetworksFault)
{
  BitrateWatch w (ms (500), 3);
  w.sample (ms (0), 0, 0);
  for (int i = 1; i < 20; i++)
    EXPECT_EQ (w.sample (ms (500) * i, 0, 0), V::Ok);
  EXPECT_EQ (w.zero_count (), 0);
}

TEST (BitrateWatch, ResetStartsANewSession)
{
  BitrateWatch w (ms (500), 2);
  w.sample (ms (0), 0, 0);
  EXPECT_EQ (w.sample (ms (500), 0, 10), V::Zero);
  w.reset ();
  /* Counters restart at zero in a new session: no false delta. */
  EXPECT_EQ (w.sample (ms (1000), 0, 0), V::Ok);
  EXPECT_EQ (w.sample (ms (1500), 0, 10), V::Zero);
  EXPECT_EQ (w.sample (ms (2000), 0, 20), V::Failed);
}

TEST (PingWatch, DeadAfterThePeriodWithoutPingsWhileOwed)
{
  /* 10 missing pings over 5000 ms: one due every 500 ms. */
  PingWatch p (ms (5000), 10);
  p.reset (ms (0));
  std::uint64_t pings = 0;
  for (int i = 1; i <= 20; i++)
    EXPECT_FALSE (p.sample (ms (100) * i, ++pings, true));
  TimePoint last = ms (2000);
  for (int i = 1; i < 50; i++)
    EXPECT_FALSE (p.sample (last + ms (100) * i, pings, true)) << i;
  EXPECT_EQ (p.missing (), 9);
  EXPECT_TRUE (p.sample (last + ms (5000), pings, true));
  EXPECT_EQ (p.missing (), 10);
}

TEST (PingWatch, NothingIsMissingWhileNothingIsOwed)
{
  PingWatch p (ms (5000), 10);
  p.reset (ms (0));
  for (int i = 1; i < 100; i++)
    EXPECT_FALSE (p.sample (ms (1000) * i, 0, false));
  EXPECT_EQ (p.missing (), 0);
  /* Owed from now on: the count starts now, not at session start. */
  EXPECT_FALSE (p.sample (ms (100000), 0, true));
  EXPECT_FALSE (p.sample (ms (104000), 0, true));
  EXPECT_TRUE (p.sample (ms (105000), 0, true));
}

TEST (PingWatch, ZeroDisablesTheCheck)
{
  PingWatch p (ms (0), 10);
  p.reset (ms (0));
  for (int i = 1; i < 100; i++)
    EXPECT_FALSE (p.sample (ms (1000) * i, 0, true));
  PingWatch q (ms (5000), 0);
  q.reset (ms (0));
  for (int i = 1; i < 100; i++)
    EXPECT_FALSE (q.sample (ms (1000) * i, 0, true));
}

TEST (RefusalDetector, TwoEarlyClosesInARowAreARefusal)
{
  RefusalDetector r (ms (2000), 2);
  EXPECT_FALSE (r.on_session_end (true, true, false, ms (150)));
  EXPECT_TRUE (r.on_session_end (true, true, false, ms (140)));
}

TEST (RefusalDetector, CrashesAndUnreachableServersAreNotRefusals)
{
  RefusalDetector r (ms (2000), 2);
  /* Connection refused (server down): not accepted. */
  for (int i = 0; i < 10; i++)
    EXPECT_FALSE (r.on_session_end (false, false, false, ms (5)));
  /* A crash after media was acknowledged. */
  EXPECT_FALSE (r.on_session_end (true, true, true, ms (100)));
  EXPECT_FALSE (r.on_session_end (true, true, true, ms (100)));
  /* A close after a long session. */
  EXPECT_FALSE (r.on_session_end (true, true, false, ms (60000)));
  EXPECT_FALSE (r.on_session_end (true, true, false, ms (60000)));
  /* One early close then a good session: the count restarts. */
  EXPECT_FALSE (r.on_session_end (true, true, false, ms (100)));
  r.on_connected ();
  EXPECT_FALSE (r.on_session_end (true, true, false, ms (100)));
}

TEST (RefusalDetector, AServerFoundDownBetweenEarlyClosesIsNoRefusal)
{
  /* A server killed twice, each time soon after a reconnect: between the
   * two closes a probe found it not accepting. */
  RefusalDetector r (ms (2000), 2);
  EXPECT_FALSE (r.on_session_end (true, true, false, ms (150)));
  r.on_unreachable ();
  EXPECT_FALSE (r.on_session_end (true, true, false, ms (150)));
  r.on_unreachable ();
  EXPECT_FALSE (r.on_session_end (true, true, false, ms (150)));
  /* The server keeps accepting and keeps closing: a refusal. */
  EXPECT_TRUE (r.on_session_end (true, true, false, ms (150)));
}
