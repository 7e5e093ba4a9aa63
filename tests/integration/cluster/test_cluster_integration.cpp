/* clusterresolver against real nginx-rtmp servers on loopback: dead and
 * hung hosts, random load balancing, and the failure memory across a
 * restart of the resolver. */
#include "fixtures/servers.h"
#include "fixtures/watcher.h"
#include "element/cluster/resolver_harness.h"

#include <gst/gst.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace cluster_test;
using fixtures::NginxRtmp;
using clk = std::chrono::steady_clock;

static long
ms_since (clk::time_point t0)
{
  return std::chrono::duration_cast<std::chrono::milliseconds> (clk::now ()
                                                                - t0)
      .count ();
}

/* The host base URL of a server: its `live` application. */
static std::string
base (const NginxRtmp &n)
{
  return "rtmp://127.0.0.1:" + std::to_string (n.rtmp_port ()) + "/live";
}

/* Plays `url` and waits until the decoded video has the look `look`. */
static bool
plays (const std::string &url, const fixtures::Look &look, int timeout_ms)
{
  std::string desc
      = "rtmp2src location=" + url
        + " ! flvdemux name=d d.video ! queue ! h264parse ! avdec_h264 ! "
          "videoconvert ! video/x-raw,format=RGB ! appsink name=sink "
          "sync=false "
          "d.audio ! queue ! fakesink sync=false";
  GstElement *p = gst_parse_launch (desc.c_str (), nullptr);
  if (!p)
    return false;
  fixtures::OutputWatcher watcher;
  GstElement *sink = gst_bin_get_by_name (GST_BIN (p), "sink");
  watcher.attach_appsink (sink);
  gst_element_set_state (p, GST_STATE_PLAYING);
  bool ok = watcher.wait_for_class (look.name,
                                    std::chrono::milliseconds (timeout_ms), 3);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (p);
  return ok;
}

TEST (ClusterIntegration,
      ThreeHostsTwoDeadTheLiveOneIsReachedWithinTwiceTheTimeout)
{
  NginxRtmp killed, stopped, live;
  fixtures::Publisher pub (fixtures::looks::green (), live.rtmp_url ("cam1"));
  killed.kill9 ();
  stopped.stop (); /* accepts TCP, never answers */

  const guint timeout_ms = 500;
  ResolverHarness h;
  std::string hosts = base (killed) + " " + base (stopped) + " " + base (live);
  g_object_set (h.resolver, "cluster-id", "three", "hosts", hosts.c_str (),
                "connect-timeout", timeout_ms, "loops", 1, nullptr);
  ASSERT_NE (gst_element_set_state (h.pipeline, GST_STATE_PLAYING),
             GST_STATE_CHANGE_FAILURE);

  auto t0 = clk::now ();
  std::string url = h.resolve ("cam1");
  long took = ms_since (t0);
  EXPECT_EQ (url, base (live) + "/cam1");
  EXPECT_LT (took, 2 * (long)timeout_ms) << "took " << took << " ms";
  RecordProperty ("reach_live_ms", std::to_string (took));
  std::cout << "[figure] live host reached after " << took << " ms (timeout "
            << timeout_ms << " ms)" << std::endl;

  ASSERT_TRUE (h.wait_count ("connect-failed", 2));
  std::map<int, std::string> reasons;
  for (auto &e : h.events ())
    if (e.kind == "connect-failed")
      reasons[e.index] = e.reason;
  EXPECT_NE (reasons[0].find ("refused"), std::string::npos) << reasons[0];
  EXPECT_EQ (reasons[1], "timeout");
  EXPECT_EQ (reasons.count (2), 0u);

  /* the answer is a stream a player can use */
  ASSERT_TRUE (
      live.wait_for_publish ("cam1", std::chrono::milliseconds (8000)));
  EXPECT_TRUE (plays (url, fixtures::looks::green (), 8000));
  stopped.cont ();
}

