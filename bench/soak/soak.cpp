/* resilient-soak: a long run of both elements through faults, sampling the
 * process's RSS, threads and file descriptors (issue 14's soak gate).
 *
 * In one process, at the same time, against real servers on 127.0.0.1:
 *   failoversrc  two nginx-rtmp, a red primary and a blue backup publisher;
 *                every --failover-every-ms the primary is broken or mended
 *                in turn, the fault cycling through publisher kill -9,
 *                publisher SIGSTOP (stall) and primary server restart. After
 *                a break the status must become "backup", after a mend
 *                "live" (fail-back), each before the next event, and video
 *                must keep coming out. failback-holdoff is 1500 ms: a primary
 *                that fails 10 s after it was mended (8 s after the
 *                fail-back) is not flapping (failoversrc doubles the
 *                hold-off of a candidate failing within twice it).
 *   autorestoresink  a third nginx-rtmp restarted (kill -9, start) every
 *                --restore-every-ms; the element must count the restore and
 *                be "publishing" again before the next restart.
 * Every --sample-every-s (offset by half a failover period, away from the
 * events, and once every fault has been answered) a sample: RSS, threads,
 * fds, restores, switches. Make it a
 * multiple of two failover periods: the primary is then in the same state
 * (broken or mended, one or two candidates running) at every sample.
 *
 * RSS is read after malloc_trim (0). Growth is the median of the last three
 * samples minus the median of the first three after the warm-up.
 *
 * Targets, checked after --warmup-s (one line each, "CHECK <name>: PASS|FAIL
 * <detail>"): no fd growth, no thread growth, RSS growth < 1 MiB per 100
 * restores (autorestoresink restores + failoversrc switches), back to live
 * every time for each element, no ERROR on either bus.
 *
 *   resilient-soak [--duration-s 3600] [--warmup-s 60] [--sample-every-s 60]
 *       [--failover-every-ms 10000] [--restore-every-ms 30000]
 *       [--only failover|restore] [--rss-check 1|0]
 */
#include "fixtures/servers.h"

#include <gst/gst.h>
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace fixtures;
using namespace std::chrono;

namespace {

struct Options
{
  int duration_s = 3600;
  int warmup_s = 60;
  int sample_every_s = 60;
  int failover_every_ms = 10000;
  int restore_every_ms = 30000;
  bool failover = true;
  bool restore = true;
  /* --rss-check 0: the RSS figure is printed as INFO, not judged (a run
   * shorter than failoversrc's warm-up, about 7 minutes, cannot judge it). */
  bool rss_check = true;
};

struct Sample
{
  double t_s = 0;
  long rss_kib = 0;
  long threads = 0;
  long fds = 0;
  guint64 restores = 0;
  guint64 switches = 0;
};

long
status_field (const char *name)
{
  std::ifstream f ("/proc/self/status");
  std::string line;
  const size_t n = strlen (name);
  while (std::getline (f, line))
    if (line.compare (0, n, name) == 0 && line[n] == ':')
      return std::atol (line.c_str () + n + 1);
  return -1;
}


GstElement *
launch (const std::string &desc)
{
  GError *err = nullptr;
  GstElement *p = gst_parse_launch (desc.c_str (), &err);
  if (!p || err) {
    std::fprintf (stderr, "cannot build '%s': %s\n", desc.c_str (),
        err ? err->message : "?");
    std::exit (2);
  }
  return p;
}

std::string
enum_nick (GstElement *e, const char *prop)
{
  GParamSpec *ps = g_object_class_find_property (G_OBJECT_GET_CLASS (e), prop);
  GValue v = G_VALUE_INIT;
  g_value_init (&v, ps->value_type);
  g_object_get_property (G_OBJECT (e), prop, &v);
  GEnumClass *k = G_ENUM_CLASS (g_type_class_ref (ps->value_type));
  GEnumValue *ev = g_enum_get_value (k, g_value_get_enum (&v));
  std::string out = ev ? ev->value_nick : "?";
  g_type_class_unref (k);
  g_value_unset (&v);
  return out;
}

guint64
stat_u64 (GstElement *e, const char *field)
{
  GstStructure *s = nullptr;
  g_object_get (e, "statistics", &s, nullptr);
  guint64 v = 0;
  if (s) {
    if (!gst_structure_get_uint64 (s, field, &v)) {
      guint u = 0;
      if (gst_structure_get_uint (s, field, &u))
        v = u;
    }
    gst_structure_free (s);
  }
  return v;
}

/* Pops and drops every message; counts ERRORs (and prints them). */
int
drain_bus (GstElement *pipeline, const char *who)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  int errors = 0;
  while (GstMessage *m = gst_bus_pop (bus)) {
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR) {
      GError *err = nullptr;
      gst_message_parse_error (m, &err, nullptr);
      std::printf ("ERROR from %s (%s): %s\n", who,
          GST_OBJECT_NAME (GST_MESSAGE_SRC (m)), err ? err->message : "");
      g_clear_error (&err);
      errors++;
    }
    gst_message_unref (m);
  }
  gst_object_unref (bus);
  return errors;
}

