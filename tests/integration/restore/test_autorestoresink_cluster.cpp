/* autorestoresink publishing to cluster://<id>/<path> through a
 * clusterresolver over three nginx-rtmp hosts, the first one dead: the
 * publisher walks to a live host, moves to another when that one is killed,
 * and moves at once when a status callback reports its host down. Viewers
 * on the hosts prove where the stream really is. */
#include "element/cluster/http_helpers.h"
#include "fixtures/servers.h"
#include "viewer.h"

#include <gst/gst.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono;
using fixtures::NginxRtmp;
using restoretest::rtmp_viewer;
using restoretest::Viewer;

namespace {

class Env : public ::testing::Environment
{
public:
  void SetUp () override { gst_init (nullptr, nullptr); }
};
auto *const env = ::testing::AddGlobalTestEnvironment (new Env);

std::string
base (const NginxRtmp &n)
{
  return "rtmp://127.0.0.1:" + std::to_string (n.rtmp_port ()) + "/live";
}

/* The application's pipeline: resolver, sources and the publisher, built
 * from one gst-launch description like the documented example. */
struct Publisher
{
  GstElement *pipeline = nullptr;
  GstBus *bus = nullptr;
  std::vector<std::pair<steady_clock::time_point, GstMessage *>> seen;

  explicit Publisher (const std::string &desc)
  {
    pipeline = restoretest::launch (desc);
    bus = gst_element_get_bus (pipeline);
  }
  ~Publisher ()
  {
    gst_element_set_state (pipeline, GST_STATE_NULL);
    for (auto &m : seen)
      gst_message_unref (m.second);
    gst_object_unref (bus);
    gst_object_unref (pipeline);
  }
  GstElement *get (const char *name)
  {
    return gst_bin_get_by_name (GST_BIN (pipeline), name);
  }
  void pump (milliseconds for_)
  {
    auto end = steady_clock::now () + for_;
    while (steady_clock::now () < end)
      if (GstMessage *m = gst_bus_timed_pop (bus, 5 * GST_MSECOND))
        seen.emplace_back (steady_clock::now (), m);
  }
  /* The first message since `after` that `pred` accepts. */
  const std::pair<steady_clock::time_point, GstMessage *> *
  wait (const std::function<bool (GstMessage *)> &pred, milliseconds timeout,
        steady_clock::time_point after = {})
  {
    auto end = steady_clock::now () + timeout;
    size_t i = 0;
    while (true) {
      for (; i < seen.size (); i++)
        if (seen[i].first >= after && pred (seen[i].second))
          return &seen[i];
      if (steady_clock::now () >= end)
        return nullptr;
      pump (milliseconds (10));
    }
  }
  int errors () const
  {
    int n = 0;
    for (auto &m : seen)
      n += GST_MESSAGE_TYPE (m.second) == GST_MESSAGE_ERROR;
    return n;
  }
  std::string stat (const char *field)
  {
    GstElement *ars = get ("ars");
    GstStructure *s = nullptr;
    g_object_get (ars, "statistics", &s, nullptr);
    const gchar *v = gst_structure_get_string (s, field);
    std::string out = v ? v : "";
    gst_structure_free (s);
    gst_object_unref (ars);
    return out;
  }
  bool wait_publishing_to (const NginxRtmp &host, milliseconds timeout)
  {
    const std::string want
        = "127.0.0.1:" + std::to_string (host.rtmp_port ()) + "/";
    auto end = steady_clock::now () + timeout;
    while (steady_clock::now () < end) {
      if (stat ("status") == "publishing"
          && stat ("destination").find (want) != std::string::npos)
        return true;
      pump (milliseconds (20));
    }
    return false;
  }
};

std::function<bool (GstMessage *)>
retry_because (const char *reason)
{
  std::string r (reason);
  return [r] (GstMessage *m) {
    const GstStructure *s = gst_message_get_structure (m);
    if (GST_MESSAGE_TYPE (m) != GST_MESSAGE_ELEMENT || !s
        || !gst_structure_has_name (s, "autorestoresink-retry"))
      return false;
    const gchar *why = gst_structure_get_string (s, "reason");
    return why && r == why;
  };
}

std::string
publisher_line (const std::string &id, const std::string &hosts,
                const std::string &extra)
{
  /* The docs/elements/clusterresolver.md publisher example, on loopback. */
  return "clusterresolver name=r cluster-id=" + id + " hosts=\"" + hosts
         + "\" connect-timeout=1000 " + extra
         + " videotestsrc is-live=true pattern=ball ! "
           "video/x-raw,width=320,height=240,framerate=30/1 ! ars.video "
           "audiotestsrc is-live=true ! ars.audio "
           "autorestoresink name=ars keyframe-interval=1000 "
           "location=cluster://"
         + id + "/cam";
}

} // namespace

