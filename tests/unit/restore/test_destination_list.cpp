#include "resilient/restore/destination_list.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::restore;

TEST (DestinationList, PrimaryFailureSwitchesToTheBackupAtOnce)
{
  DestinationList d ({"rtmp://a/live/k", "rtmp://b/live/k"}, ms (30000));
  EXPECT_EQ (d.active (), 0u);
  auto next = d.on_failure (ms (100));
  ASSERT_TRUE (next);
  EXPECT_EQ (*next, 1u);
  EXPECT_EQ (d.switches (), 1u);
}

TEST (DestinationList, AllFailedEndsTheRoundThenStartsAgainFromThePrimary)
{
  DestinationList d ({"a", "b", "c"}, ms (30000));
  EXPECT_EQ (d.on_failure (ms (0)), 1u);
  EXPECT_EQ (d.on_failure (ms (1)), 2u);
  EXPECT_FALSE (d.on_failure (ms (2)));
  EXPECT_EQ (d.start_round (), 0u);
  EXPECT_EQ (d.on_failure (ms (3)), 1u);
}

TEST (DestinationList, FailBackAfterTheHoldOffAndAgainAfterAFailedAttempt)
{
  DestinationList d ({"a", "b"}, ms (10000));
  EXPECT_FALSE (d.failback_due ());
  d.on_failure (ms (1000));
  d.on_up (ms (1200));
  ASSERT_TRUE (d.failback_due ());
  EXPECT_EQ (*d.failback_due (), ms (11000));
  d.on_failback_failed (ms (11050));
  EXPECT_EQ (*d.failback_due (), ms (21050));
  d.on_failback_done (ms (21100));
  EXPECT_EQ (d.active (), 0u);
  EXPECT_FALSE (d.failback_due ());
}

TEST (DestinationList, SingleDestinationHasNoBackup)
{
  DestinationList d ({"a"}, ms (10000));
  EXPECT_FALSE (d.on_failure (ms (0)));
  EXPECT_EQ (d.start_round (), 0u);
}
