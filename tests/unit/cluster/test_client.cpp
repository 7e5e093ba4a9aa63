/* ClusterClient: what failoversrc and autorestoresink do with a
 * cluster:// candidate, against a Cluster published in the Registry. */
#include "resilient/cluster/client.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::cluster;

class Client : public ::testing::Test
{
protected:
  TimePoint now = ms (1'000'000);
  std::shared_ptr<Cluster> cluster;
  std::vector<ClusterEvent> events;

  void SetUp () override
  {
    cluster = std::make_shared<Cluster> ([this] { return now; }, 1);
    cluster->configure ([] (Resolver &r) {
      r.set_hosts ({ { "rtmp://a/live", 1 }, { "rtmp://b/live", 1 } });
      r.set_loops (1);
      r.set_failure_expiry (ms (10000));
    });
    cluster->set_observer (
        [this] (const ClusterEvent &e) { events.push_back (e); });
    Registry::instance ().publish ("eu", cluster);
  }
  void TearDown () override
  {
    Registry::instance ().withdraw ("eu", cluster.get ());
  }
  int count (ClusterEvent::Kind k)
  {
    int n = 0;
    for (auto &e : events)
      n += e.kind == k;
    return n;
  }
};

TEST_F (Client, RefusesUnknownClustersAndOtherUris)
{
  std::string err;
  ClusterClient nope ("cluster://us/cam1");
  EXPECT_FALSE (nope.attach (err));
  EXPECT_NE (err.find ("cluster-id 'us'"), std::string::npos);
  ClusterClient plain ("rtmp://a/live/cam1");
  EXPECT_FALSE (ClusterClient::is_cluster_uri (plain.uri ()));
  EXPECT_FALSE (plain.attach (err));
}

TEST_F (Client, WalksThePlanAndFeedsTheSharedMemory)
{
  std::string err;
  ClusterClient c ("cluster://eu/cam1");
  ASSERT_TRUE (c.attach (err)) << err;
  EXPECT_FALSE (c.plan_left ());
  auto a = c.next ();
  ASSERT_TRUE (a);
  EXPECT_EQ (a->url, "rtmp://a/live/cam1");
  EXPECT_TRUE (c.plan_left ()); /* host b still to try */
  c.failed ("timeout");
  auto b = c.next ();
  ASSERT_TRUE (b);
  EXPECT_EQ (b->url, "rtmp://b/live/cam1");
  EXPECT_FALSE (c.plan_left ()); /* the plan ends with b */
  c.failed ("eos");
  EXPECT_FALSE (c.plan_left ());
  EXPECT_EQ (count (ClusterEvent::Kind::Failed), 1);
  EXPECT_EQ (count (ClusterEvent::Kind::Connect), 2);
  EXPECT_EQ (count (ClusterEvent::Kind::ConnectFailed), 2);

  /* a second consumer sees both failures: everything remembered, so the
   * plan retries once, soonest expiry first */
  ClusterClient other ("cluster://eu/cam2");
  ASSERT_TRUE (other.attach (err));
  auto o = other.next ();
  ASSERT_TRUE (o);
  EXPECT_EQ (o->url, "rtmp://a/live/cam2");
  EXPECT_EQ (other.last_note (), "all-remembered-failed");
  other.succeeded ();
  ClusterClient third ("cluster://eu/cam3");
  ASSERT_TRUE (third.attach (err));
  EXPECT_EQ (third.next ()->url, "rtmp://a/live/cam3");
  EXPECT_EQ (third.last_note (), "");
}

TEST_F (Client, WatchFiresOnlyForTheUrlInUse)
{
  std::string err;
  ClusterClient c ("cluster://eu/cam1");
  ASSERT_TRUE (c.attach (err));
  std::vector<DownNotice> got;
  c.watch ([&] (const DownNotice &n) { got.push_back (n); });
  c.next (); /* on rtmp://a/live/cam1 */
  cluster->report_status (StatusReport{ "cam2", "", false });
  cluster->report_status (StatusReport{ "", "rtmp://b/live", false });
  EXPECT_TRUE (got.empty ());
  cluster->report_status (StatusReport{ "", "rtmp://a/live", false });
  ASSERT_EQ (got.size (), 1u);
  cluster->report_status (StatusReport{ "cam1", "", false });
  EXPECT_EQ (got.size (), 2u);
  cluster->report_status (StatusReport{ "cam1", "", true }); /* up: no */
  EXPECT_EQ (got.size (), 2u);
  /* the failover that follows: host a is still reported down (b is back),
   * so the next URL is on b; the down host is not put in the failure
   * memory */
  cluster->report_status (StatusReport{ "", "rtmp://b/live", true });
  c.failed (kClusterDownReason);
  auto n = c.next ();
  ASSERT_TRUE (n);
  EXPECT_EQ (n->url, "rtmp://b/live/cam1");
  cluster->inspect ([&] (const Resolver &r) {
    EXPECT_EQ (r.memory ().records ().size (), 0u);
  });
  /* a stream reported down after the plan was made: the next URL comes
   * from a fresh resolution, which has none */
  cluster->report_status (StatusReport{ "", "rtmp://a/live", true });
  cluster->report_status (StatusReport{ "cam1", "", false });
  c.failed (kClusterDownReason);
  EXPECT_FALSE (c.next ());
  EXPECT_EQ (c.last_note (), "stream-down");
}

TEST_F (Client, AFailureAfterSuccessIsNotAnExhaustedCluster)
{
  std::string err;
  ClusterClient c ("cluster://eu/cam5");
  ASSERT_TRUE (c.attach (err));
  ASSERT_TRUE (c.next ());
  c.succeeded ();
  c.failed ("eos"); /* the stream ran for a while, then the host went */
  EXPECT_EQ (count (ClusterEvent::Kind::Failed), 0);
  EXPECT_EQ (count (ClusterEvent::Kind::ConnectFailed), 1);
  auto n = c.next (); /* fresh plan: the failed host is remembered */
  ASSERT_TRUE (n);
  EXPECT_EQ (n->url, "rtmp://b/live/cam5");
}

TEST_F (Client, StreamDownGivesNoUrl)
{
  std::string err;
  ClusterClient c ("cluster://eu/cam9");
  ASSERT_TRUE (c.attach (err));
  cluster->report_status (StatusReport{ "cam9", "", false });
  EXPECT_FALSE (c.next ());
  EXPECT_EQ (c.last_note (), "stream-down");
  EXPECT_EQ (count (ClusterEvent::Kind::Failed), 1);
}
