#include "resilient/restore/coordinator.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::restore;
using Kind = RestoreAction::Kind;

static CoordinatorConfig
config (bool redundant = false)
{
  CoordinatorConfig c;
  c.redundant = redundant;
  c.policy.interval = ms (3000);
  c.policy.max_tries = 3;
  c.policy.fast_first = false;
  c.failback_holdoff = ms (10000);
  return c;
}

static SessionFailure
failure (std::size_t dest, FailureKind kind, bool was_up = false)
{
  SessionFailure f;
  f.dest = dest;
  f.kind = kind;
  f.reason = "Connection reset by peer";
  f.was_up = was_up;
  f.lifetime = ms (5000);
  return f;
}

static std::vector<Kind>
kinds (const FailureVerdict &v)
{
  std::vector<Kind> out;
  for (auto &a : v.actions)
    out.push_back (a.kind);
  return out;
}

TEST (RestoreCoordinator, LostSessionIsRestoringThenRetriedAfterTheInterval)
{
  RestoreCoordinator c (config (), 1);
  c.start (ms (0));
  c.on_up (0, false, ms (100));
  auto v = c.on_failure (failure (0, FailureKind::ServerLost, true), ms (1000));
  EXPECT_EQ (v.kind, FailureKind::ServerLost);
  ASSERT_EQ (kinds (v), (std::vector<Kind>{ Kind::Restoring, Kind::RetryAt }));
  EXPECT_EQ (v.actions[1].at, ms (4000));
  EXPECT_EQ (v.actions[1].attempt, 1);
  EXPECT_TRUE (v.actions[1].warn);
  EXPECT_FALSE (v.actions[1].floor);
}

TEST (RestoreCoordinator, RetryAfterIsAFloorOnTheRetryTime)
{
  RestoreCoordinator c (config (), 1);
  c.start (ms (0));
  auto f = failure (0, FailureKind::ConnectFailed);
  f.retry_after_ms = 7000;
  auto v = c.on_failure (f, ms (1000));
  ASSERT_EQ (kinds (v), (std::vector<Kind>{ Kind::RetryAt }));
  ASSERT_TRUE (v.actions[0].floor);
  EXPECT_EQ (*v.actions[0].floor, ms (8000));
  EXPECT_EQ (v.actions[0].at, ms (8000));
}

TEST (RestoreCoordinator, TheSameReasonAgainIsNotWarnedTwiceInOneOutage)
{
  RestoreCoordinator c (config (), 1);
  c.start (ms (0));
  auto v = c.on_failure (failure (0, FailureKind::ConnectFailed), ms (0));
  EXPECT_TRUE (v.actions.back ().warn);
  auto r = c.on_retry_due (0, v.actions.back ().at);
  ASSERT_TRUE (r);
  EXPECT_EQ (r->attempt, 1);
  v = c.on_failure (failure (0, FailureKind::ConnectFailed), ms (3100));
  ASSERT_EQ (kinds (v), (std::vector<Kind>{ Kind::RetryAt }));
  EXPECT_FALSE (v.actions[0].warn);
  EXPECT_EQ (v.actions[0].attempt, 2);
}

TEST (RestoreCoordinator, GivesUpWhenTheTriesAreUsedUp)
{
  RestoreCoordinator c (config (), 1);
  c.start (ms (0));
  TimePoint now = ms (0);
  for (int i = 1; i <= 3; i++) {
    auto v = c.on_failure (failure (0, FailureKind::ConnectFailed), now);
    ASSERT_EQ (kinds (v), (std::vector<Kind>{ Kind::RetryAt })) << i;
    now = v.actions[0].at;
    ASSERT_TRUE (c.on_retry_due (0, now));
  }
  auto v = c.on_failure (failure (0, FailureKind::ConnectFailed), now);
  ASSERT_EQ (kinds (v), (std::vector<Kind>{ Kind::GiveUp }));
  EXPECT_EQ (v.actions[0].attempt, 3);
  /* Once: later failures change nothing. */
  EXPECT_TRUE (c.on_failure (failure (0, FailureKind::ConnectFailed), now)
                   .actions.empty ());
}