/* An expectation: `check` holds before `deadline`. */
struct Pending
{
  std::string what;
  steady_clock::time_point deadline;
  std::function<bool ()> check;
};

}  // namespace

int
main (int argc, char **argv)
{
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    int v = std::atoi (argv[i + 1]);
    if (a == "--duration-s")
      o.duration_s = v;
    else if (a == "--warmup-s")
      o.warmup_s = v;
    else if (a == "--sample-every-s")
      o.sample_every_s = v;
    else if (a == "--failover-every-ms")
      o.failover_every_ms = v;
    else if (a == "--restore-every-ms")
      o.restore_every_ms = v;
    else if (a == "--rss-check")
      o.rss_check = v != 0;
    else if (a == "--only") {
      o.failover = std::string (argv[i + 1]) == "failover";
      o.restore = std::string (argv[i + 1]) == "restore";
    } else {
      std::fprintf (stderr, "unknown argument %s (see the header of "
          "bench/soak/soak.cpp)\n", a.c_str ());
      return 2;
    }
  }
  if (o.duration_s <= o.warmup_s || o.sample_every_s <= 0
      || o.failover_every_ms <= 0 || o.restore_every_ms <= 0) {
    std::fprintf (stderr, "the duration must be longer than the warm-up and "
        "every period positive\n");
    return 2;
  }
  gst_init (&argc, &argv);

  /* ---- failoversrc bed */
  std::unique_ptr<NginxRtmp> srv_a, srv_b;
  std::unique_ptr<Publisher> pub_a, pub_b;
  GstElement *fo = nullptr, *fsrc = nullptr;
  std::atomic<guint64> fo_frames {0};
  if (o.failover) {
    srv_a = std::make_unique<NginxRtmp> ();
    srv_b = std::make_unique<NginxRtmp> ();
    pub_a = std::make_unique<Publisher> (looks::red (), srv_a->url ("live",
            "a"));
    pub_b = std::make_unique<Publisher> (looks::blue (), srv_b->url ("live",
            "b"));
    srv_a->wait_for_publish ("a", milliseconds (10000));
    srv_b->wait_for_publish ("b", milliseconds (10000));
    fo = launch ("failoversrc name=f standby=hot failback-holdoff=1500 "
        "uris=\"" + srv_a->url ("live", "a") + " | " + srv_b->url ("live", "b")
        + "\" video-caps=\"video/x-raw,width=320,height=240,framerate=30/1\" "
        "f.video ! queue ! fakesink name=out sync=false "
        "f.audio ! queue ! fakesink sync=false");
    fsrc = gst_bin_get_by_name (GST_BIN (fo), "f");
    GstElement *out = gst_bin_get_by_name (GST_BIN (fo), "out");
    GstPad *pad = gst_element_get_static_pad (out, "sink");
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER,
        [](GstPad *, GstPadProbeInfo *, gpointer d) {
          (*static_cast<std::atomic<guint64> *> (d))++;
          return GST_PAD_PROBE_OK;
        }, &fo_frames, nullptr);
    gst_object_unref (pad);
    gst_object_unref (out);
    gst_element_set_state (fo, GST_STATE_PLAYING);
  }

  /* ---- autorestoresink bed */
  std::unique_ptr<NginxRtmp> srv_r;
  GstElement *ar = nullptr, *ars = nullptr;
  if (o.restore) {
    srv_r = std::make_unique<NginxRtmp> ();
    ar = launch ("videotestsrc is-live=true pattern=ball ! "
        "video/x-raw,width=320,height=240,framerate=30/1 ! ars.video "
        "audiotestsrc is-live=true ! ars.audio "
        "autorestoresink name=ars keyframe-interval=1000 restore-interval=500 "
        "restore-max-tries=-1 location=" + srv_r->url ("live", "soak"));
    ars = gst_bin_get_by_name (GST_BIN (ar), "ars");
    gst_element_set_state (ar, GST_STATE_PLAYING);
  }

  const auto start = steady_clock::now ();
  auto since = [&] { return duration<double> (steady_clock::now () - start)
        .count (); };
  /* Both elements up before the clock of the run starts counting faults. */
  auto up_by = start + seconds (20);
  while (steady_clock::now () < up_by) {
    bool ok = (!fsrc || enum_nick (fsrc, "status") == "live")
        && (!ars || enum_nick (ars, "status") == "publishing");
    if (ok)
      break;
    std::this_thread::sleep_for (milliseconds (50));
  }
  std::printf ("# soak: %d s, warm-up %d s, failover event every %d ms, "
      "server restart every %d ms, sample every %d s\n", o.duration_s,
      o.warmup_s, o.failover_every_ms, o.restore_every_ms, o.sample_every_s);
  std::printf ("# sample t_s rss_kib threads fds restores switches\n");

  const auto t0 = steady_clock::now ();
  auto next_fo = t0 + milliseconds (o.failover_every_ms);
  auto next_rs = t0 + milliseconds (o.restore_every_ms);
  const auto sample_offset = milliseconds (o.failover_every_ms / 2);
  auto next_sample = t0 + sample_offset;
  const auto end = t0 + seconds (o.duration_s);
  int fo_step = 0;
  guint64 restarts = 0;
  int fo_ok = 0, fo_fail = 0, rs_ok = 0, rs_fail = 0, errors = 0;
  std::vector<Pending> pending;
  std::vector<Sample> samples;
  guint64 frames_at_sample = 0;
  int frames_stalled = 0;

  while (steady_clock::now () < end) {
    const auto now = steady_clock::now ();
    if (fo)
      errors += drain_bus (fo, "failoversrc");
    if (ar)
      errors += drain_bus (ar, "autorestoresink");

    /* Expectations met or missed. */
    for (auto it = pending.begin (); it != pending.end ();) {
      const bool fo_kind = it->what.rfind ("failoversrc", 0) == 0;
      if (it->check ()) {
        (fo_kind ? fo_ok : rs_ok)++;
        it = pending.erase (it);
      } else if (now >= it->deadline) {
        (fo_kind ? fo_fail : rs_fail)++;
        std::printf ("MISSED at %.1f s: %s\n", since (), it->what.c_str ());
        it = pending.erase (it);
      } else {
        ++it;
      }
    }

    if (fo && now >= next_fo) {
      next_fo += milliseconds (o.failover_every_ms);
      const int fault = (fo_step / 2) % 3;
      const bool breaking = fo_step % 2 == 0;
      static const char *names[] = {"kill", "stall", "server-restart"};
      if (breaking) {
        if (fault == 0)
          pub_a->kill9 ();
        else if (fault == 1)
          pub_a->stop ();
        else
          srv_a->restart ();
      } else {
        if (fault == 0)
          pub_a->start ();
        else if (fault == 1)
          pub_a->cont ();
        else
          pub_a->restart ();
      }
      const std::string want = breaking ? "backup" : "live";
      pending.push_back ({std::string ("failoversrc ") + names[fault]
              + (breaking ? " -> backup" : " mended -> live"), next_fo,
            [fsrc, want] { return enum_nick (fsrc, "status") == want; }});
      fo_step++;
    }

    if (ar && now >= next_rs) {
      next_rs += milliseconds (o.restore_every_ms);
      /* One more restore than before this restart, and publishing: a
       * restore that misses its deadline counts once, not for every
       * restart after it. */
      const guint64 before = stat_u64 (ars, "restores");
      srv_r->restart ();
      restarts++;
      pending.push_back ({"autorestoresink restore after restart "
              + std::to_string (restarts), std::min (next_rs, now
                + seconds (30)),
            [ars, before] { return stat_u64 (ars, "restores") > before
                  && enum_nick (ars, "status") == "publishing"; }});
    }

    /* Samples are taken when both elements have settled (every fault
     * answered), so that a socket of a connect in progress is not counted;
     * at most 5 s late. */
    if (now >= next_sample
        && (pending.empty () || now >= next_sample + seconds (5))) {
      next_sample += seconds (o.sample_every_s);
      Sample s;
      s.t_s = duration<double> (now - t0).count ();
      /* Memory freed but kept by malloc's arenas is not growth: give it
       * back before reading RSS, so RSS follows what is in use. */
      malloc_trim (0);
      s.rss_kib = status_field ("VmRSS");
      s.threads = status_field ("Threads");
      s.fds = open_fds ();
      s.restores = ars ? stat_u64 (ars, "restores") : 0;
      s.switches = fsrc ? stat_u64 (fsrc, "num-switches") : 0;
      samples.push_back (s);
      std::printf ("sample %.0f %ld %ld %ld %" G_GUINT64_FORMAT " %"
          G_GUINT64_FORMAT "\n", s.t_s, s.rss_kib, s.threads, s.fds,
          s.restores, s.switches);
      std::fflush (stdout);
      if (fo) {
        const guint64 f = fo_frames.load ();
        if (samples.size () > 1 && f == frames_at_sample)
          frames_stalled++;
        frames_at_sample = f;
      }
    }
    std::this_thread::sleep_for (milliseconds (50));
  }

  if (fo)
    gst_element_set_state (fo, GST_STATE_NULL);
  if (ar)
    gst_element_set_state (ar, GST_STATE_NULL);

  /* ---- verdicts */
  int passed = 0, failed = 0;
  auto check = [&] (const char *name, bool ok, const std::string &detail) {
    std::printf ("CHECK %s: %s %s\n", name, ok ? "PASS" : "FAIL",
        detail.c_str ());
    (ok ? passed : failed)++;
  };
  const Sample *base = nullptr;
  for (auto &s : samples)
    if (!base && s.t_s >= o.warmup_s)
      base = &s;
  if (!base || samples.size () < 3 || base == &samples.back ()) {
    check ("samples", false, "too few samples after the warm-up");
  } else {
    /* The two last samples: a leak shows in both, a socket that happened
     * to be open at one sample does not. */
    const Sample &l1 = samples[samples.size () - 2], &l2 = samples.back ();
    const long fds_end = std::min (l1.fds, l2.fds);
    const long thr_end = std::min (l1.threads, l2.threads);
    const guint64 events = (l2.restores - base->restores)
        + (l2.switches - base->switches);
    /* RSS of the first three samples after the warm-up against the last
     * three, each the median: a sample taken while a decoder or encoder
     * is starting is a spike, not growth. */
    auto median_rss = [] (std::vector<long> v) {
      std::sort (v.begin (), v.end ());
      return v[v.size () / 2];
    };
    const size_t b = base - samples.data ();
    std::vector<long> first, last;
    for (size_t i = b; i < samples.size () && first.size () < 3; i++)
      first.push_back (samples[i].rss_kib);
    for (size_t i = samples.size (); i > b && last.size () < 3; i--)
      last.push_back (samples[i - 1].rss_kib);
    const double rss_growth
        = (double) (median_rss (last) - median_rss (first));
    const double per100 = events ? rss_growth * 100.0 / events : 0.0;
    char buf[256];
    std::snprintf (buf, sizeof buf, "(%ld at %.0f s, %ld at the end)",
        base->fds, base->t_s, fds_end);
    check ("no-fd-growth", fds_end <= base->fds, buf);
    std::snprintf (buf, sizeof buf, "(%ld at %.0f s, %ld at the end)",
        base->threads, base->t_s, thr_end);
    check ("no-thread-growth", thr_end <= base->threads, buf);
    std::snprintf (buf, sizeof buf, "(%+.0f KiB over %" G_GUINT64_FORMAT
        " restores and switches: %+.1f KiB per 100)", rss_growth, events,
        per100);
    if (o.rss_check)
      check ("rss-growth-under-1MiB-per-100-restores", events > 0
          && per100 < 1024.0, buf);
    else
      std::printf ("INFO rss-growth %s (not judged: --rss-check 0)\n", buf);
  }
  if (ar) {
    std::string d = "(" + std::to_string (rs_ok) + " of "
        + std::to_string (rs_ok + rs_fail) + " restores back to publishing)";
    check ("autorestoresink-live-every-time", rs_fail == 0 && rs_ok > 0, d);
  }
  if (fo) {
    std::string d = "(" + std::to_string (fo_ok) + " of "
        + std::to_string (fo_ok + fo_fail) + " failovers and failbacks; "
        + std::to_string (frames_stalled) + " samples without new video)";
    check ("failoversrc-live-every-time", fo_fail == 0 && fo_ok > 0
        && frames_stalled == 0, d);
  }
  check ("no-error-on-the-bus", errors == 0,
      "(" + std::to_string (errors) + " ERROR messages)");
  if (fsrc)
    gst_object_unref (fsrc);
  if (ars)
    gst_object_unref (ars);
  if (fo)
    gst_object_unref (fo);
  if (ar)
    gst_object_unref (ar);
  std::printf ("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
