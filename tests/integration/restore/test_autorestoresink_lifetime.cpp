/* autorestoresink leaves nothing behind: no session pipeline, bus, element
 * reference or file descriptor per restore, and nothing at all once the
 * application's pipeline is gone. Real servers on loopback (nginx-rtmp,
 * srt-live-transmit) are restarted under the publisher.
 *
 * The session pipelines are not children of anything the test can reach:
 * a tracer of the test's own weak-references each one as it is made. */
#include "config.h"
#include "fixtures/buspump.h"
#include "fixtures/servers.h"
#ifdef HAVE_WEBRTC
#include "fixtures/whipserver.h"
#endif
#include "viewer.h"

#include <gst/gst.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <cstdlib>
#include <dirent.h>
#include <memory>
#include <string>
#include <thread>

using namespace std::chrono;
using fixtures::NginxRtmp;
using fixtures::SrtRelay;
using fixtures::open_fds;
using restoretest::launch;

namespace {

using Bus = fixtures::BusPump;

/* Session pipelines are weak-referenced as they are made: a tracer of the
 * test's own hooks element creation (GStreamer's public tracer API) and
 * counts those whose name has "-session" until they are finalized. */
std::atomic<int> live_sessions {0};

struct SessionTracer
{
  GstTracer parent;
};
struct SessionTracerClass
{
  GstTracerClass parent_class;
};
G_DEFINE_TYPE (SessionTracer, session_tracer, GST_TYPE_TRACER)

void
session_gone (gpointer, GObject *)
{
  live_sessions--;
}

void
on_element_new (GObject *, GstClockTime, GstElement * e)
{
  if (GST_IS_PIPELINE (e) && GST_OBJECT_NAME (e)
      && strstr (GST_OBJECT_NAME (e), "-session")) {
    live_sessions++;
    g_object_weak_ref (G_OBJECT (e), session_gone, nullptr);
  }
}

void
session_tracer_init (SessionTracer * self)
{
  gst_tracing_register_hook (GST_TRACER (self), "element-new",
      G_CALLBACK (on_element_new));
}

void
session_tracer_class_init (SessionTracerClass *)
{
}

int
live_session_pipelines ()
{
  return live_sessions.load ();
}


guint64
restores_of (GstElement * ars, std::string * status = nullptr)
{
  GstStructure *s = nullptr;
  g_object_get (ars, "statistics", &s, nullptr);
  guint64 r = 0;
  gst_structure_get_uint64 (s, "restores", &r);
  if (status)
    *status = gst_structure_get_string (s, "status");
  gst_structure_free (s);
  return r;
}

/* Waits until the element has restored `n` times and publishes again. */
bool
wait_restores (GstElement * ars, Bus & bus, guint64 n, milliseconds timeout)
{
  auto end = steady_clock::now () + timeout;
  while (steady_clock::now () < end) {
    std::string st;
    if (restores_of (ars, &st) >= n && st == "publishing")
      return true;
    bus.pump (milliseconds (20));
  }
  return false;
}

/* Runs `restart` (one server restart) `rounds` times after `warmup` rounds
 * and checks that neither session pipelines nor fds piled up, then that
 * nothing is left once the pipeline is gone. */
template <typename Restart>
void
restore_rounds_leave_nothing_behind (const std::string & location,
    Restart restart, int warmup, int rounds, bool check_fds = true,
    const std::string & extra = "ping-check-period=1000")
{
  GstElement *p = launch ("videotestsrc is-live=true ! "
      "video/x-raw,width=320,height=240,framerate=30/1 ! ars.video "
      "autorestoresink name=ars keyframe-interval=500 restore-interval=200 "
      + extra + " location=\"" + location + "\"");
  ASSERT_NE (p, nullptr);
  /* Sessions a failed test before this one left behind do not count. */
  const int before = live_session_pipelines ();
  GstElement *ars = gst_bin_get_by_name (GST_BIN (p), "ars");
  GWeakRef weak;
  g_weak_ref_init (&weak, ars);
  {
    Bus bus (p);
    gst_element_set_state (p, GST_STATE_PLAYING);
    ASSERT_TRUE (wait_restores (ars, bus, 0, milliseconds (8000)));
    for (int i = 1; i <= warmup; i++) {
      restart ();
      ASSERT_TRUE (wait_restores (ars, bus, i, milliseconds (15000)))
          << "warm-up restore " << i;
    }
    const int fds = open_fds ();
    EXPECT_EQ (live_session_pipelines () - before, 1);
    for (int i = warmup + 1; i <= warmup + rounds; i++) {
      restart ();
      ASSERT_TRUE (wait_restores (ars, bus, i, milliseconds (30000)))
          << "restore " << i;
    }
    /* Teardowns run on the element's loop: give the last one a moment. */
    bus.pump (milliseconds (300));
    EXPECT_EQ (live_session_pipelines () - before, 1)
        << "session pipelines of earlier sessions are still alive";
    if (check_fds) {
      EXPECT_LE (open_fds (), fds + 2)
          << rounds << " restores took " << open_fds () - fds << " fds";
    }
    gst_element_set_state (p, GST_STATE_NULL);
    EXPECT_EQ (live_session_pipelines () - before, 0)
        << "a session pipeline outlived the element's stop";
  }
  gst_object_unref (ars);
  gst_object_unref (p);
  GObject *still = static_cast<GObject *> (g_weak_ref_get (&weak));
  EXPECT_EQ (still, nullptr) << "the element outlived its pipeline";
  if (still)
    g_object_unref (still);
  g_weak_ref_clear (&weak);
}

}  // namespace