TEST (RestoreCoordinator, RepeatedEarlyClosesBecomeAFatalRefusal)
{
  RestoreCoordinator c (config (), 1);
  c.start (ms (0));
  auto f = failure (0, FailureKind::PublishStopped);
  f.accepted = true;
  f.closed_by_peer = true;
  f.lifetime = ms (300);
  auto v = c.on_failure (f, ms (300));
  ASSERT_EQ (kinds (v), (std::vector<Kind>{ Kind::RetryAt }));
  ASSERT_TRUE (c.on_retry_due (0, v.actions[0].at));
  v = c.on_failure (f, ms (3400));
  EXPECT_EQ (v.kind, FailureKind::Refused);
  EXPECT_NE (v.reason.find ("2 times in a row"), std::string::npos) << v.reason;
  EXPECT_NE (v.reason.find ("Connection reset by peer"), std::string::npos);
  ASSERT_EQ (kinds (v), (std::vector<Kind>{ Kind::Fatal }));
  EXPECT_FALSE (v.actions[0].local);
  EXPECT_EQ (c.scheduler (0).state (), RestoreState::Failed);
}

TEST (RestoreCoordinator, EarlyClosesOfAServerFoundDownAreNotARefusal)
{
  RestoreCoordinator c (config (), 1);
  c.start (ms (0));
  auto f = failure (0, FailureKind::PublishStopped);
  f.accepted = f.closed_by_peer = true;
  f.lifetime = ms (300);
  auto v = c.on_failure (f, ms (300));
  c.on_unreachable (0);
  ASSERT_TRUE (c.on_retry_due (0, v.actions[0].at));
  v = c.on_failure (f, ms (3400));
  EXPECT_EQ (v.kind, FailureKind::PublishStopped);
  EXPECT_EQ (kinds (v), (std::vector<Kind>{ Kind::RetryAt }));
}

TEST (RestoreCoordinator, LocalErrorIsFatalAndLocal)
{
  RestoreCoordinator c (config (), 2);
  c.start (ms (0));
  auto v = c.on_failure (failure (0, FailureKind::LocalError), ms (10));
  ASSERT_EQ (kinds (v), (std::vector<Kind>{ Kind::Fatal }));
  EXPECT_TRUE (v.actions[0].local);
}

TEST (RestoreCoordinator, FailoverGoesToTheBackupAtOnceThenWaitsAfterTheRound)
{
  RestoreCoordinator c (config (), 2);
  c.start (ms (0));
  c.on_up (0, false, ms (100));
  auto v = c.on_failure (failure (0, FailureKind::ServerLost, true), ms (1000));
  ASSERT_EQ (kinds (v), (std::vector<Kind>{ Kind::Restoring, Kind::Failover }));
  EXPECT_EQ (v.actions[1].from, 0u);
  EXPECT_EQ (v.actions[1].dest, 1u);
  EXPECT_EQ (c.scheduler (1).outage_start (), ms (1000));
  /* The backup fails too: the round is over, the restore wait applies. */
  v = c.on_failure (failure (1, FailureKind::ConnectFailed), ms (1100));
  ASSERT_EQ (kinds (v), (std::vector<Kind>{ Kind::RetryAt }));
  EXPECT_EQ (v.actions[0].at, ms (4100));
  /* The retry starts the next round from the primary. */
  auto r = c.on_retry_due (1, ms (4100));
  ASSERT_TRUE (r);
  EXPECT_EQ (r->dest, 0u);
  EXPECT_TRUE (r->switched);
}

TEST (RestoreCoordinator, RedundantDestinationsRestoreOnTheirOwn)
{
  RestoreCoordinator c (config (true), 2);
  c.start (ms (0));
  auto v = c.on_failure (failure (1, FailureKind::ConnectFailed), ms (500));
  ASSERT_EQ (kinds (v), (std::vector<Kind>{ Kind::RetryAt }));
  EXPECT_EQ (v.actions[0].dest, 1u);
  EXPECT_EQ (c.scheduler (1).state (), RestoreState::Waiting);
  EXPECT_NE (c.scheduler (0).state (), RestoreState::Waiting);
  auto r = c.on_retry_due (1, ms (3500));
  ASSERT_TRUE (r);
  EXPECT_EQ (r->dest, 1u);
  EXPECT_FALSE (r->switched);
}

