#include "resilient/core/backoff.h"

#include <gtest/gtest.h>

using namespace resilient;

TEST (Backoff, GrowsExponentiallyUpToTheCapWithoutJitter)
{
  BackoffPolicy p;
  p.initial = ms (100);
  p.max = ms (1000);
  p.multiplier = 2.0;
  p.jitter = 0.0;
  Backoff b (p);
  EXPECT_EQ (b.next_delay (), ms (100));
  EXPECT_EQ (b.next_delay (), ms (200));
  EXPECT_EQ (b.next_delay (), ms (400));
  EXPECT_EQ (b.next_delay (), ms (800));
  EXPECT_EQ (b.next_delay (), ms (1000));
  EXPECT_EQ (b.next_delay (), ms (1000));
  EXPECT_EQ (b.failures (), 6);
}

TEST (Backoff, JitterStaysWithinItsBandAndVaries)
{
  BackoffPolicy p;
  p.initial = ms (1000);
  p.max = ms (1000);
  p.jitter = 0.25;
  Backoff b (p, 42);
  bool varied = false;
  Duration first = *b.next_delay ();
  for (int i = 0; i < 200; i++) {
    Duration d = *b.next_delay ();
    EXPECT_GE (d, ms (750));
    EXPECT_LE (d, ms (1000));   /* the cap still holds after jitter */
    varied |= d != first;
  }
  EXPECT_TRUE (varied);
}

TEST (Backoff, GivesUpAfterMaxAttemptsAndResetStartsOver)
{
  BackoffPolicy p;
  p.initial = ms (10);
  p.jitter = 0.0;
  p.max_attempts = 3;
  Backoff b (p);
  EXPECT_TRUE (b.next_delay ());
  EXPECT_TRUE (b.next_delay ());
  EXPECT_TRUE (b.next_delay ());
  EXPECT_FALSE (b.next_delay ());
  EXPECT_TRUE (b.exhausted ());
  b.reset ();
  EXPECT_EQ (b.next_delay (), ms (10));
}

TEST (Backoff, UnlimitedAttemptsNeverGiveUp)
{
  BackoffPolicy p;
  p.max_attempts = -1;
  p.jitter = 0.0;
  Backoff b (p);
  for (int i = 0; i < 10000; i++)
    ASSERT_TRUE (b.next_delay ());
}

TEST (Backoff, ImmediateFirstRetryThenBackoff)
{
  BackoffPolicy p;
  p.initial = ms (300);
  p.jitter = 0.0;
  p.immediate_first = true;
  Backoff b (p);
  EXPECT_EQ (b.next_delay (), Duration::zero ());
  EXPECT_EQ (b.next_delay (), ms (300));
  EXPECT_EQ (b.next_delay (), ms (600));
}

TEST (Backoff, FloorFromServerIsHonouredOnce)
{
  BackoffPolicy p;
  p.initial = ms (100);
  p.jitter = 0.0;
  Backoff b (p);
  b.set_floor (ms (5000));
  EXPECT_EQ (b.next_delay (), ms (5000));
  EXPECT_EQ (b.next_delay (), ms (200));
}
