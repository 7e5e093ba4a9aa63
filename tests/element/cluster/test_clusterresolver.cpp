/* clusterresolver as an application and a pipeline see it: the resolve
 * action with its TCP probe, events as signals and bus messages, failure
 * memory (expiry, state file), strategies switched while running, status
 * callbacks and endpoint discovery against an in-process SoupServer. */
#include "cluster/http_helpers.h"
#include "cluster/resolver_harness.h"

#include <gst/gst.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>

using namespace cluster_test;
using clk = std::chrono::steady_clock;

/* http:// hosts get a plain TCP probe (rtmp:// ones also a handshake, see
 * RtmpProbeNeedsAnRtmpAnswer). */
static std::string
rtmp (int port, const char *app = "live")
{
  return "http://127.0.0.1:" + std::to_string (port) + "/" + app;
}

static std::string
temp_dir ()
{
  char tmpl[] = "/tmp/clusterresolver-XXXXXX";
  return mkdtemp (tmpl);
}

TEST (ClusterResolver, SkipsARefusingHostAndReportsIt)
{
  TcpListener live;
  int dead = closed_port ();
  ResolverHarness h;
  ASSERT_NE (h.resolver, nullptr);
  std::string hosts = rtmp (dead) + " " + rtmp (live.port ());
  g_object_set (h.resolver, "hosts", hosts.c_str (), nullptr);
  ASSERT_NE (gst_element_set_state (h.pipeline, GST_STATE_PLAYING),
             GST_STATE_CHANGE_FAILURE);

  EXPECT_EQ (h.resolve ("cam1"), rtmp (live.port ()) + "/cam1");
  ASSERT_TRUE (h.wait_count ("clusterresolver-connected", 1));
  EXPECT_EQ (h.count ("connect"), 2);
  EXPECT_EQ (h.count ("clusterresolver-connect"), 2);
  ASSERT_EQ (h.count ("connect-failed"), 1);
  for (auto &e : h.events ()) {
    if (e.kind == "connect-failed"
        || e.kind == "clusterresolver-connect-failed") {
      EXPECT_EQ (e.index, 0);
      EXPECT_EQ (e.host, rtmp (dead));
      EXPECT_NE (e.reason.find ("refused"), std::string::npos) << e.reason;
    }
  }
  GstStructure *st = h.statistics ();
  ASSERT_NE (st, nullptr);
  gboolean failed = FALSE;
  gst_structure_get_boolean (h.host_stats (st, 0), "failed", &failed);
  EXPECT_TRUE (failed);
  guint64 failures = 0;
  gst_structure_get_uint64 (st, "failures", &failures);
  EXPECT_EQ (failures, 1u);
  gst_structure_free (st);
  gint status = -1;
  g_object_get (h.resolver, "status", &status, nullptr);
  EXPECT_EQ (status, 2); /* degraded */

  /* remembered: the dead host is not tried again */
  h.clear ();
  EXPECT_EQ (h.resolve ("cam1"), rtmp (live.port ()) + "/cam1");
  ASSERT_TRUE (h.wait_count ("clusterresolver-connected", 1));
  EXPECT_EQ (h.count ("connect"), 1);
  EXPECT_EQ (h.count ("connect-failed"), 0);
}

TEST (ClusterResolver, FailedFiresWhenEveryLoopIsExhausted)
{
  int a = closed_port (), b = closed_port ();
  ResolverHarness h;
  std::string hosts = rtmp (a) + "|" + rtmp (b);
  g_object_set (h.resolver, "hosts", hosts.c_str (), "loops", 2,
                "failure-expiry", 0, nullptr);
  gst_element_set_state (h.pipeline, GST_STATE_PLAYING);
  EXPECT_EQ (h.resolve ("s"), "");
  ASSERT_TRUE (h.wait_count ("clusterresolver-failed", 1));
  EXPECT_EQ (h.count ("connect"), 4);
  EXPECT_EQ (h.count ("connect-failed"), 4);
  EXPECT_EQ (h.count ("failed"), 1);
  for (auto &e : h.events ())
    if (e.kind == "failed") {
      EXPECT_EQ (e.reason, "all-hosts-failed");
    }
  gint status = -1;
  g_object_get (h.resolver, "status", &status, nullptr);
  EXPECT_EQ (status, 3); /* exhausted */
}