TEST (RestoreCoordinator, AFailedFailBackKeepsTheBackupAndWaitsAnotherHoldOff)
{
  RestoreCoordinator c (config (), 2);
  c.start (ms (0));
  c.on_failure (failure (0, FailureKind::ServerLost), ms (1000));
  c.on_up (1, false, ms (1200));
  ASSERT_TRUE (c.destinations ().failback_due ());
  EXPECT_EQ (*c.destinations ().failback_due (), ms (11000));
  auto f = failure (0, FailureKind::ConnectFailed);
  f.failback = true;
  auto v = c.on_failure (f, ms (11050));
  ASSERT_EQ (kinds (v), (std::vector<Kind>{ Kind::KeepBackup }));
  EXPECT_EQ (c.destinations ().active (), 1u);
  EXPECT_EQ (*c.destinations ().failback_due (), ms (21050));
  /* A fail-back that comes up: the primary is active again. */
  auto up = c.on_up (0, true, ms (21100));
  ASSERT_TRUE (up.failback_from);
  EXPECT_EQ (*up.failback_from, 1u);
  EXPECT_EQ (c.destinations ().active (), 0u);
}

TEST (RestoreCoordinator, ClusterHostFailureGoesToTheNextHostAtOnce)
{
  RestoreCoordinator c (config (), 1);
  c.start (ms (0));
  auto f = failure (0, FailureKind::ConnectFailed);
  f.cluster_host = true;
  f.cluster_plan_left = true;
  auto v = c.on_failure (f, ms (100));
  ASSERT_EQ (kinds (v), (std::vector<Kind>{ Kind::NextClusterHost }));
  EXPECT_TRUE (v.actions[0].cancel_retry);
  EXPECT_EQ (v.actions[0].attempt, 1);
  /* The plan used up: the restore wait. */
  f.cluster_plan_left = false;
  v = c.on_failure (f, ms (200));
  ASSERT_EQ (kinds (v), (std::vector<Kind>{ Kind::RetryAt }));
  EXPECT_EQ (v.actions[0].at, ms (3200));
}

TEST (RestoreCoordinator, ClusterDownNoticeMovesOnEvenWithThePlanUsedUp)
{
  RestoreCoordinator c (config (), 1);
  c.start (ms (0));
  c.on_up (0, false, ms (10));
  auto f = failure (0, FailureKind::ClusterDown, true);
  f.cluster_host = true;
  auto v = c.on_failure (f, ms (100));
  ASSERT_EQ (kinds (v),
             (std::vector<Kind>{ Kind::Restoring, Kind::NextClusterHost }));
  EXPECT_EQ (c.scheduler (0).outage_start (), ms (100));
}

TEST (RestoreCoordinator, UpEndsTheOutageAndReportsTheTries)
{
  RestoreCoordinator c (config (), 1);
  c.start (ms (0));
  c.on_up (0, false, ms (10));
  auto v = c.on_failure (failure (0, FailureKind::ServerLost, true), ms (1000));
  c.on_retry_due (0, v.actions.back ().at);
  auto up = c.on_up (0, false, ms (4500));
  ASSERT_TRUE (up.outage_start);
  EXPECT_EQ (*up.outage_start, ms (1000));
  EXPECT_EQ (up.tries, 1);
  EXPECT_FALSE (up.failback_from);
  EXPECT_FALSE (c.scheduler (0).outage_start ());
}

TEST (RestoreCoordinator, ManualStopSuppressesEveryLaterFailure)
{
  RestoreCoordinator c (config (), 1);
  c.start (ms (0));
  c.on_manual_stop ();
  auto v = c.on_failure (failure (0, FailureKind::ServerLost), ms (100));
  EXPECT_TRUE (v.actions.empty ());
  EXPECT_FALSE (c.on_retry_due (0, ms (5000)));
}

TEST (RestoreCoordinator, ReachableSkipsTheWait)
{
  RestoreCoordinator c (config (), 1);
  c.start (ms (0));
  c.on_failure (failure (0, FailureKind::ConnectFailed), ms (100));
  auto r = c.on_reachable (0, ms (200));
  EXPECT_EQ (r.action, RestoreVerdict::Action::RetryAt);
  EXPECT_EQ (r.at, ms (200));
}
