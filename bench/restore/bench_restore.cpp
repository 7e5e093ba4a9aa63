/* bench-restore: how fast publishing comes back after an RTMP server
 * restart, with autorestoresink and with what users script today.
 *
 *   meson devenv -C build ./bench/restore/bench-restore [rounds] [outage-ms]
 *
 * outage-ms 0 (the default) varies the outage from round to round.
 *
 * Each round: the server is killed (-9), stays down for the outage, is
 * started again; the clock starts when its port accepts connections, a
 * viewer (rtmp2src ! flvdemux ! h264parse ! avdec_h264) connects at once,
 * and the clock stops at the first decoded frame. The same rounds run for
 * (a) autorestoresink with its defaults, fed by a thread that pushes raw
 * 30 fps frames straight into its video pad and times every push (the
 * upstream stall), and (b) a shell loop restarting gst-launch-1.0 with
 * flvmux ! rtmp2sink after one second, the usual script. */
#include "fixtures/rawfeed.h"
#include "fixtures/servers.h"

#include "fixtures/process.h"

#include <gst/gst.h>
#include <gst/video/video.h>

#include <algorithm>
#include <csignal>
#include <random>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <memory>
#include <thread>
#include <vector>

using namespace std::chrono;

static GstElement *
launch (const std::string & d)
{
  GError *e = nullptr;
  GstElement *p = gst_parse_launch (d.c_str (), &e);
  if (e) {
    std::fprintf (stderr, "%s\n", e->message);
    g_error_free (e);
  }
  return p;
}

/* Time from now to the first decoded frame at a new viewer; -1 on
 * timeout. */
static double
viewer_first_frame_ms (const std::string & url, steady_clock::time_point t0,
    milliseconds timeout)
{
  GstElement *p = launch ("rtmp2src location=" + url + " ! flvdemux name=d "
      "d.video ! queue ! h264parse ! avdec_h264 ! fakesink name=v sync=false");
  std::atomic<bool> got {false};
  steady_clock::time_point when;
  struct Ctx { std::atomic<bool> *got; steady_clock::time_point *when; } ctx {&got, &when};
  GstElement *v = gst_bin_get_by_name (GST_BIN (p), "v");
  GstPad *pad = gst_element_get_static_pad (v, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad *, GstPadProbeInfo *, gpointer d) {
        auto *c = static_cast<Ctx *>(d);
        if (!c->got->load ()) {
          *c->when = steady_clock::now ();
          c->got->store (true);
        }
        return GST_PAD_PROBE_OK;
      }, &ctx, nullptr);
  gst_object_unref (pad);
  gst_object_unref (v);
  gst_element_set_state (p, GST_STATE_PLAYING);
  auto end = steady_clock::now () + timeout;
  while (!got && steady_clock::now () < end)
    std::this_thread::sleep_for (milliseconds (1));
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
  if (!got)
    return -1;
  return duration_cast<microseconds> (when - t0).count () / 1000.0;
}

static void
summary (const char *name, std::vector<double> v)
{
  std::vector<double> ok;
  for (double x : v)
    if (x >= 0)
      ok.push_back (x);
  std::sort (ok.begin (), ok.end ());
  if (ok.empty ()) {
    std::printf ("%-34s no round restored\n", name);
    return;
  }
  std::printf ("%-34s median %7.1f ms  worst %7.1f ms  best %7.1f ms  "
      "(%zu/%zu rounds restored)\n", name, ok[ok.size () / 2], ok.back (),
      ok.front (), ok.size (), v.size ());
}

struct Pusher
{
  std::unique_ptr<fixtures::RawVideoFeed> feed;
  std::atomic<bool> run {true};
  std::atomic<long long> worst_us {0};
  std::thread thread;

