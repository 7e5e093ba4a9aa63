/* autorestoresink leaves nothing behind: no session pipeline, bus, element
 * reference or file descriptor per restore, and nothing at all once the
 * application's pipeline is gone. Real servers on loopback (nginx-rtmp,
 * srt-live-transmit) are restarted under the publisher.
 *
 * The session pipelines are not children of anything the test can reach,
 * so this binary runs GStreamer's leaks tracer (set up in main() before
 * gst_init) and asks it for the live GstPipeline objects. */
#include "fixtures/buspump.h"
#include "fixtures/servers.h"
#include "viewer.h"

#include <gst/gst.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <dirent.h>
#include <string>
#include <thread>

using namespace std::chrono;
using fixtures::NginxRtmp;
using fixtures::SrtRelay;
using restoretest::launch;

namespace {

using Bus = fixtures::BusPump;

GstTracer *
leaks_tracer ()
{
  GstTracer *found = nullptr;
  GList *all = gst_tracing_get_active_tracers ();
  for (GList * l = all; l; l = l->next) {
    if (!found && !g_strcmp0 (G_OBJECT_TYPE_NAME (l->data), "GstLeaksTracer"))
      found = GST_TRACER (gst_object_ref (l->data));
  }
  g_list_free_full (all, gst_object_unref);
  return found;
}

/* Live pipelines whose name contains "-session" (autorestoresink's). */
int
live_session_pipelines ()
{
  GstTracer *t = leaks_tracer ();
  if (!t)
    return -1;
  GstStructure *live = nullptr;
  g_signal_emit_by_name (t, "get-live-objects", &live);
  gst_object_unref (t);
  int n = 0;
  const GValue *list = gst_structure_get_value (live, "live-objects-list");
  for (guint i = 0; list && i < gst_value_list_get_size (list); i++) {
    const GstStructure *info =
        gst_value_get_structure (gst_value_list_get_value (list, i));
    const GValue *obj = gst_structure_get_value (info, "object");
    if (!obj || !G_VALUE_HOLDS_OBJECT (obj))
      continue;
    GObject *o = g_value_get_object (obj);
    if (GST_IS_PIPELINE (o)
        && std::string (GST_OBJECT_NAME (o)).find ("-session")
        != std::string::npos)
      n++;
  }
  gst_structure_free (live);
  return n;
}

int
open_fds ()
{
  int n = 0;
  DIR *d = opendir ("/proc/self/fd");
  while (dirent * e = readdir (d))
    if (e->d_name[0] != '.')
      n++;
  closedir (d);
  return n;
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
    Restart restart, int warmup, int rounds)
{
  GstElement *p = launch ("videotestsrc is-live=true ! "
      "video/x-raw,width=320,height=240,framerate=30/1 ! ars.video "
      "autorestoresink name=ars keyframe-interval=500 restore-interval=200 "
      "ping-check-period=1000 location=\"" + location + "\"");
  ASSERT_NE (p, nullptr);
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
    EXPECT_EQ (live_session_pipelines (), 1);
    for (int i = warmup + 1; i <= warmup + rounds; i++) {
      restart ();
      ASSERT_TRUE (wait_restores (ars, bus, i, milliseconds (15000)))
          << "restore " << i;
    }
    /* Teardowns run on the element's loop: give the last one a moment. */
    bus.pump (milliseconds (300));
    EXPECT_EQ (live_session_pipelines (), 1)
        << "session pipelines of earlier sessions are still alive";
    EXPECT_LE (open_fds (), fds + 2)
        << rounds << " restores took " << open_fds () - fds << " fds";
    gst_element_set_state (p, GST_STATE_NULL);
    EXPECT_EQ (live_session_pipelines (), 0)
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
  /* The checks below are only as good as the tracer: it must be there and
   * see a pipeline we make. */
  ASSERT_NE (live_session_pipelines (), -1) << "the leaks tracer is not active";
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
  /* Only pipelines are tracked: cheap, and what a leaked session is. */
  g_setenv ("GST_TRACERS", "leaks(filters=GstPipeline)", TRUE);
  gst_init (&argc, &argv);
  ::testing::InitGoogleTest (&argc, argv);
  return RUN_ALL_TESTS ();
}
