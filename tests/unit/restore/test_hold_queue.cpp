#include "resilient/restore/hold_queue.h"

#include <gtest/gtest.h>

#include <vector>

using namespace resilient;
using namespace resilient::restore;
using Q = HoldQueue<int>;

static Q::Item
v (int id, int t_ms, bool key)
{
  return Q::Item {id, ms (t_ms), 100, key, true};
}

static Q::Item
a (int id, int t_ms)
{
  return Q::Item {id, ms (t_ms), 10, false, false};
}

static std::vector<int>
drain (Q &q)
{
  std::vector<int> out;
  q.drain ([&] (Q::Item &i) { out.push_back (i.value); });
  return out;
}

TEST (HoldQueue, StartsAtAKeyframe)
{
  Q q (ms (5000));
  std::vector<int> dropped;
  auto drop = [&] (int &x) { dropped.push_back (x); };
  q.push (v (1, 0, false), drop);
  q.push (a (2, 5), drop);
  q.push (v (3, 33, true), drop);
  q.push (a (4, 40), drop);
  q.push (v (5, 66, false), drop);
  EXPECT_EQ (drain (q), (std::vector<int> {3, 4, 5}));
  EXPECT_EQ (dropped, (std::vector<int> {1, 2}));
}

TEST (HoldQueue, ZeroLimitStillKeepsTheLastGroupToStartAtOnce)
{
  Q q (ms (0));
  auto drop = [] (int &) {};
  int id = 0;
  /* GOP of 1 s at 10 fps. */
  for (int t = 0; t < 2500; t += 100)
    q.push (v (id++, t, t % 1000 == 0), drop);
  auto held = drain (q);
  ASSERT_FALSE (held.empty ());
  EXPECT_EQ (held.front (), 20);  /* the keyframe at 2000 ms */
  EXPECT_EQ (held.size (), 5u);
}

TEST (HoldQueue, LimitDropsWholeGroupsFromTheFront)
{
  Q q (ms (2000));
  auto drop = [] (int &) {};
  int id = 0;
  for (int t = 0; t < 5000; t += 100)
    q.push (v (id++, t, t % 1000 == 0), drop);
  auto held = drain (q);
  /* 4900 - 2000 = 2900: the first keyframe at or after that is 3000. */
  EXPECT_EQ (held.front (), 30);
  EXPECT_EQ (held.back (), 49);
}

TEST (HoldQueue, AGroupLongerThanTheCapIsDropped)
{
  Q q (ms (0), ms (3000));
  auto drop = [] (int &) {};
  q.push (v (0, 0, true), drop);
  for (int i = 1; i < 40; i++)
    q.push (v (i, i * 100, false), drop);
  EXPECT_TRUE (q.empty ());
  EXPECT_GT (q.stats ().dropped, 30u);
}

TEST (HoldQueue, AudioOnlyEveryItemIsAStart)
{
  Q q (ms (1000));
  q.set_has_video (false);
  auto drop = [] (int &) {};
  for (int i = 0; i < 30; i++)
    q.push (a (i, i * 100), drop);
  auto held = drain (q);
  EXPECT_EQ (held.front (), 19);
  EXPECT_EQ (held.back (), 29);
}
