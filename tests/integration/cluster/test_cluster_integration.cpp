/* clusterresolver against real nginx-rtmp servers on loopback: dead and
 * hung hosts, random load balancing, and the failure memory across a
 * restart of the resolver. */
#include "cluster/nginx_rtmp.h"
#include "element/cluster/resolver_harness.h"

#include <gst/gst.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace cluster_test;
using clk = std::chrono::steady_clock;

static long
ms_since (clk::time_point t0)
{
  return std::chrono::duration_cast<std::chrono::milliseconds> (clk::now ()
                                                                - t0)
      .count ();
}

/* A live publisher of a small H.264 stream to `url`. */
class Publisher
{
public:
  explicit Publisher (const std::string &url)
  {
    std::string desc
        = "videotestsrc is-live=true ! video/x-raw,width=160,"
          "height=120,framerate=25/1 ! x264enc tune=zerolatency "
          "speed-preset=ultrafast key-int-max=25 ! h264parse ! flvmux "
          "streamable=true ! rtmp2sink location="
          + url;
    pipeline_ = gst_parse_launch (desc.c_str (), nullptr);
    gst_element_set_state (pipeline_, GST_STATE_PLAYING);
  }
  ~Publisher ()
  {
    gst_element_set_state (pipeline_, GST_STATE_NULL);
    gst_object_unref (pipeline_);
  }

private:
  GstElement *pipeline_;
};

/* Plays `url` and waits for the first video buffer out of flvdemux. */
static bool
plays (const std::string &url, int timeout_ms)
{
  std::string desc = "rtmp2src location=" + url
                     + " ! flvdemux name=d "
                       "d.video ! fakesink name=sink signal-handoffs=true";
  GstElement *p = gst_parse_launch (desc.c_str (), nullptr);
  if (!p)
    return false;
  GstElement *sink = gst_bin_get_by_name (GST_BIN (p), "sink");
  std::atomic<bool> got{ false };
  g_signal_connect (
      sink, "handoff",
      G_CALLBACK (+[] (GstElement *, GstBuffer *, GstPad *, gpointer d) {
        static_cast<std::atomic<bool> *> (d)->store (true);
      }),
      &got);
  gst_element_set_state (p, GST_STATE_PLAYING);
  auto t0 = clk::now ();
  while (!got && ms_since (t0) < timeout_ms)
    std::this_thread::sleep_for (std::chrono::milliseconds (10));
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (p);
  return got;
}

TEST (ClusterIntegration,
      ThreeHostsTwoDeadTheLiveOneIsReachedWithinTwiceTheTimeout)
{
  NginxRtmp killed, stopped, live;
  Publisher pub (live.base () + "/cam1");
  killed.process ().kill9 ();
  stopped.process ().stop (); /* accepts TCP, never answers */

  const guint timeout_ms = 500;
  ResolverHarness h;
  std::string hosts
      = killed.base () + " " + stopped.base () + " " + live.base ();
  g_object_set (h.resolver, "cluster-id", "three", "hosts", hosts.c_str (),
                "connect-timeout", timeout_ms, "loops", 1, nullptr);
  ASSERT_NE (gst_element_set_state (h.pipeline, GST_STATE_PLAYING),
             GST_STATE_CHANGE_FAILURE);

  auto t0 = clk::now ();
  std::string url = h.resolve ("cam1");
  long took = ms_since (t0);
  EXPECT_EQ (url, live.base () + "/cam1");
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
  EXPECT_TRUE (plays (url, 8000));
  stopped.process ().cont ();
}

TEST (ClusterIntegration, RandomStrategyStaysWithin15PercentOfUniform)
{
  NginxRtmp a, b, c;
  ResolverHarness h;
  std::string hosts = a.base () + " " + b.base () + " " + c.base ();
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
    int k = picks[srv->base () + "/s"];
    EXPECT_GE (k, 85) << srv->base ();
    EXPECT_LE (k, 115) << srv->base ();
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
  std::string hosts = first.base () + " " + second.base ();
  const int expiry_ms = 2000;
  first.process ().kill9 ();

  auto failed_at = clk::now ();
  {
    ResolverHarness h;
    g_object_set (h.resolver, "hosts", hosts.c_str (), "state-file",
                  file.c_str (), "failure-expiry", expiry_ms, nullptr);
    gst_element_set_state (h.pipeline, GST_STATE_PLAYING);
    EXPECT_EQ (h.resolve ("s"), second.base () + "/s");
  }
  std::string text = slurp (file);
  EXPECT_NE (text.find (first.base ()), std::string::npos) << text;
  EXPECT_EQ (text.find (second.base ()), std::string::npos) << text;

  /* the first host is back, but a restarted resolver still remembers */
  first.start ();
  {
    ResolverHarness h;
    g_object_set (h.resolver, "hosts", hosts.c_str (), "state-file",
                  file.c_str (), "failure-expiry", expiry_ms, nullptr);
    gst_element_set_state (h.pipeline, GST_STATE_PLAYING);
    ASSERT_LT (ms_since (failed_at), expiry_ms - 500) << "machine too slow";
    EXPECT_EQ (h.resolve ("s"), second.base () + "/s");
    ASSERT_TRUE (h.wait_count ("connect", 1));
    std::this_thread::sleep_for (std::chrono::milliseconds (50));
    EXPECT_EQ (h.count ("connect"), 1);

    /* after the expiry the first host is used again and forgotten */
    while (ms_since (failed_at) < expiry_ms + 100)
      std::this_thread::sleep_for (std::chrono::milliseconds (20));
    EXPECT_EQ (h.resolve ("s"), first.base () + "/s");
  }
  text = slurp (file);
  EXPECT_EQ (text.find (first.base ()), std::string::npos) << text;
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  ::testing::InitGoogleTest (&argc, argv);
  return RUN_ALL_TESTS ();
}
