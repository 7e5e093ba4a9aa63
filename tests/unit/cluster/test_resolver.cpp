/* The cluster Resolver and Cluster: strategies, failure memory with expiry,
 * status reports and discovery overrides, all with injected time and RNG. */
#include "resilient/cluster/cluster.h"
#include "resilient/cluster/resolver.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

using namespace resilient;
using namespace resilient::cluster;

static std::vector<Host>
three ()
{
  return { { "rtmp://a/live", 1 },
           { "rtmp://b/live", 1 },
           { "rtmp://c/live", 1 } };
}

static std::vector<std::string>
urls (const Plan &p)
{
  std::vector<std::string> out;
  for (auto &a : p.attempts)
    out.push_back (a.url);
  return out;
}

TEST (ClusterUrl, JoinsHostAndPathWithOneSlash)
{
  EXPECT_EQ (join_url ("rtmp://a/live", "cam1"), "rtmp://a/live/cam1");
  EXPECT_EQ (join_url ("rtmp://a/live/", "/cam1"), "rtmp://a/live/cam1");
  EXPECT_EQ (join_url ("http://a/vod", ""), "http://a/vod");
  EXPECT_EQ (join_url ("srt://a:9000?mode=caller", "x"),
             "srt://a:9000/x?mode=caller");
  EXPECT_EQ (join_url ("http://h/p?a=1", "s.m3u8?b=2"),
             "http://h/p/s.m3u8?b=2&a=1");
}

TEST (ClusterUrl, SplitsListsAndWeights)
{
  auto v = split_list ("rtmp://a/x | rtmp://b/y,\n rtmp://c/z");
  ASSERT_EQ (v.size (), 3u);
  EXPECT_EQ (v[2], "rtmp://c/z");
  auto w = parse_weights ("3 1 bogus");
  ASSERT_EQ (w.size (), 3u);
  EXPECT_DOUBLE_EQ (w[0], 3.0);
  EXPECT_DOUBLE_EQ (w[2], 1.0);
}

TEST (ClusterUrl, ParsesClusterUris)
{
  auto u = parse_cluster_uri ("cluster://eu/live/cam1?x=1");
  ASSERT_TRUE (u);
  EXPECT_EQ (u->id, "eu");
  EXPECT_EQ (u->path, "live/cam1?x=1");
  EXPECT_FALSE (parse_cluster_uri ("rtmp://eu/x"));
  EXPECT_FALSE (parse_cluster_uri ("cluster:///x"));
}

TEST (Resolver, OrderedLoopsOverAllHosts)
{
  Resolver r;
  r.set_hosts (three ());
  r.set_loops (2);
  Plan p = r.plan ("s", ms (0));
  EXPECT_EQ (urls (p),
             (std::vector<std::string>{
                 "rtmp://a/live/s", "rtmp://b/live/s", "rtmp://c/live/s",
                 "rtmp://a/live/s", "rtmp://b/live/s", "rtmp://c/live/s" }));
  EXPECT_EQ (p.attempts[4].loop, 1);
  EXPECT_EQ (p.attempts[4].host_index, 1);
}

TEST (Resolver, FailedHostIsSkippedUntilItsFailureExpires)
{
  Resolver r;
  r.set_hosts (three ());
  r.set_failure_expiry (ms (5000));
  r.report_failure ("rtmp://a/live", "refused", ms (1000));
  EXPECT_EQ (r.plan ("s", ms (1000)).attempts.front ().host_index, 1);
  EXPECT_EQ (r.plan ("s", ms (5999)).attempts.size (), 2u);
  /* expired at 6000 */
  Plan p = r.plan ("s", ms (6000));
  EXPECT_EQ (p.attempts.size (), 3u);
  EXPECT_EQ (p.attempts.front ().host_index, 0);
}

TEST (Resolver, SuccessForgetsTheFailure)
{
  Resolver r;
  r.set_hosts (three ());
  r.report_failure ("rtmp://a/live/", "refused", ms (0));
  EXPECT_TRUE (r.memory ().active ("rtmp://a/live", ms (1)));
  r.report_success ("rtmp://a/live");
  EXPECT_EQ (r.plan ("s", ms (1)).attempts.front ().host_index, 0);
}