TEST (ClusterIntegration, RandomStrategyStaysWithin15PercentOfUniform)
{
  NginxRtmp a, b, c;
  ResolverHarness h;
  std::string hosts = base (a) + " " + base (b) + " " + base (c);
  g_object_set (h.resolver, "hosts", hosts.c_str (), nullptr);
  gst_util_set_object_arg (G_OBJECT (h.resolver), "strategy", "random");
  gst_element_set_state (h.pipeline, GST_STATE_PLAYING);
  std::map<std::string, int> picks;
  auto t0 = clk::now ();
  const int n = 300;
  for (int i = 0; i < n; i++)
    picks[h.resolve ("s")]++;
  long took = ms_since (t0);
  ASSERT_EQ (picks.size (), 3u);
  std::ostringstream fig;
  for (auto *srv : { &a, &b, &c }) {
    int k = picks[base (*srv) + "/s"];
    EXPECT_GE (k, 85) << base (*srv);
    EXPECT_LE (k, 115) << base (*srv);
    fig << k << " ";
  }
  std::cout << "[figure] random picks over " << n
            << " resolutions: " << fig.str () << "(" << took << " ms, probed)"
            << std::endl;
  /* the statistics agree */
  GstStructure *st = h.statistics ();
  guint64 total = 0;
  for (guint i = 0; i < 3; i++) {
    guint64 p = 0;
    gst_structure_get_uint64 (h.host_stats (st, i), "picks", &p);
    total += p;
  }
  gst_structure_free (st);
  EXPECT_EQ (total, (guint64)n);
}

static std::string
slurp (const std::string &path)
{
  std::ifstream in (path);
  std::stringstream ss;
  ss << in.rdbuf ();
  return ss.str ();
}

TEST (ClusterIntegration, FailureMemoryIsWrittenReadBackAfterARestartAndExpires)
{
  fixtures::TempDir dir;
  std::string file = dir.file ("cluster-memory");
  NginxRtmp first, second;
  std::string hosts = base (first) + " " + base (second);
  const int expiry_ms = 2000;
  first.kill9 ();

  auto failed_at = clk::now ();
  {
    ResolverHarness h;
    g_object_set (h.resolver, "hosts", hosts.c_str (), "state-file",
                  file.c_str (), "failure-expiry", expiry_ms, nullptr);
    gst_element_set_state (h.pipeline, GST_STATE_PLAYING);
    EXPECT_EQ (h.resolve ("s"), base (second) + "/s");
  }
  std::string text = slurp (file);
  EXPECT_NE (text.find (base (first)), std::string::npos) << text;
  EXPECT_EQ (text.find (base (second)), std::string::npos) << text;

  /* the first host is back, but a restarted resolver still remembers */
  first.start ();
  {
    ResolverHarness h;
    g_object_set (h.resolver, "hosts", hosts.c_str (), "state-file",
                  file.c_str (), "failure-expiry", expiry_ms, nullptr);
    gst_element_set_state (h.pipeline, GST_STATE_PLAYING);
    ASSERT_LT (ms_since (failed_at), expiry_ms - 500) << "machine too slow";
    EXPECT_EQ (h.resolve ("s"), base (second) + "/s");
    ASSERT_TRUE (h.wait_count ("connect", 1));
    std::this_thread::sleep_for (std::chrono::milliseconds (50));
    EXPECT_EQ (h.count ("connect"), 1);

    /* after the expiry the first host is used again and forgotten */
    while (ms_since (failed_at) < expiry_ms + 100)
      std::this_thread::sleep_for (std::chrono::milliseconds (20));
    EXPECT_EQ (h.resolve ("s"), base (first) + "/s");
  }
  text = slurp (file);
  EXPECT_EQ (text.find (base (first)), std::string::npos) << text;
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  ::testing::InitGoogleTest (&argc, argv);
  return RUN_ALL_TESTS ();
}
