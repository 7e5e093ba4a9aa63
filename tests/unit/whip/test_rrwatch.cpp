#include "resilient/whip/rrwatch.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::whip;

/* Samples every 100 ms from `from` to `to`, reports at `every` with
 * growing progress (starting above `p`), an RTP packet leaving every
 * sample; returns the time of the dead verdict or -1. */
static std::int64_t
run (ReceiverReportWatch &w, std::int64_t from, std::int64_t to,
     std::int64_t every, std::uint64_t &p)
{
  for (std::int64_t t = from; t <= to; t += 100) {
    std::optional<std::uint64_t> prog;
    if (every > 0 && t % every == 0)
      prog = ++p;
    else if (p > 0)
      prog = p;
    if (w.sample (ms (t), prog, (std::uint64_t)t))
      return t;
  }
  return -1;
}

TEST (WhipReceiverReportWatch, FastReporterIsDeadAfterThePeriod)
{
  /* 4 pings over 2000 ms; reports every second. */
  ReceiverReportWatch w (ms (2000), 4);
  std::uint64_t p = 0;
  EXPECT_EQ (run (w, 0, 5000, 1000, p), -1);
  EXPECT_EQ (w.pings (), 6u);
  /* learned: 3 x 1 s = 3 s > 2 s */
  EXPECT_EQ (w.allowed (), ms (3000));
  /* owed from the first packet after the last ping (5100) */
  EXPECT_EQ (run (w, 5100, 20000, 0, p), 8100);
  EXPECT_EQ (w.missing (ms (8100)), 6);
}

TEST (WhipReceiverReportWatch, ThePeriodRulesWhenLongerThanTheCadence)
{
  ReceiverReportWatch w (ms (5000), 10);
  std::uint64_t p = 0;
  EXPECT_EQ (run (w, 0, 3000, 500, p), -1);
  EXPECT_EQ (w.allowed (), ms (5000));
  EXPECT_EQ (run (w, 3100, 20000, 0, p), 8100);
}

TEST (WhipReceiverReportWatch, SlowRfc3550ServerIsNotKilledByTheSeedPeriod)
{
  /* Reports 2.5 to 7.5 s apart (T = 5 s): the seed's 5000 ms must not
   * kill the session. */
  ReceiverReportWatch w (ms (5000), 10);
  const std::int64_t at[] = { 2500, 5000, 12500, 15000, 22500, 25000 };
  std::uint64_t p = 0;
  std::size_t next = 0;
  for (std::int64_t t = 0; t <= 25000; t += 100) {
    std::optional<std::uint64_t> prog;
    if (next < std::size (at) && t == at[next]) {
      prog = ++p;
      next++;
    } else if (p > 0) {
      prog = p;
    }
    ASSERT_FALSE (w.sample (ms (t), prog, (std::uint64_t)t)) << "at " << t;
  }
  EXPECT_EQ (w.allowed (), ms (22500));
}

TEST (WhipReceiverReportWatch, BeforeTheCadenceIsKnownTheRfcBoundApplies)
{
  ReceiverReportWatch w (ms (2000), 4);
  EXPECT_FALSE (w.sample (ms (0), std::nullopt, 10));
  EXPECT_FALSE (w.sample (ms (1000), 7u, 20));
  EXPECT_EQ (w.allowed (), ReceiverReportWatch::kUnlearnedAllowance);
  EXPECT_FALSE (w.sample (ms (1100), 7u, 21));
  EXPECT_FALSE (w.sample (ms (8500), 7u, 300));
  EXPECT_TRUE (w.sample (ms (8600), 7u, 310));
}

TEST (WhipReceiverReportWatch, NeverArmedWithoutReports)
{
  ReceiverReportWatch w (ms (1000), 1);
  for (std::int64_t t = 0; t < 60000; t += 500)
    EXPECT_FALSE (w.sample (ms (t), std::nullopt, (std::uint64_t)t));
  EXPECT_EQ (w.pings (), 0u);
}

TEST (WhipReceiverReportWatch, NothingSentIsNotASilentServer)
{
  ReceiverReportWatch w (ms (2000), 4);
  std::uint64_t p = 0;
  run (w, 0, 3000, 500, p);
  /* RTP stops leaving: the server has nothing new to acknowledge. */
  for (std::int64_t t = 3100; t <= 20000; t += 100)
    EXPECT_FALSE (w.sample (ms (t), p, 3000));
  /* Sending again: the full allowance (3 x 0.5 s < 2 s) from there. */
  EXPECT_FALSE (w.sample (ms (20100), p, 3001));
  EXPECT_FALSE (w.sample (ms (22000), p, 3100));
  EXPECT_TRUE (w.sample (ms (22100), p, 3200));
}

TEST (WhipReceiverReportWatch, ZeroDisables)
{
  for (auto w : { ReceiverReportWatch (ms (0), 10),
                  ReceiverReportWatch (ms (2000), 0) }) {
    EXPECT_FALSE (w.sample (ms (0), 1u, 1));
    EXPECT_FALSE (w.sample (ms (600000), 1u, 100000));
    EXPECT_EQ (w.missing (ms (600000)), 0);
  }
}