TEST (Resolver, ZeroExpiryRemembersNothing)
{
  Resolver r;
  r.set_hosts (three ());
  r.set_failure_expiry (ms (0));
  r.report_failure ("rtmp://a/live", "refused", ms (0));
  EXPECT_EQ (r.plan ("s", ms (1)).attempts.front ().host_index, 0);
}

TEST (Resolver, AllRememberedFailedStillTriesOnceSoonestExpiryFirst)
{
  Resolver r;
  r.set_hosts (three ());
  r.set_loops (3);
  r.set_failure_expiry (ms (10000));
  r.report_failure ("rtmp://b/live", "x", ms (0));
  r.report_failure ("rtmp://c/live", "x", ms (100));
  r.report_failure ("rtmp://a/live", "x", ms (200));
  Plan p = r.plan ("s", ms (300));
  EXPECT_EQ (p.note, "all-remembered-failed");
  ASSERT_EQ (p.attempts.size (), 3u);
  EXPECT_EQ (p.attempts[0].host_index, 1);
  EXPECT_EQ (p.attempts[1].host_index, 2);
  EXPECT_EQ (p.attempts[2].host_index, 0);
}

TEST (Resolver, RoundRobinMovesTheFirstHostOn)
{
  Resolver r;
  r.set_hosts (three ());
  r.set_strategy (Strategy::RoundRobin);
  std::vector<int> firsts;
  for (int i = 0; i < 6; i++)
    firsts.push_back (r.plan ("s", ms (i)).attempts.front ().host_index);
  EXPECT_EQ (firsts, (std::vector<int>{ 0, 1, 2, 0, 1, 2 }));
}

TEST (Resolver, RandomIsUniformAndCoversEveryHost)
{
  Resolver r (42);
  r.set_hosts (three ());
  r.set_strategy (Strategy::Random);
  std::map<int, int> firsts;
  const int n = 30000;
  for (int i = 0; i < n; i++) {
    Plan p = r.plan ("s", ms (i));
    ASSERT_EQ (p.attempts.size (), 3u);
    /* every host exactly once per round */
    std::set<int> seen;
    for (auto &a : p.attempts)
      seen.insert (a.host_index);
    ASSERT_EQ (seen.size (), 3u);
    firsts[p.attempts.front ().host_index]++;
  }
  for (int h = 0; h < 3; h++)
    EXPECT_NEAR (firsts[h], n / 3.0, n / 3.0 * 0.03) << "host " << h;
}

TEST (Resolver, RandomLeadsWithEveryHostOncePerCycleInVaryingOrder)
{
  Resolver r (5);
  r.set_hosts (three ());
  r.set_strategy (Strategy::Random);
  std::set<std::vector<int>> cycles;
  for (int c = 0; c < 50; c++) {
    std::vector<int> lead;
    for (int i = 0; i < 3; i++)
      lead.push_back (r.plan ("s", ms (0)).attempts.front ().host_index);
    std::set<int> distinct (lead.begin (), lead.end ());
    ASSERT_EQ (distinct.size (), 3u) << "cycle " << c;
    cycles.insert (lead);
  }
  /* not a fixed rotation: several of the 6 permutations appear */
  EXPECT_GE (cycles.size (), 4u);
}

TEST (Resolver, RandomCycleSurvivesAFailedHost)
{
  Resolver r (11);
  r.set_hosts (three ());
  r.set_strategy (Strategy::Random);
  r.report_failure ("rtmp://a/live", "x", ms (0));
  std::map<int, int> lead;
  for (int i = 0; i < 100; i++)
    lead[r.plan ("s", ms (1)).attempts.front ().host_index]++;
  EXPECT_EQ (lead[0], 0);
  EXPECT_NEAR (lead[1], 50, 1);
  EXPECT_NEAR (lead[2], 50, 1);
}