  void start (GstElement * ars)
  {
    feed = std::make_unique<fixtures::RawVideoFeed> (ars, "video", 640, 360);
    thread = std::thread ([this] { loop (); });
  }
  void loop ()
  {
    feed->begin ();
    auto next = steady_clock::now ();
    for (guint64 i = 0; run; i++) {
      auto t0 = steady_clock::now ();
      feed->push (i);
      long long us = duration_cast<microseconds> (steady_clock::now () - t0).count ();
      if (us > worst_us)
        worst_us = us;
      next += microseconds (33333);
      std::this_thread::sleep_until (next);
    }
  }
  void stop ()
  {
    run = false;
    thread.join ();
    feed.reset ();
  }
};

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  const int rounds = argc > 1 ? std::atoi (argv[1]) : 20;
  /* 0: a different outage each round, 200..1800 ms, the same sequence for
   * both publishers (so neither lines up with a fixed retry period). */
  const int fixed_outage = argc > 2 ? std::atoi (argv[2]) : 0;
  std::vector<int> outages;
  std::mt19937 rng (42);
  for (int r = 0; r < rounds; r++)
    outages.push_back (fixed_outage > 0 ? fixed_outage
        : 200 + (int) (rng () % 1601));
  if (fixed_outage > 0)
    std::printf ("bench-restore: %d rounds, server down %d ms each\n", rounds,
        fixed_outage);
  else
    std::printf ("bench-restore: %d rounds, server down 200..1800 ms "
        "(seeded)\n", rounds);

  /* (a) autorestoresink, default properties. */
  std::vector<double> ars_ms;
  long long worst_push_us = 0;
  {
    fixtures::NginxRtmp server;
    const std::string url = server.url ("live", "bench");
    GstElement *pipe = gst_pipeline_new (nullptr);
    GstElement *ars = gst_element_factory_make ("autorestoresink", nullptr);
    g_object_set (ars, "location", url.c_str (), nullptr);
    gst_bin_add (GST_BIN (pipe), ars);
    Pusher pusher;
    pusher.start (ars);
    gst_element_set_state (pipe, GST_STATE_PLAYING);
    std::this_thread::sleep_for (milliseconds (1500));
    for (int r = 0; r < rounds; r++) {
      server.kill9 ();
      std::this_thread::sleep_for (milliseconds (outages[r]));
      server.start ();          /* returns once the port accepts */
      auto t0 = steady_clock::now ();
      double ms_ = viewer_first_frame_ms (url, t0, milliseconds (10000));
      ars_ms.push_back (ms_);
      std::printf ("  autorestoresink round %2d: %7.1f ms\n", r + 1, ms_);
      std::fflush (stdout);
    }
    worst_push_us = pusher.worst_us;
    pusher.stop ();
    gst_element_set_state (pipe, GST_STATE_NULL);
    gst_object_unref (pipe);
  }

  /* (b) what users script today. */
  std::vector<double> loop_ms;
  {
    fixtures::NginxRtmp server;
    const std::string url = server.url ("live", "bench");
    std::string cmd = "while true; do gst-launch-1.0 -q videotestsrc "
        "is-live=true ! video/x-raw,width=640,height=360,framerate=30/1 ! "
        "x264enc tune=zerolatency speed-preset=veryfast key-int-max=60 "
        "bitrate=2000 ! flvmux streamable=true ! rtmp2sink location=" + url
        + " >/dev/null 2>&1; sleep 1; done";
    fixtures::ChildProcess script ({"sh", "-c", cmd});
    std::this_thread::sleep_for (milliseconds (2500));
    for (int r = 0; r < rounds; r++) {
      server.kill9 ();
      std::this_thread::sleep_for (milliseconds (outages[r]));
      server.start ();
      auto t0 = steady_clock::now ();
      double ms_ = viewer_first_frame_ms (url, t0, milliseconds (10000));
      loop_ms.push_back (ms_);
      std::printf ("  restart loop    round %2d: %7.1f ms\n", r + 1, ms_);
      std::fflush (stdout);
    }
    /* The shell and its gst-launch child: kill the process group. */
    ::kill (-script.pid (), SIGKILL);
  }
  summary ("autorestoresink (defaults)", ars_ms);
  summary ("gst-launch restart loop (sleep 1)", loop_ms);
  std::printf ("longest upstream push during the outages: %.3f ms "
      "(frame interval 33.3 ms)\n", worst_push_us / 1000.0);
  return 0;
}
