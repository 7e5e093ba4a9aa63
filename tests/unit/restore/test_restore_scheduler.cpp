#include "resilient/restore/restore_scheduler.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::restore;
using Action = RestoreVerdict::Action;

static RestorePolicy
seed_policy ()
{
  /* Flashphoner's defaults: every 3000 ms, up to 100 tries. */
  RestorePolicy p;
  p.interval = ms (3000);
  p.max_tries = 100;
  p.fast_first = false;
  return p;
}

TEST (RestoreScheduler, RetriesEveryIntervalUpToMaxTriesThenGivesUpOnce)
{
  RestoreScheduler s (seed_policy ());
  TimePoint now = ms (1000);
  s.start (now);
  s.on_connected (now);
  for (int i = 0; i < 100; i++) {
    auto v = s.on_failure (FailureKind::ServerLost, now);
    ASSERT_EQ (v.action, Action::RetryAt) << "try " << i;
    EXPECT_EQ (v.at, now + ms (3000));
    EXPECT_EQ (v.attempt, i + 1);
    now = v.at;
    s.attempt (now);
  }
  EXPECT_EQ (s.tries (), 100);
  auto v = s.on_failure (FailureKind::ConnectFailed, now);
  EXPECT_EQ (v.action, Action::GiveUp);
  EXPECT_EQ (s.state (), RestoreState::GaveUp);
  /* Reported once: later failures are ignored. */
  EXPECT_EQ (s.on_failure (FailureKind::ConnectFailed, now).action, Action::None);
}

TEST (RestoreScheduler, FastFirstRetryIsImmediateThenTheInterval)
{
  RestorePolicy p = seed_policy ();
  p.fast_first = true;
  RestoreScheduler s (p);
  s.start (ms (0));
  s.on_connected (ms (0));
  auto v = s.on_failure (FailureKind::ServerLost, ms (500));
  ASSERT_EQ (v.action, Action::RetryAt);
  EXPECT_EQ (v.at, ms (500));
  s.attempt (ms (500));
  v = s.on_failure (FailureKind::ConnectFailed, ms (510));
  EXPECT_EQ (v.at, ms (3510));
}

TEST (RestoreScheduler, SuccessResetsTheTries)
{
  RestorePolicy p = seed_policy ();
  p.max_tries = 2;
  RestoreScheduler s (p);
  s.start (ms (0));
  for (int round = 0; round < 5; round++) {
    auto v = s.on_failure (FailureKind::ServerLost, ms (0));
    ASSERT_EQ (v.action, Action::RetryAt);
    s.attempt (v.at);
    v = s.on_failure (FailureKind::ConnectFailed, v.at);
    ASSERT_EQ (v.action, Action::RetryAt);
    s.attempt (v.at);
    s.on_connected (v.at);
    EXPECT_EQ (s.tries (), 0);
  }
  EXPECT_EQ (s.total_retries (), 10u);
}

TEST (RestoreScheduler, UnlimitedTriesNeverGiveUp)
{
  RestorePolicy p = seed_policy ();
  p.max_tries = -1;
  RestoreScheduler s (p);
  s.start (ms (0));
  TimePoint now = ms (0);
  for (int i = 0; i < 10000; i++) {
    auto v = s.on_failure (FailureKind::ConnectFailed, now);
    ASSERT_EQ (v.action, Action::RetryAt);
    now = v.at;
    s.attempt (now);
  }
}

TEST (RestoreScheduler, ManualStopNeverRestores)
{
  RestoreScheduler s (seed_policy ());
  s.start (ms (0));
  s.on_connected (ms (0));
  s.on_manual_stop ();
  EXPECT_EQ (s.on_failure (FailureKind::ServerLost, ms (10)).action, Action::None);
  EXPECT_EQ (s.on_reachable (ms (20)).action, Action::None);
  s.start (ms (30));
  EXPECT_EQ (s.state (), RestoreState::Stopped);
}

