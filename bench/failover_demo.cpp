/* resilient-failover-demo: failoversrc surviving a dead and a stalled
 * primary, with every event printed as it happens.
 *
 * Everything runs locally: an nginx-rtmp server on 127.0.0.1, a primary
 * publisher (red background, 440 Hz) and a backup publisher (blue, 880 Hz).
 * The pipeline
 *
 *   failoversrc uris="rtmp://.../primary | rtmp://.../backup" standby=hot
 *     video -> tee -> x264enc -> matroskamux -> OUTPUT FILE
 *                  -> (small RGBx frames) -> appsink: which source is on air
 *     audio -> voaacenc -> matroskamux
 *
 * runs while the demo kills the primary publisher with SIGKILL, brings it
 * back, stalls it with SIGSTOP, resumes it, and stops. Every failoversrc bus
 * message and every change of what is on the output is printed with its time
 * since the start.
 *
 *   resilient-failover-demo [--output FILE] [--timeout MS] [--holdoff MS]
 */
#include "fixtures/servers.h"
#include "fixtures/watcher.h"

#include <gst/gst.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

using namespace fixtures;
using namespace std::chrono_literals;

static Clock::time_point t0;
static std::mutex print_lock;

static void
say (const char *fmt, ...) G_GNUC_PRINTF (1, 2);

static void
say (const char *fmt, ...)
{
  std::lock_guard<std::mutex> l (print_lock);
  printf ("[%7.3f s] ", ms_between (t0, Clock::now ()) / 1000.0);
  va_list ap;
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  printf ("\n");
  fflush (stdout);
}

static std::string
describe_source (const std::string &cls)
{
  if (cls == "red")
    return "PRIMARY (red, 440 Hz)";
  if (cls == "blue")
    return "BACKUP (blue, 880 Hz)";
  if (cls == "black")
    return "FILLER (black, silence)";
  return "unrecognised frames";
}

static void
print_message (const BusRecorder::Entry &e)
{
  if (e.name == "error" || e.name == "warning") {
    say ("bus %s from %s: %s", e.name.c_str (), e.src.c_str (),
        e.text.c_str ());
    return;
  }
  if (e.name.rfind ("failoversrc-", 0) != 0)
    return;
  if (e.name == "failoversrc-switch") {
    say ("failoversrc-switch: candidate %d -> %d, reason=%s, gap-ms=%" 
        G_GUINT64_FORMAT ", detect-ms=%" G_GUINT64_FORMAT,
        e.get_int ("from-index"), e.get_int ("to-index"),
        e.get_string ("reason").c_str (), (guint64) e.get_uint64 ("gap-ms"),
        (guint64) e.get_uint64 ("detect-ms"));
  } else if (e.name == "failoversrc-retry") {
    say ("failoversrc-retry: candidate %d attempt %u in %" G_GUINT64_FORMAT
        " ms (%s)", e.get_int ("index"), (unsigned) e.get_uint64 ("attempt"),
        (guint64) e.get_uint64 ("delay-ms"), e.get_string ("reason").c_str ());
  } else if (e.name == "failoversrc-candidate-failed") {
    say ("failoversrc-candidate-failed: candidate %d (%s): %s",
        e.get_int ("index"), e.get_string ("reason").c_str (),
        e.get_string ("detail").c_str ());
  } else if (e.name == "failoversrc-give-up") {
    say ("failoversrc-give-up: candidate %d after %u attempts (%s)",
        e.get_int ("index"), (unsigned) e.get_uint64 ("attempts"),
        e.get_string ("reason").c_str ());
  } else {
    say ("%s", e.to_string ().c_str ());
  }
}

/* Prints each change of what is on the output (runs of >= 3 frames). */
static void
watch_output (OutputWatcher *w, std::atomic<bool> *done)
{
  std::string shown;
  Clock::time_point last_fresh {};
  std::string last_fresh_cls;
  size_t seen = 0;
  while (!*done) {
    auto frames = w->frames ();
    for (; seen < frames.size (); seen++) {
      auto &f = frames[seen];
      /* a run of 3 decides what is "on the output" */
      if (seen >= 2 && frames[seen - 1].cls == f.cls
          && frames[seen - 2].cls == f.cls && f.cls != shown) {
        auto &first = frames[seen - 2];
        if (shown.empty () || shown == "black" || last_fresh_cls != shown) {
          say ("OUTPUT: now showing %s", describe_source (f.cls).c_str ());
        } else {
          say ("OUTPUT: now showing %s; no new %s content for %.0f ms before"
              " it", describe_source (f.cls).c_str (), shown.c_str (),
              ms_between (last_fresh, first.wall));
        }
        shown = f.cls;
      }
      if (f.fresh && f.cls == shown) {
        last_fresh = f.wall;
        last_fresh_cls = f.cls;
      }
    }
    std::this_thread::sleep_for (20ms);
  }
}