TEST (AutoRestoreSinkLifetime, TheTracerSeesPipelines)
{
  /* The checks below are only as good as the tracer: it must see a
   * pipeline we make, and see it go. */
  GstElement *p = gst_pipeline_new ("x-session0");
  EXPECT_EQ (live_session_pipelines (), 1);
  gst_object_unref (p);
  EXPECT_EQ (live_session_pipelines (), 0);
}

TEST (AutoRestoreSinkLifetime, RtmpRestoresLeaveNoSessionPipelineOrFdBehind)
{
  NginxRtmp server;
  restore_rounds_leave_nothing_behind (server.url ("live", "leak"),
      [&] { server.restart (); }, 2, 8);
}

TEST (AutoRestoreSinkLifetime, SrtRestoresLeaveNoSessionPipelineOrFdBehind)
{
  SrtRelay relay;
  restore_rounds_leave_nothing_behind (relay.publish_url (),
      [&] {
        relay.kill9 ();
        std::this_thread::sleep_for (milliseconds (300));
        relay.start ();
      }, 1, 4);
}

#ifdef HAVE_WEBRTC
TEST (AutoRestoreSinkLifetime, WhipRestoresLeaveNoSessionPipelineBehind)
{
  /* The WHIP server runs in this process and is made anew for each
   * restart, so only session pipelines and the element are checked here,
   * not fds. WHIP sessions are torn down on threads of their own (the
   * DELETE); the element waits for them when it stops. */
  auto server = std::make_unique<fixtures::WhipTestServer> (
      fixtures::WhipTestServer::Options {});
  const int port = server->port ();
  restore_rounds_leave_nothing_behind ("whip://127.0.0.1:"
      + std::to_string (port) + "/endpoint/cam",
      [&] {
        /* A few receiver reports first: the publisher learns the
         * server's cadence and notices the silence from then on. */
        std::this_thread::sleep_for (milliseconds (4000));
        server.reset ();
        std::this_thread::sleep_for (milliseconds (500));
        fixtures::WhipTestServer::Options o;
        o.port = port;
        server = std::make_unique<fixtures::WhipTestServer> (o);
      }, 1, 2, false, "missing-pings=4 ping-check-period=2000");
}
#endif

TEST (AutoRestoreSinkLifetime, StoppingWithoutARestoreLeavesNothing)
{
  /* The plain case: one session, then NULL. */
  NginxRtmp server;
  restore_rounds_leave_nothing_behind (server.url ("live", "plain"),
      [] {}, 0, 0);
}

int
main (int argc, char **argv)
{
  /* Tracer hooks run only when some tracer is configured: GStreamer's own
   * leaks tracer, on pipelines only (cheap), also reports at exit. */
  g_setenv ("GST_TRACERS", "leaks(filters=GstPipeline)", TRUE);
  gst_init (&argc, &argv);
  GObject *tracer = G_OBJECT (g_object_new (session_tracer_get_type (),
          nullptr));
  ::testing::InitGoogleTest (&argc, argv);
  const int ret = RUN_ALL_TESTS ();
  g_object_unref (tracer);
  return ret;
}