TEST (RestoreScheduler, ManualStopCancelsAPendingRetry)
{
  RestoreScheduler s (seed_policy ());
  s.start (ms (0));
  auto v = s.on_failure (FailureKind::ServerLost, ms (0));
  ASSERT_EQ (v.action, Action::RetryAt);
  s.on_manual_stop ();
  EXPECT_FALSE (s.next_retry ().has_value ());
  s.attempt (v.at);
  EXPECT_EQ (s.state (), RestoreState::Stopped);
  EXPECT_EQ (s.tries (), 0);
}

TEST (RestoreScheduler, LocalErrorsAndRefusalsAreFatalAndNotRetried)
{
  for (auto kind : {FailureKind::LocalError, FailureKind::Refused}) {
    RestoreScheduler s (seed_policy ());
    s.start (ms (0));
    EXPECT_EQ (s.on_failure (kind, ms (0)).action, Action::Fatal);
    EXPECT_EQ (s.state (), RestoreState::Failed);
    EXPECT_EQ (s.on_failure (kind, ms (1)).action, Action::None);
    EXPECT_EQ (s.on_failure (FailureKind::ServerLost, ms (2)).action, Action::None);
    EXPECT_EQ (s.tries (), 0);
  }
}

TEST (RestoreScheduler, AFatalFailureWinsOverAPendingRetry)
{
  RestoreScheduler s (seed_policy ());
  s.start (ms (0));
  ASSERT_EQ (s.on_failure (FailureKind::ServerLost, ms (0)).action, Action::RetryAt);
  EXPECT_EQ (s.on_failure (FailureKind::Refused, ms (1)).action, Action::Fatal);
}

TEST (RestoreScheduler, ReachableSkipsTheWait)
{
  RestoreScheduler s (seed_policy ());
  s.start (ms (0));
  auto v = s.on_failure (FailureKind::ConnectFailed, ms (100));
  ASSERT_EQ (v.at, ms (3100));
  auto r = s.on_reachable (ms (700));
  EXPECT_EQ (r.action, Action::RetryAt);
  EXPECT_EQ (r.at, ms (700));
  /* Not waiting any more: nothing to skip. */
  s.attempt (ms (700));
  EXPECT_EQ (s.on_reachable (ms (800)).action, Action::None);
}

TEST (RestoreScheduler, ExponentialBackoffGrowsWithJitterWithinBounds)
{
  RestorePolicy p = seed_policy ();
  p.exponential = true;
  p.interval = ms (1000);
  p.max_interval = ms (8000);
  p.jitter = 0.2;
  p.max_tries = -1;
  RestoreScheduler s (p, 7);
  s.start (ms (0));
  TimePoint now = ms (0);
  double expected = 1000;
  for (int i = 0; i < 8; i++) {
    auto v = s.on_failure (FailureKind::ConnectFailed, now);
    double d = static_cast<double> (to_ms (v.at - now));
    EXPECT_GE (d, std::min (expected, 8000.0) * 0.8 - 1) << i;
    EXPECT_LE (d, std::min (expected * 1.2, 8000.0) + 1) << i;
    expected *= 2;
    now = v.at;
    s.attempt (now);
  }
}

TEST (RestoreScheduler, DisabledRestoreGivesUpAtTheFirstFailure)
{
  RestorePolicy p = seed_policy ();
  p.enabled = false;
  RestoreScheduler s (p);
  s.start (ms (0));
  EXPECT_EQ (s.on_failure (FailureKind::ServerLost, ms (0)).action, Action::GiveUp);
}

TEST (RestoreScheduler, DuplicateReportsOfOneOutageScheduleOnce)
{
  RestoreScheduler s (seed_policy ());
  s.start (ms (0));
  auto v = s.on_failure (FailureKind::ServerLost, ms (0));
  EXPECT_EQ (s.on_failure (FailureKind::BitrateZero, ms (5)).action, Action::None);
  EXPECT_EQ (s.next_retry (), v.at);
  EXPECT_EQ (s.outage_start (), ms (0));
}
