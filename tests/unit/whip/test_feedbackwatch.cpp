#include "resilient/whip/feedbackwatch.h"

#include <gtest/gtest.h>

#include <random>

using namespace resilient;
using namespace resilient::whip;

/* A publisher polled every 100 ms (autorestoresink's tick), RTP leaving
 * all the time; the server sends one RTCP packet every `every_ms` while
 * `alive (t)`, each lost with probability `loss`. Returns the time of the
 * dead verdict, or -1. */
template <typename Alive>
static std::int64_t
run (FeedbackWatch &w, std::int64_t from, std::int64_t to,
     std::int64_t every_ms, double loss, Alive alive, std::uint64_t &rtcp,
     std::mt19937 &rng)
{
  std::uniform_real_distribution<double> u (0.0, 1.0);
  std::int64_t next = from;
  for (std::int64_t t = from; t <= to; t += 100) {
    while (next <= t) {
      if (alive (next) && u (rng) >= loss)
        rtcp++;
      next += every_ms;
    }
    if (w.sample (ms (t), rtcp, (std::uint64_t)t))
      return t;
  }
  return -1;
}

TEST (WhipFeedbackWatch, DeadServerIsDetectedWithinASecond)
{
  /* browsers send transport-cc feedback every 50-100 ms */
  for (std::int64_t every : { 50, 100 }) {
    FeedbackWatch w;
    std::uint64_t rtcp = 0;
    std::mt19937 rng (1);
    const std::int64_t death = 10000;
    std::int64_t t = run (
        w, 0, 20000, every, 0.0, [&] (std::int64_t x) { return x < death; },
        rtcp, rng);
    ASSERT_GT (t, death) << every;
    EXPECT_LE (t - death, 1000) << "feedback every " << every << " ms";
    ASSERT_TRUE (w.last_arrival ());
    EXPECT_LE (death - to_ms (*w.last_arrival ()), 100 + every);
  }
}

TEST (WhipFeedbackWatch, NoFalseAlarmOnAHealthySessionWithTwoPercentLoss)
{
  /* an hour of 100 ms feedback, 2 % of it lost at random, several seeds;
   * then the same with the server dying: still detected within a second */
  for (unsigned seed = 1; seed <= 5; seed++) {
    FeedbackWatch w;
    std::uint64_t rtcp = 0;
    std::mt19937 rng (seed);
    EXPECT_EQ (run (
                   w, 0, 3600 * 1000, 100, 0.02,
                   [] (std::int64_t) { return true; }, rtcp, rng),
               -1)
        << "seed " << seed;
    EXPECT_LE (w.allowed (), ms (1000));
    std::int64_t death = 3600 * 1000 + 5000;
    std::int64_t t = run (
        w, 3600 * 1000 + 100, 3700 * 1000, 100, 0.02,
        [&] (std::int64_t x) { return x < death; }, rtcp, rng);
    ASSERT_GT (t, death);
    EXPECT_LE (t - death, 1000) << "seed " << seed;
  }
}

TEST (WhipFeedbackWatch, ReceiverReportCadenceIsLeftToTheSlowWatch)
{
  /* a server that only sends receiver reports every 1.5 s: 6 x 1.5 s is
   * above the ceiling, the fast watch never judges */
  FeedbackWatch w;
  std::uint64_t rtcp = 0;
  std::mt19937 rng (3);
  EXPECT_EQ (run (
                 w, 0, 20000, 1500, 0.0,
                 [] (std::int64_t x) { return x < 10000; }, rtcp, rng),
             -1);
  EXPECT_FALSE (w.judging ());
}

TEST (WhipFeedbackWatch, NothingIsOwedWhileNothingIsSent)
{
  FeedbackWatch w;
  std::uint64_t rtcp = 0;
  for (std::int64_t t = 0; t <= 2000; t += 100)
    EXPECT_FALSE (w.sample (ms (t), ++rtcp, (std::uint64_t)t));
  ASSERT_TRUE (w.judging ());
  /* the encoder stalls: the server has nothing to answer */
  for (std::int64_t t = 2100; t <= 10000; t += 100)
    EXPECT_FALSE (w.sample (ms (t), rtcp, 2000)) << t;
  EXPECT_EQ (w.silence (ms (10000)), Duration::zero ());
  /* RTP again, no answer: dead after the allowance (6 x 100 ms), counted
   * from the first packet sent */
  EXPECT_EQ (w.allowed (), ms (600));
  for (std::int64_t t = 10100; t < 10700; t += 100)
    EXPECT_FALSE (w.sample (ms (t), rtcp, 2000 + (t - 10000) / 100)) << t;
  EXPECT_TRUE (w.sample (ms (10700), rtcp, 2007));
  EXPECT_TRUE (w.sample (ms (10800), rtcp + 1, 2008)) << "dead stays dead";
}

TEST (WhipFeedbackWatch, ServerThatNeverSendsRtcpIsNeverJudged)
{
  FeedbackWatch w;
  for (std::int64_t t = 0; t <= 60000; t += 100)
    EXPECT_FALSE (w.sample (ms (t), 0, (std::uint64_t)t));
  EXPECT_FALSE (w.last_arrival ());
}