TEST (Resolver, RandomSkipsFailedHosts)
{
  Resolver r (7);
  r.set_hosts (three ());
  r.set_strategy (Strategy::Random);
  r.report_failure ("rtmp://b/live", "x", ms (0));
  for (int i = 0; i < 200; i++) {
    for (auto &a : r.plan ("s", ms (1)).attempts)
      ASSERT_NE (a.host_index, 1);
  }
}

TEST (Resolver, WeightedFollowsTheWeights)
{
  Resolver r (99);
  r.set_hosts ({ { "rtmp://a/live", 3 },
                 { "rtmp://b/live", 1 },
                 { "rtmp://c/live", 0 } });
  r.set_strategy (Strategy::Weighted);
  std::map<int, int> firsts;
  const int n = 20000;
  for (int i = 0; i < n; i++) {
    Plan p = r.plan ("s", ms (0));
    ASSERT_EQ (p.attempts.size (), 3u);
    EXPECT_EQ (p.attempts.back ().host_index, 2); /* weight 0 goes last */
    firsts[p.attempts.front ().host_index]++;
  }
  EXPECT_NEAR (firsts[0], n * 0.75, n * 0.02);
  EXPECT_NEAR (firsts[1], n * 0.25, n * 0.02);
  EXPECT_EQ (firsts[2], 0);
}

TEST (Resolver, StrategyCanChangeBetweenResolutions)
{
  Resolver r (1);
  r.set_hosts (three ());
  r.set_strategy (Strategy::RoundRobin);
  r.plan ("s", ms (0));
  EXPECT_EQ (r.plan ("s", ms (0)).attempts.front ().host_index, 1);
  r.set_strategy (Strategy::Ordered);
  EXPECT_EQ (r.plan ("s", ms (0)).attempts.front ().host_index, 0);
}

TEST (Resolver, HostReportedDownIsAvoidedUntilUpOrExpiry)
{
  Resolver r;
  r.set_hosts (three ());
  r.set_failure_expiry (ms (30000));
  r.set_host_down ("rtmp://a/live", true, ms (0));
  Plan p = r.plan ("s", ms (1));
  ASSERT_EQ (p.attempts.size (), 2u);
  EXPECT_EQ (p.attempts.front ().host_index, 1);
  r.set_host_down ("rtmp://a/live", false, ms (2));
  EXPECT_EQ (r.plan ("s", ms (3)).attempts.size (), 3u);
  r.set_host_down ("rtmp://a/live", true, ms (0));
  EXPECT_EQ (r.plan ("s", ms (30001)).attempts.size (), 3u);
}

TEST (Resolver, StreamReportedDownOnEveryHostGivesAnEmptyPlan)
{
  Resolver r;
  r.set_hosts (three ());
  r.set_stream_down ("cam1", "", true, ms (0));
  Plan p = r.plan ("cam1", ms (1));
  EXPECT_TRUE (p.attempts.empty ());
  EXPECT_EQ (p.note, "stream-down");
  EXPECT_EQ (r.plan ("cam2", ms (1)).attempts.size (), 3u);
  r.set_stream_down ("cam1", "rtmp://b/live", true, ms (1));
  r.set_stream_down ("cam1", "", false, ms (2));
  /* "online" for the stream clears the per-host report too */
  EXPECT_EQ (r.plan ("cam1", ms (3)).attempts.size (), 3u);
  r.set_stream_down ("cam1", "rtmp://b/live", true, ms (3));
  auto p2 = r.plan ("cam1", ms (4));
  ASSERT_EQ (p2.attempts.size (), 2u);
  EXPECT_EQ (p2.attempts[1].host_index, 2);
}

