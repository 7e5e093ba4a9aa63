#include "resilient/failover/connect.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::failover;

TEST (ConnectCheck, NothingOutWithinTheLimitFailsFromTheStart)
{
  ConnectCheck c (ms (3000), ms (1000));
  EXPECT_FALSE (c.update (ms (1000), false));
  EXPECT_FALSE (c.update (ms (3999), false));
  auto f = c.update (ms (4000), false);
  ASSERT_TRUE (f);
  EXPECT_EQ (*f, ms (1000));
  /* The verdict stays, even if bytes come late. */
  EXPECT_TRUE (c.update (ms (4100), true));
}

TEST (ConnectCheck, TheFirstBufferEndsTheStageForGood)
{
  ConnectCheck c (ms (3000), ms (0));
  EXPECT_FALSE (c.update (ms (2999), true));
  EXPECT_TRUE (c.connected ());
  /* A later silence is not a connect failure (the timeout's business). */
  EXPECT_FALSE (c.update (ms (60000), false));
}

TEST (ConnectCheck, ZeroLimitIsOffAndTheLimitChangesWhileRunning)
{
  ConnectCheck c (Duration::zero (), ms (0));
  EXPECT_FALSE (c.update (ms (600000), false));
  c.set_limit (ms (500));
  EXPECT_TRUE (c.update (ms (600001), false));
}