TEST (AutoRestoreSinkCluster, WalksToALiveHostAndMovesOnWhenItIsKilled)
{
  NginxRtmp a, b, c;
  a.kill9 ();
  Publisher p (publisher_line (
      "ars-walk", base (a) + " " + base (b) + " " + base (c), ""));
  ASSERT_NE (gst_element_set_state (p.pipeline, GST_STATE_PLAYING),
             GST_STATE_CHANGE_FAILURE);

  /* the dead first host costs one refused connect, then host b */
  ASSERT_TRUE (p.wait_publishing_to (b, milliseconds (8000)))
      << "destination: " << p.stat ("destination");
  EXPECT_TRUE (b.wait_for_publish ("cam", milliseconds (2000)));
  EXPECT_EQ (c.publish_count ("cam"), 0u);
  {
    Viewer v (rtmp_viewer (b.rtmp_url ("cam")));
    ASSERT_TRUE (v.wait_frames (10, milliseconds (5000)));
  }
  /* the stream key never shows: the destination is shown redacted */
  EXPECT_EQ (p.stat ("destination").find ("/cam"), std::string::npos);

  b.kill9 ();
  const auto killed = steady_clock::now ();
  ASSERT_TRUE (c.wait_for_publish ("cam", milliseconds (8000)))
      << "the publisher did not move to the third host";
  const auto moved
      = duration_cast<milliseconds> (steady_clock::now () - killed);
  Viewer v (rtmp_viewer (c.rtmp_url ("cam")));
  ASSERT_TRUE (v.wait_frames (10, milliseconds (8000)))
      << "a viewer on the new host saw no frames";
  ASSERT_TRUE (p.wait_publishing_to (c, milliseconds (3000)));
  std::printf ("[figure] cluster publisher: host killed -> publishing on the "
               "next host: %lld ms\n",
               (long long)moved.count ());
  /* the dead host was never chosen again: the shared failure memory */
  EXPECT_EQ (a.publish_count ("cam"), 0u);
  EXPECT_EQ (p.errors (), 0);
}

TEST (AutoRestoreSinkCluster, StatusCallbackMovesThePublisherAtOnce)
{
  NginxRtmp a, b, c;
  a.kill9 ();
  Publisher p (publisher_line ("ars-cb",
                               base (a) + " " + base (b) + " " + base (c),
                               "callback-port=0"));
  ASSERT_NE (gst_element_set_state (p.pipeline, GST_STATE_PLAYING),
             GST_STATE_CHANGE_FAILURE);
  GstElement *r = p.get ("r");
  int port = -1;
  g_object_get (r, "callback-bound-port", &port, nullptr);
  ASSERT_GT (port, 0);
  ASSERT_TRUE (p.wait_publishing_to (b, milliseconds (8000)));
  p.pump (milliseconds (1000));

  const auto t0 = steady_clock::now ();
  ASSERT_EQ (cluster_test::http_post (
                 "http://127.0.0.1:" + std::to_string (port) + "/callbacks",
                 "{\"host\": \"" + base (b) + "\", \"status\": \"down\"}"),
             200u);
  auto *moved = p.wait (retry_because ("cluster-down"), milliseconds (3000), t0);
  ASSERT_NE (moved, nullptr) << "no cluster-down move";
  const auto took = duration_cast<milliseconds> (moved->first - t0);
  std::printf ("[figure] status callback -> autorestoresink moves host: "
               "%lld ms\n",
               (long long)took.count ());
  /* immediate: no restore wait (3000 ms), no bitrate or ping verdict */
  EXPECT_LT (took, milliseconds (500));
  const std::string dest = gst_structure_get_string (
      gst_message_get_structure (moved->second), "destination");
  EXPECT_NE (dest.find (std::to_string (c.rtmp_port ())), std::string::npos)
      << dest;
  ASSERT_TRUE (c.wait_for_publish ("cam", milliseconds (3000)));
  Viewer v (rtmp_viewer (c.rtmp_url ("cam")));
  ASSERT_TRUE (v.wait_frames (10, milliseconds (5000)));
  EXPECT_TRUE (p.wait_publishing_to (c, milliseconds (3000)));

  /* the host reported down is not held against it in the failure memory */
  GstStructure *st = nullptr;
  g_object_get (r, "statistics", &st, nullptr);
  const GValue *hosts = gst_structure_get_value (st, "hosts");
  ASSERT_NE (hosts, nullptr);
  const GstStructure *hb
      = gst_value_get_structure (gst_value_array_get_value (hosts, 1));
  gboolean failed = TRUE, down = FALSE;
  gst_structure_get_boolean (hb, "failed", &failed);
  gst_structure_get_boolean (hb, "down", &down);
  EXPECT_FALSE (failed);
  EXPECT_TRUE (down);
  gst_structure_free (st);
  gst_object_unref (r);
  EXPECT_EQ (p.errors (), 0);
}

TEST (AutoRestoreSinkCluster, UnknownClusterIdIsAClearConfigurationError)
{
  GError *err = nullptr;
  GstElement *p = gst_parse_launch (
      "videotestsrc is-live=true ! ars.video autorestoresink name=ars "
      "location=cluster://nowhere/cam",
      &err);
  ASSERT_EQ (err, nullptr);
  EXPECT_EQ (gst_element_set_state (p, GST_STATE_PLAYING),
             GST_STATE_CHANGE_FAILURE);
  GstBus *bus = gst_element_get_bus (p);
  GstMessage *m = gst_bus_timed_pop_filtered (bus, GST_SECOND,
                                              GST_MESSAGE_ERROR);
  ASSERT_NE (m, nullptr);
  GError *e = nullptr;
  gst_message_parse_error (m, &e, nullptr);
  const std::string text = e->message;
  EXPECT_NE (text.find ("cluster-id 'nowhere'"), std::string::npos) << text;
  EXPECT_NE (text.find ("clusterresolver"), std::string::npos) << text;
  g_error_free (e);
  gst_message_unref (m);
  gst_object_unref (bus);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
}