TEST (ClusterResolver, HungHostCostsOneConnectTimeout)
{
  HungHost hung;
  TcpListener live;
  ResolverHarness h;
  std::string hosts = rtmp (hung.port ()) + " " + rtmp (live.port ());
  g_object_set (h.resolver, "hosts", hosts.c_str (), "connect-timeout", 300,
                nullptr);
  gst_element_set_state (h.pipeline, GST_STATE_PLAYING);
  auto t0 = clk::now ();
  EXPECT_EQ (h.resolve ("s"), rtmp (live.port ()) + "/s");
  auto took
      = std::chrono::duration_cast<std::chrono::milliseconds> (clk::now () - t0)
            .count ();
  EXPECT_GE (took, 250);
  EXPECT_LT (took, 600);
  ASSERT_TRUE (h.wait_count ("connect-failed", 1));
  for (auto &e : h.events ())
    if (e.kind == "connect-failed") {
      EXPECT_EQ (e.reason, "timeout");
      EXPECT_EQ (e.index, 0);
    }
}

TEST (ClusterResolver, RtmpProbeNeedsAnRtmpAnswer)
{
  /* accepts TCP (backlog) but never speaks RTMP, like a stopped server */
  TcpListener silent;
  ResolverHarness h;
  std::string hosts
      = "rtmp://127.0.0.1:" + std::to_string (silent.port ()) + "/live";
  g_object_set (h.resolver, "hosts", hosts.c_str (), "connect-timeout", 200,
                "loops", 1, nullptr);
  gst_element_set_state (h.pipeline, GST_STATE_PLAYING);
  EXPECT_EQ (h.resolve ("s"), "");
  ASSERT_TRUE (h.wait_count ("connect-failed", 1));
  for (auto &e : h.events ())
    if (e.kind == "connect-failed") {
      EXPECT_EQ (e.reason, "timeout");
    }
}

TEST (ClusterResolver, FailureMemoryExpires)
{
  int dead = closed_port ();
  TcpListener live;
  ResolverHarness h;
  std::string hosts = rtmp (dead) + " " + rtmp (live.port ());
  g_object_set (h.resolver, "hosts", hosts.c_str (), "failure-expiry", 300,
                nullptr);
  gst_element_set_state (h.pipeline, GST_STATE_PLAYING);
  h.resolve ("s");
  ASSERT_TRUE (h.wait_count ("connect-failed", 1));
  h.clear ();
  h.resolve ("s");
  ASSERT_TRUE (h.wait_count ("connect", 1));
  EXPECT_EQ (h.events ()[0].index, 1);
  /* Real time, not a GstTestClock: the failure memory runs on the wall
   * clock (g_get_real_time), which the state file stores so that it holds
   * across restarts; the pipeline clock does not drive it. */
  std::this_thread::sleep_for (std::chrono::milliseconds (350));
  h.clear ();
  h.resolve ("s");
  ASSERT_TRUE (h.wait_count ("connect", 2));
  EXPECT_EQ (h.events ()[0].index, 0); /* tried again after expiry */
}

TEST (ClusterResolver, StateFileCarriesTheMemoryAcrossARestart)
{
  std::string dir = temp_dir ();
  std::string file = dir + "/memory";
  int dead = closed_port ();
  TcpListener live;
  std::string hosts = rtmp (dead) + " " + rtmp (live.port ());
  {
    ResolverHarness h;
    g_object_set (h.resolver, "hosts", hosts.c_str (), "state-file",
                  file.c_str (), nullptr);
    gst_element_set_state (h.pipeline, GST_STATE_PLAYING);
    h.resolve ("s");
    ASSERT_TRUE (h.wait_count ("connect-failed", 1));
  }
  ASSERT_TRUE (std::filesystem::exists (file));
  {
    ResolverHarness h;
    g_object_set (h.resolver, "hosts", hosts.c_str (), "state-file",
                  file.c_str (), nullptr);
    GstStructure *st = h.statistics ();
    gboolean failed = FALSE;
    gst_structure_get_boolean (h.host_stats (st, 0), "failed", &failed);
    EXPECT_TRUE (failed);
    gst_structure_free (st);
    gst_element_set_state (h.pipeline, GST_STATE_PLAYING);
    EXPECT_EQ (h.resolve ("s"), rtmp (live.port ()) + "/s");
    ASSERT_TRUE (h.wait_count ("connect", 1));
    /* Real time: that no connect to the dead port follows can only be
     * seen by waiting (the resolver probes real TCP sockets). */
    std::this_thread::sleep_for (std::chrono::milliseconds (50));
    EXPECT_EQ (h.count ("connect"), 1); /* the dead host was skipped */
  }
  std::filesystem::remove_all (dir);
}