static bool
wait_class (OutputWatcher &w, const char *cls, ms timeout,
    Clock::time_point since)
{
  return w.wait_for_class (cls, timeout, 3, since);
}

int
main (int argc, char **argv)
{
  std::string output = "demo-output/failover-demo.mkv";
  std::string timeout = "1000", holdoff = "3000";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp (argv[i], "--output"))
      output = argv[i + 1];
    else if (!strcmp (argv[i], "--timeout"))
      timeout = argv[i + 1];
    else if (!strcmp (argv[i], "--holdoff"))
      holdoff = argv[i + 1];
  }
  gst_init (&argc, &argv);
  t0 = Clock::now ();
  if (!gst_element_factory_find ("failoversrc")) {
    fprintf (stderr, "failoversrc is not available: build the plugin and set "
        "GST_PLUGIN_PATH to build/gst/resilient\n");
    return 1;
  }
  auto out_dir = std::filesystem::path (output).parent_path ();
  if (!out_dir.empty ())
    std::filesystem::create_directories (out_dir);
  output = std::filesystem::absolute (output).string ();

  int status = 0;
  try {
    NginxRtmp server;
    say ("nginx-rtmp listening on 127.0.0.1:%d (pid %d)", server.rtmp_port (),
        (int) server.pid ());
    Publisher::Options po;
    po.freq = 440;
    Publisher primary (looks::red (), server.rtmp_url ("primary"), po);
    po.freq = 880;
    Publisher backup (looks::blue (), server.rtmp_url ("backup"), po);
    say ("primary publisher (red, 440 Hz) pid %d -> %s", (int) primary.pid (),
        primary.url ().c_str ());
    say ("backup publisher (blue, 880 Hz) pid %d -> %s", (int) backup.pid (),
        backup.url ().c_str ());
    server.wait_for_publish ("primary", 10s);
    server.wait_for_publish ("backup", 10s);

    std::string desc = "failoversrc name=f standby=hot "
        "f.video ! queue ! tee name=t "
        "t. ! queue ! videoconvert ! x264enc tune=zerolatency "
        "speed-preset=ultrafast key-int-max=30 bitrate=1000 ! h264parse ! "
        "queue ! mux.video_0 "
        "t. ! queue leaky=downstream max-size-buffers=5 ! videoconvert ! "
        "videoscale ! " + std::string (kWatchCaps)
        + " ! appsink name=watch sync=false "
        "f.audio ! queue ! audioconvert ! voaacenc ! aacparse ! queue ! "
        "mux.audio_0 "
        "matroskamux name=mux ! filesink location=\"" + output + "\"";
    GError *err = nullptr;
    GstElement *pipeline = gst_parse_launch (desc.c_str (), &err);
    if (!pipeline || err) {
      fprintf (stderr, "pipeline: %s\n", err ? err->message : "?");
      return 1;
    }
    GstElement *f = gst_bin_get_by_name (GST_BIN (pipeline), "f");
    std::string uris = primary.url () + " | " + backup.url ();
    gst_util_set_object_arg (G_OBJECT (f), "uris", uris.c_str ());
    gst_util_set_object_arg (G_OBJECT (f), "video-caps",
        "video/x-raw,format=I420,width=640,height=360,framerate=30/1");
    gst_util_set_object_arg (G_OBJECT (f), "audio-caps",
        "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=2");
    gst_util_set_object_arg (G_OBJECT (f), "timeout", timeout.c_str ());
    gst_util_set_object_arg (G_OBJECT (f), "failback-holdoff",
        holdoff.c_str ());

    OutputWatcher watcher;
    GstElement *watch = gst_bin_get_by_name (GST_BIN (pipeline), "watch");
    watcher.attach_appsink (watch);
    gst_object_unref (watch);
    BusRecorder bus (pipeline);
    bus.set_listener (print_message);
    std::atomic<bool> done {false};
    std::thread printer (watch_output, &watcher, &done);

    say ("pipeline: failoversrc uris=\"%s\" standby=hot timeout=%s "
        "failback-holdoff=%s -> %s", uris.c_str (), timeout.c_str (),
        holdoff.c_str (), output.c_str ());
    gst_element_set_state (pipeline, GST_STATE_PLAYING);

    bool ok = wait_class (watcher, "red", 20s, t0);
    if (!ok)
      say ("the primary never reached the output");
    if (ok) {
      std::this_thread::sleep_for (3s);
      say ("FAULT: kill -9 the primary publisher (pid %d)",
          (int) primary.pid ());
      auto t = Clock::now ();
      primary.kill9 ();
      ok = wait_class (watcher, "blue", 10s, t);
      if (ok) {
        auto gap = watcher.switch_gap_ms ("red", "blue", t - 2s);
        say ("measured: output moved to the backup %.0f ms after the kill; "
            "content gap %.0f ms",
            ms_between (t, *watcher.first_run_of ("blue", t)),
            gap ? *gap : -1.0);
      }
    }
    if (ok) {
      std::this_thread::sleep_for (3s);
      say ("RECOVERY: primary publisher starts again");
      primary.start ();
      auto t = Clock::now ();
      ok = wait_class (watcher, "red", 30s, t);
      if (ok)
        say ("measured: back on the primary %.0f ms after it restarted "
            "(failback-holdoff %s ms)",
            ms_between (t, *watcher.first_run_of ("red", t)), holdoff.c_str ());
    }
    if (ok) {
      std::this_thread::sleep_for (3s);
      say ("FAULT: SIGSTOP the primary publisher (pid %d): a silent stall, "
          "no error, no EOS", (int) primary.pid ());
      auto t = Clock::now ();
      primary.stop ();
      ok = wait_class (watcher, "blue", 10s, t);
      if (ok)
        say ("measured: output moved to the backup %.0f ms after the stall "
            "(timeout %s ms)", ms_between (t, *watcher.first_run_of ("blue",
                    t)), timeout.c_str ());
    }
    if (ok) {
      std::this_thread::sleep_for (2s);
      say ("RECOVERY: SIGCONT the primary publisher");
      primary.cont ();
      auto t = Clock::now ();
      ok = wait_class (watcher, "red", 30s, t);
      if (!ok) {
        /* A publisher resumed after a long stop may be dropped by the
         * server; starting it again is what an operator would do. */
        say ("primary did not come back by itself; restarting it");
        primary.restart ();
        ok = wait_class (watcher, "red", 30s, Clock::now ());
      }
    }
    std::this_thread::sleep_for (2s);
    say ("stopping: EOS to finish the file");
    gst_element_send_event (pipeline, gst_event_new_eos ());
    GstBus *b = gst_element_get_bus (pipeline);
    GstMessage *m = gst_bus_timed_pop_filtered (b, 10 * GST_SECOND,
        (GstMessageType) (GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    if (m)
      gst_message_unref (m);
    gst_object_unref (b);
    gst_element_set_state (pipeline, GST_STATE_NULL);
    done = true;
    printer.join ();

    GstStructure *stats = nullptr;
    g_object_get (f, "statistics", &stats, nullptr);
    if (stats) {
      gchar *s = gst_structure_to_string (stats);
      say ("statistics: %s", s);
      g_free (s);
      gst_structure_free (stats);
    }
    gst_object_unref (f);
    gst_object_unref (pipeline);
    say ("timeline on the output: %s", watcher.describe (3).c_str ());
    /* Longest time without new picture content (held frames and black
     * filler are not content). */
    double longest = 0;
    Clock::time_point prev {};
    for (auto &fr : watcher.frames ()) {
      if (!fr.fresh || fr.cls == "black" || fr.cls.empty ())
        continue;
      if (prev != Clock::time_point {})
        longest = std::max (longest, ms_between (prev, fr.wall));
      prev = fr.wall;
    }
    say ("switches: %zu, longest time without new content: %.0f ms, errors "
        "on the bus: %zu", bus.count ("failoversrc-switch"), longest,
        bus.count ("error"));
    say ("recording written to %s", output.c_str ());
    status = ok ? 0 : 2;
  } catch (const std::exception &e) {
    fprintf (stderr, "demo failed: %s\n", e.what ());
    status = 1;
  }
  say ("stopped nginx and publishers");
  return status;
}