TEST (Resolver, DiscoveredEndpointGoesFirstUntilItsTtl)
{
  Resolver r;
  r.set_hosts (three ());
  r.set_endpoint ("s", "rtmp://b/live/s", ms (1000));
  Plan p = r.plan ("s", ms (0));
  ASSERT_EQ (p.attempts.size (), 3u); /* no duplicate of b */
  EXPECT_TRUE (p.attempts[0].discovered);
  EXPECT_EQ (p.attempts[0].host_index, 1);
  EXPECT_EQ (p.attempts[1].host_index, 0);
  r.set_endpoint ("s", "wss://edge.example/webrtc/s", ms (1000));
  p = r.plan ("s", ms (0));
  ASSERT_EQ (p.attempts.size (), 4u);
  EXPECT_EQ (p.attempts[0].host_index, -1);
  EXPECT_EQ (p.attempts[0].host, "wss://edge.example/webrtc/s");
  EXPECT_FALSE (r.plan ("s", ms (1000)).attempts[0].discovered);
}

TEST (Resolver, SteeringOrderReplacesTheStrategyWhileValid)
{
  Resolver r (3);
  r.set_hosts (three ());
  r.set_strategy (Strategy::Random);
  r.set_steering (SteeringOrder{
      { { "rtmp://c/live", 1 }, { "rtmp://x/live", 1 } }, ms (500) });
  for (int i = 0; i < 20; i++) {
    Plan p = r.plan ("s", ms (100));
    ASSERT_EQ (p.attempts.size (), 4u);
    EXPECT_EQ (p.attempts[0].url, "rtmp://c/live/s");
    EXPECT_EQ (p.attempts[1].url, "rtmp://x/live/s");
    EXPECT_EQ (p.attempts[1].host_index, -1);
  }
  EXPECT_EQ (r.plan ("s", ms (500)).attempts.size (), 3u);
}

TEST (Cluster, SharesMemoryAndNotifiesSubscribers)
{
  TimePoint now = ms (1000);
  auto c = std::make_shared<Cluster> ([&] { return now; }, 1);
  c->configure ([] (Resolver &r) {
    r.set_hosts (three ());
    r.set_failure_expiry (ms (2000));
  });
  std::vector<ClusterEvent::Kind> kinds;
  c->set_observer ([&] (const ClusterEvent &e) { kinds.push_back (e.kind); });
  Registry::instance ().publish ("t", c);
  auto found = Registry::instance ().find ("t");
  ASSERT_EQ (found, c);
  Plan p = found->resolve ("s");
  found->report_attempt (p.attempts[0], "s");
  found->report_failure (p.attempts[0], "refused", "s");
  /* a second consumer of the same cluster sees the failure */
  EXPECT_EQ (
      Registry::instance ().find ("t")->resolve ("s").attempts[0].host_index,
      1);
  now = ms (3000);
  EXPECT_EQ (c->resolve ("s").attempts[0].host_index, 0);

  std::vector<DownNotice> notices;
  auto sub = c->subscribe_down (
      [&] (const DownNotice &n) { notices.push_back (n); });
  c->report_status (StatusReport{ "s", "", false });
  ASSERT_EQ (notices.size (), 1u);
  EXPECT_TRUE (notices[0].down);
  EXPECT_TRUE (notices[0].affects ("s", "rtmp://a/live/s"));
  EXPECT_FALSE (notices[0].affects ("t", "rtmp://a/live/t"));
  EXPECT_TRUE (c->resolve ("s").attempts.empty ());
  c->unsubscribe_down (sub);
  c->report_status (StatusReport{ "s", "", true });
  EXPECT_EQ (notices.size (), 1u);
  EXPECT_EQ (c->resolve ("s").attempts.size (), 3u);
  EXPECT_EQ (kinds.front (), ClusterEvent::Kind::Connect);

  Registry::instance ().withdraw ("t", c.get ());
  EXPECT_EQ (Registry::instance ().find ("t"), nullptr);
}

TEST (Cluster, HostDownNoticeAffectsOnlyThatHost)
{
  DownNotice n{ "", "rtmp://a/live", true };
  EXPECT_TRUE (n.affects ("s", "rtmp://a/live/s"));
  EXPECT_FALSE (n.affects ("s", "rtmp://a/live2/s"));
  EXPECT_FALSE (n.affects ("s", "rtmp://b/live/s"));
}