TEST (ClusterResolver, StrategyCanBeSwitchedWhilePlaying)
{
  ResolverHarness h;
  g_object_set (h.resolver, "hosts",
                "rtmp://a/live rtmp://b/live rtmp://c/live", "probe", FALSE,
                nullptr);
  gst_util_set_object_arg (G_OBJECT (h.resolver), "strategy", "round-robin");
  gst_element_set_state (h.pipeline, GST_STATE_PLAYING);
  EXPECT_EQ (h.resolve ("x"), "rtmp://a/live/x");
  EXPECT_EQ (h.resolve ("x"), "rtmp://b/live/x");
  EXPECT_EQ (h.resolve ("x"), "rtmp://c/live/x");
  gst_util_set_object_arg (G_OBJECT (h.resolver), "strategy", "ordered");
  for (int i = 0; i < 3; i++)
    EXPECT_EQ (h.resolve ("x"), "rtmp://a/live/x");
  gst_util_set_object_arg (G_OBJECT (h.resolver), "strategy", "weighted");
  g_object_set (h.resolver, "weights", "0 0 1", nullptr);
  for (int i = 0; i < 5; i++)
    EXPECT_EQ (h.resolve ("x"), "rtmp://c/live/x");
}

TEST (ClusterResolver, RunsInAGstLaunchLine)
{
  GError *err = nullptr;
  GstElement *p = gst_parse_launch (
      "clusterresolver name=r cluster-id=eu "
      "hosts=\"rtmp://a/live rtmp://b/live\" strategy=random probe=false "
      "fakesrc num-buffers=3 ! fakesink",
      &err);
  ASSERT_NE (p, nullptr) << (err ? err->message : "");
  ASSERT_NE (gst_element_set_state (p, GST_STATE_PLAYING),
             GST_STATE_CHANGE_FAILURE);
  GstBus *bus = gst_element_get_bus (p);
  GstMessage *m = gst_bus_timed_pop_filtered (
      bus, 5 * GST_SECOND,
      (GstMessageType)(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  ASSERT_NE (m, nullptr);
  EXPECT_EQ (GST_MESSAGE_TYPE (m), GST_MESSAGE_EOS);
  gst_message_unref (m);
  gst_object_unref (bus);
  GstElement *r = gst_bin_get_by_name (GST_BIN (p), "r");
  gchar *url = nullptr;
  g_signal_emit_by_name (r, "resolve", "s", &url);
  EXPECT_TRUE (g_str_has_suffix (url, "/live/s")) << url;
  g_free (url);
  gst_object_unref (r);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
}

TEST (ClusterResolver, FailoversrcNamesAMissingCluster)
{
  /* a cluster:// candidate whose cluster-id no resolver publishes is a
   * configuration error that says which id is missing */
  GstElement *p = gst_pipeline_new (nullptr);
  GstElement *src = gst_element_factory_make ("failoversrc", nullptr);
  ASSERT_NE (src, nullptr) << "failoversrc is not registered";
  gst_bin_add (GST_BIN (p), src);
  g_object_set (src, "uris", "cluster://no-such-cluster/cam1", nullptr);
  gst_element_set_state (p, GST_STATE_PLAYING);
  GstBus *bus = gst_element_get_bus (p);
  GstMessage *m
      = gst_bus_timed_pop_filtered (bus, 5 * GST_SECOND, GST_MESSAGE_ERROR);
  ASSERT_NE (m, nullptr);
  GError *err = nullptr;
  gchar *dbg = nullptr;
  gst_message_parse_error (m, &err, &dbg);
  EXPECT_NE (std::string (dbg ? dbg : "").find ("no-such-cluster"),
             std::string::npos)
      << (dbg ? dbg : "");
  g_clear_error (&err);
  g_free (dbg);
  gst_message_unref (m);
  gst_object_unref (bus);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
}

/* ---- status callbacks ---- */

static int
bound_port (GstElement *r)
{
  int port = -1;
  g_object_get (r, "callback-bound-port", &port, nullptr);
  return port;
}

TEST (ClusterResolverCallbacks, ListenerBindsToLoopbackOnAFreePort)
{
  ResolverHarness h;
  g_object_set (h.resolver, "callback-port", 0, nullptr);
  EXPECT_EQ (bound_port (h.resolver), -1);
  ASSERT_EQ (gst_element_set_state (h.pipeline, GST_STATE_READY),
             GST_STATE_CHANGE_SUCCESS);
  int port = bound_port (h.resolver);
  ASSERT_GT (port, 0);
  gchar *addr = nullptr;
  g_object_get (h.resolver, "callback-address", &addr, nullptr);
  EXPECT_STREQ (addr, "127.0.0.1");
  g_free (addr);
  gst_element_set_state (h.pipeline, GST_STATE_NULL);
  EXPECT_EQ (bound_port (h.resolver), -1);
}

TEST (ClusterResolverCallbacks, StreamDownIsAvoidedAtOnceAndUpRestoresIt)
{
  ResolverHarness h;
  g_object_set (h.resolver, "hosts", "rtmp://a/live rtmp://b/live", "probe",
                FALSE, "callback-port", 0, nullptr);
  gst_element_set_state (h.pipeline, GST_STATE_PLAYING);
  std::string base
      = "http://127.0.0.1:" + std::to_string (bound_port (h.resolver));
  EXPECT_EQ (h.resolve ("cam1"), "rtmp://a/live/cam1");

  auto t0 = clk::now ();
  ASSERT_EQ (http_post (base + "/callbacks/cam1", R"({"status":"offline"})"),
             200u);
  ASSERT_TRUE (h.wait_count ("clusterresolver-status", 1, 100));
  auto latency = std::chrono::duration_cast<std::chrono::milliseconds> (
                     h.events ().back ().at - t0)
                     .count ();
  EXPECT_LT (latency, 100);
  std::cout << "[figure] status callback POST to bus message: " << latency
            << " ms" << std::endl;
  EXPECT_EQ (h.resolve ("cam1"), "");
  ASSERT_TRUE (h.wait_count ("failed", 1));
  for (auto &e : h.events ())
    if (e.kind == "failed") {
      EXPECT_EQ (e.reason, "stream-down");
    }
  EXPECT_EQ (h.resolve ("cam2"), "rtmp://a/live/cam2");

  ASSERT_EQ (http_post (base + "/callbacks/cam1", R"({"status":"online"})"),
             200u);
  EXPECT_EQ (h.resolve ("cam1"), "rtmp://a/live/cam1");

  /* host-level report: host 0 down for every stream */
  ASSERT_EQ (http_post (base + "/callbacks", R"({"host":0,"status":"down"})"),
             200u);
  EXPECT_EQ (h.resolve ("cam3"), "rtmp://b/live/cam3");
  gint status = -1;
  g_object_get (h.resolver, "status", &status, nullptr);
  EXPECT_EQ (status, 2);

  /* garbage is refused and changes nothing */
  EXPECT_EQ (http_post (base + "/callbacks/cam3", "offline"), 400u);
  EXPECT_EQ (http_post (base + "/elsewhere", "{}"), 404u);
  EXPECT_EQ (h.resolve ("cam3"), "rtmp://b/live/cam3");
}

TEST (ClusterResolverCallbacks, SecretIsChecked)
{
  ResolverHarness h;
  g_object_set (h.resolver, "hosts", "rtmp://a/live", "probe", FALSE,
                "callback-port", 0, "callback-secret", "s3cret", nullptr);
  gst_element_set_state (h.pipeline, GST_STATE_PLAYING);
  std::string url
      = "http://127.0.0.1:" + std::to_string (bound_port (h.resolver))
        + "/callbacks/cam1";
  std::string down = R"({"status":"offline"})";
  EXPECT_EQ (http_post (url, down), 401u);
  EXPECT_EQ (http_post (url, down, { { "Authorization", "Bearer wrong" } }),
             401u);
  EXPECT_EQ (h.resolve ("cam1"), "rtmp://a/live/cam1");
  EXPECT_EQ (http_post (url, down, { { "Authorization", "Bearer s3cret" } }),
             200u);
  EXPECT_EQ (h.resolve ("cam1"), "");
  EXPECT_EQ (http_post (url, R"({"status":"online"})",
                        { { "X-Callback-Secret", "s3cret" } }),
             200u);
  EXPECT_EQ (h.resolve ("cam1"), "rtmp://a/live/cam1");
}

/* ---- discovery ---- */

class ClusterResolverDiscovery : public ::testing::Test
{
protected:
  ScriptedHttpServer server;
  ResolverHarness h;

  void start (const std::string &path, guint timeout_ms = 2000)
  {
    g_object_set (h.resolver, "hosts", "rtmp://a/live rtmp://b/live", "probe",
                  FALSE, "discovery-url", server.url (path).c_str (),
                  "discovery-timeout", timeout_ms, nullptr);
    gst_element_set_state (h.pipeline, GST_STATE_PLAYING);
  }
  void expect_fallback_with_warning (const char *what)
  {
    EXPECT_EQ (h.resolve ("cam1"), "rtmp://a/live/cam1");
    ASSERT_TRUE (h.wait_count ("warning", 1));
    ASSERT_TRUE (h.wait_count ("clusterresolver-discovery-failed", 1));
    bool found = false;
    for (auto &e : h.events ())
      if (e.kind == "clusterresolver-discovery-failed") {
        EXPECT_NE (e.reason.find (what), std::string::npos) << e.reason;
        found = true;
      }
    EXPECT_TRUE (found);
  }
};

TEST_F (ClusterResolverDiscovery, EndpointAnswerGoesFirst)
{
  server.set (
      "/stream/cam1/WebRTC",
      Reply{
          200,
          R"({"connection":{"signallingUri":"wss://edge.example/w/cam1"}})" });
  g_setenv ("RESILIENT_DISCOVERY_TOKEN", "tok-from-env", TRUE);
  start ("/stream/{alias}/WebRTC");
  EXPECT_EQ (h.resolve ("cam1"), "wss://edge.example/w/cam1");
  EXPECT_EQ (server.last_auth (), "Bearer tok-from-env");
  g_unsetenv ("RESILIENT_DISCOVERY_TOKEN");
  /* cached for discovery-ttl: no second request */
  EXPECT_EQ (h.resolve ("cam1"), "wss://edge.example/w/cam1");
  EXPECT_EQ (server.hits ("/stream/cam1/WebRTC"), 1);
  EXPECT_EQ (h.count ("warning"), 0);
}

TEST_F (ClusterResolverDiscovery, TokenPropertyWins)
{
  server.set ("/d", Reply{ 200, R"({"url":"rtmp://b/live/cam1"})" });
  g_object_set (h.resolver, "discovery-token", "prop-token", nullptr);
  start ("/d");
  EXPECT_EQ (h.resolve ("cam1"), "rtmp://b/live/cam1");
  EXPECT_EQ (server.last_auth (), "Bearer prop-token");
}

TEST_F (ClusterResolverDiscovery, TimeoutFallsBackToTheHostList)
{
  server.set ("/slow", Reply{ 200, "", true });
  start ("/slow", 300);
  auto t0 = clk::now ();
  expect_fallback_with_warning ("timeout");
  auto took
      = std::chrono::duration_cast<std::chrono::milliseconds> (clk::now () - t0)
            .count ();
  EXPECT_LT (took, 1500);
}

TEST_F (ClusterResolverDiscovery, ServerErrorFallsBackToTheHostList)
{
  server.set ("/err", Reply{ 500, "Internal Server Error" });
  start ("/err");
  expect_fallback_with_warning ("HTTP status 500");
}

TEST_F (ClusterResolverDiscovery, BadJsonFallsBackToTheHostList)
{
  server.set ("/bad", Reply{ 200, "{\"connection\": {\"signallingUri\": " });
  start ("/bad");
  expect_fallback_with_warning ("not JSON");
}

TEST_F (ClusterResolverDiscovery, SteeringManifestOrdersTheHostsAndIsRefreshed)
{
  server.set ("/steer", Reply{ 200, R"({"VERSION":1,"TTL":0.3,
      "PATHWAY-PRIORITY":["b","a"]})" });
  start ("/steer");
  for (int i = 0; i < 3; i++)
    EXPECT_EQ (h.resolve ("cam1"), "rtmp://b/live/cam1");
  EXPECT_EQ (server.hits ("/steer"), 1);
  server.set ("/steer", Reply{ 200, R"({"VERSION":1,"TTL":0.3,
      "PATHWAY-PRIORITY":["a","b"]})" });
  /* refreshed in the background after the TTL; real time, not a
   * GstTestClock: the TTL runs on the wall clock and the refresh is a
   * real HTTP request to the test server */
  auto end = clk::now () + std::chrono::seconds (2);
  while (server.hits ("/steer") < 2 && clk::now () < end)
    std::this_thread::sleep_for (std::chrono::milliseconds (10));
  EXPECT_GE (server.hits ("/steer"), 2);
  /* the reply is parsed and applied on the element's loop after the
   * server counted the request */
  std::this_thread::sleep_for (std::chrono::milliseconds (50));
  EXPECT_EQ (h.resolve ("cam1"), "rtmp://a/live/cam1");
  GstStructure *st = h.statistics ();
  gboolean steering = FALSE;
  gst_structure_get_boolean (st, "steering-active", &steering);
  EXPECT_TRUE (steering);
  gst_structure_free (st);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  ::testing::InitGoogleTest (&argc, argv);
  return RUN_ALL_TESTS ();
}
