/* failoversrc with cluster:// candidates against a real nginx-rtmp: a status
 * callback to the clusterresolver makes the running failoversrc switch at
 * once, without waiting for its own timeout. */
#include "element/cluster/http_helpers.h"
#include "element/cluster/resolver_harness.h"
#include "fixtures/rig.h"
#include "fixtures/servers.h"
#include "fixtures/watcher.h"

#include <gst/gst.h>
#include <gtest/gtest.h>

#include <iostream>

using namespace fixtures;
using namespace std::chrono_literals;

class Env : public ::testing::Environment
{
public:
  void SetUp () override { gst_init (nullptr, nullptr); }
};
static auto *const env = ::testing::AddGlobalTestEnvironment (new Env);

static std::string
base (const NginxRtmp &n)
{
  return "rtmp://127.0.0.1:" + std::to_string (n.rtmp_port ()) + "/live";
}

TEST (ClusterFailover, StatusCallbackMakesARunningFailoversrcSwitchWithin100ms)
{
  NginxRtmp server;
  Publisher main_pub (looks::red (), server.rtmp_url ("main"));
  Publisher backup_pub (looks::blue (), server.rtmp_url ("backup"));
  ASSERT_TRUE (server.wait_for_publish ("main", 10s));
  ASSERT_TRUE (server.wait_for_publish ("backup", 10s));

  cluster_test::ResolverHarness resolver;
  g_object_set (resolver.resolver, "cluster-id", "cb-test", "hosts",
                base (server).c_str (), "callback-port", 0, nullptr);
  ASSERT_NE (gst_element_set_state (resolver.pipeline, GST_STATE_PLAYING),
             GST_STATE_CHANGE_FAILURE);
  int port = -1;
  g_object_get (resolver.resolver, "callback-bound-port", &port, nullptr);
  ASSERT_GT (port, 0);

  SourceRig rig;
  if (!rig.available ())
    FAIL () << rig.error ();
  ASSERT_TRUE (
      rig.set ("uris", "cluster://cb-test/main | cluster://cb-test/backup"));
  ASSERT_TRUE (rig.set ("standby", "hot"));
  ASSERT_TRUE (
      rig.set ("video-caps",
               "video/x-raw,format=I420,width=320,height=240,framerate=30/1"));
  ASSERT_TRUE (rig.set (
      "audio-caps",
      "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=2"));
  /* its own timeout is long: only the callback can explain a fast switch */
  ASSERT_TRUE (rig.set ("timeout", "5000"));
  ASSERT_TRUE (rig.set ("retry-delay", "200"));
  ASSERT_TRUE (rig.play ());
  ASSERT_TRUE (rig.video ().wait_for_class ("red", 20000ms, 5))
      << rig.describe ();
  /* hot standby: the backup is connected and decoded before the callback */
  ASSERT_GE (server.play_count ("backup"), 1u);
  std::this_thread::sleep_for (1500ms);

  auto t0 = Clock::now ();
  ASSERT_EQ (
      cluster_test::http_post ("http://127.0.0.1:" + std::to_string (port)
                                   + "/callbacks/main",
                               R"({"status":"offline"})"),
      200u);
  auto sw = rig.bus ().wait_for (
      "failoversrc-switch", 3000ms, [&] (const BusRecorder::Entry &e) {
        return e.wall >= t0 && e.get_int ("to-index") == 1;
      });
  ASSERT_TRUE (sw) << rig.describe ();
  auto took
      = std::chrono::duration_cast<std::chrono::milliseconds> (sw->wall - t0)
            .count ();
  std::cout << "[figure] status callback to failoversrc-switch: " << took
            << " ms" << std::endl;
  EXPECT_LT (took, 100) << rig.describe ();
  EXPECT_EQ (sw->get_string ("reason"), "cluster-down");
  /* issue 10.7: the host in use shows (redacted: the stream name is an
   * RTMP key), not only the cluster:// name */
  for (const char *f : { "from-uri", "to-uri" }) {
    std::string u = sw->get_string (f);
    EXPECT_EQ (u.rfind ("rtmp://127.0.0.1:", 0), 0u) << f << "=" << u;
    EXPECT_NE (u.find ("/live/***"), std::string::npos) << f << "=" << u;
  }
  std::string stats = rig.structure_string ("statistics");
  EXPECT_NE (stats.find ("rtmp://127.0.0.1:"), std::string::npos) << stats;
  EXPECT_NE (stats.find ("cluster://cb-test/main"), std::string::npos)
      << "the candidate's name stays in statistics: " << stats;
  EXPECT_TRUE (rig.video ().wait_for_class ("blue", 2000ms, 5, t0))
      << rig.describe ();

  /* the main stream stays avoided while it is reported down */
  std::this_thread::sleep_for (1000ms);
  EXPECT_EQ (rig.get_int ("active-candidate"), 1);
  /* the cluster saw the attempts of failoversrc */
  EXPECT_GE (resolver.count ("clusterresolver-connect"), 2);
}

/* One cluster candidate over a dead and a live host: failoversrc's failed
 * start on the dead host is reported to the cluster, its retry takes the
 * next host, and a second failoversrc in the process skips the dead host
 * from the start (shared failure memory). */
TEST (ClusterFailover, ACandidateWalksTheClusterAndSharesTheFailureMemory)
{
  NginxRtmp dead, live;
  Publisher pub (looks::green (), live.rtmp_url ("cam"));
  ASSERT_TRUE (live.wait_for_publish ("cam", 10s));
  dead.kill9 ();

  cluster_test::ResolverHarness resolver;
  std::string hosts = base (dead) + " " + base (live);
  g_object_set (resolver.resolver, "cluster-id", "walk", "hosts",
                hosts.c_str (), nullptr);
  ASSERT_NE (gst_element_set_state (resolver.pipeline, GST_STATE_PLAYING),
             GST_STATE_CHANGE_FAILURE);

  auto configure = [] (SourceRig &rig) {
    ASSERT_TRUE (rig.set ("uris", "cluster://walk/cam"));
    ASSERT_TRUE (rig.set (
        "video-caps",
        "video/x-raw,format=I420,width=320,height=240,framerate=30/1"));
    ASSERT_TRUE (rig.set ("audio-caps", "audio/x-raw,format=S16LE,layout="
                                        "interleaved,rate=48000,channels=2"));
    ASSERT_TRUE (rig.set ("timeout", "1000"));
    ASSERT_TRUE (rig.set ("retry-delay", "200"));
  };
  {
    SourceRig rig;
    if (!rig.available ())
      FAIL () << rig.error ();
    configure (rig);
    ASSERT_TRUE (rig.play ());
    ASSERT_TRUE (rig.video ().wait_for_class ("green", 20000ms, 5))
        << rig.describe ();
    EXPECT_EQ (rig.bus ().count ("error"), 0u) << rig.describe ();
  }
  ASSERT_TRUE (resolver.wait_count ("clusterresolver-connected", 1));
  bool dead_failed = false;
  for (auto &e : resolver.events ())
    dead_failed |= e.kind == "connect-failed" && e.index == 0;
  EXPECT_TRUE (dead_failed);

  /* a second consumer: the dead host is remembered, not tried */
  resolver.clear ();
  SourceRig second;
  configure (second);
  ASSERT_TRUE (second.play ());
  ASSERT_TRUE (second.video ().wait_for_class ("green", 20000ms, 5))
      << second.describe ();
  for (auto &e : resolver.events ())
    if (e.kind == "connect") {
      EXPECT_EQ (e.index, 1) << "the remembered dead host was tried again";
    }
}
