#include "resilient/failover/undecodable.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::failover;

TEST (UndecodableCheck, GarbageIsProvenAtTheByteBudget)
{
  UndecodableCheck c;
  EXPECT_FALSE (c.update (ms (100), 0, 0, 0));
  EXPECT_FALSE (c.update (ms (200), kUndecodableBytes - 1, 0, 0));
  auto at = c.update (ms (300), kUndecodableBytes, 0, 0);
  ASSERT_TRUE (at);
  EXPECT_EQ (*at, ms (300));
  /* the verdict stays, with the time it was proven */
  EXPECT_EQ (c.update (ms (400), kUndecodableBytes + 10, 0, 0), ms (300));
}

TEST (UndecodableCheck, AParsedOrDecodedBufferTurnsTheCheckOff)
{
  UndecodableCheck parsed (1000);
  EXPECT_FALSE (parsed.update (ms (100), 500, 1, 0));
  /* later bytes, even far over the budget, no longer count */
  EXPECT_FALSE (parsed.update (ms (200), 100000, 1, 0));

  UndecodableCheck decoded (1000); /* raw streams have no decoder */
  EXPECT_FALSE (decoded.update (ms (100), 500, 0, 3));
  EXPECT_FALSE (decoded.update (ms (200), 100000, 0, 3));
}

TEST (UndecodableCheck, SenseInTheSameTickAsTheBudgetWins)
{
  /* A big header and the first elementary buffer seen in one tick is a
   * stream that made sense, not garbage. */
  UndecodableCheck c (1000);
  EXPECT_FALSE (c.update (ms (100), 5000, 1, 0));
}

TEST (UndecodableCheck, NoBytesIsNotGarbage)
{
  /* A silent source is the startup timeout's business, not this check's. */
  UndecodableCheck c (1000);
  for (int i = 1; i <= 100; i++)
    EXPECT_FALSE (c.update (ms (100 * i), 0, 0, 0));
}
